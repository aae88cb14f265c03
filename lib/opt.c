/* opt: option arguments shared by the programs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "name.h"
#include "opt.h"
#include "reason.h"

long
mq_count_opt(char opt, const char *s, long min)
{
	char what[3] = { '-', opt, '\0' }, *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' ||
	    n < min) {
		mq_warnx(what, "bad count '%s'", s);
		exit(MQ_EX_USAGE);
	}
	return n;
}

const char *
mq_reason_opt(const char *s)
{
	size_t len = strlen(s);

	if (len == 0) {
		mq_warnx("-r", "empty reason");
		exit(MQ_EX_USAGE);
	}
	if (len > MQ_REASON_MAX) {
		mq_warnx("-r", "reason too long (%zu bytes, at most %d)", len,
		    MQ_REASON_MAX);
		exit(MQ_EX_USAGE);
	}
	return s;
}

/* A key as the name of its file in key/: what is outside the grammar
 * (and a leading . or -, and %) as %XX, so "order/42" is order%2F42. */
static const char *
key_name(const char *s)
{
	static char out[MQ_KEY_MAX + 1];
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, need = 0, i;
	int plain;

	for (i = 0; p[i] != '\0'; i++) {
		plain = p[i] != '%' && (isalnum(p[i]) || strchr("._-:@+=",
		    p[i]) != NULL) && !(i == 0 && (p[i] == '.' ||
		    p[i] == '-')) && p[i] < 0x80;
		need += plain ? 1 : 3;
		if (need > MQ_KEY_MAX)
			continue;
		if (plain)
			out[o++] = (char)p[i];
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%%%02X",
			    p[i]);
	}
	if (need == 0 || need > MQ_KEY_MAX) {
		if (need == 0)
			mq_warnx("-k", "an empty key");
		else
			mq_warnx("-k", "key too long: %zu bytes as a file name "
			    "(at most %d; a byte outside A-Z a-z 0-9 . _ - : "
			    "@ + = takes three)", need, MQ_KEY_MAX);
		exit(MQ_EX_USAGE);
	}
	out[o] = '\0';
	return out;
}

const char *
mq_key_opt(char opt, const char *s)
{
	char what[3] = { '-', opt, '\0' };

	if (opt == 'k')
		return key_name(s);
	if (!mq_key_valid(s) || strchr(s, '%') != NULL) {
		mq_warnx(what, "bad %s (1 to %d of A-Z a-z 0-9 . _ - : @ + =, "
		    "not starting with . or -)", opt == 'g' ? "group" : "key",
		    MQ_KEY_MAX);
		exit(MQ_EX_USAGE);
	}
	return s;
}

int
mq_getopt(int argc, char *const argv[], const char *optstring)
{
	const char *a;
	int c;

	opterr = 0;
	/* getopt stops at "--"; a longer word is --help, --version, or
	 * wrong. Only at the start of a word: never inside "-0n". */
	if (optind < argc && (a = argv[optind])[0] == '-' && a[1] == '-' &&
	    a[2] != '\0') {
		optind++;
		if (strcmp(a, "--help") == 0)
			return 'h';
		if (strcmp(a, "--version") == 0)
			return 'V';
		mq_warnx(a, "unknown option (--help and --version are the "
		    "long ones)");
		return '?';
	}
	if ((c = getopt(argc, argv, optstring)) == '?') {
		if (optopt != 0 && strchr(optstring, optopt) != NULL)
			mq_warnx(NULL, "-%c: needs a value", optopt);
		else if (optopt > ' ' && optopt < 0x7f)
			mq_warnx(NULL, "-%c: unknown option", optopt);
		else
			mq_warnx(NULL, "unknown option");
	}
	return c;
}

void
mq_no_late_options(int argc, char *const argv[], int n,
    void (*usage)(FILE *, int))
{
	int i;

	if (optind > 0 && optind <= argc && strcmp(argv[optind - 1], "--") == 0)
		return;
	for (i = optind; i < argc && (n < 0 || i < optind + n); i++)
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			mq_warnx(argv[i], "an option after an operand (options "
			    "go first; a file named so: ./%s)", argv[i]);
			usage(stderr, MQ_EX_USAGE);
		}
}

void
mq_usage(FILE *f, int status, const char *synopsis, const char *options)
{
	fputs(synopsis, f);
	if (f == stdout)
		fputs(options, f);
	exit(status);
}
