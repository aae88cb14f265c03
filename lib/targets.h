/* targets: the spools a put goes to. */
#ifndef MQ_TARGETS_H
#define MQ_TARGETS_H

#include <stddef.h>

#include "spool.h"

/* Opens (making them) the spools a put to path goes to: path, or each
 * subscriber of the topic path names, into *out (n of them; *out is
 * allocated even when the status is not 0, for mq_targets_close).
 * Returns an exit status, the error already reported. */
int mq_targets_open(const char *path, struct mq_spool ***out, size_t *n);
void mq_targets_close(struct mq_spool **sps, size_t n);
/* Only the subscribers a message with routing key route goes to (their
 * bind patterns, route.c), the others closed: *n how many are left. No
 * one left: said, MQ_EX_EMPTY (nothing is put). */
int mq_targets_route(const char *path, struct mq_spool **sps, size_t *n,
    const char *route);

#endif
