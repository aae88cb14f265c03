/* route: routing keys and bind patterns, as AMQP's topic exchanges have
 * them.
 *
 * A key is zero or more words joined by dots ("order.eu.created"; the
 * empty key has none); a pattern the same, where "*" stands for exactly
 * one word and "#" for zero or more. The match is done over the words
 * with a table of which pattern prefixes match which key prefixes: time
 * and memory in the product of the two word counts (at most 65 by 65),
 * whatever the number of "#".
 */
#include <string.h>

#include "name.h"
#include "route.h"

#define WORDS (MQ_ROUTE_MAX / 2 + 2)

/* The words of s (its dots made NULs in buf): how many, or -1. */
static int
words(const char *s, char *buf, size_t len, const char *w[WORDS])
{
	char *p;
	int n = 0;

	if (strlen(s) >= len)
		return -1;
	strcpy(buf, s);
	if (buf[0] == '\0')
		return 0;
	for (p = buf;; p++) {
		if (n == WORDS)
			return -1;
		w[n++] = p;
		if ((p = strchr(p, '.')) == NULL)
			return n;
		*p = '\0';
	}
}

int
mq_bind_valid(const char *s)
{
	char buf[MQ_KEY_MAX + 1];
	const char *w[WORDS];
	int n, i;

	if ((n = words(s, buf, sizeof(buf), w)) == -1)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(w[i], "*") != 0 && strcmp(w[i], "#") != 0 &&
		    (w[i][0] == '\0' || !mq_route_valid(w[i], strlen(w[i]))))
			return 0;
	return 1;
}

int
mq_route_match(const char *pattern, const char *key)
{
	char pb[MQ_KEY_MAX + 1], kb[MQ_ROUTE_MAX + 1];
	const char *p[WORDS], *k[WORDS];
	/* m[i][j]: the first i words of the pattern match the first j of
	 * the key */
	unsigned char m[WORDS + 1][WORDS + 1];
	int np, nk, i, j;

	if ((np = words(pattern, pb, sizeof(pb), p)) == -1 ||
	    (nk = words(key, kb, sizeof(kb), k)) == -1)
		return 0;
	memset(m, 0, sizeof(m));
	m[0][0] = 1;
	for (i = 1; i <= np; i++) {
		int hash = strcmp(p[i - 1], "#") == 0;
		int star = strcmp(p[i - 1], "*") == 0;

		m[i][0] = hash && m[i - 1][0];
		for (j = 1; j <= nk; j++)
			m[i][j] = hash ? (m[i - 1][j] || m[i][j - 1]) :
			    m[i - 1][j - 1] && (star ||
			    strcmp(p[i - 1], k[j - 1]) == 0);
	}
	return m[np][nk];
}

int
mq_route_to(const struct mq_policy *p, const char *key)
{
	int i;

	if (p->nbind == 0 || key == NULL)
		return 1;
	for (i = 0; i < p->nbind; i++)
		if (mq_route_match(p->binds[i], key))
			return 1;
	return 0;
}
