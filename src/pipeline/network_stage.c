/* The network stage (rank 0): the value-added flow network of every panel
 * year (Zheng et al. 2019) from the year cache, into /network/YYYY. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/h5.h"
#include "silkflow/network.h"
#include "silkflow/pipeline.h"

static int read_gg(hid_t f, int year, const char *name, int G, double **out, sf_err *e)
{
    char path[64];
    snprintf(path, sizeof path, "/years/%d/%s", year, name);
    int rank;
    hsize_t dims[4];
    int rc = sf_h5_read_double(f, path, out, &rank, dims, e);
    if (!rc && (dims[0] != (hsize_t)G || dims[1] != (hsize_t)G))
        rc = sf_fail(e, SF_EINTERNAL, "%s has unexpected dimensions", path);
    return rc;
}

int sf_network_stage(const sf_run_info *ri, sf_h5 *out, sf_err *e)
{
    const int G = ri->lab->G;
    int rc = SF_OK;
    char **codes = sf_malloc(sizeof(char *) * (size_t)(ri->npartners + 1));
    for (int i = 0; i < ri->nyears && rc == SF_OK; i++) {
        const int year = ri->years[i];
        if (year == ri->lag_year) continue;
        char *path = sf_year_file_path(ri->cachedir, year);
        sf_h5 y;
        rc = sf_h5_open(&y, path, 0, e);
        double *vax = NULL, *vbe = NULL, *wwz = NULL, *fd = NULL;
        if (!rc) rc = read_gg(y.file, year, "vax", G, &vax, e);
        if (!rc) rc = read_gg(y.file, year, "vbe_country", G, &vbe, e);
        if (!rc) rc = read_gg(y.file, year, "wwz_country", G, &wwz, e);
        if (!rc) rc = read_gg(y.file, year, "fd_country", G, &fd, e);
        if (y.file > 0) sf_h5_close(&y, NULL);
        free(path);
        if (!rc) {
            sf_network net;
            sf_network_year(G, vax, vbe, wwz, fd, ri->focal, ri->partners, ri->npartners, ri->cfg->net_threshold,
                            &net);
            char gname[48];
            snprintf(gname, sizeof gname, "/network/%d", year);
            hid_t g = sf_h5_group(out, gname);
            const hsize_t m = (hsize_t)net.m, mm[2] = {m, m};
            for (int k = 0; k < net.m; k++) codes[k] = ri->lab->region_code[net.region[k]];
            rc = sf_h5_write_strings(out, g, "nodes", m, codes, e);
            static const char *const nm[2] = {"vax", "var"};
            for (int k = 0; k < 2 && !rc; k++) {
                char name[64];
                rc = sf_h5_write_double(out, g, nm[k], 2, mm, net.w[k], e);
                snprintf(name, sizeof name, "strength_in_%s", nm[k]);
                if (!rc) rc = sf_h5_write_double(out, g, name, 1, &m, net.in[k], e);
                snprintf(name, sizeof name, "strength_out_%s", nm[k]);
                if (!rc) rc = sf_h5_write_double(out, g, name, 1, &m, net.out[k], e);
                snprintf(name, sizeof name, "pagerank_%s", nm[k]);
                if (!rc) rc = sf_h5_write_double(out, g, name, 1, &m, net.pagerank[k], e);
                snprintf(name, sizeof name, "total_flow_%s", nm[k]);
                sf_h5_attr_double(g, name, net.total[k]);
                snprintf(name, sizeof name, "intra_partner_flow_%s", nm[k]);
                sf_h5_attr_double(g, name, net.intra[k]);
                snprintf(name, sizeof name, "world_flow_%s", nm[k]);
                sf_h5_attr_double(g, name, net.world[k]);
                snprintf(name, sizeof name, "density_%s", nm[k]);
                sf_h5_attr_double(g, name, net.density[k]);
                snprintf(name, sizeof name, "focal_rank_%s", nm[k]);
                sf_h5_attr_int(g, name, net.focal_rank[k]);
            }
            /* contract names: strength_in / strength_out / pagerank of the VAX network */
            if (!rc) rc = sf_h5_write_double(out, g, "strength_in", 1, &m, net.in[0], e);
            if (!rc) rc = sf_h5_write_double(out, g, "strength_out", 1, &m, net.out[0], e);
            if (!rc) rc = sf_h5_write_double(out, g, "pagerank", 1, &m, net.pagerank[0], e);
            if (!rc) rc = sf_h5_write_double(out, g, "focal_va_sources_share", 1, &m, net.src_share, e);
            sf_h5_attr_double(g, "threshold", ri->cfg->net_threshold);
            sf_h5_attr_double(g, "focal_fin_dva_share", net.fin_share);
            sf_h5_attr_double(g, "focal_fin_va_capture", net.fin_capture);
            sf_h5_close_object(g);
            sf_info("%-10s %d  VAX flow among %d nodes %.4g (%.1f%% of world), density %.3f, focal PageRank rank %d",
                    "network", year, net.m, net.total[0], net.world[0] > 0 ? 100 * net.total[0] / net.world[0] : 0,
                    net.density[0], net.focal_rank[0]);
            sf_network_free(&net);
        }
        free(vax);
        free(vbe);
        free(wwz);
        free(fd);
    }
    free(codes);
    return rc;
}
