/* take: choosing what to lease, and which expired leases to reclaim. */
#ifndef MQ_TAKE_H
#define MQ_TAKE_H

#include <stddef.h>
#include <stdint.h>

#include "spool.h"

/* Called with each new lease's name (in cur/); nonzero stops the take. */
typedef int mq_lease_fn(struct mq_spool *sp, const char *lease, void *arg);
/* Whether this process holds the lease name (mq-run's own, which its
 * fcntl locks cannot show it): never reclaimed. */
typedef int mq_held_fn(const char *name, void *arg);

/* Where a taker that takes again and again (mq-run) found its last
 * message: it looks in that leaf first, and walks new/ from its start
 * only when the leaf has nothing for it, when a reclaim moved anything,
 * and at least once a second (a message another process put back into
 * an earlier leaf waits at most that long). It looks at cur/ for expired
 * leases (and sweeps the groups) once a second too, and whenever a take
 * found less than it wanted. */
struct mq_take_hint {
	int64_t key;		/* the leaf; -1: none */
	int64_t walked;		/* ms, the last whole walk */
	int64_t reclaimed;	/* ms, the last look at cur/ */
};
#define MQ_HINT_EVERY 1000	/* ms: the whole walk, the reclaim */

struct mq_taker {
	size_t count;		/* leases wanted */
	int64_t timeout;	/* each lease's length, ms */
	mq_lease_fn *fn;	/* given each new lease */
	mq_held_fn *held;	/* or NULL */
	void *arg;		/* for fn and held */
	struct mq_take_hint *hint;	/* or NULL: always the whole walk */
};

/* Moves expired leases back to new/ (or to dlq/ when their attempts are
 * used up), but those held says this process holds; then sweeps the
 * groups. Returns an exit status. */
int mq_reclaim(struct mq_spool *sp, int64_t now, mq_held_fn *held,
    void *arg);
/* Reclaims, then leases up to t->count ready messages, oldest first.
 * *taken says how many; returns an exit status. */
int mq_take(struct mq_spool *sp, const struct mq_taker *t, size_t *taken);

#endif
