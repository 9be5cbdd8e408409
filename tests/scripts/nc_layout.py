"""The netCDF-style layout every silkflow HDF5 file follows (docs/output.md),
checked the same way for the results file (xarray_open.py) and the year
caches (xarray_year_cache.py)."""
import h5py

NOT_A_VAR = b"This is a netCDF dimension but not a netCDF variable"


def variables(f):
    """The names of the datasets of f that are netCDF variables (not pure dimensions)."""
    out = []

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and NOT_A_VAR not in obj.attrs.get("NAME", b""):
            out.append(name)
    f.visititems(visit)
    return out


def check_described(f, name, check):
    """Dataset name has units, dims and description attributes, as many dims as
    axes, and one dimension scale per axis (a 1-D coordinate is its own)."""
    d = f[name]
    for a in ("units", "dims", "description"):
        check(a in d.attrs, f"/{name}: no attribute {a}")
    dims = [s.strip() for s in str(d.attrs.get("dims", "")).split(",")]
    check(len(dims) == d.ndim, f"/{name}: dims {dims} for shape {d.shape}")
    if d.attrs.get("CLASS") == b"DIMENSION_SCALE" and d.ndim == 1:
        return
    for ax in range(d.ndim):
        check(len(d.dims[ax]) == 1, f"/{name}: axis {ax} has {len(d.dims[ax])} scales")
