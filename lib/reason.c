/* reason: why a message was retried or dead-lettered.
 *
 * The last reason a message was given lives in SPOOL/reason/ID, its bytes
 * as given and a newline, so `cat` shows it. It is written to tmp/ first,
 * fsynced, renamed over reason/ID and the directory fsynced (sync=1): a
 * crash leaves the old reason or the new one, never a part. The file goes
 * when the message is acked, redriven or deleted. reason/ is made by the
 * first reason; a spool without it has none. Beside it, reason/ID.stderr
 * may keep the evidence of the last failed run under mq-run: the end of
 * the command's standard error, as it wrote it; it goes with the reason.
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

/* reason/name replaced whole by text (the tmp/ name after id, tag and
 * our pid; sync carries MQ_FILE_LINE for a line), reason/ made first. */
static int
replace(struct mq_spool *sp, const char *id, const char *name, char tag,
    const char *text, size_t len, int sync)
{
	char tmp[MQ_NAME_MAX + 32], what[4096];

	if (mq_spool_subdir(sp, &sp->reason, "reason", MQ_CREATE) == -1)
		return mq_fail_entry(MQ_EX_CANTCREAT, mq_spool_where(sp,
		    "reason", NULL, what, sizeof(what)), sp->fd, "reason",
		    S_IFDIR, errno);
	snprintf(tmp, sizeof(tmp), "%s.%c%ld", id, tag, (long)getpid());
	return mq_file_replace_bytes(mq_tmp(sp), tmp, sp->reason, name, text,
	    len, sync, mq_spool_where(sp, "reason", name, what,
	    sizeof(what)));
}

int
mq_reason_set(struct mq_spool *sp, const char *id, const char *text,
    size_t len)
{
	return replace(sp, id, id, 'r', text, len, sp->pol.sync |
	    MQ_FILE_LINE);
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

/* reason/ID.stderr: the evidence's name. */
static const char *
evidence_name(const char *id, char *buf, size_t len)
{
	snprintf(buf, len, "%s.stderr", id);
	return buf;
}

int
mq_reason_evidence(struct mq_spool *sp, const char *id, const char *bytes,
    size_t len)
{
	char name[MQ_NAME_MAX + 16];

	evidence_name(id, name, sizeof(name));
	if (len == 0) {		/* no evidence: none left of an earlier try */
		if (mq_spool_subdir(sp, &sp->reason, "reason", MQ_OPEN) == 0)
			(void)unlinkat(sp->reason, name, 0);
		return MQ_EX_OK;
	}
	return replace(sp, id, name, 'e', bytes, len, sp->pol.sync);
}

void
mq_reason_clear(struct mq_spool *sp, const char *id)
{
	char name[MQ_NAME_MAX + 16];

	if (mq_spool_subdir(sp, &sp->reason, "reason", MQ_OPEN) == 0) {
		(void)unlinkat(sp->reason, id, 0);
		(void)unlinkat(sp->reason, evidence_name(id, name,
		    sizeof(name)), 0);
	}
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
