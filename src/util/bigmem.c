/* Large buffers, one kept for reuse (docs/hpc.md "Memory").
 *
 * A year allocates and frees a few buffers of hundreds of MB (the zip member,
 * its inflated text, the table Z, I - A / B). Fresh memory costs a page fault
 * per 4 KiB page when first written: ~3 us each on virtual machines, 0.5-0.8 s
 * of system time per full-size Eora26 year, a quarter of the inversion. So
 * buffers of at least SF_BIG_MIN bytes are mapped here, and the one given
 * back with sf_big_keep stays mapped: the next request takes it, made its
 * size by mremap (which keeps the pages it has and gives back a tail it cuts).
 * The callers keep only what is asked for next: the inflated text of T
 * becomes I - A without a fault (keeping Z for the next year's Z as well
 * raised the 19-year peak by 20-100 MB, beyond the memory model). At
 * most one idle buffer is kept (the largest), and only between a buffer's end
 * and the next large request, so the peak stays as before; sf_big_free
 * unmaps at once, sf_big_release unmaps the idle one. Thread-safe (T and FD
 * are read on two threads).
 * Smaller requests go to posix_memalign. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "silkflow/common.h"

#define SF_BIG_MIN ((size_t)16 << 20)
#define SF_BIG_SLOTS 64

typedef struct {
    void *p;
    size_t cap;
    int used;
} big_slot;

static big_slot g_slot[SF_BIG_SLOTS];
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static size_t page_round(size_t n)
{
    const size_t pg = 4096;
    return (n + pg - 1) / pg * pg;
}

/* the idle buffer made n bytes long (caller holds g_mu); NULL when none is idle */
static void *take_idle(size_t n)
{
    for (int i = 0; i < SF_BIG_SLOTS; i++) {
        big_slot *b = &g_slot[i];
        if (!b->p || b->used) continue;
        if (b->cap != n) { /* grown keeping its pages, or shrunk: the tail is given back */
            void *q = mremap(b->p, b->cap, n, MREMAP_MAYMOVE);
            if (q == MAP_FAILED) return NULL;
            b->p = q;
            b->cap = n;
        }
        b->used = 1;
        return b->p;
    }
    return NULL;
}

void *sf_big_alloc(size_t n)
{
    if (n < SF_BIG_MIN) return sf_aligned_alloc(n);
    n = page_round(n);
    pthread_mutex_lock(&g_mu);
    void *p = take_idle(n);
    int slot = -1;
    for (int i = 0; !p && i < SF_BIG_SLOTS && slot < 0; i++)
        if (!g_slot[i].p) slot = i;
    if (!p && slot >= 0) {
        p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) p = NULL;
        if (p) g_slot[slot] = (big_slot){p, n, 1};
    }
    pthread_mutex_unlock(&g_mu);
    return p ? p : sf_aligned_alloc(n); /* no slot or no mapping: malloc (which reports failure) */
}

/* unmap the idle buffers but the largest (all with keep = 0); caller holds g_mu */
static void trim_idle(int keep)
{
    int big = -1;
    for (int i = 0; keep && i < SF_BIG_SLOTS; i++)
        if (g_slot[i].p && !g_slot[i].used && (big < 0 || g_slot[i].cap > g_slot[big].cap)) big = i;
    for (int i = 0; i < SF_BIG_SLOTS; i++)
        if (g_slot[i].p && !g_slot[i].used && i != big) {
            munmap(g_slot[i].p, g_slot[i].cap);
            g_slot[i] = (big_slot){NULL, 0, 0};
        }
}

/* give p back: unmapped (keep = 0) or kept as the idle buffer (keep = 1) */
static void give_back(void *p, int keep)
{
    if (!p) return;
    pthread_mutex_lock(&g_mu);
    for (int i = 0; i < SF_BIG_SLOTS; i++)
        if (g_slot[i].p == p) {
            g_slot[i].used = 0;
            if (keep) {
                trim_idle(1); /* the largest idle one stays */
            } else {
                munmap(p, g_slot[i].cap);
                g_slot[i] = (big_slot){NULL, 0, 0};
            }
            pthread_mutex_unlock(&g_mu);
            return;
        }
    pthread_mutex_unlock(&g_mu);
    free(p);
}

void sf_big_free(void *p) { give_back(p, 0); }
void sf_big_keep(void *p) { give_back(p, 1); }

void sf_big_release(void)
{
    pthread_mutex_lock(&g_mu);
    trim_idle(0);
    pthread_mutex_unlock(&g_mu);
}
