/* reason: why a message was retried or dead-lettered.
 *
 * The last reason a message was given lives in SPOOL/reason/ID, its bytes
 * as given and a newline, so `cat` shows it. It is written to tmp/ first,
 * fsynced, renamed over reason/ID and the directory fsynced (sync=1): a
 * crash leaves the old reason or the new one, never a part. The file goes
 * when the message is acked, redriven or deleted. reason/ is made by the
 * first reason; a spool without it has none.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "dir.h"
#include "name.h"
#include "reason.h"

int
mq_reason_set(struct mq_spool *sp, const char *id, const char *text,
    size_t len)
{
	char tmp[MQ_NAME_MAX + 32], what[4096];
	int fd, err;

	if (len > MQ_REASON_MAX)
		len = MQ_REASON_MAX;
	mq_spool_where(sp, "reason", id, what, sizeof(what));
	if (mq_spool_subdir(sp, &sp->reason, "reason", MQ_CREATE) == -1)
		return mq_fail_entry(MQ_EX_CANTCREAT, mq_spool_where(sp,
		    "reason", NULL, what, sizeof(what)), sp->fd, "reason",
		    S_IFDIR, errno);
	snprintf(tmp, sizeof(tmp), "%s.r%ld", id, (long)getpid());
	fd = openat(sp->tmp, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0666);
	if (fd == -1)
		return mq_fail(MQ_EX_CANTCREAT, what, errno);
	if (mq_write_all(fd, text, len) == -1 || mq_write_all(fd, "\n", 1) ==
	    -1 || (sp->pol.sync && fsync(fd) == -1)) {
		err = errno;
		close(fd);
		(void)unlinkat(sp->tmp, tmp, 0);
		return mq_fail(MQ_EX_IOERR, what, err);
	}
	if (close(fd) == -1 || renameat(sp->tmp, tmp, sp->reason, id) == -1) {
		err = errno;
		(void)unlinkat(sp->tmp, tmp, 0);
		return mq_fail(MQ_EX_IOERR, what, err);
	}
	if (sp->pol.sync && mq_fsync(sp->reason) == -1)
		return mq_fail(MQ_EX_IOERR, what, errno);
	return MQ_EX_OK;
}

long
mq_reason_get(struct mq_spool *sp, const char *id,
    char buf[MQ_REASON_MAX + 1])
{
	ssize_t n;

	if (mq_spool_subdir(sp, &sp->reason, "reason", MQ_OPEN) == -1)
		return -1;
	if ((n = mq_read_small(sp->reason, id, buf, MQ_REASON_MAX + 1)) == -1)
		return -1;
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	else if (n > MQ_REASON_MAX)
		n = MQ_REASON_MAX;
	buf[n] = '\0';
	return (long)n;
}

void
mq_reason_clear(struct mq_spool *sp, const char *id)
{
	if (mq_spool_subdir(sp, &sp->reason, "reason", MQ_OPEN) == 0)
		(void)unlinkat(sp->reason, id, 0);
}

int
mq_reason_decide(struct mq_spool *sp, const char *id, const char *head)
{
	static const char given[] = "; last reason given: ";
	char old[MQ_REASON_MAX + 1], text[MQ_REASON_MAX + 1];
	size_t len = strlen(head);
	long n;

	if (len > MQ_REASON_MAX)
		len = MQ_REASON_MAX;
	memcpy(text, head, len);
	n = mq_reason_get(sp, id, old);
	if (n >= (long)len && memcmp(old, head, len) == 0)
		return MQ_EX_OK;	/* decided already (a racing taker) */
	if (n > 0 && len + sizeof(given) - 1 < MQ_REASON_MAX) {
		memcpy(text + len, given, sizeof(given) - 1);
		len += sizeof(given) - 1;
		if ((size_t)n > MQ_REASON_MAX - len)
			n = (long)(MQ_REASON_MAX - len);
		memcpy(text + len, old, (size_t)n);
		len += (size_t)n;
	}
	return mq_reason_set(sp, id, text, len);
}

size_t
mq_utf8_len(const unsigned char *p, size_t left)
{
	unsigned long cp;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;		/* overlong, surrogate, C1 control */
	if ((cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 &&
	    cp <= 0x2069) || cp == 0x200e || cp == 0x200f)
		return 0;		/* line breaks, bidirectional controls */
	return n;
}

void
mq_reason_print(FILE *f, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i, n;

	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '\\': fputs("\\\\", f); continue;
		case '\t': fputs("\\t", f); continue;
		case '\n': fputs("\\n", f); continue;
		case '\r': fputs("\\r", f); continue;
		default: break;
		}
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			putc(p[i], f);
		} else if ((n = mq_utf8_len(p + i, len - i)) > 0) {
			fwrite(p + i, 1, n, f);
			i += n - 1;
		} else {
			fprintf(f, "\\x%02x", p[i]);
		}
	}
}
