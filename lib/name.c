/* name: message ids and the file-name grammar of the spool.
 *
 * An id is the put time in microseconds since the epoch, 16 digits, a dot,
 * and 12 hex digits drawn at random once per process: 
 * "1763833990123456.3fa9c2e01b7d". Ids compare as strings in the order
 * they were made; a process never makes the same time twice (it steps
 * past its last one), and two processes, on one host or several, share
 * a time and a random part with a chance of about 2^-48.
 *
 * Every message file is named "ID,N": N is the number of deliveries it
 * has had (0 in new/ before the first), and in cur/ the number of this
 * one. A redrive from dlq/ resets N and counts itself in a third field,
 * "ID,N,G", so that no lease name is ever used twice: a holder of a
 * lease from an earlier life cannot complete the new one. A message put
 * with -g carries its group as a fourth field, "ID,N,G,GROUP" (G may then
 * be 0), so that whoever finishes it knows which group to release; one
 * put with a routing key (-s) carries it as a fifth, "ID,N,G,GROUP,ROUTE"
 * (GROUP, ROUTE or both may then be empty). Nothing
 * outside [A-Za-z0-9._-,:@+=] is ever accepted, so a name that parses is
 * safe to print.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "name.h"

static uint64_t
random_seed(void)
{
	uint64_t r = 0;
	int fd;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd != -1) {
		if (read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
			r = 0;
		close(fd);
	}
	if (r == 0) {		/* no urandom: mix what differs between runs */
		r = (uint64_t)mq_now_us() * 0x9e3779b97f4a7c15ULL;
		r ^= (uint64_t)getpid() << 24;
		r ^= (uint64_t)(uintptr_t)&r;
	}
	return r;
}

unsigned long long
mq_random(void)
{
	static uint64_t state;
	uint64_t z;

	if (state == 0)
		state = random_seed() | 1;
	z = (state += 0x9e3779b97f4a7c15ULL);	/* splitmix64 */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static int64_t last;		/* us of the last id made, or the floor */

void
mq_id_floor(int64_t us)
{
	if (us > last)
		last = us;
}

int64_t
mq_id_last(void)
{
	return last;
}

int64_t
mq_id_clock_ms(void)
{
	int64_t now = mq_now_ms();

	return now > last / 1000 ? now : last / 1000;
}

void
mq_id_new(char id[MQ_ID_MAX + 1])
{
	static uint64_t rnd;
	int64_t now;

	if (rnd == 0)
		rnd = (random_seed() & 0xffffffffffffULL) | 1;
	now = mq_now_us();
	if (now <= last)
		now = last + 1;
	last = now;
	snprintf(id, MQ_ID_MAX + 1, "%016lld.%012llx", (long long)now,
	    (unsigned long long)rnd);
}

int64_t
mq_id_ms(const char *id)
{
	return strtoll(id, NULL, 10) / 1000;
}

static int
id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

int
mq_id_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > MQ_ID_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++)
		if (!id_char(s[i]))
			return 0;
	return 1;
}

int
mq_key_valid(const char *s)
{
	size_t i;

	if (s[0] == '\0' || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i == MQ_KEY_MAX || (!id_char(s[i]) &&
		    strchr(":@+=%", s[i]) == NULL))
			return 0;
	}
	return 1;
}

/* A decimal number without leading zeros, at most MQ_ATTEMPTS_MAX; the
 * position after it, or NULL. */
static const char *
number(const char *p, unsigned long *v)
{
	unsigned long a = 0;

	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9'))
		return NULL;
	for (; *p >= '0' && *p <= '9'; p++) {
		a = a * 10 + (unsigned long)(*p - '0');
		if (a > MQ_ATTEMPTS_MAX)
			return NULL;
	}
	*v = a;
	return p;
}

int
mq_route_valid(const char *s, size_t len)
{
	size_t i, word = 0;

	if (len > MQ_ROUTE_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (word == 0 || i + 1 == len)
				return 0;
			word = 0;
		} else if (id_char(s[i])) {
			word++;
		} else {
			return 0;
		}
	}
	return 1;
}

/* The group field, up to the end or a comma (a route after it). */
static const char *
group_field(const char *p, struct mq_name *n, int empty_ok)
{
	const char *end = strchr(p, ',');
	size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

	if (len > MQ_KEY_MAX)
		return NULL;
	memcpy(n->group, p, len);
	n->group[len] = '\0';
	if (len == 0 ? !empty_ok : !mq_key_valid(n->group))
		return NULL;
	return p + len;
}

int
mq_name_parse(const char *s, struct mq_name *n)
{
	const char *comma, *p;
	unsigned long a, g = 0;

	if ((comma = strchr(s, ',')) == NULL ||
	    !mq_id_valid(s, (size_t)(comma - s)))
		return -1;
	if ((p = number(comma + 1, &a)) == NULL)
		return -1;
	n->group[0] = '\0';
	n->routed = 0;
	n->route[0] = '\0';
	if (*p == ',') {
		if ((p = number(p + 1, &g)) == NULL)
			return -1;
		if (*p == ',') {	/* a group: the gen is given even if 0 */
			if ((p = group_field(p + 1, n, strchr(p + 1, ',') !=
			    NULL)) == NULL)
				return -1;
			if (*p == ',') {	/* and a routing key */
				if (!mq_route_valid(p + 1, strlen(p + 1)))
					return -1;
				n->routed = 1;
				strcpy(n->route, p + 1);
			}
		} else if (*p != '\0' || g == 0)
			return -1;
	} else if (*p != '\0')
		return -1;
	memcpy(n->id, s, (size_t)(comma - s));
	n->id[comma - s] = '\0';
	n->attempts = a;
	n->gen = g;
	return 0;
}

void
mq_name_format(char *buf, const struct mq_name *n)
{
	char whole[MQ_ID_MAX + MQ_KEY_MAX + MQ_ROUTE_MAX + 48];

	/* (never cut: a name parsed is at most MQ_NAME_MAX, and one made
	 * has a 29-byte id, a group and a route within it) */
	if (n->routed) {
		snprintf(whole, sizeof(whole), "%s,%lu,%lu,%s,%s", n->id,
		    n->attempts, n->gen, n->group, n->route);
		snprintf(buf, MQ_NAME_MAX + 1, "%.*s", MQ_NAME_MAX, whole);
	} else if (n->group[0] != '\0')
		snprintf(buf, MQ_NAME_MAX + 1, "%s,%lu,%lu,%s", n->id,
		    n->attempts, n->gen, n->group);
	else if (n->gen == 0)
		snprintf(buf, MQ_NAME_MAX + 1, "%s,%lu", n->id, n->attempts);
	else
		snprintf(buf, MQ_NAME_MAX + 1, "%s,%lu,%lu", n->id,
		    n->attempts, n->gen);
}

int
mq_id_shaped(const char *s)
{
	size_t i;

	for (i = 0; i < 29; i++)
		if (i == 16 ? s[i] != '.' : i < 16 ? !isdigit((unsigned char)
		    s[i]) : !isxdigit((unsigned char)s[i]))
			return 0;
	return s[29] == '\0' && mq_id_valid(s, 29);
}
