/* Which BLAS the process runs on (library, version, kernel, threads), and at
 * start-up the choice of OpenBLAS's kernel: OpenBLAS 0.3.21 (Debian 12) does
 * not recognise recent CPUs and falls back to an older kernel (Prescott on
 * Sapphire Rapids, Haswell on AVX-512 Zen 5) that runs DGEMM 1.6-5x slower.
 * When the kernel is of an older class than the CPU supports and the user has
 * not chosen one, silkflow sets OPENBLAS_CORETYPE and re-executes itself, before
 * MPI is initialised (execv keeps the pid, so mpirun and srun see the same
 * process). Nothing here calls MPI. */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "silkflow/common.h"
#include "silkflow/version.h"

/* set in the re-executed process: "TARGET:ORIGINAL" kernel names */
#define REEXEC_MARK "SILKFLOW_BLAS_REEXEC"

typedef char *(*str_fn)(void);
typedef int (*int_fn)(void);

static char g_selection[256] = "OpenBLAS's own choice";
static int g_auto_selected;

static void copy(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

void sf_blas_query(sf_blas_info *b)
{
    memset(b, 0, sizeof *b);
    copy(b->library, sizeof b->library, "unknown");
    copy(b->name, sizeof b->name, "unknown");
    copy(b->version, sizeof b->version, "unknown");
    copy(b->kernel, sizeof b->kernel, "unknown");
    copy(b->selection, sizeof b->selection, g_selection);
    b->auto_selected = g_auto_selected;
    /* the library whose dgemm_ the process calls, and OpenBLAS's queries
     * looked up in it and its dependencies only (libblas.so.3 may be another
     * BLAS, chosen with update-alternatives, while libopenblas is loaded too) */
    void *dg = dlsym(RTLD_DEFAULT, "dgemm_");
    Dl_info di;
    void *h = NULL;
    if (dg && dladdr(dg, &di) && di.dli_fname) {
        char rp[PATH_MAX];
        copy(b->library, sizeof b->library, realpath(di.dli_fname, rp) ? rp : di.dli_fname);
        h = dlopen(di.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    }
    if (!h) return;
    str_fn cfg = (str_fn)dlsym(h, "openblas_get_config"), core = (str_fn)dlsym(h, "openblas_get_corename");
    int_fn thr = (int_fn)dlsym(h, "openblas_get_num_threads");
    if (cfg && core) {
        copy(b->name, sizeof b->name, "OpenBLAS");
        copy(b->config, sizeof b->config, cfg());
        copy(b->kernel, sizeof b->kernel, core());
        char v[32] = "";
        if (sscanf(b->config, "OpenBLAS %31s", v) == 1) copy(b->version, sizeof b->version, v);
        if (thr) b->threads = thr();
    } else {
        copy(b->selection, sizeof b->selection, "not OpenBLAS: no kernel selection");
    }
    dlclose(h);
}

void sf_blas_summary(char *buf, size_t n)
{
    sf_blas_info b;
    sf_blas_query(&b);
    if (strcmp(b.name, "OpenBLAS"))
        snprintf(buf, n, "unknown BLAS (%s), kernel unknown", b.library);
    else
        snprintf(buf, n, "OpenBLAS %s, kernel %s%s, %d thread%s", b.version, b.kernel,
                 b.auto_selected ? " (selected by silkflow)" : "", b.threads, b.threads == 1 ? "" : "s");
}

/* The class of an OpenBLAS x86-64 kernel: 2 AVX-512, 1 AVX2, 0 older
 * (SSE2-SSE4, AVX without FMA, AMD's FMA4 families), -1 not known here. */
static int kernel_class(const char *k)
{
    static const char *const avx512[] = {"SkylakeX", "Cooperlake", "SapphireRapids"};
    static const char *const avx2[] = {"Haswell", "Zen", "Skylake"};
    static const char *const old[] = {"Prescott",    "Core2",     "Penryn",     "Dunnington", "Nehalem",
                                      "Sandybridge", "Atom",      "Nano",       "Katmai",     "Coppermine",
                                      "Northwood",   "Banias",    "Athlon",     "Opteron",    "Opteron_SSE3",
                                      "Barcelona",   "Bobcat",    "Bulldozer",  "Piledriver", "Steamroller",
                                      "Excavator",   "Generic"};
    for (size_t i = 0; i < sizeof avx512 / sizeof *avx512; i++)
        if (!strcasecmp(k, avx512[i])) return 2;
    for (size_t i = 0; i < sizeof avx2 / sizeof *avx2; i++)
        if (!strcasecmp(k, avx2[i])) return 1;
    for (size_t i = 0; i < sizeof old / sizeof *old; i++)
        if (!strcasecmp(k, old[i])) return 0;
    return -1;
}

/* The best kernel for this CPU and its class, or NULL (class 0). */
static const char *cpu_kernel(int *cls, const char **feature)
{
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")) {
        *cls = 2;
        *feature = "AVX-512";
        return "SkylakeX";
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        *cls = 1;
        *feature = "AVX2";
        return "Haswell";
    }
#endif
    *cls = 0;
    *feature = "";
    return NULL;
}

/* --blas-kernel=auto|keep (or "--blas-kernel auto|keep") anywhere in argv is
 * taken out; SILKFLOW_BLAS_AUTO=0 also keeps OpenBLAS's choice. Returns 1
 * (auto), 0 (keep) or -1 after printing an error. */
static int take_option(int *argc, char **argv, const char **why)
{
    int mode = 1;
    const char *env = getenv("SILKFLOW_BLAS_AUTO");
    if (env && *env) {
        if (!strcmp(env, "0") || !strcasecmp(env, "no") || !strcasecmp(env, "off") || !strcasecmp(env, "false"))
            mode = 0, *why = "SILKFLOW_BLAS_AUTO=0";
        else if (strcmp(env, "1") && strcasecmp(env, "yes") && strcasecmp(env, "on") && strcasecmp(env, "true")) {
            fprintf(stderr, "silkflow: error: SILKFLOW_BLAS_AUTO='%s': expected 1 or 0 (yes/no, on/off)\n", env);
            return -1;
        }
    }
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *v = NULL;
        if (!strncmp(argv[i], "--blas-kernel=", 14))
            v = argv[i] + 14;
        else if (!strcmp(argv[i], "--blas-kernel")) {
            if (i + 1 >= *argc) {
                fputs("silkflow: error: --blas-kernel needs a value: auto or keep\n", stderr);
                return -1;
            }
            v = argv[++i];
        } else {
            argv[out++] = argv[i];
            continue;
        }
        if (!strcmp(v, "keep"))
            mode = 0, *why = "--blas-kernel=keep";
        else if (!strcmp(v, "auto"))
            mode = 1, *why = NULL;
        else {
            fprintf(stderr, "silkflow: error: --blas-kernel='%s': expected auto or keep\n", v);
            return -1;
        }
    }
    *argc = out;
    argv[out] = NULL;
    return mode;
}

/* In the re-executed process: record what was chosen, and say it if the
 * chosen kernel did not take. */
static void after_reexec(const char *mark, const sf_blas_info *b)
{
    char target[64] = "", orig[64] = "";
    const char *colon = strchr(mark, ':');
    snprintf(target, sizeof target, "%.*s", colon ? (int)(colon - mark) : (int)strlen(mark), mark);
    if (colon) snprintf(orig, sizeof orig, "%s", colon + 1);
    int cls;
    const char *feature;
    cpu_kernel(&cls, &feature);
    if (!strcasecmp(b->kernel, target)) {
        g_auto_selected = 1;
        snprintf(g_selection, sizeof g_selection,
                 "selected by silkflow (OPENBLAS_CORETYPE=%s) for this %s CPU: OpenBLAS %s chose %s", target,
                 feature, b->version, orig);
    } else {
        snprintf(g_selection, sizeof g_selection, "OPENBLAS_CORETYPE=%s did not take effect (kernel %s)", target,
                 b->kernel);
        sf_warn("OPENBLAS_CORETYPE=%s did not take effect: OpenBLAS runs its %s kernel", target, b->kernel);
    }
    /* processes started from here (and a nested silkflow) see the user's own
     * environment again, with OPENBLAS_CORETYPE as chosen */
    unsetenv(REEXEC_MARK);
}

int sf_blas_startup(int *argc, char **argv)
{
    char **orig_argv = sf_malloc(sizeof(char *) * (size_t)(*argc + 1));
    memcpy(orig_argv, argv, sizeof(char *) * (size_t)*argc);
    orig_argv[*argc] = NULL;
    const char *why_off = NULL;
    int mode = take_option(argc, argv, &why_off);
    if (mode < 0) {
        free(orig_argv);
        return 1;
    }
    sf_blas_info b;
    sf_blas_query(&b);
    const char *mark = getenv(REEXEC_MARK), *user = getenv("OPENBLAS_CORETYPE");
    if (user && !*user) user = NULL; /* OpenBLAS ignores an empty value */
    /* for the tests on CPUs that OpenBLAS does know: OPENBLAS_CORETYPE equal
     * to SF_TEST_BLAS_FALLBACK stands for OpenBLAS's own (poor) choice */
    const char *fake = getenv("SF_TEST_BLAS_FALLBACK");
    if (user && fake && !strcasecmp(user, fake)) user = NULL;
    if (strcmp(b.name, "OpenBLAS")) {
        /* sf_blas_query said it */
    } else if (mark) {
        after_reexec(mark, &b);
    } else {
        int cls;
        const char *feature, *target = cpu_kernel(&cls, &feature);
        int have = kernel_class(b.kernel), better = target && have >= 0 && have < cls;
        if (user) {
            char hint[128] = "";
            if (better) snprintf(hint, sizeof hint, "; this %s CPU can run %s", feature, target);
            snprintf(g_selection, sizeof g_selection, "OPENBLAS_CORETYPE=%s set by the user%s", user, hint);
        }
        else if (!mode)
            snprintf(g_selection, sizeof g_selection, "OpenBLAS's own choice (automatic selection off: %s)", why_off);
        else if (better && strstr(b.config, "DYNAMIC_ARCH")) {
            char m[160];
            snprintf(m, sizeof m, "%s:%s", target, b.kernel);
            if (setenv("OPENBLAS_CORETYPE", target, 1) == 0 && setenv(REEXEC_MARK, m, 1) == 0) {
                fflush(NULL);
                execv("/proc/self/exe", orig_argv);
            }
            /* still here: run on with OpenBLAS's choice */
            int err = errno;
            unsetenv("OPENBLAS_CORETYPE");
            unsetenv(REEXEC_MARK);
            snprintf(g_selection, sizeof g_selection, "OpenBLAS's own choice (re-executing with %s failed: %s)",
                     target, strerror(err));
            sf_warn("cannot re-execute /proc/self/exe with OPENBLAS_CORETYPE=%s (%s): running with the %s kernel",
                    target, strerror(err), b.kernel);
        }
    }
    free(orig_argv);
    return 0;
}
