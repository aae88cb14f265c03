/* ls: every message of a spool, state by state, changing nothing. */
#ifndef MQ_LS_H
#define MQ_LS_H

#include <stdint.h>
#include <sys/types.h>

#include "name.h"
#include "spool.h"

enum {
	MQ_LS_EXPIRED = 1, MQ_LS_LEASED = 2, MQ_LS_READY = 4,
	MQ_LS_HELD = 8, MQ_LS_DELAYED = 16, MQ_LS_PARKED = 32,
	MQ_LS_DEAD = 64, MQ_LS_DONE = 128, MQ_LS_ALL = 255
};

struct mq_ls_msg {
	int state;		/* one MQ_LS_ bit */
	const char *dir;	/* its directory in the spool: "cur", "new/..." */
	int dirfd;		/* that directory */
	const char *name;	/* its file's name there */
	struct mq_name n;
	int64_t when;		/* ms: ready at, lease deadline, parked, died,
				 * acked */
	off_t size;		/* its payload's bytes */
};

/* Called for each message; nonzero stops the listing. */
typedef int mq_ls_fn(struct mq_spool *sp, const struct mq_ls_msg *m,
    void *arg);

/* The name of a state bit ("ready"), or of the bit named (0: none). */
const char *mq_ls_state_name(int state);
int mq_ls_state_bit(const char *name);
/* The states of -s: comma-separated names, or "all"; 0 (said) if one is
 * not a state. */
int mq_ls_states(const char *s);

/* Gives fn every message of sp in the states asked for, as of now (ms):
 * leases first, then in delivery order the ready (by ready time), the
 * groups' held members, the delayed; then the parked, dead letters and
 * the done.
 * Reads directories and stats files; opens nothing for writing. A
 * message moving meanwhile is listed once or not at all. Memory: the
 * leases' ids and one leaf's names at a time. Returns an exit status. */
int mq_ls(struct mq_spool *sp, int states, int64_t now, mq_ls_fn *fn,
    void *arg);

/* As mq_ls, for the n messages of ids (sorted, each listed at most
 * once), found at a cost that does not grow with the spool where their
 * names allow: leased (cur/ is read), ready or held (the leaves of their
 * id's millisecond), parked, dead or done when neither grouped nor
 * redriven (their names looked up). A delayed or retried message costs
 * the walk of new/ from its id's time to its ready time; an id found
 * nowhere, or grouped or redriven in parked/, dlq/ or done/, a read of
 * the whole spool. */
int mq_ls_ids(struct mq_spool *sp, char **ids, size_t n, int states,
    int64_t now, mq_ls_fn *fn, void *arg);

#endif
