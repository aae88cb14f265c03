/* mq-rm: delete messages that are not leased. */
#include "diag.h"
#include "key.h"
#include "move.h"
#include "pick.h"

/* The ids deleted before they were done: their keys go too. */
static struct mq_key_batch undone;
static int keys = MQ_EX_OK;

static int
rm(struct mq_spool *sp, const struct mq_ls_msg *m)
{
	int status = mq_move_remove(sp, m->dirfd, m->dir, &m->n);

	if (status == MQ_EX_OK && m->state != MQ_LS_DONE)
		keys = mq_worst(keys, mq_key_batch_add(sp, &undone, m->n.id));
	return status;
}

/* A key names the message put under it (mq-put -k): once that message is
 * deleted undone, the same put may be made again. */
static int
forget_keys(struct mq_spool *sp)
{
	return mq_worst(keys, mq_key_batch_flush(sp, &undone));
}

int
main(int argc, char *argv[])
{
	static const struct mq_pick def = {
		"usage: mq-rm [-0fnv] spool [id...]\n"
		"       mq-rm [-fnv] -s state[,state...] spool ALL\n",
		"Deletes messages: ready, delayed, held in their group, parked,\n"
		"dead or done.\n"
		"  -n        show what would go (ID STATE), change nothing\n"
		"  -f        leases too (their holders lose them)\n"
		"  -s states with ALL: every message of these states\n"
		"  -v        a line for each message deleted: ID STATE\n"
		"  -0        ids read from stdin NUL-terminated (without operands)\n"
		"  -h        this help;  -V  the version\n",
		"", "deleted",
		MQ_LS_READY | MQ_LS_DELAYED | MQ_LS_HELD | MQ_LS_PARKED |
		    MQ_LS_DEAD | MQ_LS_DONE,
		MQ_LS_LEASED | MQ_LS_EXPIRED, 1, rm, NULL, forget_keys
	};

	return mq_pick_main(argc, argv, &def);
}
