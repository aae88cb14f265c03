/* mq-kick: parked or delayed messages ready now. */
#include "move.h"
#include "pick.h"

static int
kick(struct mq_spool *sp, const struct mq_ls_msg *m)
{
	return mq_move_kick(sp, m->dirfd, m->dir, &m->n);
}

int
main(int argc, char *argv[])
{
	static const struct mq_pick def = {
		"usage: mq-kick [-0nv] spool [id...]\n"
		"       mq-kick [-nv] -s state[,state...] spool ALL\n",
		"Makes parked messages, and delayed ones (a retry backing off\n"
		"among them), ready now.\n"
		"  -n        show what would be kicked (ID STATE), change nothing\n"
		"  -s states with ALL: parked, delayed or both\n"
		"  -v        a line for each message kicked: ID STATE\n"
		"  -0        ids read from stdin NUL-terminated (without operands)\n"
		"  -h        this help;  -V  the version\n",
		"", "kicked", MQ_LS_PARKED | MQ_LS_DELAYED, 0, 0, kick, NULL, NULL
	};

	return mq_pick_main(argc, argv, &def);
}
