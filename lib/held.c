/* held: how many members wait in a group's trie, kept beside it.
 *
 * A group's lock file (group.c) holds no data: its size is N + 1, N the
 * members in the trie, so that mq-stat reads one small file's size per
 * group instead of walking every group's trie. A size, not a line of
 * text, because every client of a shared file system sees a size at
 * once, where a file's bytes may come from a cache of its own (limit.c).
 * Only the lock's holder changes the trie, so the holder keeps the
 * count: before its first change it makes the size 0 (dirty), after its
 * last (at unlock) N + 1 as it then is. A holder killed between the two
 * leaves it dirty: the next holder counts the trie (under the lock, so
 * exactly) and goes on from there. A reader takes no lock: a size 0 and
 * it counts the trie itself, as a holder would.
 *
 * Nothing is fsynced (the count is not a message): after a power cut
 * the size may be older than the trie, until the group empties (and is
 * removed) or a holder finds it dirty.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dir.h"
#include "front.h"
#include "held.h"
#include "name.h"
#include "trie.h"

#define OLDLINE 27		/* an older mq's "held N N\n" */

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

/* The count lockfd's size says (N + 1), or -1: dirty, or none. A file
 * of an older mq holds "held N N\n", OLDLINE bytes: that size, beginning
 * with 'h', is counted again (an older line may be torn or stale). */
static long
size_read(int lockfd)
{
	struct stat st;
	char c;

	if (fstat(lockfd, &st) == -1 || st.st_size <= 0 ||
	    st.st_size - 1 > LONG_MAX)
		return -1;
	if (st.st_size == OLDLINE && pread(lockfd, &c, 1, 0) == 1 && c == 'h')
		return -1;
	return (long)(st.st_size - 1);
}

/* The size for n members: n + 1; n -1: dirty (0). Each write of a count
 * follows a dirty one, so the file's bytes are all zero. */
static int
size_write(int lockfd, long n)
{
	int r;

	while ((r = ftruncate(lockfd, n < 0 ? 0 : (off_t)n + 1)) == -1 &&
	    errno == EINTR)
		;
	return r;
}

void
mq_held_begin(struct mq_grp *g)
{
	if (g->held_dirty)
		return;
	if ((g->held = size_read(g->lock)) == -1)
		g->held = mq_held_count(g->dir);
	/* (a count that cannot be written is counted again next time) */
	if (size_write(g->lock, -1) == -1)
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
		(void)size_write(g->lock, g->held);
	g->held_dirty = 0;
}

long
mq_held_read(int dirfd)
{
	long n = -1;
	int fd;

	if ((fd = mq_openfile(dirfd, "lock", O_RDONLY, 0, NULL)) != -1) {
		n = size_read(fd);
		(void)close(fd);
	}
	return n != -1 ? n : mq_held_count(dirfd);
}
