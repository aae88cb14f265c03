/* opt: option arguments shared by the programs. */
#ifndef MQ_OPT_H
#define MQ_OPT_H

/* A decimal count of at least min, or a usage error naming the option
 * (exit 64). */
long mq_count_opt(char opt, const char *s, long min);
/* A reason for -r: not empty, at most MQ_REASON_MAX bytes; or a usage
 * error (exit 64). */
const char *mq_reason_opt(const char *s);
/* A key (-k) or group (-g): mq_key_valid, or a usage error naming the
 * option (exit 64). */
const char *mq_key_opt(char opt, const char *s);

#endif
