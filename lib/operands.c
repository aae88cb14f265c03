/* operands: each operand, or each record of stdin when there are none. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

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
		return mq_each_record(stdin, "standard input", delim, fn, arg);
	for (i = 0; i < argc; i++)
		status = mq_worst(status, fn(argv[i], arg));
	return status;
}
