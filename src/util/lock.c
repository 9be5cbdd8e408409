/* The output lock of a run; see include/silkflow/lock.h for the rules. */
#include "silkflow/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    char host[256], boot[64], since[32], job[32];
    long pid;
    unsigned long long start; /* clock ticks after boot, field 22 of /proc/PID/stat; 0 = unknown */
    int restart;
} holder;

struct sf_lock {
    char *path;
    char text[1024]; /* what we wrote: the lock is removed only while it still says so */
    pthread_t thread;
    int beating, quit;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static unsigned long long proc_start(long pid)
{
    char p[64], buf[1024];
    snprintf(p, sizeof p, "/proc/%ld/stat", pid);
    FILE *f = fopen(p, "r");
    if (!f) return 0;
    size_t len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[len] = 0;
    char *s = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    if (!s) return 0;
    s++;
    for (int field = 2; field < 22 && s; field++) { /* s points before field `field + 1` */
        s = strchr(s, ' ');
        if (s) s++;
    }
    return s ? strtoull(s, NULL, 10) : 0;
}

static void holder_self(holder *h)
{
    memset(h, 0, sizeof *h);
    gethostname(h->host, sizeof h->host - 1);
    h->pid = (long)getpid();
    h->start = proc_start(h->pid);
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (f) {
        if (!fgets(h->boot, sizeof h->boot, f)) h->boot[0] = 0;
        h->boot[strcspn(h->boot, "\n")] = 0;
        fclose(f);
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(h->since, sizeof h->since, "%Y-%m-%dT%H:%M:%SZ", &tm);
    const char *job = getenv("SLURM_JOB_ID"), *rs = getenv("SLURM_RESTART_COUNT");
    snprintf(h->job, sizeof h->job, "%s", job ? job : "");
    h->restart = rs ? atoi(rs) : 0;
}

static void holder_format(const holder *h, char *buf, size_t n)
{
    snprintf(buf, n, "silkflow run lock\nhost=%s\npid=%ld\nstart=%llu\nboot=%s\nsince=%s\nslurm_job=%s\n"
             "slurm_restart=%d\nend\n", h->host, h->pid, h->start, h->boot, h->since, h->job, h->restart);
}

/* 1 when text is a whole lock file (its last line is "end") */
static int holder_parse(const char *text, holder *h)
{
    memset(h, 0, sizeof *h);
    const size_t l = strlen(text);
    if (l < 4 || strcmp(text + l - 4, "end\n")) return 0;
    for (const char *s = text; *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        char line[300];
        snprintf(line, sizeof line, "%.*s", (int)len, s);
        char *v = strchr(line, '=');
        if (v) {
            *v++ = 0;
            if (!strcmp(line, "host")) snprintf(h->host, sizeof h->host, "%s", v);
            else if (!strcmp(line, "pid")) h->pid = atol(v);
            else if (!strcmp(line, "start")) h->start = strtoull(v, NULL, 10);
            else if (!strcmp(line, "boot")) snprintf(h->boot, sizeof h->boot, "%s", v);
            else if (!strcmp(line, "since")) snprintf(h->since, sizeof h->since, "%s", v);
            else if (!strcmp(line, "slurm_job")) snprintf(h->job, sizeof h->job, "%s", v);
            else if (!strcmp(line, "slurm_restart")) h->restart = atoi(v);
        }
        s += len + (nl ? 1 : 0);
    }
    return h->host[0] && h->pid > 0;
}

/* The lock file's text and age (seconds since its last refresh): 0, or -1
 * when it does not exist (any more). */
static int lock_read(const char *path, char *text, size_t n, double *age)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    struct stat st = {0};
    ssize_t len = fstat(fd, &st) == 0 ? read(fd, text, n - 1) : -1;
    close(fd);
    text[len > 0 ? len : 0] = 0;
    *age = difftime(time(NULL), st.st_mtime);
    return 0;
}

/* Why the holder h is gone for sure, or NULL when it may still run. */
static const char *holder_gone(const holder *h, const holder *me, double age)
{
    if (!strcmp(h->host, me->host)) {
        if (h->boot[0] && me->boot[0] && strcmp(h->boot, me->boot)) return "the host rebooted since";
        if (kill((pid_t)h->pid, 0) != 0 && errno == ESRCH) return "that process is gone";
        unsigned long long s = h->start ? proc_start(h->pid) : 0;
        if (s && s != h->start) return "that pid now belongs to another process";
        return NULL;
    }
    if (h->job[0] && !strcmp(h->job, me->job) && h->restart < me->restart) return "Slurm requeued its job";
    if (age > SF_LOCK_STALE_SECONDS) return "not refreshed for over 10 minutes";
    return NULL;
}

/* Remove the stale lock whose text was `seen`: renamed aside first, so that
 * of several runs breaking it at once only one does, and put back when what
 * was moved is a newer lock. 0 when removed. */
static int break_stale(const char *path, const char *seen, const holder *me)
{
    size_t l = strlen(path) + 300;
    char *aside = sf_malloc(l), now[1024];
    snprintf(aside, l, "%s.stale.%s.%ld", path, me->host, me->pid);
    int rc = -1;
    double age;
    if (rename(path, aside) == 0) {
        if (lock_read(aside, now, sizeof now, &age) == 0 && !strcmp(now, seen))
            rc = 0;
        else if (link(aside, path) != 0 && errno != EEXIST)
            rename(aside, path);
        unlink(aside);
    }
    free(aside);
    return rc;
}

static void *beat(void *arg)
{
    sf_lock *lk = arg;
    pthread_mutex_lock(&lk->mu);
    while (!lk->quit) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += SF_LOCK_BEAT_SECONDS;
        if (pthread_cond_timedwait(&lk->cv, &lk->mu, &ts) == ETIMEDOUT && !lk->quit)
            utimensat(AT_FDCWD, lk->path, NULL, 0);
    }
    pthread_mutex_unlock(&lk->mu);
    return NULL;
}

static sf_lock *lock_new(const char *path, const char *text)
{
    sf_lock *lk = sf_calloc(1, sizeof *lk);
    lk->path = sf_strdup(path);
    snprintf(lk->text, sizeof lk->text, "%s", text);
    pthread_mutex_init(&lk->mu, NULL);
    pthread_cond_init(&lk->cv, NULL);
    /* the heartbeat thread takes no signals: SIGTERM/SIGUSR1 reach the main thread */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    lk->beating = pthread_create(&lk->thread, NULL, beat, lk) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return lk;
}

int sf_lock_take(const char *path, const char *what, sf_lock **out, sf_err *e)
{
    *out = NULL;
    holder me;
    holder_self(&me);
    char mine[1024], seen[1024];
    holder_format(&me, mine, sizeof mine);
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd >= 0) {
            size_t len = strlen(mine);
            int ok = write(fd, mine, len) == (ssize_t)len;
            int err = errno;
            if (close(fd) != 0 && ok) ok = 0, err = errno;
            if (!ok) {
                unlink(path);
                return sf_fail(e, SF_EUSER, "%s: cannot write the lock file: %s", path, strerror(err));
            }
            *out = lock_new(path, mine);
            return SF_OK;
        }
        if (errno != EEXIST)
            return sf_fail(e, SF_EUSER, "%s: cannot create the lock file of %s: %s", path, what, strerror(errno));
        double age = 0;
        if (lock_read(path, seen, sizeof seen, &age) != 0) continue; /* just released */
        holder h;
        const char *gone;
        if (!holder_parse(seen, &h)) {
            if (age < 10) { /* being written: wait a little */
                nanosleep(&(struct timespec){0, 50000000}, NULL);
                continue;
            }
            gone = "the lock file is incomplete (its writer was killed)";
        } else if (!(gone = holder_gone(&h, &me, age))) {
            return sf_fail(e, SF_EUSER, "%s is in use by another silkflow run: host %s, pid %ld, since %s (lock "
                           "file %s, refreshed %.0f s ago); wait for that run to end or stop it (a lock left by a "
                           "killed run is taken over by itself: at once on the same host, from another host "
                           "after %d minutes without a refresh)", what, h.host, h.pid, h.since, path, age,
                           SF_LOCK_STALE_SECONDS / 60);
        }
        if (break_stale(path, seen, &me) == 0)
            sf_warn("%s: took over the lock left by a run that is gone (host %s, pid %ld, since %s: %s)", path,
                    h.host[0] ? h.host : "?", h.pid, h.since[0] ? h.since : "?", gone);
    }
    return sf_fail(e, SF_EUSER, "%s: cannot take the lock file of %s: it keeps changing (other runs starting at "
                   "the same moment?)", path, what);
}

void sf_lock_release(sf_lock *lk)
{
    if (!lk) return;
    if (lk->beating) {
        pthread_mutex_lock(&lk->mu);
        lk->quit = 1;
        pthread_cond_signal(&lk->cv);
        pthread_mutex_unlock(&lk->mu);
        pthread_join(lk->thread, NULL);
    }
    char now[1024];
    double age;
    if (lock_read(lk->path, now, sizeof now, &age) == 0 && !strcmp(now, lk->text)) unlink(lk->path);
    pthread_mutex_destroy(&lk->mu);
    pthread_cond_destroy(&lk->cv);
    free(lk->path);
    free(lk);
}
