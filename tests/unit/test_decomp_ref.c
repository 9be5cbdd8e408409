/* Decompositions against independent peers (decompr 6.8.0, cross-checked by
 * exvatools): the three reference tables of tests/data/reference/decomp.
 * The table is rebuilt from in_Z.csv and in_Yfd.csv, B is inverted here with
 * LAPACK, the products come from sf_products_dense, and every output of
 * sf_decompose is compared with the peers' numbers (WWZ terms matched by
 * name), to 1e-12 relative (absolute below 1). */
#include "../../src/core/decomp_internal.h"
#include "test_decomp_util.h"

#define TOL 1e-12

typedef struct {
    int G, N, FD;
    char codes[16][64];
    char inds[16][64];
} meta_t;

static void read_meta(const char *dir, meta_t *m)
{
    char path[512], line[1024];
    snprintf(path, sizeof path, "%s/in_meta.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        exit(2);
    }
    memset(m, 0, sizeof *m);
    while (fgets(line, sizeof line, f)) {
        char *key = strtok(line, " \t\r\n");
        if (!key) continue;
        if (!strcmp(key, "G")) m->G = atoi(strtok(NULL, " \t\r\n"));
        else if (!strcmp(key, "N")) m->N = atoi(strtok(NULL, " \t\r\n"));
        else if (!strcmp(key, "FD_per_country")) m->FD = atoi(strtok(NULL, " \t\r\n"));
        else if (!strcmp(key, "countries") || !strcmp(key, "industries")) {
            char(*dst)[64] = key[0] == 'c' ? m->codes : m->inds;
            int i = 0;
            for (char *w; (w = strtok(NULL, " \t\r\n")) && i < 16; i++) snprintf(dst[i], 64, "%s", w);
        }
    }
    fclose(f);
}

static double *rd(const char *dir, const char *name, int first_col, int er, int ec)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int nr, nc;
    double *m = td_read_csv(path, first_col, &nr, &nc, NULL);
    if (nr != er || nc != ec) {
        fprintf(stderr, "%s: %d x %d, expected %d x %d\n", path, nr, nc, er, ec);
        exit(2);
    }
    return m;
}

/* Column of a CSV frame by name (numeric). */
static const double *col(const sf_frame *f, const char *name)
{
    const sf_column *c = sf_frame_col(f, name);
    if (!c || c->type != SF_COL_NUM) {
        fprintf(stderr, "reference column %s missing\n", name);
        exit(2);
    }
    return c->num;
}

static void one_table(const char *name)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/reference/decomp/%s", t_data(), name);
    meta_t m;
    read_meta(dir, &m);
    const int G = m.G, N = m.N, n = G * N;
    const size_t NN = (size_t)n;
    printf("%s: G=%d N=%d FD=%d\n", name, G, N, m.FD);
    int Ns[16];
    char *codes[16], **secn = sf_calloc(NN, sizeof(char *));
    for (int g = 0; g < G; g++) {
        Ns[g] = N;
        codes[g] = m.codes[g];
        for (int i = 0; i < N; i++) {
            secn[g * N + i] = sf_malloc(160);
            snprintf(secn[g * N + i], 160, "%s.%s", m.codes[g], m.inds[i]);
        }
    }
    sf_labels *lab = td_labels(G, Ns, m.FD, codes, secn);
    sf_table t = {0};
    t.lab = lab;
    t.Z = rd(dir, "in_Z.csv", 1, n, n);
    t.F = rd(dir, "in_Yfd.csv", 1, n, G * m.FD);
    sf_derived d;
    sf_derive(&t, SF_VA_DERIVED, 1e-9, &d);

    /* v, X, E */
    double *vxe = rd(dir, "v_X_E.csv", 1, n, 3);
    for (int k = 0; k < n; k++) {
        CHECK_NEAR(d.v[k], vxe[k * 3 + 0], TOL);
        CHECK_NEAR(d.x[k], vxe[k * 3 + 1], TOL);
        CHECK_NEAR(d.E[k], vxe[k * 3 + 2], TOL);
    }
    /* B and the local inverses */
    double *B = td_inverse(n, t.Z, &d), *Bref = rd(dir, "B.csv", 1, n, n);
    CHECK_MSG(td_maxdiff(B, Bref, NN * NN) < TOL, "%s: B differs by %g", name, td_maxdiff(B, Bref, NN * NN));
    double *Lref = rd(dir, "L_local.csv", 1, n, n), *invx = sf_decomp_invx(&d), *L = sf_malloc((size_t)N * N * 8);
    for (int g = 0; g < G; g++) {
        sf_err e = {0};
        CHECK(sf_decomp_local_inverse(lab, &t, invx, g, L, &e) == SF_OK);
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) CHECK_NEAR(L[i * N + j], Lref[(size_t)(g * N + i) * NN + g * N + j], TOL);
    }

    /* decomposition with a focal region (the last one) */
    sf_products p;
    sf_products_dense(lab, &d, B, G - 1, &p);
    sf_decomp out;
    sf_decomp_opts o = {.store_sector = 1};
    sf_err e = {0};
    CHECK(sf_decompose(lab, &t, &d, &p, &o, &out, &e) == SF_OK);
    printf("  max identity error %.3g\n", out.max_identity_err);
    CHECK(out.max_identity_err < 1e-13);

    double *vby = rd(dir, "decompr_leontief_finaldemand_VBY.csv", 1, n, G);
    CHECK_MSG(td_maxdiff(out.vby, vby, NN * G) < TOL, "%s: VBY", name);
    double *vax = rd(dir, "VAX_country_VBY.csv", 1, G, G);
    CHECK_MSG(td_maxdiff(out.vax, vax, (size_t)G * G) < TOL, "%s: VAX", name);
    double *vbec = rd(dir, "VA_src_in_exports_country_VBE.csv", 1, G, G);
    CHECK_MSG(td_maxdiff(out.vbe_country, vbec, (size_t)G * G) < TOL, "%s: VBE country", name);
    /* IV and FV from the VBE matrix of decompr (v_k B_kj E_j) */
    double *vbe = rd(dir, "decompr_leontief_exports_VBE.csv", 1, n, n);
    for (int k = 0; k < n; k++) {
        double iv = 0, fv = 0;
        for (int j = 0; j < n; j++) {
            if (lab->sector_region[j] == lab->sector_region[k]) continue;
            iv += vbe[(size_t)k * NN + j];
            fv += vbe[(size_t)j * NN + k];
        }
        CHECK_NEAR(out.iv[k], iv, TOL);
        CHECK_NEAR(out.fv[k], fv, TOL);
    }
    /* sector indicators that follow METHODS.md */
    char path[600];
    snprintf(path, sizeof path, "%s/indicators_sector.csv", dir);
    sf_frame *ind;
    int nr, nc;
    free(td_read_csv(path, 3, &nr, &nc, &ind));
    CHECK(nr == n);
    for (int k = 0; k < n; k++) {
        CHECK_NEAR(out.dfwd[k], col(ind, "DViX_F")[k], TOL);
        CHECK_NEAR(out.iv[k], col(ind, "IV_KPWW2010_src")[k], TOL);
        CHECK_NEAR(out.fv[k], col(ind, "FV_VS_exp")[k], TOL);
        CHECK_NEAR(out.rca[k], col(ind, "RCA_VA_fwd")[k], TOL);
        CHECK_NEAR(out.dva[k], col(ind, "DVA_T1_8")[k], TOL);
        CHECK_NEAR(d.E[k], col(ind, "E")[k], TOL);
    }
    sf_frame_free(ind);

    /* the 16 WWZ terms by name; rows (exporter country, sector, importer) */
    snprintf(path, sizeof path, "%s/decompr_wwz.csv", dir);
    sf_frame *wwz;
    free(td_read_csv(path, 3, &nr, &nc, &wwz));
    CHECK(nr == n * G);
    double worst[SF_WWZ_NTERMS] = {0};
    double *cty = sf_calloc((size_t)G * G * SF_WWZ_NTERMS, sizeof(double));
    for (int q = 0; q < SF_WWZ_NTERMS; q++) {
        const double *ref = col(wwz, sf_wwz_names[q]);
        for (int k = 0; k < n; k++)
            for (int r = 0; r < G; r++) {
                const double a = out.wwz_sector[((size_t)k * G + r) * SF_WWZ_NTERMS + q], b = ref[k * G + r];
                CHECK_NEAR(a, b, TOL);
                double dd = fabs(a - b) / (fabs(b) > 1 ? fabs(b) : 1);
                if (dd > worst[q]) worst[q] = dd;
                cty[((size_t)lab->sector_region[k] * G + r) * SF_WWZ_NTERMS + q] += b;
            }
    }
    for (int q = 0; q < SF_WWZ_NTERMS; q++) printf("  %-13s max rel diff %.2g\n", sf_wwz_names[q], worst[q]);
    CHECK_MSG(td_maxdiff(out.wwz_country, cty, (size_t)G * G * SF_WWZ_NTERMS) < TOL, "%s: wwz_country", name);
    sf_frame_free(wwz);
    free(cty);
    /* bilateral exports: the terms add up to E^{sr} */
    double *esr = rd(dir, "Esr.csv", 1, n, G);
    for (int k = 0; k < n; k++)
        for (int r = 0; r < G; r++) {
            double s = 0;
            for (int q = 0; q < SF_WWZ_NTERMS; q++) s += out.wwz_sector[((size_t)k * G + r) * SF_WWZ_NTERMS + q];
            CHECK_NEAR(s, esr[k * G + r], TOL);
        }
    double *dvac = rd(dir, "bilat_country_DVA_T1_8.csv", 1, G, G);
    for (int s = 0; s < G; s++)
        for (int r = 0; r < G; r++) {
            double a = 0;
            for (int q = 0; q < 8; q++) a += out.wwz_country[((size_t)s * G + r) * SF_WWZ_NTERMS + q];
            CHECK_NEAR(a, dvac[s * G + r], TOL);
        }

    /* routes sum to VBY, with every region in turn as the focal one */
    for (int c = 0; c < G; c++) {
        sf_products pc;
        sf_products_dense(lab, &d, B, c, &pc);
        double rt[5 * 16];
        for (int b = 0; b < G; b++) {
            if (b == c) continue;
            for (int dir2 = 0; dir2 < 2; dir2++) {
                const int a0 = dir2 ? b : c, b0 = dir2 ? c : b;
                CHECK(sf_routes(lab, &t, &d, &pc, a0, b0, rt, &e) == SF_OK);
                for (int i = 0; i < N; i++) {
                    double s = 0;
                    for (int q = 0; q < SF_ROUTE_N; q++) s += rt[i * SF_ROUTE_N + q];
                    CHECK_NEAR(s, vby[(size_t)(a0 * N + i) * G + b0], TOL);
                }
            }
        }
        sf_products_free(&pc);
    }

    sf_decomp_free(&out);
    sf_products_free(&p);
    free(vxe);
    free(B);
    free(Bref);
    free(Lref);
    free(invx);
    free(L);
    free(vby);
    free(vax);
    free(vbec);
    free(vbe);
    free(esr);
    free(dvac);
    for (size_t i = 0; i < NN; i++) free(secn[i]);
    free(secn);
    sf_derived_free(&d);
    t.lab = NULL;
    sf_table_free(&t);
    sf_labels_free(lab);
}

int main(void)
{
    one_table("leather");
    one_table("rand4x3");
    one_table("exva_wiodtest");
    TEST_MAIN_END();
}
