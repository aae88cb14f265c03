/* operands: each operand, or each record of stdin when there are none. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "diag.h"
#include "operands.h"

int
mq_each_operand(int argc, char **argv, int delim, mq_operand_fn *fn,
    void *arg)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int i, status = MQ_EX_OK;

	for (i = 0; i < argc; i++)
		status = mq_worst(status, fn(argv[i], arg));
	if (argc > 0)
		return status;
	while ((len = getdelim(&line, &cap, delim, stdin)) != -1) {
		if (len > 0 && line[len - 1] == delim)
			line[--len] = '\0';
		if (len == 0)
			continue;
		if (strlen(line) != (size_t)len) {
			mq_warnx("standard input", "a NUL byte in a line "
			    "(use -0)");
			status = mq_worst(status, MQ_EX_DATAERR);
			continue;
		}
		status = mq_worst(status, fn(line, arg));
	}
	if (ferror(stdin))
		status = mq_worst(status,
		    mq_fail(MQ_EX_IOERR, "standard input", errno));
	free(line);
	return status;
}
