/* Fuzzes mq_duration_parse (-d, -t, config values). A string accepted is
 * digits, an optional fraction and one of the units, and its value is
 * within the limit and agrees with a slow reference computation. */
#include "fuzz.h"

#include "duration.h"

static int
unit_ok(const char *u, long double *mul)
{
	static const struct { const char *u; long double mul; } units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(u, units[i].u) == 0) {
			*mul = units[i].mul;
			return 1;
		}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *p = s;
	long double whole = 0, frac = 0, scale = 1, mul = 0, want;
	int64_t ms = -1;
	int ok, grammar = 1, digits = 0;

	ok = mq_duration_parse(s, &ms) == 0;
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		whole = whole * 10 + (*p - '0');
	if (digits == 0)
		grammar = 0;
	if (*p == '.') {
		p++;
		digits = 0;
		for (; *p >= '0' && *p <= '9'; p++, digits++)
			if (scale < 1e9L) {
				frac = frac * 10 + (*p - '0');
				scale *= 10;
			}
		if (digits == 0)
			grammar = 0;
	}
	if (!unit_ok(p, &mul))
		grammar = 0;
	want = whole * mul + frac * mul / scale;
	if (ok) {
		must(grammar);
		must(ms >= 0 && ms <= MQ_DURATION_MAX);
		must(ms <= want && want < ms + 1.001L);
	} else if (grammar) {
		must(want >= (long double)MQ_DURATION_MAX + 1);
	}
	free(s);
	return 0;
}
