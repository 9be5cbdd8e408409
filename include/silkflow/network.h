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
    /* centralities and core-periphery structure (docs/methods.md section 8), per network k */
    double *betweenness[2]; /* m: weighted, edge length 1 / w, normalised by (m - 1)(m - 2) */
    double *eigenvector[2]; /* m: in-eigenvector x_j ~ sum_i w_ij x_i, unit L2 norm (NaN: no convergence) */
    double *coreness[2];    /* m: Borgatti-Everett continuous coreness of (w + w') / (2 max w) */
    double core_fit[2];     /* correlation of a_ij with c_i c_j over i != j */
    int *core[2];           /* m: 1 = in the core of the best discrete split by coreness */
    double core_split_fit[2]; /* correlation of that split's ideal pattern with a (off-diagonal blocks left out) */
    int ncore[2];
    /* by regional group of the partners (sf_network_groups; NULL before) */
    int ngroups;
    double *grp_src_share;   /* ngroups: share of the group in the foreign VA of the focal's exports */
    double *grp_focal_share; /* ngroups: focal VA / all foreign VA in the group's exports */
    double *grp_fin_share;   /* ngroups: focal DVA in final goods to the group / focal DVA to the group */
    double *grp_fin_capture; /* ngroups: focal DVA in final goods to the group / final goods to the group */
} sf_network;

/* G x G country matrices from the year: vax, vbe (VAR), wwz_country
 * (G x G x 16) and fd (G x G: fd[s][r] = final demand of r for s's goods). */
void sf_network_year(int G, const double *vax, const double *vbe, const double *wwz_country, const double *fd,
                     int focal, const int *partners, int np, double threshold, sf_network *net);
void sf_network_free(sf_network *net);

/* Weighted PageRank with damping 0.85 (dangling nodes spread uniformly),
 * iterated to 1e-13 in L1; w is m x m row-major (w[i][j]: edge i -> j). */
void sf_pagerank(int m, const double *w, double *pr);

/* Betweenness centrality (Brandes 2001) of the directed network w (m x m,
 * row-major, w[i][j] > 0 an edge i -> j of length 1 / w[i][j]): the share of
 * the shortest paths between ordered pairs (s, t) of other nodes that pass
 * through the node, summed over the pairs and divided by (m - 1)(m - 2).
 * Path lengths within a relative 1e-12 count as equal. */
void sf_betweenness(int m, const double *w, double *bc);
/* Eigenvector centrality on in-edges, x_j = (1 / lambda) sum_i w_ij x_i (the
 * networkx convention for directed graphs), by power iteration on I + W',
 * unit Euclidean norm, to 1e-14 in L1. Returns the iterations, or -1 (x all
 * NaN) without convergence. */
int sf_eigenvector(int m, const double *w, double *x);
/* Continuous core-periphery model (Borgatti and Everett 1999): the c >= 0
 * minimising sum_{i != j} (a_ij - c_i c_j)^2, a = (w + w') / (2 max w), by
 * coordinate descent from the strengths to 1e-14. Returns the correlation of
 * a_ij and c_i c_j over i != j (NaN when undefined). */
double sf_coreness(int m, const double *w, double *c);
/* The discrete core of a coreness vector: the top-k nodes by c (k = 1 .. m-1)
 * whose ideal pattern (1 inside the core, 0 inside the periphery, the
 * core-periphery blocks left out) has the highest correlation with
 * a = (w + w') / (2 max w) over i != j. core[i] = 1 in the core; returns the
 * correlation, *ncore = k. */
double sf_core_split(int m, const double *w, const double *c, int *core, int *ncore);

/* Shares of the focal region's value-added sources and destinations and its
 * final-goods capture by regional group of the partners: node_group[a] for
 * the nodes a = 1..m-1 (0..ngroups-1; -1 = no group, left out). Fills
 * net->grp_* (same G x G inputs as sf_network_year). */
void sf_network_groups(int G, const double *vbe, const double *wwz_country, const double *fd, int ngroups,
                       const int *node_group, sf_network *net);

#endif
