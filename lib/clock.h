/* clock: wall-clock time in milliseconds, and conversions to timespec. */
#ifndef MQ_CLOCK_H
#define MQ_CLOCK_H

#include <stdint.h>
#include <time.h>

int64_t mq_now_us(void);
int64_t mq_now_ms(void);
struct timespec mq_ms_ts(int64_t ms);
int64_t mq_ts_ms(const struct timespec *ts);
/* ms as UTC, 2026-12-01T10:04:11Z, into buf ("-" for a time before
 * 1970 or one that cannot be told): buf. */
const char *mq_iso_utc(int64_t ms, char *buf, size_t len);

#endif
