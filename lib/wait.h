/* wait: sleeping until a spool may have a message for us. */
#ifndef MQ_WAIT_H
#define MQ_WAIT_H

#include <stddef.h>
#include <stdint.h>

#include "spool.h"

struct mq_waiter {
	int fd;			/* inotify, or -1: looking now and then */
	int64_t poll;		/* ms between looks when nothing tells us */
	int64_t poll_max;
};

/* Watches the spools: inotify on new/ where it sees every change (a
 * local file system on Linux), else looking at a growing interval. */
void mq_waiter_init(struct mq_waiter *w, struct mq_spool *sps, size_t n);
/* Watches sp for leases being settled (for mq-wait): inotify on cur/
 * where it can, and a look at least every second for the rest. */
void mq_waiter_init_settle(struct mq_waiter *w, struct mq_spool *sp);
void mq_waiter_close(struct mq_waiter *w);
/* Forgets the events seen so far: call just before looking. */
void mq_waiter_drain(struct mq_waiter *w);
/* Something was found: look again soon next time. */
void mq_waiter_reset(struct mq_waiter *w);
/* When to look again if no event comes (ms since the epoch): the next
 * delayed message's ready time, the next lease deadline, or the polling
 * interval, whichever is first. */
int64_t mq_waiter_due(struct mq_waiter *w, struct mq_spool *sps, size_t n,
    int64_t now);
/* Sleeps until an event, the due time, or until (ms). */
void mq_waiter_sleep(struct mq_waiter *w, struct mq_spool *sps, size_t n,
    int64_t until);
/* Wakes the waiters of sp: messages were made ready (or will be). */
void mq_ring(struct mq_spool *sp);

#endif
