/* dlq: reading dead letters, one at a time. */
#ifndef MQ_DLQ_H
#define MQ_DLQ_H

#include <stddef.h>
#include <stdint.h>

#include "name.h"
#include "spool.h"

struct mq_dead {
	struct mq_name n;
	const char *name;	/* its file's name in dlq/ */
	int64_t died;		/* time of death (its mtime), ms */
};

/* Called for each dead letter; nonzero stops the reading. */
typedef int mq_dead_fn(struct mq_spool *sp, const struct mq_dead *d,
    void *arg);

/* Names kept at a time: about 2.5 MB of them. */
#define MQ_DLQ_BATCH 32768

/* Gives fn each dead letter of sp in id order, keeping at most
 * MQ_DLQ_BATCH names at a time (dlq/ is read again for each batch), so
 * memory does not grow with the dead; files outside the grammar, or not
 * regular files, are skipped with a warning. With ids (n of them,
 * sorted): only those, each looked up by its names first ("ID,N", N up
 * to max_attempts) and dlq/ read only for those not found so (grouped
 * or redriven ones); found[i] is set for each given to fn. Returns an
 * exit status. */
int mq_dlq_each(struct mq_spool *sp, char **ids, size_t n, int *found,
    mq_dead_fn *fn, void *arg);

/* The ids named on a command line, each one checked (65 said for one not
 * shaped like an id), sorted and each kept once, into v (n of them).
 * Returns an exit status. */
int mq_dlq_named(const char *where, char **ids, int nids, char **v,
    size_t *n);

#endif
