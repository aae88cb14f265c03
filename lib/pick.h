/* pick: the operators' commands that move chosen messages (mq-rm,
 * mq-park, mq-kick): by id, or a whole state by name. */
#ifndef MQ_PICK_H
#define MQ_PICK_H

#include <stdio.h>

#include "ls.h"
#include "spool.h"

struct mq_pick {
	const char *synopsis, *options;	/* for usage */
	const char *opts;	/* the program's own option letters, or "" */
	const char *done;	/* the verb said: "deleted", "parked", ... */
	int movable;		/* the states it moves without -f */
	int forced;		/* with -f, also these */
	int again;		/* ALL: look again until nothing moves */
	/* The move: an exit status, MQ_EX_LOST when it moved meanwhile. */
	int (*move)(struct mq_spool *sp, const struct mq_ls_msg *m);
	/* The program's own options: 0, or a usage error (64). */
	int (*option)(int c, const char *arg);
	/* After the moves, before the spool is closed: an exit status
	 * (NULL: nothing). */
	int (*finish)(struct mq_spool *sp);
};

/* The whole program: options -0 -f -n -s -v (and opts), SPOOL [id...]
 * or -s STATES SPOOL ALL; each message chosen in a state it may move,
 * moved; the others said. Returns the exit status. */
int mq_pick_main(int argc, char **argv, const struct mq_pick *def);
/* -g of mq-park: only this group's messages (NULL: any). */
extern const char *mq_pick_group;

#endif
