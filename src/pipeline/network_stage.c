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

/* Regional group of every partner from the panel's covariate `group`
 * (/panel/partner, /panel/group; the grouping of /trade/regions), in order of
 * first appearance along the partners list; "(no group)" without one. */
static int partner_groups(const sf_run_info *ri, sf_h5 *out, int **node_group, char ***names, int *ng)
{
    const int m = ri->npartners + 1;
    *node_group = sf_malloc(sizeof(int) * (size_t)m);
    *names = sf_malloc(sizeof(char *) * (size_t)m);
    *ng = 0;
    char **pc = NULL, **gc = NULL;
    hsize_t np = 0, ngc = 0;
    if (sf_h5_exists(out->file, "/panel/partner") && sf_h5_exists(out->file, "/panel/group")) {
        sf_err e2 = {0};
        if (sf_h5_read_strings(out->file, "/panel/partner", &pc, &np, &e2) ||
            sf_h5_read_strings(out->file, "/panel/group", &gc, &ngc, &e2) || ngc != np)
            ngc = 0;
    }
    (*node_group)[0] = -1;
    for (int a = 1; a < m; a++) {
        const char *code = ri->lab->region_code[ri->partners[a - 1]], *name = NULL;
        for (hsize_t i = 0; i < ngc && !name; i++)
            if (!strcmp(pc[i], code) && gc[i][0]) name = gc[i];
        if (!name) name = "(no group)";
        int g = -1;
        for (int k = 0; k < *ng && g < 0; k++)
            if (!strcmp((*names)[k], name)) g = k;
        if (g < 0) {
            g = (*ng)++;
            (*names)[g] = sf_strdup(name);
        }
        (*node_group)[a] = g;
    }
    for (hsize_t i = 0; i < np; i++) free(pc ? pc[i] : NULL);
    for (hsize_t i = 0; i < ngc; i++) free(gc[i]);
    free(pc);
    free(gc);
    return SF_OK;
}

/* Centralities, coreness and the group aggregates of one year (docs/output.md). */
static int write_structure(sf_h5 *out, hid_t g, const sf_network *net, char **gnames, sf_err *e)
{
    static const char *const nm[2] = {"vax", "var"};
    const hsize_t m = (hsize_t)net->m, ng = (hsize_t)net->ngroups;
    int rc = SF_OK;
    for (int k = 0; k < 2 && !rc; k++) {
        char name[64];
        snprintf(name, sizeof name, "betweenness_%s", nm[k]);
        rc = sf_h5_write_double(out, g, name, 1, &m, net->betweenness[k], e);
        snprintf(name, sizeof name, "eigenvector_%s", nm[k]);
        if (!rc) rc = sf_h5_write_double(out, g, name, 1, &m, net->eigenvector[k], e);
        snprintf(name, sizeof name, "coreness_%s", nm[k]);
        if (!rc) rc = sf_h5_write_double(out, g, name, 1, &m, net->coreness[k], e);
        snprintf(name, sizeof name, "core_%s", nm[k]);
        if (!rc) rc = sf_h5_write_int(out, g, name, 1, &m, net->core[k], e);
        snprintf(name, sizeof name, "core_fit_%s", nm[k]);
        sf_h5_attr_double(g, name, net->core_fit[k]);
        snprintf(name, sizeof name, "core_split_fit_%s", nm[k]);
        sf_h5_attr_double(g, name, net->core_split_fit[k]);
        snprintf(name, sizeof name, "ncore_%s", nm[k]);
        sf_h5_attr_int(g, name, net->ncore[k]);
    }
    if (!rc && ng) {
        rc = sf_h5_write_strings(out, g, "region_group", ng, gnames, e);
        if (!rc) rc = sf_h5_write_double(out, g, "group_va_sources_share", 1, &ng, net->grp_src_share, e);
        if (!rc) rc = sf_h5_write_double(out, g, "group_focal_va_share", 1, &ng, net->grp_focal_share, e);
        if (!rc) rc = sf_h5_write_double(out, g, "group_fin_dva_share", 1, &ng, net->grp_fin_share, e);
        if (!rc) rc = sf_h5_write_double(out, g, "group_fin_va_capture", 1, &ng, net->grp_fin_capture, e);
    }
    return rc;
}

int sf_network_stage(const sf_run_info *ri, sf_h5 *out, sf_err *e)
{
    const int G = ri->lab->G;
    int rc = SF_OK;
    char **codes = sf_malloc(sizeof(char *) * (size_t)(ri->npartners + 1));
    int *node_group = NULL, ngroups = 0;
    char **gnames = NULL;
    partner_groups(ri, out, &node_group, &gnames, &ngroups);
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
            sf_network_groups(G, vbe, wwz, fd, ngroups, node_group, &net);
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
            if (!rc) rc = write_structure(out, g, &net, gnames, e);
            sf_h5_close_object(g);
            sf_info("%-10s %d  VAX flow among %d nodes %.4g (%.1f%% of world), density %.3f, focal PageRank rank %d, "
                    "core %d nodes (focal %s)",
                    "network", year, net.m, net.total[0], net.world[0] > 0 ? 100 * net.total[0] / net.world[0] : 0,
                    net.density[0], net.focal_rank[0], net.ncore[0], net.core[0][0] ? "in" : "out");
            sf_network_free(&net);
        }
        free(vax);
        free(vbe);
        free(wwz);
        free(fd);
    }
    free(codes);
    for (int k = 0; k < ngroups; k++) free(gnames[k]);
    free(gnames);
    free(node_group);
    return rc;
}
