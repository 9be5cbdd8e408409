/* Value-added flow network among the focal region and its partners. */
#include "silkflow/network.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "silkflow/decomp.h"

void sf_pagerank(int m, const double *w, double *pr)
{
    const double damp = 0.85;
    double *outw = sf_calloc((size_t)m, sizeof(double));
    double *next = sf_malloc(sizeof(double) * (size_t)m);
    for (int i = 0; i < m; i++) {
        for (int j = 0; j < m; j++) outw[i] += w[(size_t)i * m + j];
        pr[i] = 1.0 / m;
    }
    for (int it = 0; it < 10000; it++) {
        double dangling = 0;
        for (int i = 0; i < m; i++)
            if (!(outw[i] > 0)) dangling += pr[i];
        for (int j = 0; j < m; j++) next[j] = (1 - damp) / m + damp * dangling / m;
        for (int i = 0; i < m; i++) {
            if (!(outw[i] > 0)) continue;
            const double f = damp * pr[i] / outw[i];
            for (int j = 0; j < m; j++) next[j] += f * w[(size_t)i * m + j];
        }
        double diff = 0;
        for (int j = 0; j < m; j++) {
            diff += fabs(next[j] - pr[j]);
            pr[j] = next[j];
        }
        if (diff < 1e-13) break;
    }
    free(outw);
    free(next);
}

/* ---- centralities and core-periphery structure (docs/methods.md section 8) ---- */

void sf_betweenness(int m, const double *w, double *bc)
{
    const size_t M = (size_t)m;
    double *dist = sf_malloc(sizeof(double) * M), *sigma = sf_malloc(sizeof(double) * M);
    double *delta = sf_malloc(sizeof(double) * M);
    int *order = sf_malloc(sizeof(int) * M);
    unsigned char *done = sf_malloc(M);
    for (int i = 0; i < m; i++) bc[i] = 0;
    for (int s = 0; s < m; s++) {
        for (int i = 0; i < m; i++) {
            dist[i] = INFINITY;
            sigma[i] = 0;
            delta[i] = 0;
            done[i] = 0;
        }
        dist[s] = 0;
        sigma[s] = 1;
        int nord = 0;
        /* dense Dijkstra: the settled nodes in order of distance */
        for (;;) {
            int v = -1;
            for (int i = 0; i < m; i++)
                if (!done[i] && isfinite(dist[i]) && (v < 0 || dist[i] < dist[v])) v = i;
            if (v < 0) break;
            done[v] = 1;
            order[nord++] = v;
            for (int u = 0; u < m; u++) {
                const double x = w[(size_t)v * M + u];
                if (u == v || !(x > 0) || done[u]) continue;
                const double d = dist[v] + 1.0 / x;
                if (d < dist[u] * (1 - 1e-12)) {
                    dist[u] = d;
                    sigma[u] = sigma[v];
                } else if (fabs(d - dist[u]) <= 1e-12 * dist[u]) {
                    sigma[u] += sigma[v];
                }
            }
        }
        /* dependencies, farthest first: v precedes u when dist[v] + 1/w_vu equals dist[u] */
        for (int k = nord - 1; k > 0; k--) {
            const int u = order[k];
            for (int j = 0; j < k; j++) {
                const int v = order[j];
                const double x = w[(size_t)v * M + u];
                if (v == u || !(x > 0)) continue;
                if (fabs(dist[v] + 1.0 / x - dist[u]) <= 1e-12 * dist[u])
                    delta[v] += sigma[v] / sigma[u] * (1 + delta[u]);
            }
            bc[u] += delta[u];
        }
    }
    const double scale = m > 2 ? 1.0 / ((double)(m - 1) * (m - 2)) : 0;
    for (int i = 0; i < m; i++) bc[i] *= scale;
    free(dist);
    free(sigma);
    free(delta);
    free(order);
    free(done);
}

int sf_eigenvector(int m, const double *w, double *x)
{
    double *next = sf_malloc(sizeof(double) * (size_t)m);
    /* W scaled to the largest in-strength 100: the shift I keeps the iteration aperiodic without slowing it */
    double maxin = 0;
    for (int j = 0; j < m; j++) {
        double sj = 0;
        for (int i = 0; i < m; i++)
            if (i != j) sj += w[(size_t)i * m + j];
        if (sj > maxin) maxin = sj;
    }
    const double f = maxin > 0 ? 100 / maxin : 1;
    for (int i = 0; i < m; i++) x[i] = 1.0 / m;
    int it = 0, ok = 0;
    for (it = 1; it <= 100000 && !ok; it++) {
        double norm = 0;
        for (int j = 0; j < m; j++) {
            double acc = x[j];
            for (int i = 0; i < m; i++)
                if (i != j) acc += f * w[(size_t)i * m + j] * x[i];
            next[j] = acc;
            norm += acc * acc;
        }
        norm = sqrt(norm);
        double diff = 0;
        for (int j = 0; j < m; j++) {
            next[j] = norm > 0 ? next[j] / norm : 0;
            diff += fabs(next[j] - x[j]);
            x[j] = next[j];
        }
        ok = norm > 0 && diff < 1e-14 * m;
        if (!(norm > 0)) break;
    }
    free(next);
    if (!ok) {
        for (int i = 0; i < m; i++) x[i] = NAN;
        return -1;
    }
    return it - 1;
}

/* a = (w + w') / (2 max w), zero diagonal; returns NULL when w has no positive flow */
static double *sym_scaled(int m, const double *w)
{
    double maxw = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++)
            if (i != j && w[(size_t)i * m + j] > maxw) maxw = w[(size_t)i * m + j];
    if (!(maxw > 0)) return NULL;
    double *a = sf_calloc((size_t)m * m, sizeof(double));
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++)
            if (i != j) a[(size_t)i * m + j] = (w[(size_t)i * m + j] + w[(size_t)j * m + i]) / (2 * maxw);
    return a;
}

/* Pearson correlation of x and y over the n pairs with use[k] */
static double corr(size_t n, const double *x, const double *y, const unsigned char *use)
{
    double sx = 0, sy = 0, k = 0;
    for (size_t i = 0; i < n; i++)
        if (!use || use[i]) {
            sx += x[i];
            sy += y[i];
            k++;
        }
    if (k < 2) return NAN;
    sx /= k;
    sy /= k;
    double cxy = 0, cxx = 0, cyy = 0;
    for (size_t i = 0; i < n; i++)
        if (!use || use[i]) {
            cxy += (x[i] - sx) * (y[i] - sy);
            cxx += (x[i] - sx) * (x[i] - sx);
            cyy += (y[i] - sy) * (y[i] - sy);
        }
    return cxx > 0 && cyy > 0 ? cxy / sqrt(cxx * cyy) : NAN;
}

double sf_coreness(int m, const double *w, double *c)
{
    double *a = sym_scaled(m, w);
    if (!a || m < 2) {
        for (int i = 0; i < m; i++) c[i] = a ? 0 : NAN;
        free(a);
        return NAN;
    }
    /* start: sqrt of the mean tie; then c_i = sum_{j!=i} a_ij c_j / sum_{j!=i} c_j^2 (exact minimiser in c_i) */
    for (int i = 0; i < m; i++) {
        double s = 0;
        for (int j = 0; j < m; j++) s += a[(size_t)i * m + j];
        c[i] = sqrt(s / (m - 1));
    }
    double ss = 0;
    for (int j = 0; j < m; j++) ss += c[j] * c[j];
    for (int it = 0; it < 200000; it++) {
        double diff = 0;
        for (int i = 0; i < m; i++) {
            double num = 0;
            for (int j = 0; j < m; j++) num += a[(size_t)i * m + j] * c[j];
            const double den = ss - c[i] * c[i];
            double ci = den > 0 ? num / den : 0;
            if (ci < 0) ci = 0;
            diff += fabs(ci - c[i]);
            ss += ci * ci - c[i] * c[i];
            c[i] = ci;
        }
        if (diff < 1e-14 * m) break;
    }
    double *pat = sf_malloc(sizeof(double) * (size_t)m * m);
    unsigned char *use = sf_malloc((size_t)m * m);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            pat[(size_t)i * m + j] = c[i] * c[j];
            use[(size_t)i * m + j] = i != j;
        }
    const double r = corr((size_t)m * m, a, pat, use);
    free(pat);
    free(use);
    free(a);
    return r;
}

double sf_core_split(int m, const double *w, const double *c, int *core, int *ncore)
{
    for (int i = 0; i < m; i++) core[i] = 0;
    *ncore = 0;
    double *a = sym_scaled(m, w);
    if (!a || m < 3) {
        free(a);
        return NAN;
    }
    int *ord = sf_malloc(sizeof(int) * (size_t)m);
    for (int i = 0; i < m; i++) ord[i] = i;
    for (int i = 1; i < m; i++) /* by coreness, descending; ties by index */
        for (int j = i; j > 0 && (c[ord[j]] > c[ord[j - 1]] || (c[ord[j]] == c[ord[j - 1]] && ord[j] < ord[j - 1])); j--) {
            const int t = ord[j];
            ord[j] = ord[j - 1];
            ord[j - 1] = t;
        }
    int *in = sf_calloc((size_t)m, sizeof(int));
    double *pat = sf_malloc(sizeof(double) * (size_t)m * m);
    unsigned char *use = sf_malloc((size_t)m * m);
    double best = -INFINITY;
    int bestk = 0;
    for (int k = 1; k < m; k++) {
        in[ord[k - 1]] = 1;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < m; j++) {
                pat[(size_t)i * m + j] = in[i] && in[j];
                use[(size_t)i * m + j] = i != j && in[i] == in[j];
            }
        const double r = corr((size_t)m * m, a, pat, use);
        if (r > best + 1e-12) {
            best = r;
            bestk = k;
        }
    }
    for (int k = 0; k < bestk; k++) core[ord[k]] = 1;
    *ncore = bestk;
    free(ord);
    free(in);
    free(pat);
    free(use);
    free(a);
    return bestk ? best : NAN;
}

void sf_network_groups(int G, const double *vbe, const double *wwz_country, const double *fd, int ngroups,
                       const int *node_group, sf_network *net)
{
    const int m = net->m, c = net->region[0];
    net->ngroups = ngroups;
    const size_t ng = (size_t)(ngroups > 0 ? ngroups : 1);
    net->grp_src_share = sf_calloc(ng, sizeof(double));
    net->grp_focal_share = sf_calloc(ng, sizeof(double));
    net->grp_fin_share = sf_calloc(ng, sizeof(double));
    net->grp_fin_capture = sf_calloc(ng, sizeof(double));
    double *fva = sf_calloc(ng, sizeof(double)), *focal_in = sf_calloc(ng, sizeof(double));
    double *dfin = sf_calloc(ng, sizeof(double)), *dva = sf_calloc(ng, sizeof(double));
    double *fin = sf_calloc(ng, sizeof(double));
    double foreign = 0;
    for (int s = 0; s < G; s++)
        if (s != c) foreign += vbe[(size_t)s * G + c];
    for (int a = 1; a < m; a++) {
        const int g = node_group[a], r = net->region[a];
        if (g < 0 || g >= ngroups) continue;
        net->grp_src_share[g] += vbe[(size_t)r * G + c];
        for (int s = 0; s < G; s++)
            if (s != r) fva[g] += vbe[(size_t)s * G + r];
        focal_in[g] += vbe[(size_t)c * G + r];
        const double *t = wwz_country + ((size_t)c * G + r) * SF_WWZ_NTERMS;
        dfin[g] += t[0];
        for (int q = 0; q < 8; q++) dva[g] += t[q];
        fin[g] += fd[(size_t)c * G + r];
    }
    for (int g = 0; g < ngroups; g++) {
        net->grp_src_share[g] = foreign > 0 ? net->grp_src_share[g] / foreign : NAN;
        net->grp_focal_share[g] = fva[g] > 0 ? focal_in[g] / fva[g] : NAN;
        net->grp_fin_share[g] = dva[g] > 0 ? dfin[g] / dva[g] : NAN;
        net->grp_fin_capture[g] = fin[g] > 0 ? dfin[g] / fin[g] : NAN;
    }
    free(fva);
    free(focal_in);
    free(dfin);
    free(dva);
    free(fin);
}

void sf_network_year(int G, const double *vax, const double *vbe, const double *wwz_country, const double *fd,
                     int focal, const int *partners, int np, double threshold, sf_network *net)
{
    memset(net, 0, sizeof *net);
    const int m = np + 1;
    net->m = m;
    net->region = sf_malloc(sizeof(int) * (size_t)m);
    net->region[0] = focal;
    for (int i = 0; i < np; i++) net->region[i + 1] = partners[i];
    const double *src[2] = {vax, vbe};
    for (int k = 0; k < 2; k++) {
        double *w = net->w[k] = sf_calloc((size_t)m * m, sizeof(double));
        net->in[k] = sf_calloc((size_t)m, sizeof(double));
        net->out[k] = sf_calloc((size_t)m, sizeof(double));
        net->pagerank[k] = sf_calloc((size_t)m, sizeof(double));
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
                if (a != b) w[(size_t)a * m + b] = src[k][(size_t)net->region[a] * G + net->region[b]];
        double maxw = 0;
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++) {
                const double x = w[(size_t)a * m + b];
                net->total[k] += x;
                if (a && b) net->intra[k] += x;
                net->out[k][a] += x;
                net->in[k][b] += x;
                if (x > maxw) maxw = x;
            }
        for (int s = 0; s < G; s++)
            for (int r = 0; r < G; r++)
                if (s != r) net->world[k] += src[k][(size_t)s * G + r];
        long dense = 0;
        for (int a = 0; a < m; a++)
            for (int b = 0; b < m; b++)
                if (a != b && maxw > 0 && w[(size_t)a * m + b] >= threshold * maxw) dense++;
        net->density[k] = m > 1 ? (double)dense / ((double)m * (m - 1)) : 0;
        sf_pagerank(m, w, net->pagerank[k]);
        int rank = 1;
        for (int a = 1; a < m; a++) rank += net->pagerank[k][a] > net->pagerank[k][0];
        net->focal_rank[k] = rank;
        net->betweenness[k] = sf_calloc((size_t)m, sizeof(double));
        net->eigenvector[k] = sf_calloc((size_t)m, sizeof(double));
        net->coreness[k] = sf_calloc((size_t)m, sizeof(double));
        net->core[k] = sf_calloc((size_t)m, sizeof(int));
        sf_betweenness(m, w, net->betweenness[k]);
        sf_eigenvector(m, w, net->eigenvector[k]);
        net->core_fit[k] = sf_coreness(m, w, net->coreness[k]);
        net->core_split_fit[k] = sf_core_split(m, w, net->coreness[k], net->core[k], &net->ncore[k]);
    }
    /* where the focal region's foreign value added in exports comes from */
    net->src_share = sf_calloc((size_t)m, sizeof(double));
    double foreign = 0;
    for (int s = 0; s < G; s++)
        if (s != focal) foreign += vbe[(size_t)s * G + focal];
    for (int a = 1; a < m; a++) net->src_share[a] = foreign > 0 ? vbe[(size_t)net->region[a] * G + focal] / foreign : NAN;
    /* value captured in final-goods exports to partners (WWZ T1 = DVA_FIN, T1..T8 = DVA) */
    double dva_fin = 0, dva = 0, fin = 0;
    for (int a = 1; a < m; a++) {
        const double *t = wwz_country + ((size_t)focal * G + net->region[a]) * SF_WWZ_NTERMS;
        dva_fin += t[0];
        for (int q = 0; q < 8; q++) dva += t[q];
        fin += fd[(size_t)focal * G + net->region[a]];
    }
    net->fin_share = dva > 0 ? dva_fin / dva : NAN;
    net->fin_capture = fin > 0 ? dva_fin / fin : NAN;
}

void sf_network_free(sf_network *net)
{
    free(net->region);
    for (int k = 0; k < 2; k++) {
        free(net->w[k]);
        free(net->in[k]);
        free(net->out[k]);
        free(net->pagerank[k]);
        free(net->betweenness[k]);
        free(net->eigenvector[k]);
        free(net->coreness[k]);
        free(net->core[k]);
    }
    free(net->src_share);
    free(net->grp_src_share);
    free(net->grp_focal_share);
    free(net->grp_fin_share);
    free(net->grp_fin_capture);
    memset(net, 0, sizeof *net);
}
