/* tail: a command's standard error, passed on and its end kept.
 *
 * mq-run gives each command a pipe for its standard error. What comes
 * through is passed on to mq-run's own standard error as it comes (each
 * line after the message's id when several commands share it), and its
 * last MQ_TAIL bytes are kept in a ring: memory stays the same whatever a
 * command writes. When the command fails, the tail is the evidence kept
 * beside the reason (pool.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dir.h"
#include "tail.h"

#define CHUNK 65536		/* bytes a read asks for */
#define READS 4			/* reads a call makes at most: others wait */

void
mq_tail_start(struct mq_tail *t, int fd)
{
	t->fd = fd;
	t->len = t->at = t->llen = 0;
	t->split = 0;
	t->total = 0;
	if (fd != -1)
		(void)fcntl(fd, F_SETFL, O_NONBLOCK);	/* a pipe's: no other */
}

static void
keep(struct mq_tail *t, const char *p, size_t n)
{
	size_t k;

	t->total += n;
	if (n >= MQ_TAIL) {	/* only its end stays */
		memcpy(t->ring, p + n - MQ_TAIL, MQ_TAIL);
		t->at = 0;
		t->len = MQ_TAIL;
		return;
	}
	while (n > 0) {
		k = MQ_TAIL - t->at < n ? MQ_TAIL - t->at : n;
		memcpy(t->ring + t->at, p, k);
		t->at = (t->at + k) % MQ_TAIL;
		t->len = t->len + k > MQ_TAIL ? MQ_TAIL : t->len + k;
		p += k;
		n -= k;
	}
}

/* Passes the line held on, after prefix, ended by a newline. A failed
 * write is let go: our stderr is the user's, the evidence is kept. */
static void
pass_line(struct mq_tail *t, int out, const char *prefix)
{
	if (out != -1) {
		(void)mq_write_all(out, prefix, strlen(prefix));
		(void)mq_write_all(out, t->line, t->llen);
		if (t->llen == 0 || t->line[t->llen - 1] != '\n')
			(void)mq_write_all(out, "\n", 1);
	}
	t->llen = 0;
}

static void
pass(struct mq_tail *t, int out, const char *prefix, const char *p,
    size_t n)
{
	const char *nl;
	size_t k;

	if (prefix == NULL) {
		if (out != -1)
			(void)mq_write_all(out, p, n);
		return;
	}
	while (n > 0) {
		if (t->split && *p == '\n') {	/* ended already */
			p++;
			n--;
			t->split = 0;
			continue;
		}
		t->split = 0;
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		if (k > MQ_TAIL - t->llen)
			k = MQ_TAIL - t->llen;
		memcpy(t->line + t->llen, p, k);
		t->llen += k;
		p += k;
		n -= k;
		if (t->line[t->llen - 1] == '\n') {
			pass_line(t, out, prefix);
		} else if (t->llen == MQ_TAIL) {
			pass_line(t, out, prefix);
			t->split = 1;	/* a newline next is this one's */
		}
	}
}

int
mq_tail_read(struct mq_tail *t, int out, const char *prefix)
{
	char buf[CHUNK];
	ssize_t n;
	int i;

	if (t->fd == -1)
		return 1;
	for (i = 0; i < READS; i++) {
		n = read(t->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return 1;	/* the end, or an error: the same */
		keep(t, buf, (size_t)n);
		pass(t, out, prefix, buf, (size_t)n);
	}
	return 0;
}

void
mq_tail_end(struct mq_tail *t, int out, const char *prefix)
{
	int i;

	/* Bounded: a writer that outlives the command is not waited for,
	 * nor read for ever. */
	for (i = 0; i < 64 && mq_tail_read(t, out, prefix) == 0; i++)
		;
	if (prefix != NULL && t->llen > 0)
		pass_line(t, out, prefix);
	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
}

size_t
mq_tail_bytes(const struct mq_tail *t, char *buf)
{
	size_t first;

	if (t->len < MQ_TAIL) {
		memcpy(buf, t->ring, t->len);
		return t->len;
	}
	first = MQ_TAIL - t->at;
	memcpy(buf, t->ring + t->at, first);
	memcpy(buf + first, t->ring, t->at);
	return MQ_TAIL;
}

size_t
mq_tail_last_line(const struct mq_tail *t, char *buf, size_t size)
{
	char all[MQ_TAIL];
	size_t n = mq_tail_bytes(t, all), end, start = 0, len, i;

	end = n;
	for (;;) {
		while (end > 0 && (all[end - 1] == '\n' ||
		    all[end - 1] == '\r' || all[end - 1] == ' ' ||
		    all[end - 1] == '\t'))
			end--;
		if (end == 0)
			break;
		start = end;
		while (start > 0 && all[start - 1] != '\n')
			start--;
		while (start < end && (all[start] == ' ' ||
		    all[start] == '\t'))
			start++;
		if (start < end)
			break;
		end = start;
	}
	if (end == 0 || size == 0) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	len = end - start;
	if (len > size - 1)
		len = size - 1;		/* its beginning: where it says what */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)all[start + i];

		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[len] = '\0';
	return len;
}
