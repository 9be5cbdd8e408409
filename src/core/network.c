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
    }
    free(net->src_share);
    memset(net, 0, sizeof *net);
}
