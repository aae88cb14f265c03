/* limit: max_depth and mq-put -m, a bound no mix of producers passes. */
#ifndef MQ_LIMIT_H
#define MQ_LIMIT_H

#include "spool.h"

struct mq_limit {
	int fd;			/* SPOOL/.depth, or -1: not counted */
	long limit;		/* 0: none (counted only, when .depth exists) */
	long depth;		/* what the room was counted at */
	int held;		/* locked */
};

/* Gets ready to put into sp under limit (0: none). A producer without a
 * limit still counts its puts once .depth exists. Returns an exit
 * status. */
int mq_limit_open(struct mq_spool *sp, long limit, struct mq_limit *l);
/* Before one message goes in: locks .depth and makes sure there is room
 * for it (counting the spool again when the bound says it is full).
 * MQ_EX_OK, locked until mq_limit_done; MQ_EX_TEMPFAIL, full (l->depth
 * says how full; not reported); or an error, reported. */
int mq_limit_take(struct mq_spool *sp, struct mq_limit *l);
/* After it went in (put: 1) or not (0): counted, and unlocked. */
void mq_limit_done(struct mq_limit *l, int put);
void mq_limit_close(struct mq_limit *l);

#endif
