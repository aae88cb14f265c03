/* wait: sleeping until a spool may have a message for us.
 *
 * Whoever makes a message ready, or delayed, rings the spool's bell: it
 * sets the modification time of new/ (one futimens per batch). On Linux a
 * waiter watches new/ with inotify and wakes on that; elsewhere, and on
 * network or FUSE file systems, where inotify sees only this host's
 * changes, it looks at an interval growing from 10 ms to a second. Either
 * way it also wakes when the next delayed message is due and when the
 * next lease runs out (a lease expiring makes its message ready), and,
 * with inotify, every 5 seconds regardless, in case a producer that is
 * not mq-put renamed a message in without ringing.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

#include "clock.h"
#include "dir.h"
#include "trie.h"
#include "wait.h"

#define POLL_MIN 10
#define POLL_MAX 1000
#define POLL_WATCHED 5000


/* inotify on dir of each spool for the events of mask, where inotify
 * sees every change; else polling. */
static void
watch(struct mq_waiter *w, struct mq_spool *sps, size_t n, const char *dir,
    unsigned mask)
{
	size_t i;

	w->fd = -1;
	w->poll = POLL_MIN;
	w->poll_max = POLL_MAX;
#ifdef __linux__
	char path[4096];

	for (i = 0; i < n; i++)
		if (mq_remote_fs(sps[i].new))
			return;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return;
	for (i = 0; i < n; i++) {
		mq_spool_where(&sps[i], dir, NULL, path, sizeof(path));
		if (inotify_add_watch(w->fd, path, mask | IN_ONLYDIR |
		    IN_DONT_FOLLOW) == -1) {
			close(w->fd);
			w->fd = -1;
			return;
		}
	}
	w->poll = w->poll_max = POLL_WATCHED;
#else
	(void)sps;
	(void)n;
	(void)i;
	(void)dir;
	(void)mask;
#endif
}

void
mq_waiter_init(struct mq_waiter *w, struct mq_spool *sps, size_t n)
{
#ifdef __linux__
	watch(w, sps, n, "new", IN_ATTRIB | IN_CREATE | IN_MOVED_TO);
#else
	watch(w, sps, n, "new", 0);
#endif
}

void
mq_waiter_init_settle(struct mq_waiter *w, struct mq_spool *sp)
{
#ifdef __linux__
	watch(w, sp, 1, "cur", IN_DELETE | IN_MOVED_FROM);
#else
	watch(w, sp, 1, "cur", 0);
#endif
	if (w->fd != -1)	/* what leaves new/ for dlq/ or nowhere, unseen */
		w->poll = w->poll_max = POLL_MAX;
}

void
mq_waiter_close(struct mq_waiter *w)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
}

void
mq_waiter_drain(struct mq_waiter *w)
{
	char buf[4096];

	if (w->fd == -1)
		return;
	while (read(w->fd, buf, sizeof(buf)) > 0)
		;
}

void
mq_waiter_reset(struct mq_waiter *w)
{
	w->poll = w->fd != -1 ? POLL_WATCHED : POLL_MIN;
}

/* The first lease deadline after now in cur/, or INT64_MAX. */
static int64_t
next_deadline(struct mq_spool *sp, int64_t now)
{
	struct mq_names names;
	struct stat st;
	int64_t t, best = INT64_MAX;
	size_t i;

	if (mq_dir_list(sp->cur, &names) == -1)
		return INT64_MAX;
	for (i = 0; i < names.n; i++) {
		if (fstatat(sp->cur, names.v[i], &st, AT_SYMLINK_NOFOLLOW) ==
		    -1 || !S_ISREG(st.st_mode))
			continue;
		t = mq_ts_ms(&st.st_mtim);
		if (t > now && t < best)
			best = t;
	}
	mq_names_free(&names);
	return best;
}

int64_t
mq_waiter_due(struct mq_waiter *w, struct mq_spool *sps, size_t n,
    int64_t now)
{
	int64_t due = now + w->poll, t;
	size_t i;

	if (w->fd == -1 && (w->poll *= 2) > w->poll_max)
		w->poll = w->poll_max;
	for (i = 0; i < n; i++) {
		if ((t = mq_trie_next(sps[i].new, now)) < due)
			due = t;
		if ((t = next_deadline(&sps[i], now)) < due)
			due = t;
	}
	return due;
}

void
mq_waiter_sleep(struct mq_waiter *w, struct mq_spool *sps, size_t n,
    int64_t until)
{
	struct pollfd pfd;
	int64_t now = mq_now_ms(), due = mq_waiter_due(w, sps, n, now);

	if (due > until)
		due = until;
	if (due <= now)
		return;
	pfd.fd = w->fd;
	pfd.events = POLLIN;
	(void)poll(&pfd, w->fd != -1 ? 1 : 0,
	    due - now > INT_MAX ? INT_MAX : (int)(due - now));
}

void
mq_ring(struct mq_spool *sp)
{
	(void)futimens(sp->new, NULL);
}
