/* front: a group's directory held open and locked, its front judged, and
 * a member another user put made a file of the taker's own. */
#ifndef MQ_FRONT_H
#define MQ_FRONT_H

#include <sys/stat.h>
#include <sys/types.h>

#include "name.h"
#include "spool.h"

/* A group held open, and locked: group/NAME/ and its lock. */
struct mq_grp {
	struct mq_spool *sp;
	const char *name;
	int dir, lock;
	int status;		/* the worst of what went wrong in it */
	int moved;		/* a member was let through */
	int parked_marks;	/* mq_grp_front saw "=NAME" marks (group.c) */
	long held;		/* members in the trie, once begun (held.c) */
	int held_dirty;		/* the lock's line marked dirty: begun */
	char path[4096];	/* SPOOL/group/NAME, in messages */
	int badfd;		/* where mq_grp_open failed: badfd/bad, */
	const char *bad;	/* which should have been a badtype */
	mode_t badtype;
};

/* Opens and locks group name of sp (how: MQ_OPEN, or MQ_CREATE to make
 * it). 0; 1 when there is no such group (MQ_OPEN); -1 with errno set,
 * for mq_grp_open_fail. */
int mq_grp_open(struct mq_spool *sp, const char *name, struct mq_grp *g,
    int how);
void mq_grp_close(struct mq_grp *g);
/* Reports why mq_grp_open failed, closes g: the exit status. */
int mq_grp_open_fail(struct mq_grp *g, int status);
/* Reports err about name in g (NULL: g itself): -1. */
int mq_grp_fail(struct mq_grp *g, const char *name, int err);

/* The front: its name (attempts 0) and the file that stands for the
 * member now out (the front, or the copy a taker leased of it), with
 * any move a crash left half done finished first. 1, 0 (none), -1. */
int mq_grp_front(struct mq_grp *g, char name[MQ_NAME_MAX + 1],
    struct stat *st);
/* Whether the member out, st from mq_grp_front, is finished (acked, in
 * done/ or dlq/, or the file ino just finished). */
int mq_grp_finished(struct mq_grp *g, const char *name, const struct stat *st,
    ino_t ino);
/* Removes the front name and its copy's: 0, or -1 (reported). */
int mq_grp_drop(struct mq_grp *g, const char *name);
/* Whether the file st is a name the group dirfd knows for front name:
 * the front or its copy's. 1 or 0. */
int mq_grp_knows(int dirfd, const char *name, const struct stat *st);

/* For move.c's claim: makes leaffd/name, member n of its group, let
 * through and put there by another user (whose file's times a taker may
 * not set), a file of the taker's own under the same name, its group
 * knowing the copy as the member. 0; 1 when not possible here (no atomic
 * swap); -1 with errno set (ENOENT: it moved meanwhile). */
int mq_group_adopt(struct mq_spool *sp, int leaffd, const char *name,
    const struct mq_name *n);

#endif
