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
 * one. Nothing outside [A-Za-z0-9._-,] is ever accepted, so a name that
 * parses is safe to print.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "name.h"

static uint64_t
random_part(void)
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
	return r & 0xffffffffffffULL;
}

void
mq_id_new(char id[MQ_ID_MAX + 1])
{
	static int64_t last;
	static uint64_t rnd;
	int64_t now;

	if (rnd == 0)
		rnd = random_part() | 1;
	now = mq_now_us();
	if (now <= last)
		now = last + 1;
	last = now;
	snprintf(id, MQ_ID_MAX + 1, "%016lld.%012llx", (long long)now,
	    (unsigned long long)rnd);
}

int
mq_id_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > MQ_ID_MAX || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int
mq_name_parse(const char *s, struct mq_name *n)
{
	const char *comma, *p;
	unsigned long a = 0;

	if ((comma = strchr(s, ',')) == NULL ||
	    !mq_id_valid(s, (size_t)(comma - s)))
		return -1;
	p = comma + 1;
	if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] != '\0'))
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		a = a * 10 + (unsigned long)(*p - '0');
		if (a > MQ_ATTEMPTS_MAX)
			return -1;
	}
	if (*p != '\0')
		return -1;
	memcpy(n->id, s, (size_t)(comma - s));
	n->id[comma - s] = '\0';
	n->attempts = a;
	return 0;
}

void
mq_name_format(char *buf, const char *id, unsigned long attempts)
{
	snprintf(buf, MQ_NAME_MAX + 1, "%s,%lu", id, attempts);
}
