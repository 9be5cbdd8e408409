/* A year's memory footprint, predicted per rank before anything is
 * allocated, and the up-front check against the memory of each node.
 *
 * The model counts the arrays the pipeline allocates for one year (sizes
 * from the labels and the grid), phase by phase, and takes the larger phase:
 *   distributed phase (every rank): local I - A (B in place), the
 *     right-hand side and product pieces, pdgetri workspace, the sweep
 *     buffers; the group root also holds the table (Z, F, W), derived
 *     vectors, right-hand sides, products, the pack buffer of the scatter
 *     and B when store_leontief;
 *   assembly phase (root): the table, products and the decomposition
 *     outputs (vby, WWZ by country or sector, bilateral exports).
 * Measured peaks agree within a few percent (docs/hpc.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "silkflow/decomp.h"
#include "silkflow/grid.h"
#include "silkflow/scalapack.h"

static double loc(int n, int nb, int p, int np)
{
    int zero = 0;
    return numroc_(&n, &nb, &p, &zero, &np);
}

double sf_mem_year_bytes(const sf_labels *lab, int block, int store_leontief, int store_wwz, int focal, int nprow,
                         int npcol, int myrow, int mycol, int root)
{
    const double n = lab->n, G = lab->G, nfd = lab->nfd, nva = lab->nva;
    const int nb = block < 1 ? 64 : (block > lab->n ? lab->n : block);
    double diag = 0;
    for (int g = 0; g < lab->G; g++) {
        double Ng = lab->region_start[g + 1] - lab->region_start[g];
        diag += Ng * Ng;
    }
    const double Nc = focal >= 0 ? lab->region_start[focal + 1] - lab->region_start[focal] : 0;
    const double mloc = loc(lab->n, nb, myrow, nprow), nloc = loc(lab->n, nb, mycol, npcol);
    const int G1 = lab->G + 1;
    const double nlocR = loc(G1, nb, mycol, npcol);
    const double d = 8.0;
    /* every rank, distributed phase */
    double dist = d * mloc * nloc              /* local I - A, then B in place */
                  + d * mloc * nlocR * 2       /* right-hand side and product pieces */
                  + d * (nloc + nb) * nb * 2   /* pdgetri / pdgecon workspace (order of) */
                  + (nprow * npcol == 1 ? d * 2 * n * SF_GJ_BLOCK : 0) /* Gauss-Jordan's panels */
                  + d * 3 * G * mloc           /* sweep partial sums */
                  + d * (G * n + 3 * n * G + diag + 2 * Nc * n + 64 * n) /* reduction buffer */
                  + d * 6 * n
                  + 30e6;                      /* the process itself: MPI, BLAS, HDF5 libraries */
    if (!root) return dist;
    /* root: the table and what is built from it */
    double table = d * (n * n + n * nfd + nva * n);
    double derived = d * (2 * n * G + 7 * n); /* Y, zreg; x, xcol, va, v, E, zcol, zero flags */
    double rhs = d * (n * (4 * G + 1) + n * G);
    double prods = d * (n * (4 * G + 1) + G * n + diag + 2 * Nc * n);
    double B = store_leontief ? d * n * n : 0;
    /* chunk buffer of the scatter: about 32 MB, or a whole piece when smaller */
    double chunk = (4 << 20) + mloc * nb, piece = mloc * nloc;
    double pack = (nprow * npcol > 1) ? d * (chunk < piece ? chunk : piece) : 0;
    double dense = d * 2 * n * G1                             /* compact rhs and the gathered product */
                   + d * 2 * n * (Nc > 64 ? Nc : 64);         /* residual check of the probe columns */
    double phase_dist = dist + table + derived + rhs + prods + B + pack + dense;
    double outputs = d * (n * G * 3 + G * G * (3 + 16) + 12 * n + n * G /* BrrY */ + diag) +
                     (store_wwz == 2 ? d * n * G * 16 * 2 /* terms + the (G,G,N,16) copy written */ : 0);
    double phase_asm = table + derived + prods + B + outputs;
    return phase_dist > phase_asm ? phase_dist : phase_asm;
}

/* MemAvailable of this node, in bytes (0 when unknown); SF_NODE_MEMORY_GB
 * overrides it (to leave headroom for other jobs, and for tests) */
static double node_memory(void)
{
    const char *env = getenv("SF_NODE_MEMORY_GB");
    if (env && *env) {
        double gb = atof(env);
        if (gb > 0) return gb * 1e9;
    }
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f) return 0;
    char line[256];
    double avail = 0, total = 0;
    while (fgets(line, sizeof line, f)) {
        double v;
        if (sscanf(line, "MemAvailable: %lf kB", &v) == 1) avail = v * 1024;
        if (sscanf(line, "MemTotal: %lf kB", &v) == 1) total = v * 1024;
    }
    fclose(f);
    return avail > 0 ? avail : total;
}

/* Per-node peak for a plan: sum of the footprints of the ranks on each node. */
static double plan_peak(const sf_labels *lab, const sf_config *cfg, int focal, int P, const int *years, int ny,
                        int K, const int *node_of, int nnodes, double *per_node, double *root_bytes)
{
    sf_plan pl;
    sf_plan_make(P, years, ny, K, &pl);
    for (int k = 0; k < nnodes; k++) per_node[k] = 0;
    double worst_rank = 0;
    *root_bytes = 0;
    for (int g = 0; g < pl.ngroups; g++) {
        const int size = pl.first[g + 1] - pl.first[g];
        int pr, pc;
        sf_grid_shape(size, &pr, &pc);
        for (int q = 0; q < size; q++) {
            const int wr = pl.first[g] + q;
            double b = sf_mem_year_bytes(lab, cfg->block, cfg->store_leontief, cfg->store_wwz, focal, pr, pc, q / pc,
                                         q % pc, q == 0);
            per_node[node_of[wr]] += b;
            if (b > worst_rank) worst_rank = b;
            if (q == 0 && b > *root_bytes) *root_bytes = b;
        }
    }
    sf_plan_free(&pl);
    return worst_rank;
}

int sf_mem_check(const sf_labels *lab, const sf_config *cfg, int focal, const int *years, int ny, MPI_Comm world,
                 double *predicted_root, double *predicted_node, sf_err *e)
{
    int P, me;
    MPI_Comm_size(world, &P);
    MPI_Comm_rank(world, &me);
    /* node of every rank, and the memory of every node */
    MPI_Comm node;
    MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, me, MPI_INFO_NULL, &node);
    int nrank, nsize;
    MPI_Comm_rank(node, &nrank);
    MPI_Comm_size(node, &nsize);
    int leader = nrank == 0 ? me : -1, lead;
    MPI_Allreduce(&leader, &lead, 1, MPI_INT, MPI_MAX, node); /* the node's leader world rank */
    MPI_Comm_free(&node);
    double mem = node_memory();
    int *leads = sf_malloc(sizeof(int) * (size_t)P);
    double *mems = sf_malloc(sizeof(double) * (size_t)P);
    MPI_Allgather(&lead, 1, MPI_INT, leads, 1, MPI_INT, world);
    MPI_Allgather(&mem, 1, MPI_DOUBLE, mems, 1, MPI_DOUBLE, world);
    /* number the nodes by leader */
    int *node_of = sf_malloc(sizeof(int) * (size_t)P), nnodes = 0;
    int *node_lead = sf_malloc(sizeof(int) * (size_t)P), *node_ranks = sf_calloc((size_t)P, sizeof(int));
    double *node_mem = sf_malloc(sizeof(double) * (size_t)P);
    for (int r = 0; r < P; r++) {
        int k = -1;
        for (int q = 0; q < nnodes; q++)
            if (node_lead[q] == leads[r]) k = q;
        if (k < 0) {
            k = nnodes++;
            node_lead[k] = leads[r];
            node_mem[k] = mems[r];
        }
        node_of[r] = k;
        node_ranks[k]++;
    }
    /* budget: the config's per-rank figure, else the node's available memory */
    double *budget = sf_malloc(sizeof(double) * (size_t)nnodes), *use = sf_malloc(sizeof(double) * (size_t)nnodes);
    for (int k = 0; k < nnodes; k++)
        budget[k] = cfg->mem_per_rank_gb > 0 ? cfg->mem_per_rank_gb * 1e9 * node_ranks[k] : node_mem[k];
    double rootb = 0;
    double worst = plan_peak(lab, cfg, focal, P, years, ny, cfg->ranks_per_year, node_of, nnodes, use, &rootb);
    *predicted_root = rootb;
    *predicted_node = 0;
    for (int k = 0; k < nnodes; k++)
        if (use[k] > *predicted_node) *predicted_node = use[k];
    int fits = 1, bad = 0;
    for (int k = 0; k < nnodes; k++)
        if (budget[k] > 0 && use[k] > budget[k]) {
            fits = 0;
            bad = k;
        }
    if (cfg->mem_per_rank_gb > 0 && worst > cfg->mem_per_rank_gb * 1e9) fits = 0;
    int rc = SF_OK;
    if (!fits) {
        /* the smallest grid that would fit: fewer, larger groups */
        int best = 0;
        double bu = 0;
        for (int K = (cfg->ranks_per_year > 0 ? cfg->ranks_per_year : 1); K <= P && !best; K++) {
            double rb, w = plan_peak(lab, cfg, focal, P, years, ny, K, node_of, nnodes, use, &rb);
            int ok = 1;
            for (int k = 0; k < nnodes; k++)
                if (budget[k] > 0 && use[k] > budget[k]) ok = 0;
            if (cfg->mem_per_rank_gb > 0 && w > cfg->mem_per_rank_gb * 1e9) ok = 0;
            if (ok) {
                best = K;
                bu = rb;
            }
        }
        worst = plan_peak(lab, cfg, focal, P, years, ny, cfg->ranks_per_year, node_of, nnodes, use, &rootb);
        char what[512];
        if (cfg->mem_per_rank_gb > 0 && worst > cfg->mem_per_rank_gb * 1e9)
            snprintf(what, sizeof what, "a group root needs %.2f GB, more than [compute] memory_per_rank_gb = %g",
                     rootb / 1e9, cfg->mem_per_rank_gb);
        else
            snprintf(what, sizeof what, "its %d ranks on node %d need %.2f GB (group root %.2f GB), more than the "
                     "%.2f GB available there", node_ranks[bad], bad, use[bad] / 1e9, rootb / 1e9, budget[bad] / 1e9);
        if (best) {
            int pr, pc;
            sf_grid_shape(best, &pr, &pc);
            rc = sf_fail(e, SF_EUSER, "memory: a year of this table (n = %d) does not fit: %s; the smallest grid that "
                         "fits is %dx%d: set [compute] ranks_per_year = %d (group root then %.2f GB)", lab->n, what,
                         pr, pc, best, bu / 1e9);
        } else {
            rc = sf_fail(e, SF_EUSER, "memory: a year of this table (n = %d) does not fit: %s, and no grid of these %d "
                         "ranks fits, because the group root reads and assembles the whole table (n x n = %.2f GB "
                         "for Z alone); use nodes with more memory or fewer ranks per node", lab->n, what, P,
                         8.0 * lab->n * (double)lab->n / 1e9);
        }
    }
    free(leads);
    free(mems);
    free(node_of);
    free(node_lead);
    free(node_ranks);
    free(node_mem);
    free(budget);
    free(use);
    return rc;
}

int sf_mem_check_world(const sf_labels *lab, const sf_config *cfg, int focal, const int *years, int ny,
                       double *predicted_root, double *predicted_node, sf_err *e)
{
    return sf_mem_check(lab, cfg, focal, years, ny, MPI_COMM_WORLD, predicted_root, predicted_node, e);
}
