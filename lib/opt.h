/* opt: option arguments shared by the programs. */
#ifndef MQ_OPT_H
#define MQ_OPT_H

#include <stdio.h>

/* A decimal count of at least min, or a usage error naming the option
 * (exit 64). */
long mq_count_opt(char opt, const char *s, long min);
/* A reason for -r: not empty, at most MQ_REASON_MAX bytes; or a usage
 * error (exit 64). */
const char *mq_reason_opt(const char *s);
/* A key (-k) or group (-g): mq_key_valid, or a usage error naming the
 * option (exit 64). */
const char *mq_key_opt(char opt, const char *s);

/* getopt(3) for the programs: --help and --version (at the start of a
 * word before the operands) as 'h' and 'V'; an unknown option or a
 * missing value said, naming it, before '?' is returned. */
int mq_getopt(int argc, char *const argv[], const char *optstring);
/* The first n operands (n < 0: all) after getopt must not look like
 * options (getopt stops at the first operand: "mq-take q -n 2" has two
 * more operands), unless "--" came first: else a usage error naming it,
 * then usage(stderr, 64). */
void mq_no_late_options(int argc, char *const argv[], int n,
    void (*usage)(FILE *, int));
/* Prints the synopsis, and for -h (f is stdout) the options, and exits
 * with status. */
void mq_usage(FILE *f, int status, const char *synopsis, const char *options);

#endif
