/* held: how many members wait in a group's trie, kept beside it.
 *
 * A group's lock file (group.c) holds one line,
 *
 *   "held N N\n"     N the members in the trie, twice, each 10 wide
 *
 * so that mq-stat reads one small file per group instead of walking
 * every group's trie. Only the lock's holder changes the trie, so the
 * holder keeps the count: before its first change it writes the line
 * dirty ("held ? ?"), after its last (at unlock) the count as it then is.
 * A holder killed between the two leaves it dirty: the next holder
 * counts the trie (under the lock, so exactly) and goes on from there. A
 * reader takes no lock: a dirty line, one it cannot parse (a group made
 * before there was a count, or a read torn by a write: the two numbers
 * differ), or none, and it counts the trie itself, as a holder would.
 *
 * Nothing is fsynced (the count is not a message): after a power cut
 * the line may be older than the trie, until the group empties (and is
 * removed) or a holder finds it dirty. Written in place with pwrite,
 * fixed width, so each write covers the one before.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dir.h"
#include "front.h"
#include "held.h"
#include "name.h"
#include "trie.h"

#define WIDTH 10
#define LINE (5 + WIDTH + 1 + WIDTH + 1)	/* "held " N " " N "\n" */

/* Members of a leaf: the names a message may have. */
static int
member(const char *name, void *arg)
{
	struct mq_name n;

	(void)arg;
	return strlen(name) <= MQ_NAME_MAX && mq_name_parse(name, &n) == 0;
}

static int
count_leaf(int leaffd, int64_t key, const char *path, void *arg)
{
	long *total = arg, n;

	(void)key;
	(void)path;
	if ((n = mq_dir_count(leaffd, member, NULL)) > 0)
		*total += n;
	return 0;
}

long
mq_held_count(int dirfd)
{
	long total = 0;
	struct mq_walk w = { .root = dirfd, .from = INT64_MIN,
	    .until = INT64_MAX, .flags = MQ_WALK_MIXED | MQ_WALK_QUIET,
	    .leaf = count_leaf, .arg = &total };

	return mq_trie_walk(&w) == -1 ? -1 : total;
}

/* One number of the line at p: 0..10^WIDTH-1, or -1. */
static long
number(const char *p)
{
	long v = 0;
	int i = 0;

	while (i < WIDTH - 1 && p[i] == ' ')
		i++;
	for (; i < WIDTH; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* The count the line of lockfd says, or -1 (dirty, none, torn). */
static long
line_read(int lockfd)
{
	char b[LINE];
	long a;

	if (pread(lockfd, b, LINE, 0) != LINE || memcmp(b, "held ", 5) != 0 ||
	    b[5 + WIDTH] != ' ' || b[LINE - 1] != '\n')
		return -1;
	if ((a = number(b + 5)) == -1 || number(b + 6 + WIDTH) != a)
		return -1;
	return a;
}

/* The line for n members; n -1 (or too wide): dirty. */
static int
line_write(int lockfd, long n)
{
	char b[64];

	if (n < 0 || snprintf(b, sizeof(b), "held %*ld %*ld\n", WIDTH, n,
	    WIDTH, n) != LINE)
		snprintf(b, sizeof(b), "held %*s %*s\n", WIDTH, "?", WIDTH,
		    "?");
	return pwrite(lockfd, b, LINE, 0) == LINE ? 0 : -1;
}

void
mq_held_begin(struct mq_grp *g)
{
	if (g->held_dirty)
		return;
	if ((g->held = line_read(g->lock)) == -1)
		g->held = mq_held_count(g->dir);
	/* (a count that cannot be written is counted again next time) */
	if (line_write(g->lock, -1) == -1)
		g->held = -1;
	g->held_dirty = 1;
}

void
mq_held_add(struct mq_grp *g, long delta)
{
	if (g->held_dirty && g->held != -1)
		g->held = g->held + delta < 0 ? -1 : g->held + delta;
}

void
mq_held_end(struct mq_grp *g)
{
	if (g->held_dirty && g->held != -1 && g->lock != -1)
		(void)line_write(g->lock, g->held);
	g->held_dirty = 0;
}

long
mq_held_read(int dirfd)
{
	long n = -1;
	int fd;

	if ((fd = mq_openfile(dirfd, "lock", O_RDONLY, 0, NULL)) != -1) {
		n = line_read(fd);
		(void)close(fd);
	}
	return n != -1 ? n : mq_held_count(dirfd);
}
