/* stat: counting a spool's messages by state, from its directories. */
#ifndef MQ_STAT_H
#define MQ_STAT_H

#include <stdint.h>

#include "spool.h"

struct mq_stats {
	long ready, delayed, held, parked, leased, expired, dead, done;
	/* held: waiting in a group behind an earlier message (group.c);
	 * parked: out of delivery until kicked (mq-park) */
	int64_t oldest;		/* ready time of the oldest ready one, or -1 */
	int64_t oldest_put;	/* put time (its id's) of the oldest not yet
				 * consumed (a subscriber's lag), or -1 */
	int64_t puts, acks;	/* counters (counts.h); -1: not known */
};

/* Counts sp's messages as of now (ms). Returns an exit status. */
int mq_stats_read(struct mq_spool *sp, int64_t now, struct mq_stats *st);
#endif
