/* dlq: reading dead letters (redriving and deleting them are state
 * changes: move.c).
 *
 * A dead letter is dlq/ID,N (or ID,N,G): N deliveries were made, G
 * redrives before; its mtime is its time of death and reason/ID says why.
 * A redrive stamps it with the present (so it is ready at once, and its
 * wait counts from now), renames it to new/ as ID,0,G+1 and forgets its
 * reason: its next lease is ID,1,G+1, a name no earlier lease had.
 *
 * The dead are given in id order with at most MQ_DLQ_BATCH names kept at
 * a time (dir.c, mq_dir_ordered): a million dead letters cost a few MB,
 * not a few hundred, for a reading of dlq/ per batch. A dead letter
 * moved or deleted while dlq/ is read is given once or not at all (its
 * stat does not find it); one dead meanwhile may be given or not.
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
#include "dlq.h"

struct reading {
	struct mq_spool *sp;
	char **ids;		/* NULL: every dead letter */
	size_t n;
	int *found;
	mq_dead_fn *fn;
	void *arg;
	int stop;
	char where[4096];
};

static int
by_id(const void *a, const void *b)
{
	return strcmp(a, *(char *const *)b);
}

/* The index of id among those asked for and not yet found; -1 if it is
 * not one; 0 when every dead letter is asked for. */
static long
asked(const struct reading *r, const char *id)
{
	char **p;

	if (r->ids == NULL)
		return 0;
	p = bsearch(id, r->ids, r->n, sizeof(*r->ids), by_id);
	return p == NULL || r->found[p - r->ids] ? -1 : p - r->ids;
}

/* One name of dlq/: given to fn if it is a dead letter asked for. */
static int
one(const char *name, void *arg)
{
	struct reading *r = arg;
	struct mq_dead d;
	struct stat st;
	long i;

	if (r->stop)
		return 1;
	if (strlen(name) > MQ_NAME_MAX || mq_name_parse(name, &d.n) == -1) {
		mq_warnx(r->where, "skipping a file whose name is outside the "
		    "grammar");
		return 0;
	}
	if ((i = asked(r, d.n.id)) < 0)
		return 0;
	if (fstatat(mq_dlq(r->sp), name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno != ENOENT)
			mq_warnx(r->where, "%s: %s", name, strerror(errno));
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		mq_warnx(r->where, "%s: not a regular file, skipped", name);
		return 0;
	}
	d.name = name;
	d.died = mq_ts_ms(&st.st_mtim);
	if (r->ids != NULL)
		r->found[i] = 1;
	if (r->fn(r->sp, &d, r->arg) != 0)
		r->stop = 1;
	return r->stop;
}

/* Those neither grouped nor redriven, looked up by name (dir.c): how
 * many are left to find by reading dlq/. */
static size_t
probe(struct reading *r)
{
	char name[MQ_NAME_MAX + 1];
	size_t j, left = 0;

	for (j = 0; j < r->n && !r->stop; j++) {
		if (mq_name_probe(mq_dlq(r->sp), r->ids[j],
		    r->sp->pol.max_attempts, name))
			(void)one(name, r);
		left += !r->found[j];
	}
	return left;
}

int
mq_dlq_each(struct mq_spool *sp, char **ids, size_t n, int *found,
    mq_dead_fn *fn, void *arg)
{
	struct reading r;

	memset(&r, 0, sizeof(r));
	r.sp = sp;
	r.ids = ids;
	r.n = n;
	r.found = found;
	r.fn = fn;
	r.arg = arg;
	mq_spool_where(sp, "dlq", NULL, r.where, sizeof(r.where));
	if (ids != NULL && (n == 0 || probe(&r) == 0 || r.stop))
		return MQ_EX_OK;
	if (mq_dir_ordered(mq_dlq(sp), MQ_DLQ_BATCH, one, &r) == -1)
		return mq_fail(MQ_EX_IOERR, r.where, errno);
	return MQ_EX_OK;
}

static int
by_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

int
mq_dlq_named(const char *where, char **ids, int nids, char **v, size_t *n)
{
	size_t i, k;
	int j, status = MQ_EX_OK;

	*n = 0;
	for (j = 0; j < nids; j++)
		if (!mq_id_shaped(ids[j])) {
			mq_warnx(where, "%s: not an id (mq-dlq -L lists them)",
			    ids[j]);
			status = mq_worst(status, MQ_EX_DATAERR);
		} else {
			v[(*n)++] = ids[j];
		}
	if (*n > 1)
		qsort(v, *n, sizeof(*v), by_str);
	for (i = 1, k = 1; i < *n; i++)
		if (strcmp(v[k - 1], v[i]) != 0)
			v[k++] = v[i];
	if (*n > 0)
		*n = k;
	return status;
}
