/* point: a place in a retained log (mq-replay -f, -u). */
#ifndef MQ_POINT_H
#define MQ_POINT_H

#include <stdint.h>

#include "name.h"

struct mq_point {
	int64_t ms;		/* a time; INT64_MIN the start, INT64_MAX the
				 * end */
	char id[MQ_ID_MAX + 1];	/* or that message: "" for a time */
};

/* "start", "end", "now", an id, an ISO 8601 UTC time, or a duration ago
 * ("1h", "2 hours ago"): 0, or -1 when s is none of those. */
int mq_point_parse(const char *s, int64_t now, struct mq_point *p);
/* Where the message id is against p: < 0 before, 0 at, > 0 after (a time
 * compares with the id's millisecond). */
int mq_point_cmp(const char *id, const struct mq_point *p);

#endif
