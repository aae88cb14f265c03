/* report: mq-stat's four formats. */
#ifndef MQ_REPORT_H
#define MQ_REPORT_H

#include <stdint.h>

#include "stat.h"

enum { MQ_REPORT_TABLE, MQ_REPORT_JSON, MQ_REPORT_PROM, MQ_REPORT_SH };
#define MQ_REPORT_SAME (-1)	/* a row's status: a spool named twice */

/* A spool's counts, and the count before (for rates). */
struct mq_report_row {
	const char *spool;	/* its path, as given */
	int status;		/* 0, or it did not open or count: not shown
				 * (MQ_REPORT_SAME: named before) */
	struct mq_stats st, last;
	int64_t at, last_at;	/* when counted, ms (last_at 0: never) */
};

/* Prints the n rows in format fmt on standard output: rates, the put and
 * ack rates since the last count (mq-stat -i); header, the table's
 * header line. */
void mq_report(const struct mq_report_row *rows, int n, int fmt, int rates,
    int header);

#endif
