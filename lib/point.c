/* point: a place in a retained log, as -f and -u of mq-replay name it.
 *
 * "start" (the oldest entry) and "end" (the newest); an id (that message,
 * exactly); a time in ISO 8601 UTC, "2026-12-01T10:00:00Z" (seconds and
 * the Z may be left out, a fraction ".250" given); or a duration before
 * now, "90m", "1h ago", "2 hours ago" (mq-put's units, or the words
 * second, minute, hour, day, week, singular or plural).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "name.h"
#include "point.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* An ISO 8601 UTC time ("2026-12-01T10:00:00Z") in ms: 0, or -1. */
static int
iso_parse(const char *s, int64_t *ms)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	const char *p = s;
	int y, mo, d, h, mi, sec = 0, frac = 0, scale = 1000;

	if (digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    digits(&p, 2, &d) == -1 || (*p != 'T' && *p != ' ') ||
	    (p++, digits(&p, 2, &h)) == -1 || *p++ != ':' ||
	    digits(&p, 2, &mi) == -1)
		return -1;
	if (*p == ':' && (p++, digits(&p, 2, &sec)) == -1)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (scale > 1) {
				scale /= 10;
				frac += (*p - '0') * scale;
			}
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	*ms = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 +
	    (int64_t)sec * 1000 + frac;
	return 0;
}

/* "2 hours ago", "1h ago", "90m": a duration before now. */
static int
ago(const char *s, int64_t now, int64_t *ms)
{
	static const struct { const char *word, *unit; } words[] = {
		{ "second", "s" }, { "sec", "s" }, { "minute", "m" },
		{ "min", "m" }, { "hour", "h" }, { "day", "d" }, { "week", "w" },
	};
	char buf[64], num[32], word[32];
	const char *unit = NULL;
	size_t i, len;
	int64_t d;
	int n;

	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		return -1;
	len = strlen(buf);
	if (len > 4 && strcmp(buf + len - 4, " ago") == 0)
		buf[len - 4] = '\0';
	if (mq_duration_parse(buf, &d) == 0) {
		*ms = now - d;
		return 0;
	}
	if (sscanf(buf, "%31[0-9.] %31[a-z]%n", num, word, &n) != 2 ||
	    buf[n] != '\0')
		return -1;
	len = strlen(word);
	if (len > 1 && word[len - 1] == 's')
		word[len - 1] = '\0';
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(word, words[i].word) == 0)
			unit = words[i].unit;
	if (unit == NULL)
		return -1;
	if (strcmp(unit, "w") == 0) {
		if (snprintf(buf, sizeof(buf), "%sd", num) >= (int)sizeof(buf) ||
		    mq_duration_parse(buf, &d) == -1)
			return -1;
		d *= 7;
	} else if (snprintf(buf, sizeof(buf), "%s%s", num, unit) >=
	    (int)sizeof(buf) || mq_duration_parse(buf, &d) == -1) {
		return -1;
	}
	*ms = now - d;
	return 0;
}

int
mq_point_parse(const char *s, int64_t now, struct mq_point *p)
{
	memset(p, 0, sizeof(*p));
	if (strcmp(s, "start") == 0) {
		p->ms = INT64_MIN;
		return 0;
	}
	if (strcmp(s, "end") == 0 || strcmp(s, "now") == 0) {
		p->ms = strcmp(s, "end") == 0 ? INT64_MAX : now;
		return 0;
	}
	if (mq_id_shaped(s)) {
		snprintf(p->id, sizeof(p->id), "%s", s);
		p->ms = mq_id_ms(s);
		return 0;
	}
	if (iso_parse(s, &p->ms) == 0 || ago(s, now, &p->ms) == 0)
		return 0;
	return -1;
}

int
mq_point_cmp(const char *id, const struct mq_point *p)
{
	int64_t ms;

	if (p->id[0] != '\0')
		return strcmp(id, p->id);
	ms = mq_id_ms(id);
	return ms < p->ms ? -1 : ms > p->ms ? 1 : 0;
}
