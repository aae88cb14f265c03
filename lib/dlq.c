/* dlq: listing dead letters (redriving and deleting them are state
 * changes: move.c).
 *
 * A dead letter is dlq/ID,N (or ID,N,G): N deliveries were made, G
 * redrives before; its mtime is its time of death and reason/ID says why.
 * A redrive stamps it with the present (so it is ready at once, and its
 * wait counts from now), renames it to new/ as ID,0,G+1 and forgets its
 * reason: its next lease is ID,1,G+1, a name no earlier lease had.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "dlq.h"

static int
by_id(const void *a, const void *b)
{
	const struct mq_dead *x = a, *y = b;
	int c = strcmp(x->n.id, y->n.id);

	if (c != 0)
		return c;
	return x->n.gen != y->n.gen ? (x->n.gen < y->n.gen ? -1 : 1) :
	    x->n.attempts != y->n.attempts ?
	    (x->n.attempts < y->n.attempts ? -1 : 1) : 0;
}

int
mq_dlq_list(struct mq_spool *sp, struct mq_dlq *out)
{
	struct mq_names names;
	struct mq_dead *d;
	struct stat st;
	char where[4096];
	size_t i;

	out->v = NULL;
	out->n = 0;
	mq_spool_where(sp, "dlq", NULL, where, sizeof(where));
	if (mq_dir_list(sp->dlq, &names) == -1)
		return mq_fail(MQ_EX_IOERR, where, errno);
	if (names.n > 0 && (out->v = malloc(names.n * sizeof(*d))) == NULL) {
		mq_names_free(&names);
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	}
	for (i = 0; i < names.n; i++) {
		d = &out->v[out->n];
		if (strlen(names.v[i]) > MQ_NAME_MAX ||
		    mq_name_parse(names.v[i], &d->n) == -1) {
			mq_warnx(where, "skipping a file whose name is outside "
			    "the grammar");
			continue;
		}
		if (fstatat(sp->dlq, names.v[i], &st, AT_SYMLINK_NOFOLLOW) ==
		    -1) {
			if (errno != ENOENT)
				mq_warnx(where, "%s: %s", names.v[i],
				    strerror(errno));
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			mq_warnx(where, "%s: not a regular file, skipped",
			    names.v[i]);
			continue;
		}
		d->died = mq_ts_ms(&st.st_mtim);
		out->n++;
	}
	mq_names_free(&names);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), by_id);
	return MQ_EX_OK;
}

void
mq_dlq_free(struct mq_dlq *d)
{
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

struct mq_dead *
mq_dlq_find(struct mq_dlq *d, const char *id)
{
	size_t lo = 0, hi = d->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcmp(d->v[mid].n.id, id)) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->n && strcmp(d->v[lo].n.id, id) == 0 ? &d->v[lo] : NULL;
}
