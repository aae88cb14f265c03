/* tail: a command's standard error, passed on and its end kept. */
#ifndef MQ_TAIL_H
#define MQ_TAIL_H

#include <stddef.h>
#include <stdint.h>

#define MQ_TAIL 4096		/* bytes of a command's stderr kept */

struct mq_tail {
	int fd;			/* the pipe's read end (non-blocking); -1 */
	size_t len, at;		/* bytes in ring; where the next one goes */
	uint64_t total;		/* bytes read in all */
	size_t llen;		/* bytes of the line not yet passed on */
	int split;		/* the last line passed on was a full piece */
	char ring[MQ_TAIL];
	char line[MQ_TAIL];
};

/* Starts on fd, the read end of a command's stderr (made non-blocking). */
void mq_tail_start(struct mq_tail *t, int fd);
/* Reads what the pipe holds now, at most a few reads: kept, and passed on
 * to out (-1: nowhere), as is when prefix is NULL, else each line
 * after prefix (a line longer than MQ_TAIL in pieces, each its own).
 * 1 at the end of the pipe, 0 while it is open. */
int mq_tail_read(struct mq_tail *t, int out, const char *prefix);
/* The command is gone: reads what is left without waiting (a child of
 * it may hold the pipe open), ends a part line, closes the pipe. */
void mq_tail_end(struct mq_tail *t, int out, const char *prefix);
/* The bytes kept, in order, into buf (MQ_TAIL bytes): how many. */
size_t mq_tail_bytes(const struct mq_tail *t, char *buf);
/* The last line that is not blank, into buf (at most size - 1 bytes and
 * a NUL; control characters as '?'): its length, 0 if none. */
size_t mq_tail_last_line(const struct mq_tail *t, char *buf, size_t size);

#endif
