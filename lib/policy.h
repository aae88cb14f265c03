/* policy: a spool's config file (key=value lines), with the defaults. */
#ifndef MQ_POLICY_H
#define MQ_POLICY_H

#include <stdint.h>
#include <stdio.h>

#include "name.h"

#define MQ_BINDS 16		/* bind lines a config may hold */

struct mq_policy {
	int64_t timeout;	/* lease length, ms */
	long max_attempts;	/* deliveries before dead-lettering */
	int64_t backoff;	/* first retry delay, ms */
	int64_t backoff_max;	/* retry delay ceiling, ms */
	int64_t dedup_window;	/* how long a -k key blocks a duplicate, ms */
	long max_depth;		/* mq-put refuses past this many (0: no limit) */
	int64_t keep;		/* keep acked messages this long, ms (0: no) */
	int sync;		/* fsync before reporting success */
	int64_t retain;		/* keep every message put in the log this long,
				 * ms (0: no log by age) */
	int64_t retain_bytes;	/* and at most this many bytes (0: no bound) */
	int nbind;		/* a subscriber's bind patterns (route.c): */
	char binds[MQ_BINDS][MQ_KEY_MAX + 1];	/* none: every message */
};

void mq_policy_defaults(struct mq_policy *p);
/* The delay before retrying a message whose attempt-th delivery failed:
 * backoff doubled per attempt, capped at backoff_max, then drawn at
 * random between half of that and all of it (ms). */
int64_t mq_backoff(const struct mq_policy *p, unsigned long attempt);
/* Reads config lines from f into p; errors are reported naming file
 * and the line. Returns an exit status. */
int mq_policy_parse(struct mq_policy *p, FILE *f, const char *file);
/* Reads SPOOL/config (absent: the defaults). Returns an exit status. */
int mq_policy_read(struct mq_policy *p, int spoolfd, const char *spool);
/* Reads dir's file name into p over what it holds (absent: unchanged). */
int mq_policy_read_file(struct mq_policy *p, int dirfd, const char *name,
    const char *dir);

#endif
