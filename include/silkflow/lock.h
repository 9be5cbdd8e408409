/* silkflow: the lock that keeps two runs from writing the same output at once.
 *
 * A lock is a small text file (<results file>.lock) created with O_EXCL and
 * holding its owner: host, pid, the pid's start time (/proc/PID/stat), the
 * boot id, the Slurm job and restart count, and since when. A lock left by a
 * killed run (kill -9, node failure) never blocks for ever; it is taken over
 *   - on the same host: when the pid is gone, or is another process (start
 *     time differs: pid reuse), or the host rebooted since (boot id differs);
 *   - from a requeued Slurm job: same job id, higher SLURM_RESTART_COUNT;
 *   - from any other host: when the lock has not been refreshed for
 *     SF_LOCK_STALE_SECONDS (the owner touches it every SF_LOCK_BEAT_SECONDS
 *     from a thread).
 * Why not fcntl/flock, which the kernel releases when the owner dies: on
 * cluster file systems they are unreliable (Lustre without -o flock refuses
 * them or keeps them node-local, NFS needs a working lockd and keeps a dead
 * client's lock until its lease ends), and they cannot say who holds the
 * lock. O_EXCL creation and rename are atomic on local file systems, NFSv3+
 * and Lustre. No MPI here: the run driver takes the lock on rank 0 only. */
#ifndef SILKFLOW_LOCK_H
#define SILKFLOW_LOCK_H

#include "silkflow/common.h"

#define SF_LOCK_BEAT_SECONDS 60
#define SF_LOCK_STALE_SECONDS 600

typedef struct sf_lock sf_lock;

/* Take the lock file `path` for the output `what` (named in messages).
 * Returns SF_OK and *out, or SF_EUSER with a message naming the holder
 * (host, pid, since when) when another live run holds it. */
int sf_lock_take(const char *path, const char *what, sf_lock **out, sf_err *e);
/* Stop the heartbeat, remove the lock file (if it is still ours), free. NULL ok. */
void sf_lock_release(sf_lock *lk);

#endif
