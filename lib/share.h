/* share: giving a taker its own copy of a message a topic put in several
 * spools as one file. */
#ifndef MQ_SHARE_H
#define MQ_SHARE_H

#include "name.h"
#include "spool.h"

/* Gives a taker a file of its own for leaffd/name, a file with other
 * links (a topic's subscribers), so that the times a lease sets on it
 * are not seen by the others. 0: the name now is a copy of its own (the
 * two were swapped atomically, Linux). 1: no swap here; the copy is
 * tmp/copy, to be claimed from there (and the shared name then dropped).
 * -1 with errno set (ENOENT: another taker claimed it meanwhile). */
int mq_unshare(struct mq_spool *sp, int leaffd, const char *name,
    char copy[MQ_ID_MAX + 1]);

#endif
