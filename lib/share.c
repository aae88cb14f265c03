/* share: giving a taker its own copy of a message a topic put in several
 * spools as one file.
 *
 * A topic's put links one file into every subscriber, but a file has one
 * mtime, and the mtime is a message's ready time or its lease's deadline:
 * a take in one subscriber would move the deadline of the others. So a
 * taker meeting a file with more than one link copies it into tmp/ (with
 * its mtime), fsyncs the copy, and swaps the copy with the name in new/
 * in one step (renameat2 RENAME_EXCHANGE, Linux): if another taker
 * claimed the name first, the swap fails and the copy is dropped. Then
 * the old link, now in tmp/, is removed. A crash leaves either the shared
 * file in new/ and a copy in tmp/, or the copy in new/ and the shared
 * link in tmp/; tmp/ debris is swept after 36 hours. Where there is no
 * such swap, the taker leases the copy itself, renaming it from tmp/ to
 * its lease (never over one) and then dropping the shared name; a crash
 * between leaves the shared name in new/, delivered again once the lease
 * is done (at least once). Called by move.c's claim alone.
 */
#ifdef __linux__
#define _GNU_SOURCE		/* renameat2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "dir.h"
#include "name.h"
#include "share.h"

int
mq_unshare(struct mq_spool *sp, int leaffd, const char *name,
    char copy[MQ_ID_MAX + 1])
{
	int err;

	mq_id_new(copy);
	if (mq_copy_at(leaffd, name, mq_tmp(sp), copy, sp->pol.sync) == -1)
		return -1;
#if defined(__linux__) && defined(RENAME_EXCHANGE)
	if (renameat2(mq_tmp(sp), copy, leaffd, name, RENAME_EXCHANGE) == 0) {
		(void)unlinkat(mq_tmp(sp), copy, 0);	/* the shared link */
		return 0;
	}
	err = errno;
	if (err != EINVAL && err != ENOSYS && err != ENOTSUP) {
		(void)unlinkat(mq_tmp(sp), copy, 0);
		errno = err;
		return -1;
	}
#else
	(void)err;
#endif
	return 1;	/* no swap here: the copy is leased from tmp/ */
}
