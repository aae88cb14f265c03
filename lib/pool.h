/* pool: mq-run's worker pool. */
#ifndef MQ_POOL_H
#define MQ_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "spool.h"

#define MQ_FOREVER INT64_MAX

struct mq_pool_opts {
	long procs;		/* commands at once, at most */
	long min_procs;		/* at least (-P MIN:MAX); procs: fixed */
	int verbose;		/* -v: a line a message, and a summary */
	int label;		/* -i: the id before each line of stderr */
	long count;		/* messages to take in all; 0: no limit */
	int64_t timeout;	/* lease length, ms */
	int64_t idle;		/* ms to wait for work once the queue is empty:
				 * 0 stop at once, MQ_FOREVER never stop */
	char **argv;		/* the command */
	struct mq_spool **out;	/* -o: the spools its stdout goes to */
	size_t nout;		/* how many (0: no -o) */
	const char *out_path;	/* -o as given, for messages */
};

/* Runs the pool on sp until it is done, or SIGINT or SIGTERM stops it.
 * Returns an exit status. */
int mq_pool_run(struct mq_spool *sp, const struct mq_pool_opts *o);

#endif
