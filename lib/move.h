/* move: every state change of a message (the rows of mq(7)'s protocol). */
#ifndef MQ_MOVE_H
#define MQ_MOVE_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "name.h"
#include "spool.h"
#include "trie.h"

/* put: the file fromfd/from (written, stamped with its ready time and
 * fsynced) into sp's leaf of new/ for ready, as name: renamed, or with
 * link set hard-linked (a topic's other subscribers; the file stays). lf
 * is the batch's leaf, opened by the first put (lf->fd[0] == -1), and
 * synced and opened anew when ready's leaf is another. 0, or an errno
 * (lf->why set when a level of new/ is not a directory). */
int mq_move_put(struct mq_spool *sp, struct mq_leaf *lf, int64_t ready,
    int fromfd, const char *from, const char *name, int link);
/* put into a group: fromfd/from, durable, into n's group as a waiting
 * member named n (attempts 0); the group's first member goes through to
 * new/ when none is out. Returns an exit status, the error reported;
 * MQ_EX_LOST, unreported, when from was no longer there. */
int mq_move_put_group(struct mq_spool *sp, int fromfd, const char *from,
    const struct mq_name *n);
/* After a batch of puts (puts: how many) or redrives into the leaf lf:
 * the leaf fsynced (sync=1) and closed, the bell rung, the puts counted.
 * Returns an exit status, the error reported. */
int mq_move_flush(struct mq_spool *sp, struct mq_leaf *lf, long puts);

/* claim: what a take needs and learns. */
struct mq_claim {
	int64_t deadline;	/* the lease's */
	int status;		/* the worst error so far, each reported */
	int denied;		/* messages we may not lease (only the first told) */
	char lease[MQ_NAME_MAX + 1];	/* claimed: its name in cur/ */
};
enum { MQ_CLAIMED, MQ_CLAIM_SKIP, MQ_CLAIM_STOP };
/* claim: leaffd/name, a ready message n (st its file) in new/ (leaf
 * names the leaf in messages), leased as cur/ID,N+1 until c->deadline.
 * A file with other names, or another user's, is copied first (a
 * topic's; a group's member under its group's lock), or, named as a
 * group member, leased only when its group knows it. One we may not read
 * is skipped, c->denied counted. The deadline is
 * the holder's alone: set before the rename, and again after it.
 * MQ_CLAIMED, with c->lease; MQ_CLAIM_SKIP: not ours (another taker won,
 * it is being claimed elsewhere, or an error made c->status worse);
 * MQ_CLAIM_STOP: an error, c->status worse, that ends the take. */
int mq_move_claim(struct mq_spool *sp, int leaffd, const char *leaf,
    const char *name, const struct mq_name *n, const struct stat *st,
    struct mq_claim *c);
/* unclaim: the lease just claimed, never handed to anyone (its path could
 * not be printed), back to new/ ready now, as it was: no attempt spent.
 * Returns an exit status. */
int mq_move_unclaim(struct mq_spool *sp, const char *lease);
/* extend: the deadline of cur/name moved to deadline (ms). 0, or -1 with
 * errno set (ENOENT: the lease is lost). */
int mq_move_extend(struct mq_spool *sp, const char *name, int64_t deadline);
/* expire: cur/name (n, the file st), past its deadline, back to new/
 * keyed by that deadline, or to dlq/ when its attempts are used up; left
 * alone while another process (a runner) holds a lock on it, and for
 * MQ_TWIN_GRACE while it has a second name not found (twin.c). Returns
 * an exit status; a lease another process moved first is no error. */
int mq_move_expire(struct mq_spool *sp, const char *name,
    const struct mq_name *n, const struct stat *st, int64_t now);
/* retry: the lease n (named path by its holder; st its file, or NULL:
 * looked at here) back to new/, ready after delay ms (-1: the backoff
 * for its attempt), with why (or NULL) as its reason; to dlq/ instead
 * when its attempts are used up (and said). */
int mq_move_retry(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st, const char *path, int64_t delay,
    const char *why);
/* bury: fromfd/N (cur/, or new/) to dlq/N, stamped with the time of
 * death. given: the reason given, written first (when that fails, the
 * message stays); else decided: the system's, written best effort with
 * the last reason given; with neither, "dead-lettered by hand". path:
 * the lease as its holder named it, told "lease lost" (2) when it is
 * gone; NULL: gone is MQ_EX_LOST, unreported. */
int mq_move_bury(struct mq_spool *sp, int fromfd, const struct mq_name *n,
    const char *path, const char *given, const char *decided);
/* ack: the lease n (named path; st its file, or NULL: looked at here)
 * unlinked, or moved to done/ when the spool keeps acknowledged
 * messages; done/ past keep is pruned. */
int mq_move_ack(struct mq_spool *sp, const struct mq_name *n,
    const struct stat *st, const char *path);
/* redrive: the dead letter n ready now, in the leaf lf of new/ (opened
 * by the first; mq_move_flush after the batch), or back in its group;
 * attempts reset, redrives counted. MQ_EX_LOST, unreported, when it is
 * no longer in dlq/. */
int mq_move_redrive(struct mq_spool *sp, const struct mq_name *n,
    struct mq_leaf *lf, int64_t now);
/* delete: the dead letter n and its reason. MQ_EX_LOST, unreported, when
 * it is gone. */
int mq_move_delete(struct mq_spool *sp, const struct mq_name *n);
/* withdraw: a message waiting in new/ (in the leaf of key) or in its
 * group removed, if no taker has it yet (a put whose id could not be
 * printed). MQ_EX_LOST, unreported, when it is no longer waiting. */
int mq_move_withdraw(struct mq_spool *sp, int64_t key,
    const struct mq_name *n);
/* remove: message n, found by mq-ls in dir ("new/...", "cur", "group/G/...",
 * "dlq", "done"; fromfd that directory), gone with its reason; a group's
 * next let through. MQ_EX_LOST, unreported, when it moved meanwhile. */
int mq_move_remove(struct mq_spool *sp, int fromfd, const char *dir,
    const struct mq_name *n);
/* park (park.c): message n, found by mq-ls in dir (a leaf of new/, or
 * "group/G/..."; fromfd that directory), into parked/, out of delivery,
 * its attempts not spent. kick: from parked/, or a delayed one from its
 * leaf of new/, ready now (a member parked from its group's trie: back
 * into the trie). MQ_EX_LOST, unreported, when it moved meanwhile. */
int mq_move_park(struct mq_spool *sp, int fromfd, const char *dir,
    const struct mq_name *n);
int mq_move_kick(struct mq_spool *sp, int fromfd, const char *dir,
    const struct mq_name *n);
/* replay (replay.c): the log's entry logfd/entry, the message put as
 * put, into sp ready now as a copy of its own named ID,0,gen (in the
 * leaf lf of new/, mq_move_flush after the batch), or back into its
 * group in id order. MQ_EX_LOST, unreported, when the entry was pruned
 * meanwhile; the others reported. */
int mq_move_replay(struct mq_spool *sp, int logfd, const char *entry,
    const struct mq_name *put, unsigned long gen, struct mq_leaf *lf,
    int64_t now);
/* The generation of a replay made at now (ms). */
unsigned long mq_replay_gen(int64_t now);
/* release, swept: lets through the next member of every group whose
 * front was finished by a process that died before releasing it; at most
 * once a minute. */
void mq_move_sweep(struct mq_spool *sp, int64_t now);

#endif
