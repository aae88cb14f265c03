/* reason: why a message was retried or dead-lettered, kept in reason/ID. */
#ifndef MQ_REASON_H
#define MQ_REASON_H

#include <stddef.h>
#include <stdio.h>

#include "spool.h"

#define MQ_REASON_MAX 4096	/* bytes of a reason kept */

/* Makes text (len bytes) the reason of message id, durably (unless
 * sync=0). Returns an exit status, the error already reported. */
int mq_reason_set(struct mq_spool *sp, const char *id, const char *text,
    size_t len);
/* Reads the reason of id into buf (NUL-terminated; at most
 * MQ_REASON_MAX bytes and without its final newline). Returns its length,
 * or -1 when the message has none. */
long mq_reason_get(struct mq_spool *sp, const char *id,
    char buf[MQ_REASON_MAX + 1]);
/* Forgets the reason of id, if any. */
/* Keeps bytes (a failed command's stderr tail) as reason/ID.stderr,
 * replaced whole; len 0 removes an earlier one. Returns an exit status. */
int mq_reason_evidence(struct mq_spool *sp, const char *id, const char *bytes,
    size_t len);
/* Removes reason/ID and reason/ID.stderr. */
void mq_reason_clear(struct mq_spool *sp, const char *id);
/* A reason the system decided: head, then "; last reason given: ..."
 * when the message had one. Records it; returns an exit status. */
int mq_reason_decide(struct mq_spool *sp, const char *id, const char *head);
#endif
