/* group: ordering groups (mq-put -g), one message of a group at a time. */
#ifndef MQ_GROUP_H
#define MQ_GROUP_H

#include <stdint.h>
#include <sys/types.h>

#include "dir.h"
#include "name.h"
#include "spool.h"

/* Parts of move.c's rows, called from there alone: */
/* Puts the file from (in fromfd, already durable) into n's group as a
 * waiting member named n (attempts 0), then lets the group's first member
 * through to new/ when no earlier one is in new/ or cur/. Returns an exit
 * status, the error already reported; MQ_EX_LOST, unreported, when from
 * was no longer there. */
int mq_group_put(struct mq_spool *sp, int fromfd, const char *from,
    const struct mq_name *n);
/* After a member of group left new/ and cur/ for good: acked, moved to
 * done/ or dlq/. ino is the file it was (0: unknown). Lets the group's
 * next member through. Returns an exit status. */
int mq_group_release(struct mq_spool *sp, const char *group, ino_t ino);
/* Removes the member n, if no taker has it yet: from the trie, or,
 * let through, from new/ and the front (the group then moves on).
 * MQ_EX_LOST, unreported, when it is not waiting. */
int mq_group_withdraw(struct mq_spool *sp, const struct mq_name *n);
/* A member n waiting in its group's trie (leaffd/name, as mq-ls found
 * it) taken out under the group's lock: renamed into intofd (parked/),
 * or, intofd -1, removed. MQ_EX_LOST, unreported, when it is no longer
 * there (let through, or gone). */
int mq_group_take_out(struct mq_spool *sp, const struct mq_name *n,
    int leaffd, const char *name, int intofd);
/* Lets through the next member of every group whose front was finished
 * by a process that died before releasing it; at most once a minute. */
void mq_group_sweep(struct mq_spool *sp, int64_t now);

/* The groups of sp (names under group/ that a group may have), into
 * names (empty when there is no group/). 0, or -1 with errno set. */
int mq_group_names(struct mq_spool *sp, struct mq_names *names);
#endif
