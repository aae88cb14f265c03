/* policy: a spool's config file (key=value lines), with the defaults.
 *
 * Blank lines and lines whose first non-blank is '#' are comments; so is
 * the rest of a line after a blank and '#'. Spaces around key and value
 * are ignored. An unknown key or a bad value names the file and the line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "dir.h"
#include "duration.h"
#include "name.h"
#include "policy.h"
#include "route.h"

#define LINE_MAX_LEN 1024

enum kind { DURATION, COUNT, FLAG, SIZE };

struct key {
	const char *name;
	enum kind kind;
	size_t off;
};

#define K(n, k) { #n, k, offsetof(struct mq_policy, n) }
static const struct key keys[] = {
	K(timeout, DURATION), K(max_attempts, COUNT), K(backoff, DURATION),
	K(backoff_max, DURATION), K(dedup_window, DURATION),
	K(max_depth, COUNT), K(keep, DURATION), K(sync, FLAG),
	K(retain, DURATION), K(retain_bytes, SIZE),
};
#undef K

void
mq_policy_defaults(struct mq_policy *p)
{
	p->timeout = 30 * 1000;
	p->max_attempts = 5;
	p->backoff = 1000;
	p->backoff_max = 3600 * 1000;
	p->dedup_window = 5 * 60 * 1000;
	p->max_depth = 0;
	p->keep = 0;
	p->sync = 1;
	p->retain = 0;
	p->retain_bytes = 0;
	p->nbind = 0;
}

int64_t
mq_backoff(const struct mq_policy *p, unsigned long attempt)
{
	int64_t d = p->backoff, lo;
	unsigned long i;

	for (i = 1; i < attempt && d < p->backoff_max; i++)
		d *= 2;
	if (d > p->backoff_max)
		d = p->backoff_max;
	lo = d / 2;
	return lo + (int64_t)(mq_random() % (uint64_t)(d - lo + 1));
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
parse_count(const char *v, long *out)
{
	char *end;
	long n;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > 1000000000L)
		return -1;
	*out = n;
	return 0;
}

/* A size: a number of bytes with an optional unit k, M, G or T (powers
 * of 1024). */
static int
parse_size(const char *v, int64_t *out)
{
	static const char units[] = "kMGT";
	const char *u;
	char *end;
	long long n;
	int shift = 0;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0)
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0' || (u = strchr(units, *end)) == NULL)
			return -1;
		shift = 10 * (int)(u - units + 1);
	}
	if (n > (INT64_MAX >> shift))
		return -1;
	*out = (int64_t)n << shift;
	return 0;
}

/* Sets one key; a message for the user, or NULL. */
static const char *
set(struct mq_policy *p, const char *k, const char *v)
{
	const struct key *key = NULL;
	char *field;
	size_t i;
	long n;

	if (strcmp(k, "bind") == 0) {	/* one pattern a line, several */
		if (!mq_bind_valid(v))
			return "bad pattern (words of [A-Za-z0-9_-], * or #, "
			    "joined by dots)";
		if (p->nbind == MQ_BINDS)
			return "too many (at most 16)";
		strcpy(p->binds[p->nbind++], v);
		return NULL;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, k) == 0)
			key = &keys[i];
	if (key == NULL)
		return "unknown key";
	field = (char *)p + key->off;
	switch (key->kind) {
	case DURATION:
		if (mq_duration_parse(v, (int64_t *)(void *)field) == -1)
			return "bad duration (a number with an optional unit "
			    "ms, s, m, h, d)";
		break;
	case COUNT:
		if (parse_count(v, &n) == -1)
			return "bad number";
		if (n == 0 && strcmp(k, "max_attempts") == 0)
			return "must be at least 1";
		*(long *)(void *)field = n;
		break;
	case FLAG:
		if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
			return "must be 0 or 1";
		*(int *)(void *)field = v[0] == '1';
		break;
	case SIZE:
		if (parse_size(v, (int64_t *)(void *)field) == -1)
			return "bad size (a number of bytes with an optional "
			    "unit k, M, G, T)";
		break;
	}
	return NULL;
}

int
mq_policy_parse(struct mq_policy *p, FILE *f, const char *file)
{
	char line[LINE_MAX_LEN + 2], *k, *v, *hash;
	const char *why;
	unsigned long lineno = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "%s: %s:%lu: line too long\n",
			    mq_prog, file, lineno);
			return MQ_EX_DATAERR;
		}
		for (hash = line; (hash = strchr(hash, '#')) != NULL; hash++)
			if (hash == line || hash[-1] == ' ' || hash[-1] == '\t') {
				*hash = '\0';
				break;
			}
		k = trim(line);
		if (*k == '\0')
			continue;
		if ((v = strchr(k, '=')) == NULL) {
			fprintf(stderr, "%s: %s:%lu: expected key=value\n",
			    mq_prog, file, lineno);
			return MQ_EX_DATAERR;
		}
		*v++ = '\0';
		k = trim(k);
		v = trim(v);
		if ((why = set(p, k, v)) != NULL) {
			fprintf(stderr, "%s: %s:%lu: %s: %s\n",
			    mq_prog, file, lineno, k, why);
			return MQ_EX_DATAERR;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s: read error\n", mq_prog, file);
		return MQ_EX_IOERR;
	}
	return MQ_EX_OK;
}

int
mq_policy_read(struct mq_policy *p, int spoolfd, const char *spool)
{
	mq_policy_defaults(p);
	return mq_policy_read_file(p, spoolfd, "config", spool);
}

int
mq_policy_read_file(struct mq_policy *p, int dirfd, const char *name,
    const char *dir)
{
	FILE *f;
	int fd, status;
	char what[4096];

	snprintf(what, sizeof(what), "%s/%s", dir, name);
	fd = mq_openfile(dirfd, name, O_RDONLY, 0, NULL);
	if (fd == -1) {
		if (errno == ENOENT)
			return MQ_EX_OK;
		return mq_fail_entry(MQ_EX_IOERR, what, dirfd, name, S_IFREG,
		    errno);
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		close(fd);
		return mq_fail(MQ_EX_IOERR, what, errno);
	}
	status = mq_policy_parse(p, f, what);
	fclose(f);
	return status;
}
