/* Fuzzes routing keys and bind patterns (route.c, name.c): the input is
 * a pattern, a newline, and a key. A key accepted is words of the safe
 * bytes; the match agrees with a slow recursive reference, and a pattern
 * matches itself when it has no wildcard. Also mq_point_parse (point.c):
 * whatever it accepts compares with any id without harm. */
#include "fuzz.h"

#include "name.h"
#include "point.h"
#include "route.h"

/* The reference: AMQP topic matching by recursion over the words. */
static int
slow(const char *p, const char *k)
{
	const char *pe = strchr(p, '.'), *ke = strchr(k, '.');
	size_t pl = pe ? (size_t)(pe - p) : strlen(p);
	size_t kl = ke ? (size_t)(ke - k) : strlen(k);

	if (*p == '\0')
		return *k == '\0';
	if (pl == 1 && *p == '#') {
		/* zero words, or one and still # */
		if (slow(pe ? pe + 1 : "", k))
			return 1;
		return *k != '\0' && slow(p, ke ? ke + 1 : "");
	}
	if (*k == '\0')
		return 0;
	if (!(pl == 1 && *p == '*') && (pl != kl || memcmp(p, k, pl) != 0))
		return 0;
	if ((pe == NULL) != (ke == NULL))
		return pe != NULL && slow(pe + 1, "");
	return pe == NULL || slow(pe + 1, ke + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *key = strchr(s, '\n');
	struct mq_point pt;

	if (mq_point_parse(s, 1796000000000, &pt) == 0)
		(void)mq_point_cmp("1796000000000000.000000000000", &pt);
	if (key == NULL) {
		free(s);
		return 0;
	}
	*key++ = '\0';
	if (mq_route_valid(key, strlen(key))) {
		must(strlen(key) <= MQ_ROUTE_MAX);
		must(strstr(key, "..") == NULL && key[0] != '.');
		if (strlen(key) <= MQ_KEY_MAX)
			must(mq_bind_valid(key) && mq_route_match(key, key));
	}
	if (mq_bind_valid(s) && mq_route_valid(key, strlen(key)) &&
	    strlen(s) < 40 && strlen(key) < 40)
		must(mq_route_match(s, key) == slow(s, key));
	free(s);
	return 0;
}
