/* pending: a writer's files in tmp/ that a signal must not leave behind,
 * and how many a batch may hold open. */
#ifndef MQ_PENDING_H
#define MQ_PENDING_H

#include <stddef.h>
#include <sys/types.h>

#include "name.h"

/* A message written and closed for writing, not yet fsynced and put:
 * the batch's group commit does both for all of them at once. */
struct mq_pending {
	int fd;			/* still open, to fsync */
	off_t size;
	char tmp[MQ_ID_MAX + 1];	/* its name in tmp/ */
};

/* On SIGINT, SIGTERM or SIGHUP, the files of pend (in the directory
 * tmpfd) that mq_pending_count says, and the one being written, are
 * removed before the signal takes its course. */
void mq_pending_guard(struct mq_pending *pend, int tmpfd);
void mq_pending_count(size_t n);
/* name (in tmpfd) is being written; -1: none is. */
void mq_pending_writing(int tmpfd, const char *name);
/* The writer is done: nothing of it is removed any more. */
void mq_pending_end(void);
/* How many files a batch to nto spools may hold open: up to max, fewer
 * where the limit on open files would not leave room for the spools'. */
size_t mq_pending_max(size_t nto, size_t max);

#endif
