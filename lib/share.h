/* share: giving a taker its own copy of a message a topic put in several
 * spools as one file. */
#ifndef MQ_SHARE_H
#define MQ_SHARE_H

#include "spool.h"

/* Replaces leaffd/name, a file with other links (a topic's subscribers),
 * by a copy of its own, so that the times a lease sets on it are not seen
 * by the others: the two names are swapped atomically (0). Where the file
 * system cannot swap, and the caller holds a write lock on the file (no
 * other taker can claim it), the copy is renamed over the name (1: the
 * name is now a new file, to claim again); without the lock, nothing is
 * done (0: the file stays shared). -1 with errno set (ENOENT: another
 * taker claimed it meanwhile). */
int mq_unshare(struct mq_spool *sp, int leaffd, const char *name,
    int locked);

#endif
