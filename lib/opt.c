/* opt: option arguments shared by the programs. */
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

const char *
mq_key_opt(char opt, const char *s)
{
	char what[3] = { '-', opt, '\0' };

	if (!mq_key_valid(s)) {
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
