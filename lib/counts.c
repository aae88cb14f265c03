/* counts: how many messages were ever put and acked, and when the last
 * was put.
 *
 * SPOOL/.counts is fixed-width lines, "put_total N" and "ack_total N",
 * N 20 digits, so `cat` reads it, and "put_last T", the time in
 * microseconds of the latest id put: a floor under the ids of later puts,
 * so that they keep growing when a producer's clock is behind (name.c). A producer or an acker adds to its
 * line in place under an fcntl write lock on that line's bytes alone, so
 * puts and acks never wait for each other: lock, pread, pwrite, unlock.
 * A batch of acks (mq-ack, mq-retry, mq-dlq over many leases) adds its
 * acks up and writes them once per 256 or per second.
 * Nothing is fsynced: the counters serve rates and monitoring, and a
 * power cut may lose the last additions (never the messages). A line
 * that does not parse (a torn write) counts from 0 again; readers of
 * rates must allow a counter to go back (mq-stat shows 0 then).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "counts.h"
#include "dir.h"

#define LINE 31			/* "put_total " + 20 digits + '\n' */

static const char *const label[] = { "put_total ", "ack_total ",
    "put_last  " };

static int
counts_fd(struct mq_spool *sp)
{
	struct stat st;

	if (sp->counts == -1) {
		sp->counts = mq_openfile(sp->fd, ".counts", O_RDWR | O_CREAT,
		    0666, &st);
		/* Written in place: never into a file linked from elsewhere
		 * (a planted hard link, or a cp -al copy of the spool). */
		if (sp->counts != -1 && st.st_nlink != 1) {
			close(sp->counts);
			sp->counts = -1;
		}
	}
	return sp->counts;
}

static int64_t
parse(const char *line, int which)
{
	size_t n = strlen(label[which]), i;
	int64_t v = 0;

	if (memcmp(line, label[which], n) != 0 || line[LINE - 1] != '\n')
		return 0;
	for (i = n; i < LINE - 1; i++) {
		if (line[i] < '0' || line[i] > '9')
			return 0;
		v = v * 10 + (line[i] - '0');
	}
	return v;
}

static void
add(struct mq_spool *sp, int which, long n)
{
	char line[LINE + 1];
	int64_t v = 0;
	int fd;

	if (n <= 0 || (fd = counts_fd(sp)) == -1 ||
	    mq_lock(fd, F_WRLCK, (off_t)which * LINE, LINE, 1) == -1)
		return;
	if (pread(fd, line, LINE, (off_t)which * LINE) == LINE) {
		line[LINE] = '\0';
		v = parse(line, which);
	}
	if (v < 0 || v > INT64_MAX / 2)
		v = 0;
	snprintf(line, sizeof(line), "%s%020lld\n", label[which],
	    (long long)(v + n));
	(void)pwrite(fd, line, LINE, (off_t)which * LINE);
	(void)mq_lock(fd, F_UNLCK, (off_t)which * LINE, LINE, 1);
}

void
mq_count(struct mq_spool *sp, int which, long n)
{
	int64_t now;

	if (which != MQ_ACKS || !sp->count_later) {
		add(sp, which, n);
		return;
	}
	now = mq_now_ms();
	if (sp->acks_due == 0)
		sp->due_since = now;
	sp->acks_due += n;
	if (sp->acks_due >= 256 || now - sp->due_since >= 1000)
		mq_counts_flush(sp);
}

void
mq_counts_flush(struct mq_spool *sp)
{
	add(sp, MQ_ACKS, sp->acks_due);
	sp->acks_due = 0;
}

int64_t
mq_counts_last(struct mq_spool *sp)
{
	char line[LINE + 1];
	int fd;

	if ((fd = counts_fd(sp)) == -1 ||
	    pread(fd, line, LINE, (off_t)MQ_LAST * LINE) != LINE)
		return 0;
	line[LINE] = '\0';
	return parse(line, MQ_LAST);
}

void
mq_counts_set_last(struct mq_spool *sp, int64_t us, int64_t was)
{
	char line[LINE + 1];
	int fd;

	if (us <= was || (fd = counts_fd(sp)) == -1)
		return;
	snprintf(line, sizeof(line), "%s%020lld\n", label[MQ_LAST],
	    (long long)us);
	(void)pwrite(fd, line, LINE, (off_t)MQ_LAST * LINE);
}

int
mq_counts_read(struct mq_spool *sp, int64_t *puts, int64_t *acks)
{
	char buf[2 * LINE + 1];
	ssize_t n;
	int fd;

	*puts = *acks = 0;
	fd = mq_openfile(sp->fd, ".counts", O_RDONLY, 0, NULL);
	if (fd == -1)
		return -1;
	n = pread(fd, buf, 2 * LINE, 0);
	close(fd);
	if (n < LINE)
		return n < 0 ? -1 : 0;
	buf[n] = '\0';
	*puts = parse(buf, MQ_PUTS);
	if (n == 2 * LINE)
		*acks = parse(buf + LINE, MQ_ACKS);
	return 0;
}
