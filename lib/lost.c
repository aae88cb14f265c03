/* lost: leases reclaimed under their holders, whose names are stale.
 *
 * When a taker reclaims an expired lease cur/ID,N, its holder may still
 * be at work and may still use that name: touch it to extend it (which
 * makes an empty file under the name, the lease being gone), ack it,
 * retry it. So the taker records in lost/ID the greatest name of ID it
 * reclaimed, as "REDRIVES ATTEMPT". Every later delivery of the message
 * has a greater name (one more attempt, or one more redrive), so a file
 * of ID named with no more than the record is a stale holder's, never a
 * lease: mq-ack, mq-retry, mq-dlq and mq-take -x refuse the name (2,
 * lease lost), and a taker removes a file under it from cur/ instead of
 * moving it back into new/. Without the record, such an empty file would
 * be taken for the lease, delivered again as an empty message, and
 * replace the live lease's name at its next claim.
 *
 * The record is written just after the lease left cur/, never before (a
 * crash between would make the live lease look stale and lose it), so a
 * taker killed in that instant leaves none: a stale touch of that name
 * then makes an empty file that is delivered once, spuriously (the
 * message itself is not lost). It goes through tmp/ and rename, not
 * fsynced (a hint, like .counts), and is removed once a day old, when
 * no holder of a lease lost that long ago is still at work. lost/ is made
 * by the first record; a spool without it has lost no lease.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "lost.h"
#include "sweep.h"

#define KEEP (24 * 3600 * 1000)		/* ms a record is kept */

/* The record of id into *gen, *att: 1, 0 when there is none, -1. */
static int
record(struct mq_spool *sp, const char *id, unsigned long *gen,
    unsigned long *att)
{
	char buf[64];
	ssize_t n;

	if (mq_spool_subdir(sp, &sp->lost, "lost", MQ_OPEN) == -1)
		return errno == ENOENT ? 0 : -1;
	if ((n = mq_read_small(sp->lost, id, buf, sizeof(buf) - 1)) == -1)
		return errno == ENOENT ? 0 : -1;
	buf[n] = '\0';
	if (sscanf(buf, "%lu %lu", gen, att) != 2)
		return 0;		/* torn or not ours: no record */
	return 1;
}

int
mq_lost_stale(struct mq_spool *sp, const struct mq_name *n)
{
	unsigned long gen, att;
	int r;

	if ((r = record(sp, n->id, &gen, &att)) != 1)
		return r;
	return n->gen < gen || (n->gen == gen && n->attempts <= att);
}

static int
old_record(int dirfd, const char *name, const struct stat *st, void *arg)
{
	const int64_t *limit = arg;

	if (mq_id_valid(name, strlen(name)) && S_ISREG(st->st_mode) &&
	    mq_ts_ms(&st->st_mtim) < *limit)
		(void)unlinkat(dirfd, name, 0);
	return 0;
}

void
mq_lost_record(struct mq_spool *sp, const struct mq_name *n)
{
	char text[64], tmp[MQ_ID_MAX + 8], what[4096];
	int64_t now = mq_now_ms(), limit = now - KEEP;
	int len;

	/* As soon as can be after the reclaim (never before it: a crash
	 * between would make the live lease look stale): no fsync, no look
	 * at an older record (a later lease of the message is reclaimed
	 * only later, and writes a greater name). */
	if (mq_spool_subdir(sp, &sp->lost, "lost", MQ_CREATE) == -1)
		return;
	len = snprintf(text, sizeof(text), "%lu %lu", n->gen, n->attempts);
	snprintf(tmp, sizeof(tmp), "%s.l", n->id);
	mq_spool_where(sp, "lost", n->id, what, sizeof(what));
	(void)mq_file_replace(mq_tmp(sp), tmp, sp->lost, n->id, text,
	    (size_t)len, 0, what);
	mq_sweep(sp->lost, sp->lost, ".swept", 3600 * 1000, now, old_record,
	    &limit);
}
