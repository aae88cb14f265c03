/* diag: diagnostics and exit statuses shared by every mq program. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

#ifndef MQ_VERSION
#define MQ_VERSION "0.1"
#endif

const char *mq_prog = "mq";

void
mq_setprog(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	mq_prog = slash != NULL ? slash + 1 : argv0;
}

void
mq_warnx(const char *what, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	if (what != NULL)
		fprintf(stderr, "%s: %s: ", mq_prog, what);
	else
		fprintf(stderr, "%s: ", mq_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
mq_fail(int status, const char *what, int err)
{
	mq_warnx(what, "%s", strerror(err));
	if (err == EACCES || err == EPERM)
		return MQ_EX_NOPERM;
	return status;
}

int
mq_worst(int a, int b)
{
	return a > b ? a : b;
}

void
mq_version(void)
{
	printf("%s (mq) %s\n", mq_prog, MQ_VERSION);
}
