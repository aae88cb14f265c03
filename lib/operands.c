/* operands: each operand, or each record of stdin when there are none. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "diag.h"
#include "operands.h"

int
mq_each_record(FILE *in, const char *what, int delim, mq_operand_fn *fn,
    void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int status = MQ_EX_OK;

	while ((len = getdelim(&line, &cap, delim, in)) != -1) {
		if (len > 0 && line[len - 1] == delim)
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (strlen(line) != (size_t)len) {
			mq_warnx(what, "a NUL byte in a line (use -0)");
			status = mq_worst(status, MQ_EX_DATAERR);
			continue;
		}
		status = mq_worst(status, fn(line, arg));
	}
	if (ferror(in))
		status = mq_worst(status, mq_fail(MQ_EX_IOERR, what, errno));
	free(line);
	return status;
}

int
mq_each_operand(int argc, char **argv, int delim, mq_operand_fn *fn,
    void *arg)
{
	int i, status = MQ_EX_OK;

	if (argc == 0)
		return mq_stdin_closed("no leases named, none to read") ?
		    MQ_EX_NOINPUT : mq_each_record(stdin, "standard input",
		    delim, fn, arg);
	for (i = 0; i < argc; i++)
		status = mq_worst(status, fn(argv[i], arg));
	return status;
}

static int stdin_closed;

void
mq_guard_stdin(void)
{
	if (fcntl(STDIN_FILENO, F_GETFD) == -1 && errno == EBADF) {
		stdin_closed = 1;
		/* Held, so that no directory opened later becomes fd 0. */
		(void)open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
}

int
mq_stdin_closed(const char *what)
{
	if (stdin_closed)
		mq_warnx("standard input", "closed (%s)", what);
	return stdin_closed;
}
