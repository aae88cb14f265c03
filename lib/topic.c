/* topic: a directory of spools, one per subscriber (fan-out).
 *
 * A topic is a directory whose subdirectories are spools, none of them
 * named like a spool's own (tmp, new, cur, dlq, done, reason, key,
 * group, lost, parked: a directory holding one of those is a spool). Subscribing is
 * making one (mkdir is enough: the first put completes it). A subscriber
 * made later sees only later messages. Names starting with '.' are not subscribers, and
 * nothing is followed: a symbolic link in a topic is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "topic.h"

static const char *const own[] = {
	"tmp", "new", "cur", "dlq", "done", "reason", "key", "group", "lost",
	"parked"
};

static int
by_bytes(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
mq_topic_list(const char *path, struct mq_names *subs)
{
	struct stat st;
	char buf[4096];
	size_t i, j, n = 0, len;
	int fd;

	subs->v = NULL;
	subs->n = 0;
	/* The common case in one call: a spool has new/. */
	if ((len = strlen(path)) < sizeof(buf) - 5) {
		memcpy(buf, path, len);
		memcpy(buf + len, "/new", 5);
		if (fstatat(AT_FDCWD, buf, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return 0;
	}
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	if (mq_dir_list(fd, subs) == -1) {
		close(fd);
		return 0;
	}
	for (i = 0; i < subs->n; i++) {
		for (j = 0; j < sizeof(own) / sizeof(own[0]); j++)
			if (strcmp(subs->v[i], own[j]) == 0) {
				close(fd);
				mq_names_free(subs);
				return 0;	/* a spool */
			}
	}
	for (i = 0; i < subs->n; i++) {
		if (subs->v[i][0] != '.' &&
		    fstatat(fd, subs->v[i], &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (S_ISDIR(st.st_mode)) {
				subs->v[n++] = subs->v[i];
				continue;
			}
			if (S_ISLNK(st.st_mode))
				mq_warnx(path, "%s: a symbolic link, not a "
				    "subscriber", subs->v[i]);
		}
		free(subs->v[i]);
	}
	subs->n = n;
	close(fd);
	if (n == 0) {
		mq_names_free(subs);
		return 0;
	}
	qsort(subs->v, n, sizeof(subs->v[0]), by_bytes);
	return 1;
}

int
mq_topic_spools(const char *path, struct mq_names *out)
{
	struct mq_names subs;
	char *sub;
	size_t i, len;
	int r, err = 0;

	memset(out, 0, sizeof(*out));
	if ((r = mq_topic_list(path, &subs)) == -1)
		return -1;
	if (r == 0)
		return mq_names_push(out, path);
	for (i = 0; i < subs.n && err == 0; i++) {
		len = strlen(path) + strlen(subs.v[i]) + 2;
		if ((sub = malloc(len)) == NULL) {
			err = errno;
			break;
		}
		snprintf(sub, len, "%s/%s", path, subs.v[i]);
		if (mq_names_push(out, sub) == -1)
			err = errno;
		free(sub);
	}
	mq_names_free(&subs);
	if (err != 0) {
		mq_names_free(out);
		errno = err;
		return -1;
	}
	return 0;
}
