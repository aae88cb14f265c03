/* operands: each operand, or each record of stdin when there are none. */
#ifndef MQ_OPERANDS_H
#define MQ_OPERANDS_H

#include <stdio.h>

typedef int mq_operand_fn(const char *operand, void *arg);

/* Calls fn for argv[0..argc), or, with argc 0, for each record of stdin
 * as mq_each_record reads them. Returns the worst status. */
int mq_each_operand(int argc, char **argv, int delim, mq_operand_fn *fn,
    void *arg);
/* Calls fn for each record of in ended by delim (or by its end), empty
 * records skipped; a record holding a NUL byte (delim not NUL) is warned
 * of, naming what, and makes the status 65. Returns the worst status. */
int mq_each_record(FILE *in, const char *what, int delim, mq_operand_fn *fn,
    void *arg);

/* At the start of main: notes whether standard input was closed (and
 * holds fd 0 so that nothing opened later takes its place). */
void mq_guard_stdin(void);
/* Whether it was: 1, said with what (why it was wanted); or 0. */
int mq_stdin_closed(const char *what);

#endif
