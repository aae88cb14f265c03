/* clock: wall-clock time in milliseconds, and conversions to timespec. */
#ifndef MQ_CLOCK_H
#define MQ_CLOCK_H

#include <stdint.h>
#include <time.h>

int64_t mq_now_us(void);
int64_t mq_now_ms(void);
struct timespec mq_ms_ts(int64_t ms);
int64_t mq_ts_ms(const struct timespec *ts);

#endif
