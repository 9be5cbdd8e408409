/* MPI basics for the whole program. */
#include "silkflow/par.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <string.h>

static int g_inited = 0;
static char g_pml[160] = "pml chosen by Open MPI"; /* also when MPI was started before sf_par_init */

/* Open MPI chooses its point-to-point layer (pml) by opening every one it
 * was built with and the transports under them (PSM, OFI, UCX): 0.2-0.3 s of
 * MPI_Init on a workstation, in every run. When all ranks are on one node
 * (mpirun's OMPI_COMM_WORLD_LOCAL_SIZE = OMPI_COMM_WORLD_SIZE, or a single
 * process started without a launcher) the messages go through shared memory
 * whichever layer carries them, so ob1 is chosen directly (MPI_Init 0.03 s).
 * A user's OMPI_MCA_pml is kept, and jobs over several nodes (or started by
 * srun, whose layout is not known here) are left to Open MPI. */
static void choose_pml(void)
{
    const char *user = getenv("OMPI_MCA_pml");
    const char *ws = getenv("OMPI_COMM_WORLD_SIZE"), *ls = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    const int one_node = ws && ls && strcmp(ws, ls) == 0;
    const int alone = !ws && !getenv("PMIX_RANK") && !getenv("PMI_RANK") && !getenv("SLURM_PROCID");
    if (user)
        snprintf(g_pml, sizeof g_pml, "pml %s (OMPI_MCA_pml set by the user)", user);
    else if (one_node || alone) {
        setenv("OMPI_MCA_pml", "ob1", 0);
        snprintf(g_pml, sizeof g_pml, "pml ob1 (one node: chosen by silkflow; OMPI_MCA_pml overrides)");
    }
}

const char *sf_par_pml(void) { return g_pml; }

void sf_par_init(int *argc, char ***argv)
{
    int flag = 0;
    MPI_Initialized(&flag);
    if (!flag) {
        choose_pml();
        int provided;
        MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
        g_inited = 1;
    }
    sf_log_set_enabled(sf_par_rank() == 0);
}

void sf_par_finalize(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    if (init && !fin && g_inited) MPI_Finalize();
}

int sf_par_rank(void)
{
    int init = 0, r = 0;
    MPI_Initialized(&init);
    if (init) MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int sf_par_size(void)
{
    int init = 0, s = 1;
    MPI_Initialized(&init);
    if (init) MPI_Comm_size(MPI_COMM_WORLD, &s);
    return s;
}

void sf_par_allreduce_sum(double *buf, long n)
{
    if (sf_par_size() == 1 || n <= 0) return;
    const long chunk = 1L << 26;
    for (long off = 0; off < n; off += chunk) {
        int m = (int)(n - off < chunk ? n - off : chunk);
        MPI_Allreduce(MPI_IN_PLACE, buf + off, m, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    }
}

void sf_par_bcast(void *buf, long nbytes)
{
    if (sf_par_size() == 1 || nbytes <= 0) return;
    const long chunk = 1L << 30;
    for (long off = 0; off < nbytes; off += chunk) {
        int m = (int)(nbytes - off < chunk ? nbytes - off : chunk);
        MPI_Bcast((char *)buf + off, m, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
}

int sf_par_any(int flag)
{
    if (sf_par_size() == 1) return flag != 0;
    int in = flag != 0, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    return out;
}

int sf_par_round_sync(int code, sf_err *e, int stop_local, int *stop)
{
    int P = sf_par_size();
    if (P == 1) {
        if (stop) *stop = stop_local;
        return code;
    }
    int in[2] = {code, stop_local}, out[2];
    MPI_Allreduce(in, out, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (stop) *stop = out[1];
    if (out[0] != 0) {
        /* lowest failing rank sends its message to rank 0 */
        int me = sf_par_rank();
        int cand = code != 0 ? me : P, first;
        MPI_Allreduce(&cand, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
        if (first != 0 && first < P) {
            if (me == first) MPI_Send(e->msg, (int)sizeof e->msg, MPI_CHAR, 0, 99, MPI_COMM_WORLD);
            if (me == 0) {
                MPI_Recv(e->msg, (int)sizeof e->msg, MPI_CHAR, first, 99, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
                e->code = out[0];
            }
        }
        if (me == 0 && first == 0) e->code = code;
    }
    return out[0];
}

void sf_par_gather_bytes(const void *rec, long nbytes, void *out)
{
    if (sf_par_size() == 1) {
        memcpy(out, rec, (size_t)nbytes);
        return;
    }
    MPI_Gather(rec, (int)nbytes, MPI_BYTE, out, (int)nbytes, MPI_BYTE, 0, MPI_COMM_WORLD);
}

void sf_par_bcast_int(int *v)
{
    if (sf_par_size() > 1) MPI_Bcast(v, 1, MPI_INT, 0, MPI_COMM_WORLD);
}

double sf_par_max_double(double v)
{
    double out = v;
    if (sf_par_size() > 1) MPI_Allreduce(&v, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return out;
}

double sf_peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (double)ru.ru_maxrss * 1024.0; /* kB on Linux */
}

void sf_par_version(char *buf, size_t n, int *major, int *minor)
{
    char mpi[MPI_MAX_LIBRARY_VERSION_STRING];
    int len = 0;
    MPI_Get_library_version(mpi, &len);
    char *nl = strchr(mpi, '\n');
    if (nl) *nl = '\0';
    nl = strchr(mpi, ',');
    if (nl) *nl = '\0';
    snprintf(buf, n, "%s", mpi);
    *major = MPI_VERSION;
    *minor = MPI_SUBVERSION;
}
