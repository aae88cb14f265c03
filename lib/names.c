/* names: lists of names kept in memory, sorted, as a heap, or chosen a
 * batch at a time from a directory too large to keep (declared in dir.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dir.h"

int
mq_names_push(struct mq_names *names, const char *s)
{
	char **v;
	size_t cap;

	if (names->n == names->cap) {
		cap = names->cap != 0 ? names->cap * 2 : 64;
		if ((v = realloc(names->v, cap * sizeof(*v))) == NULL)
			return -1;
		names->v = v;
		names->cap = cap;
	}
	if ((names->v[names->n] = strdup(s)) == NULL)
		return -1;
	names->n++;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Decimal strings without leading zeros order by length, then bytes. */
static int
cmp_num(const void *a, const void *b)
{
	size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);

	if (la != lb)
		return la < lb ? -1 : 1;
	return cmp_str(a, b);
}

void
mq_names_sort(struct mq_names *names)
{
	if (names->n > 1)
		qsort(names->v, names->n, sizeof(*names->v), cmp_num);
}

/* A heap of names: the least at the top (sign 1), or the greatest (-1). */
static void
sift(char **v, size_t n, size_t i, int sign)
{
	size_t c;
	char *t;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && sign * strcmp(v[c + 1], v[c]) < 0)
			c++;
		if (sign * strcmp(v[i], v[c]) <= 0)
			break;
		t = v[i];
		v[i] = v[c];
		v[c] = t;
	}
}

void
mq_names_heapify(struct mq_names *names)
{
	size_t i;

	names->heap = names->n;
	for (i = names->n / 2; i > 0; i--)
		sift(names->v, names->n, i - 1, 1);
}

const char *
mq_names_pop(struct mq_names *names)
{
	char *t;

	if (names->heap == 0)
		return NULL;
	t = names->v[0];
	names->v[0] = names->v[--names->heap];
	names->v[names->heap] = t;
	sift(names->v, names->heap, 0, 1);
	return t;
}

/* One reading of mq_dir_ordered: the batch least names after after. */
struct batch {
	char **v;
	size_t n, cap;
	const char *after;
};

static int
select_name(const char *name, void *arg)
{
	struct batch *b = arg;
	char *t;
	size_t i;

	if (b->after != NULL && strcmp(name, b->after) <= 0)
		return 0;
	if (b->n < b->cap) {
		if ((b->v[b->n++] = strdup(name)) == NULL)
			return -1;
		if (b->n == b->cap)	/* full: the greatest on top */
			for (i = b->n / 2; i > 0; i--)
				sift(b->v, b->n, i - 1, -1);
		return 0;
	}
	if (strcmp(name, b->v[0]) >= 0)
		return 0;
	if ((t = strdup(name)) == NULL)
		return -1;
	free(b->v[0]);
	b->v[0] = t;
	sift(b->v, b->n, 0, -1);
	return 0;
}

/* mq_dir_ordered, each batch after the first twice as large as the one
 * before it when grow is set. */
static int
ordered(int dirfd, size_t batch, int grow, int (*fn)(const char *name,
    void *arg), void *arg)
{
	struct batch b = { NULL, 0, batch < 1 ? 1 : batch, NULL };
	char *last = NULL, **v;
	size_t i;
	int r = 0, err = 0;

	if ((b.v = malloc(b.cap * sizeof(*b.v))) == NULL)
		return -1;
	for (;;) {
		if (last != NULL && grow && b.cap < SIZE_MAX / 2 /
		    sizeof(*b.v)) {
			if ((v = realloc(b.v, 2 * b.cap * sizeof(*b.v))) ==
			    NULL) {
				err = errno;
				r = -1;
				break;
			}
			b.v = v;
			b.cap *= 2;
		}
		b.n = 0;
		b.after = last;
		if (mq_dir_count(dirfd, select_name, &b) == -1) {
			err = errno;
			r = -1;
		}
		if (b.n > 1)
			qsort(b.v, b.n, sizeof(*b.v), cmp_str);
		for (i = 0; i < b.n && r == 0; i++)
			if (fn(b.v[i], arg) != 0)
				r = 1;
		free(last);
		last = NULL;
		if (r == 0 && b.n == b.cap && (last = strdup(b.v[b.n - 1])) ==
		    NULL) {
			err = errno;
			r = -1;
		}
		for (i = 0; i < b.n; i++)
			free(b.v[i]);
		if (r != 0 || last == NULL)
			break;
	}
	free(last);
	free(b.v);
	if (r == -1)
		errno = err;
	return r;
}

int
mq_dir_ordered(int dirfd, size_t batch, int (*fn)(const char *name,
    void *arg), void *arg)
{
	return ordered(dirfd, batch, 0, fn, arg);
}

int
mq_dir_least(int dirfd, size_t first, int (*fn)(const char *name,
    void *arg), void *arg)
{
	return ordered(dirfd, first, 1, fn, arg);
}

void
mq_names_free(struct mq_names *names)
{
	size_t i;

	for (i = 0; i < names->n; i++)
		free(names->v[i]);
	free(names->v);
	memset(names, 0, sizeof(*names));
}
