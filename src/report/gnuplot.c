/* Running gnuplot for the report's figures. Each figure is one self-contained
 * script (its data inline as $data << EOD blocks) kept beside the images as
 * figures/<name>.gp, so that a reader can restyle a figure and re-run it with
 * `gnuplot <name>.gp` in that directory. gnuplot is started with
 * posix_spawn (no shell, so no quoting of paths), in the figures directory,
 * with -d (no init files: the output does not depend on a user's ~/.gnuplot),
 * its messages in a log file, and a time limit. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "report_internal.h"

extern char **environ;

#define GNUPLOT_TIMEOUT_S 120

static int executable(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

char *rp_gnuplot_find(const char *explicit_path, char *msg, size_t msgsz)
{
    const char *want = explicit_path;
    const char *from = "--gnuplot";
    if (!want || !*want) {
        want = getenv("SF_GNUPLOT");
        from = "SF_GNUPLOT";
    }
    if (want && *want) {
        if (strchr(want, '/')) {
            if (executable(want)) return sf_strdup(want);
            snprintf(msg, msgsz, "gnuplot not found: %s=%s is not an executable file", from, want);
            return NULL;
        }
    } else {
        want = "gnuplot";
    }
    const char *path = getenv("PATH");
    if (path && *path) {
        char *copy = sf_strdup(path), *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
            char *cand = sf_path_join(*dir ? dir : ".", want);
            if (executable(cand)) {
                free(copy);
                return cand;
            }
            free(cand);
        }
        free(copy);
    }
    snprintf(msg, msgsz,
             "gnuplot is not installed (no '%s' on PATH; Debian package gnuplot-nox, or set SF_GNUPLOT)", want);
    return NULL;
}

/* first line of the log that looks like a gnuplot error, else its last line */
static void first_error(const char *logpath, char *err, size_t errsz)
{
    FILE *fp = fopen(logpath, "r");
    if (!fp) return;
    char line[1024], last[1024] = "";
    int found = 0;
    while (fgets(line, sizeof line, fp)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line || strspn(line, " ^") == strlen(line)) continue;
        if (strstr(line, "error") || strstr(line, "rror:")) {
            snprintf(err, errsz, "%s", line);
            found = 1;
            break;
        }
        snprintf(last, sizeof last, "%s", line);
    }
    fclose(fp);
    if (!found && *last) snprintf(err, errsz, "%s", last);
}

int rp_gnuplot_run(const char *gnuplot, const char *script, const char *logpath, char *err, size_t errsz)
{
    err[0] = '\0';
    /* script is a path inside the figures directory: run there */
    char *dir = sf_dirname(script);
    const char *base = sf_basename(script);
    const char *logbase = sf_basename(logpath);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addchdir_np(&fa, dir);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, logbase, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    char *argv[] = {(char *)gnuplot, (char *)"-d", (char *)base, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    free(dir);
    if (rc != 0) {
        snprintf(err, errsz, "cannot start %s: %s", gnuplot, strerror(rc));
        return -1;
    }
    int status = 0;
    struct timespec t0, now, nap = {0, 20 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) break;
        if (w < 0 && errno != EINTR) {
            snprintf(err, errsz, "waiting for gnuplot: %s", strerror(errno));
            return -1;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - t0.tv_sec > GNUPLOT_TIMEOUT_S) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            snprintf(err, errsz, "gnuplot did not finish within %d s (killed)", GNUPLOT_TIMEOUT_S);
            return -1;
        }
        nanosleep(&nap, NULL);
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
    first_error(logpath, err, errsz);
    if (!*err) {
        if (WIFEXITED(status))
            snprintf(err, errsz, "gnuplot exited with status %d", WEXITSTATUS(status));
        else
            snprintf(err, errsz, "gnuplot was killed by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    return -1;
}
