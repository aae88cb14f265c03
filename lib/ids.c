/* ids: a set of message ids named on a command line (or its stdin), for
 * mq-ls, mq-rm and mq-wait: kept sorted, found by bisection, each marked
 * when found so that the ones nowhere can be told. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "ids.h"
#include "name.h"

int
mq_ids_add(const char *id, void *set)
{
	struct mq_ids *s = set;
	char **v;

	if (!mq_id_shaped(id)) {
		mq_warnx(id, "not a message id");
		return MQ_EX_DATAERR;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		if ((v = realloc(s->v, s->cap * sizeof(*v))) == NULL)
			return mq_fail(MQ_EX_IOERR, "memory", errno);
		s->v = v;
	}
	if ((s->v[s->n] = strdup(id)) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	s->n++;
	return MQ_EX_OK;
}

static int
by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mq_ids_sort(struct mq_ids *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), by_str);
	if ((s->found = calloc(s->n + 1, sizeof(*s->found))) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	return MQ_EX_OK;
}

long
mq_ids_find(struct mq_ids *s, const char *id)
{
	char **hit;

	if (s->n == 0 || (hit = bsearch(&id, s->v, s->n, sizeof(*s->v),
	    by_str)) == NULL)
		return -1;
	s->found[hit - s->v] = 1;
	return (long)(hit - s->v);
}

void
mq_ids_free(struct mq_ids *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	free(s->found);
	memset(s, 0, sizeof(*s));
}
