/* key: idempotency keys for mq-put -k.
 *
 * Key K lives in SPOOL/key/K, a file holding the id of the message put
 * under it and a newline; its mtime is when that put was recorded. A put
 * with -k opens (or creates, empty) key/K and takes an fcntl write lock
 * on it, so puts of one key run one at a time. Under the lock: a file
 * naming an id and younger than dedup_window means a duplicate, and its
 * id is printed; otherwise the message is put (and made durable), then a
 * new key file naming it is written in tmp/, fsynced and renamed over
 * key/K, and the lock goes with the old file. Whoever waited on the old
 * file finds, once it holds the lock, that key/K is no longer the file it
 * locked, and starts again on the new one.
 *
 * A crash before the rename leaves the old (or an empty) key file: the
 * put never reported success, and the next put of K goes ahead. The
 * message is made durable before the key names it, so a key never names a
 * message that was not put. Key files older than dedup_window are removed
 * by later puts with -k, at most every dedup_window/16 (at least once a
 * minute), remembered as the mtime of key/.swept; each is locked first,
 * so a put holding it is never undercut.
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
#include "key.h"
#include "sweep.h"

#define TRIES 1000		/* key files replaced under us before giving up */

static const char *
where(struct mq_spool *sp, const char *key, char *buf, size_t len)
{
	return mq_spool_where(sp, "key", key, buf, len);
}

/* Whether fd is still the file named key in key/. */
static int
linked(struct mq_spool *sp, int fd, const char *key, struct stat *st)
{
	struct stat now;

	return fstat(fd, st) == 0 && fstatat(sp->key, key, &now,
	    AT_SYMLINK_NOFOLLOW) == 0 && now.st_ino == st->st_ino &&
	    now.st_dev == st->st_dev;
}

static int
stale(struct mq_spool *sp, const struct stat *st, int64_t now)
{
	return mq_ts_ms(&st->st_mtim) + sp->pol.dedup_window <= now;
}

struct sweep {
	struct mq_spool *sp;
	int64_t now;
};

/* A key file past dedup_window goes, once locked (a put holding it is
 * never undercut) and still the file named. */
static int
sweep_one(int dirfd, const char *name, const struct stat *st, void *arg)
{
	struct sweep *w = arg;
	struct mq_spool *sp = w->sp;
	struct stat now;
	int64_t t = w->now;
	int fd;

	if (!mq_key_valid(name) || !S_ISREG(st->st_mode) || !stale(sp, st, t))
		return 0;
	fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1)
		return 0;
	if (mq_lock(fd, F_WRLCK, 0, 0, 0) == 0 && linked(sp, fd, name, &now) &&
	    stale(sp, &now, t))
		(void)unlinkat(dirfd, name, 0);
	close(fd);
	return 0;
}

/* The id a key file names, into id; -1 when it names none. */
static int
read_id(int fd, char id[MQ_ID_MAX + 1])
{
	char buf[MQ_ID_MAX + 2];
	ssize_t n;

	do
		n = pread(fd, buf, sizeof(buf), 0);
	while (n == -1 && errno == EINTR);
	if (n < 2 || buf[n - 1] != '\n' || !mq_id_valid(buf, (size_t)n - 1))
		return -1;
	memcpy(id, buf, (size_t)n - 1);
	id[n - 1] = '\0';
	return 0;
}

/* Opens key/K, made empty when absent. */
static int
open_key(struct mq_spool *sp, struct mq_key *k)
{
	int fd;

	k->made = 1;
	fd = mq_openfile(sp->key, k->name, O_RDWR | O_CREAT | O_EXCL, 0666,
	    NULL);
	if (fd == -1 && errno == EEXIST) {
		k->made = 0;
		fd = mq_openfile(sp->key, k->name, O_RDWR, 0, NULL);
	}
	return fd;
}

int
mq_key_claim(struct mq_spool *sp, const char *key, struct mq_key *k,
    char dup[MQ_ID_MAX + 1])
{
	struct sweep w;
	struct stat st;
	char what[4096];
	int64_t now = mq_now_ms();
	int tries, fd;

	k->fd = -1;
	k->name = key;
	dup[0] = '\0';
	where(sp, key, what, sizeof(what));
	if (mq_spool_subdir(sp, &sp->key, "key", MQ_CREATE) == -1)
		return mq_fail_entry(MQ_EX_CANTCREAT, mq_spool_where(sp, "key",
		    NULL, what, sizeof(what)), sp->fd, "key", S_IFDIR, errno);
	w.sp = sp;
	w.now = now;
	mq_sweep(sp->key, sp->key, ".swept", sp->pol.dedup_window / 16, now,
	    sweep_one, &w);
	for (tries = 0; tries < TRIES; tries++) {
		if ((fd = open_key(sp, k)) == -1) {
			if (errno == ENOENT)
				continue;	/* swept meanwhile */
			return mq_fail_entry(MQ_EX_CANTCREAT, what, sp->key,
			    k->name, S_IFREG, errno);
		}
		if (mq_lock(fd, F_WRLCK, 0, 0, 1) == -1) {
			close(fd);
			return mq_fail(MQ_EX_IOERR, what, errno);
		}
		if (!linked(sp, fd, key, &st)) {
			close(fd);		/* replaced or swept: again */
			continue;
		}
		if (read_id(fd, dup) == 0 && !stale(sp, &st, mq_now_ms())) {
			close(fd);
			return MQ_EX_OK;
		}
		dup[0] = '\0';
		k->fd = fd;
		return MQ_EX_OK;
	}
	mq_warnx(what, "replaced too often, giving up");
	return MQ_EX_TEMPFAIL;
}

void
mq_key_release(struct mq_spool *sp, struct mq_key *k)
{
	if (k->fd == -1)
		return;
	if (k->made)
		(void)unlinkat(sp->key, k->name, 0);
	close(k->fd);
	k->fd = -1;
}

int
mq_key_record(struct mq_spool *sp, struct mq_key *k, const char *id)
{
	char tmp[MQ_ID_MAX + 8], what[4096];
	size_t len = strnlen(id, MQ_ID_MAX);
	struct stat st;
	int status;

	memcpy(tmp, id, len);
	memcpy(tmp + len, ".k", 3);
	status = mq_file_replace(mq_tmp(sp), tmp, sp->key, k->name, id, len,
	    sp->pol.sync, where(sp, k->name, what, sizeof(what)));
	/* Failed before its rename: key/K is still the file we locked (an
	 * empty one we made goes); after it, only the fsync failed. */
	if (status != MQ_EX_OK && linked(sp, k->fd, k->name, &st)) {
		mq_key_release(sp, k);
		return status;
	}
	close(k->fd);		/* the lock goes with the old file */
	k->fd = -1;
	return status;
}

struct forget {
	struct mq_spool *sp;
	char **ids;
	size_t n;
};

static int
by_id(const void *a, const void *b)
{
	return strcmp(a, *(char *const *)b);
}

/* A key file naming one of the ids goes, once locked (a put of it under
 * way finishes first) and still the file named, naming it still. */
static int
forget_one(const char *name, void *arg)
{
	struct forget *f = arg;
	char id[MQ_ID_MAX + 1];
	struct stat st;
	int fd;

	if (!mq_key_valid(name))
		return 0;
	fd = openat(f->sp->key, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		return 0;
	if (read_id(fd, id) == 0 &&
	    bsearch(id, f->ids, f->n, sizeof(*f->ids), by_id) != NULL &&
	    mq_lock(fd, F_WRLCK, 0, 0, 1) == 0 &&
	    linked(f->sp, fd, name, &st) && S_ISREG(st.st_mode) &&
	    read_id(fd, id) == 0 &&
	    bsearch(id, f->ids, f->n, sizeof(*f->ids), by_id) != NULL)
		(void)unlinkat(f->sp->key, name, 0);
	close(fd);
	return 0;
}

int
mq_key_forget(struct mq_spool *sp, char **ids, size_t n)
{
	struct forget f = { sp, ids, n };
	char what[4096];

	if (n == 0 || mq_spool_subdir(sp, &sp->key, "key", MQ_OPEN) == -1)
		return MQ_EX_OK;	/* no key/: no key */
	if (mq_dir_count(sp->key, forget_one, &f) == -1)
		return mq_fail(MQ_EX_IOERR, mq_spool_where(sp, "key", NULL,
		    what, sizeof(what)), errno);
	return MQ_EX_OK;
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mq_key_batch_add(struct mq_spool *sp, struct mq_key_batch *b, const char *id)
{
	int status = MQ_EX_OK;

	if (b->none || (b->ids.n == 0 &&
	    mq_spool_subdir(sp, &sp->key, "key", MQ_OPEN) == -1)) {
		b->none = 1;		/* no key/: no key to forget */
		return MQ_EX_OK;
	}
	if (b->ids.n >= MQ_KEY_BATCH)
		status = mq_key_batch_flush(sp, b);
	if (mq_names_push(&b->ids, id) == -1)
		status = mq_worst(status, mq_fail(MQ_EX_IOERR, "memory",
		    errno));
	return status;
}

int
mq_key_batch_flush(struct mq_spool *sp, struct mq_key_batch *b)
{
	int status;

	if (b->ids.n > 1)
		qsort(b->ids.v, b->ids.n, sizeof(*b->ids.v), by_str);
	status = mq_key_forget(sp, b->ids.v, b->ids.n);
	mq_names_free(&b->ids);
	memset(&b->ids, 0, sizeof(b->ids));
	return status;
}
