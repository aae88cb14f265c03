/* duration: "500ms", "30" (seconds), "5m", "2h", "7d" to milliseconds.
 *
 * A duration is a decimal number, optionally with a fraction ("1.5s"), then
 * an optional unit; no sign, no space. The result is rounded down to a
 * whole millisecond. Anything else is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "duration.h"

static int64_t
unit_ms(const char *u)
{
	if (*u == '\0' || strcmp(u, "s") == 0)
		return 1000;
	if (strcmp(u, "ms") == 0)
		return 1;
	if (strcmp(u, "m") == 0)
		return 60 * 1000;
	if (strcmp(u, "h") == 0)
		return 3600 * 1000;
	if (strcmp(u, "d") == 0)
		return 86400 * 1000;
	return 0;
}

int
mq_duration_parse(const char *s, int64_t *ms)
{
	int64_t whole = 0, frac = 0, scale = 1, unit;
	const char *p = s;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > MQ_DURATION_MAX)
			return -1;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (scale < 1000000000) {	/* digits past 1e-9 ignored */
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
		}
	}
	if ((unit = unit_ms(p)) == 0)
		return -1;
	if (whole > MQ_DURATION_MAX / unit)
		return -1;
	*ms = whole * unit + frac * unit / scale;
	if (*ms > MQ_DURATION_MAX)
		return -1;
	return 0;
}

int64_t
mq_duration_opt(char opt, const char *s)
{
	int64_t ms;
	char what[4] = { '-', opt, '\0', '\0' };

	if (mq_duration_parse(s, &ms) == -1) {
		mq_warnx(what, "bad duration '%s' (a number with an optional "
		    "unit ms, s, m, h, d)", s);
		exit(MQ_EX_USAGE);
	}
	return ms;
}
