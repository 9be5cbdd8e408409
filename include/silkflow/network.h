/* silkflow core: the value-added flow network among the focal region and its
 * partners (Zheng et al. 2019), per year. MPI-free.
 *
 * Two directed weighted networks over the nodes {focal} U partners:
 *   VAX: w[s][r] = VAX_sr, value added of s absorbed in r's final demand;
 *   VAR: w[s][r] = value added of s embodied in r's gross exports
 *        (sum_{k in s, j in r} v_k B_kj E_j).
 * Self-loops (s = r) are excluded from every measure. */
#ifndef SILKFLOW_NETWORK_H
#define SILKFLOW_NETWORK_H

#include "silkflow/common.h"

typedef struct {
    int m;              /* nodes; node 0 is the focal region */
    int *region;        /* m region indices */
    double *w[2];       /* [0] VAX, [1] VAR: m x m row-major, zero diagonal */
    double total[2];    /* sum of flows among the nodes */
    double intra[2];    /* among partners only (focal excluded) */
    double world[2];    /* all international flows of the table */
    double density[2];  /* share of ordered pairs with w >= threshold * max w */
    double *in[2], *out[2], *pagerank[2]; /* per node */
    int focal_rank[2];  /* rank of the focal region by PageRank (1 = first) */
    double *src_share;  /* m: share of partner r in the foreign VA of the focal region's exports
                           (VAR[r][0] / sum_{all s != focal} VAR_s,focal); [0] = 0 */
    double fin_share;      /* focal DVA in final-goods exports to partners / its DVA in all exports to partners */
    double fin_capture;    /* focal DVA in final-goods exports to partners / its final-goods exports to partners */
} sf_network;

/* G x G country matrices from the year: vax, vbe (VAR), wwz_country
 * (G x G x 16) and fd (G x G: fd[s][r] = final demand of r for s's goods). */
void sf_network_year(int G, const double *vax, const double *vbe, const double *wwz_country, const double *fd,
                     int focal, const int *partners, int np, double threshold, sf_network *net);
void sf_network_free(sf_network *net);

/* Weighted PageRank with damping 0.85 (dangling nodes spread uniformly),
 * iterated to 1e-13 in L1; w is m x m row-major (w[i][j]: edge i -> j). */
void sf_pagerank(int m, const double *w, double *pr);

#endif
