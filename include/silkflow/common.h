/* silkflow: common utilities shared by every module (no MPI here).
 *
 * Error convention: functions that can fail return an int status (SF_OK = 0,
 * SF_EUSER = 1 for bad input/config, SF_EINTERNAL = 2 for numerical or internal
 * failures) and fill an sf_err with one human-readable message that names the
 * file and line/field where it applies. The CLI prints the message and exits
 * with the status as exit code.
 */
#ifndef SILKFLOW_COMMON_H
#define SILKFLOW_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <nettle/sha2.h>

#define SF_OK 0
#define SF_EUSER 1
#define SF_EINTERNAL 2

#define SF_VERSION "0.1.0"

typedef struct {
    int code;        /* SF_OK, SF_EUSER or SF_EINTERNAL */
    char msg[2048];  /* one line, no trailing newline */
} sf_err;

#if defined(__GNUC__)
#define SF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SF_PRINTF(a, b)
#endif

/* Set e (if not NULL) and return code. */
int sf_fail(sf_err *e, int code, const char *fmt, ...) SF_PRINTF(3, 4);
/* Prefix an existing message: "<prefix>: <old message>". Returns e->code. */
int sf_err_prefix(sf_err *e, const char *fmt, ...) SF_PRINTF(2, 3);
void sf_err_clear(sf_err *e);
/* After a failed write to path (err = errno at the failure, 0 if unknown):
 * "no space left on device", "disk quota exceeded", "file too large", or NULL.
 * errno is often lost inside HDF5 and MPI-IO, so a file system (of path or its
 * directory) with less than max(need, 1 MiB) bytes or no inodes free also
 * counts as full. */
const char *sf_write_failure(const char *path, int err, double need);
/* sf_fail for a failed write: the message, then ": <reason>" and code SF_EUSER
 * when sf_write_failure finds one (a full disk is not an internal error). */
int sf_fail_write(sf_err *e, int code, const char *path, int err, double need, const char *fmt, ...)
    SF_PRINTF(6, 7);

/* Allocation that aborts with a clear message when memory is exhausted. */
void *sf_malloc(size_t n);
void *sf_calloc(size_t n, size_t sz);
void *sf_realloc(void *p, size_t n);
char *sf_strdup(const char *s);
/* 64-byte aligned allocation (free with free()). */
void *sf_aligned_alloc(size_t n);
/* Large buffers (util/bigmem.c): sf_big_alloc's memory is 64-byte aligned
 * and NOT zeroed (it may be a kept buffer holding old data); give it back with
 * sf_big_free (unmapped at once; also frees any malloc'd pointer) or
 * sf_big_keep (kept mapped for the next sf_big_alloc, which then costs no page
 * faults); sf_big_release unmaps the kept one. */
void *sf_big_alloc(size_t n);
void sf_big_free(void *p);
void sf_big_keep(void *p);
void sf_big_release(void);

/* Logging: progress goes to stdout on the reporting rank unless quiet,
 * warnings and errors to stderr. */
void sf_log_set_quiet(int quiet);
int sf_log_quiet(void);
void sf_log_set_enabled(int enabled); /* 0 on non-root ranks */
void sf_info(const char *fmt, ...) SF_PRINTF(1, 2);
void sf_warn(const char *fmt, ...) SF_PRINTF(1, 2);
/* Progress of this process (silkflow run: each group root prints its own
 * years): stdout unless quiet, on any rank. */
void sf_progress(const char *fmt, ...) SF_PRINTF(1, 2);
/* The final summary: stdout on the reporting rank, also when quiet. */
void sf_summary(const char *fmt, ...) SF_PRINTF(1, 2);
/* ISO 8601 UTC timestamps at the start of each log line: 0 never (default), 1
 * always, -1 auto: SILKFLOW_TIMESTAMPS=0|1 when set, else on a stream that is
 * not a terminal (a redirection, srun) and in a Slurm job (SLURM_JOB_ID: Open
 * MPI's mpirun gives the ranks a pseudo-terminal even when its own output goes
 * to a file). Tables printed by the stages are not log lines: no stamps. */
void sf_log_set_stamps(int mode);

/* Wall clock seconds (monotonic). */
double sf_now(void);

/* Test hook (for tests/scripts, e.g. run_kill.sh; no effect otherwise): when
 * the environment variable SILKFLOW_TEST_PAUSE is STAGE or STAGE:YEAR, print
 * "silkflow: test hook: paused at STAGE [YEAR] (pid N)" to stderr and sleep
 * until a handled signal arrives (at most 60 s), so that a test can kill or
 * stop the process at that moment. Stages: read, invert, decompose, write
 * (a year's cache file half-written), assemble (the results file half-written),
 * estimate (after the first model section). */
void sf_test_pause(const char *stage, int year);

/* String helpers. */
char *sf_trim(char *s);                       /* in place, returns s */
int sf_streq_nocase(const char *a, const char *b);
const char *sf_basename(const char *path);    /* pointer into path */
int sf_parse_int(const char *s, long *out);   /* whole string, returns 0 ok */
int sf_parse_double(const char *s, double *out);
/* "1995-2011", "2005", "3-16", "7,8,9,10", "3-5,9" -> sorted unique list.
 * Returns 0 ok, -1 on syntax error. *out is malloc'ed. */
int sf_parse_int_list(const char *s, int **out, int *count);
/* Format a list as the shortest range string ("3-5,9"). */
void sf_format_int_list(const int *v, int count, char *buf, size_t bufsz);

/* Files. */
int sf_file_exists(const char *path);
/* Disk space for a file about to be written: fallocate `bytes` from its start,
 * beyond its end too (its size is kept), so that writes within them cannot
 * fail with ENOSPC: HDF5 1.10 crashes on some failed writes (H5Ocopy,
 * H5Fclose). SF_EUSER with "PATH: cannot reserve the N MB of WHAT: no space
 * left on device" (or quota exceeded) when the file system cannot; SF_OK where
 * fallocate is unsupported (NFS < 4.2) and the free space looks enough. */
int sf_file_reserve(const char *path, double bytes, const char *what, sf_err *e);
/* Give back what a reservation of `bytes` left unused beyond the file's end. */
void sf_file_unreserve(const char *path, double bytes);
int sf_is_dir(const char *path);
int sf_mkdir_p(const char *path);              /* 0 ok */
/* Read a whole file (NUL-terminated); returns NULL and fills e on failure. */
char *sf_read_file(const char *path, size_t *len, sf_err *e);
/* A regular file mapped read-only (its pages are the page cache's: nothing is
 * copied); NULL with e set when it cannot be opened, is not a regular file or
 * cannot be mapped, and for an empty file (e not set then). The file must not
 * shrink while it is mapped (reading a cut page raises SIGBUS). */
const unsigned char *sf_map_file(const char *path, size_t *len, sf_err *e);
void sf_unmap_file(const unsigned char *p, size_t len);
/* Directory of path (malloc'ed), "." when none. */
char *sf_dirname(const char *path);
/* Join dir and name; name returned as is when absolute. malloc'ed. */
char *sf_path_join(const char *dir, const char *name);

/* SHA-256 (Nettle) */
typedef struct {
    struct sha256_ctx ctx;
} sf_sha256;
void sf_sha256_init(sf_sha256 *s);
void sf_sha256_update(sf_sha256 *s, const void *data, size_t n);
void sf_sha256_final(sf_sha256 *s, char hex[65]);
void sf_sha256_hex(const void *data, size_t n, char hex[65]);
int sf_sha256_file(const char *path, char hex[65], sf_err *e);

/* Sorting helpers */
void sf_sort_int(int *v, size_t n);
void sf_sort_double(double *v, size_t n);

/* ---- the data directory (docs/config.md) ---- */
/* Where the shipped configs/, data/ and jobs/ are: SILKFLOW_DATADIR when set
 * and not empty, else the compiled-in directory ($(PREFIX)/share/silkflow for
 * a `make install`ed binary, the source tree for bin/silkflow). Relative input
 * paths of a config are looked up there after the config's own directory. */
const char *sf_datadir(void);

/* String -> int hash map (util/strmap.c; open addressing, keys copied). A
 * zeroed map is empty and usable; sf_strmap_init sizes it for `expected` keys. */
typedef struct {
    char **key;
    int *val;
    size_t cap, count;
} sf_strmap;
void sf_strmap_init(sf_strmap *m, size_t expected);
void sf_strmap_free(sf_strmap *m);
/* value of key, or -1 */
int sf_strmap_get(const sf_strmap *m, const char *key);
/* insert when absent; returns the value stored under key */
int sf_strmap_put(sf_strmap *m, const char *key, int val);

#endif
