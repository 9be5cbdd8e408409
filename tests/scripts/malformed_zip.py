#!/usr/bin/env python3
"""Zip archives with broken or forged members, for tests/scripts/malformed.sh.

  malformed_zip.py cut     SRC OUT MEMBER FRACTION   MEMBER's deflate stream cut to FRACTION of its bytes
                                                     (headers intact: the archive opens, the member does not inflate)
  malformed_zip.py declare SRC OUT MEMBER SIZE       MEMBER's headers declare SIZE uncompressed bytes (zip64 when
                                                     >= 4 GiB); its data is unchanged
  malformed_zip.py pad     SRC OUT MEMBER NBYTES     MEMBER gets NBYTES of newlines appended (they deflate to almost
                                                     nothing) and its headers declare the original size
  malformed_zip.py empty   OUT                       an archive without members

Members are written again with raw deflate (zlib), no data descriptors.
"""
import struct
import sys
import zipfile
import zlib

ZIP64 = 0xFFFFFFFF


def deflate(chunks):
    co = zlib.compressobj(6, zlib.DEFLATED, -15)
    out, crc, n = [], 0, 0
    for c in chunks:
        out.append(co.compress(c))
        crc = zlib.crc32(c, crc)
        n += len(c)
    out.append(co.flush())
    return b"".join(out), crc, n


def write_zip(path, entries):
    """entries: (name, deflated bytes, crc, declared uncompressed size)"""
    central = []
    with open(path, "wb") as f:
        for name, data, crc, usize in entries:
            nm = name.encode()
            off = f.tell()
            big = usize >= ZIP64
            ver = 45 if big else 20
            # local header: zip64 extra with both sizes when big
            lextra = struct.pack("<HHQQ", 1, 16, usize, len(data)) if big else b""
            f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, ver, 0, 8, 0, 0x21, crc,
                                ZIP64 if big else len(data), ZIP64 if big else usize, len(nm), len(lextra)))
            f.write(nm + lextra + data)
            cextra = struct.pack("<HHQ", 1, 8, usize) if big else b""
            central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, ver, ver, 0, 8, 0, 0x21, crc, len(data),
                                       ZIP64 if big else usize, len(nm), len(cextra), 0, 0, 0, 0o100644 << 16, off)
                           + nm + cextra)
        cd = f.tell()
        for c in central:
            f.write(c)
        f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), f.tell() - cd, cd, 0))


def members(src):
    with zipfile.ZipFile(src) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def main(argv):
    op = argv[1]
    if op == "empty":
        write_zip(argv[2], [])
        return
    src, out, target, arg = argv[2], argv[3], argv[4], argv[5]
    entries, found = [], False
    for name, text in members(src):
        if name != target:
            entries.append((name,) + deflate([text]))
            continue
        found = True
        if op == "cut":
            data, crc, n = deflate([text])
            entries.append((name, data[: int(len(data) * float(arg))], crc, n))
        elif op == "declare":
            data, crc, _ = deflate([text])
            entries.append((name, data, crc, int(arg)))
        elif op == "pad":
            pad = int(arg)
            chunks = [text] + [b"\n" * (1 << 20)] * (pad >> 20) + [b"\n" * (pad & ((1 << 20) - 1))]
            data, crc, _ = deflate(chunks)
            entries.append((name, data, crc, len(text)))
        else:
            sys.exit(f"malformed_zip.py: unknown operation {op}")
    if not found:
        sys.exit(f"malformed_zip.py: {src} has no member {target}")
    write_zip(out, entries)


if __name__ == "__main__":
    main(sys.argv)
