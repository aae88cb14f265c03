/* mq-park: take messages out of delivery until they are kicked. */
#include <stddef.h>

#include "move.h"
#include "opt.h"
#include "pick.h"

static int
park(struct mq_spool *sp, const struct mq_ls_msg *m)
{
	return mq_move_park(sp, m->dirfd, m->dir, &m->n);
}

static int
option(int c, const char *arg)
{
	if (c != 'g')
		return 1;
	mq_pick_group = mq_key_opt('g', arg);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct mq_pick def = {
		"usage: mq-park [-0nv] spool [id...]\n"
		"       mq-park [-nv] -g group spool\n"
		"       mq-park [-nv] -s state[,state...] spool ALL\n",
		"Parks messages: out of delivery, attempts not spent, until\n"
		"mq-kick; ready, delayed or held in their group.\n"
		"  -g group  every waiting message of this group (its order kept)\n"
		"  -n        show what would be parked (ID STATE), change nothing\n"
		"  -s states with ALL: every message of these states\n"
		"  -v        a line for each message parked: ID STATE\n"
		"  -0        ids read from stdin NUL-terminated (without operands)\n"
		"  -h        this help;  -V  the version\n",
		"g:", "parked", MQ_LS_READY | MQ_LS_DELAYED | MQ_LS_HELD, 0, 0,
		park, option, NULL
	};

	return mq_pick_main(argc, argv, &def);
}
