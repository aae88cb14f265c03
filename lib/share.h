/* share: giving a taker its own copy of a message a topic put in several
 * spools as one file. */
#ifndef MQ_SHARE_H
#define MQ_SHARE_H

#include "spool.h"

/* Replaces leaffd/name, a file with other links (a topic's subscribers),
 * by a copy of its own, so that the times a lease sets on it are not seen
 * by the others. 0 (or where the file system cannot swap two names
 * atomically: 0 with nothing done); -1 with errno set (ENOENT: another
 * taker claimed it meanwhile). */
int mq_unshare(struct mq_spool *sp, int leaffd, const char *name);

#endif
