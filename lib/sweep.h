/* sweep: the periodic clean-ups, at a bounded rate. */
#ifndef MQ_SWEEP_H
#define MQ_SWEEP_H

#include <stdint.h>
#include <sys/stat.h>

#include "spool.h"

/* Called with each entry of the directory swept (not . and ..) and its
 * lstat; nonzero stops the sweep. */
typedef int mq_sweep_fn(int dirfd, const char *name, const struct stat *st,
    void *arg);

/* Whether a periodic sweep is due: dirfd/stamp's mtime (the file is made
 * if missing) is when the last one ran; when that is every ms ago (at
 * most a minute), or more than every ahead (the clock was set back), it
 * is set to now and 1 returned. */
int mq_sweep_due(int dirfd, const char *stamp, int64_t every, int64_t now);
/* Sweeps dirfd, when stamp is NULL or its sweep is due (stamp in stampfd,
 * every, now: as mq_sweep_due), calling fn for each entry. A listing that
 * fails, and an entry gone before its lstat, are passed over: a sweep is
 * housekeeping, and the next one finds what this one missed. */
void mq_sweep(int dirfd, int stampfd, const char *stamp, int64_t every,
    int64_t now, mq_sweep_fn *fn, void *arg);

/* Removes debris of crashed writers: tmp/ files whose mtime is 36 hours
 * old (each put, writer.c). */
void mq_tmp_sweep(struct mq_spool *sp);
/* Removes what done/ kept longer than keep (policy.c); at most once per
 * keep/16 (or a minute, if less), remembered as the mtime of
 * SPOOL/.swept. */
void mq_done_sweep(struct mq_spool *sp, int64_t now);

#endif
