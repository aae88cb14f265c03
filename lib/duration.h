/* duration: "500ms", "30" (seconds), "5m", "2h", "7d" to milliseconds. */
#ifndef MQ_DURATION_H
#define MQ_DURATION_H

#include <stdint.h>

/* The largest duration accepted: 100 years. */
#define MQ_DURATION_MAX ((int64_t)100 * 366 * 86400 * 1000)

/* 0 and *ms set, or -1 when s is not a duration. */
int mq_duration_parse(const char *s, int64_t *ms);
/* The same, or a usage error naming the option, exiting 64. */
int64_t mq_duration_opt(char opt, const char *s);

#endif
