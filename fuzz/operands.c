/* Fuzzes the reader of leases from standard input (mq-ack, mq-retry and
 * mq-dlq given no operands): mq_each_record. The first byte picks the
 * delimiter (odd: NUL, as with -0; even: newline), the rest is the
 * input. Every record reaches the callback whole and in order, and
 * nothing else does: no empty record, no record holding a NUL byte
 * (those make the status 65); the status is the worst of the callback's
 * and that. */
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"

#include "diag.h"
#include "operands.h"

struct expect {
	const char *p, *end;
	int delim, nul, worst;
	int bad;		/* the line of a property that failed, or 0 */
};

/* While the reader runs, stderr goes to /dev/null: a failed property is
 * noted here, and reported and aborted on after. */
#define check(e, cond) do { if (!(cond) && (e)->bad == 0) \
	(e)->bad = __LINE__; } while (0)

/* The next record the reader must pass on, or NULL; counts the records it
 * must refuse on the way. */
static const char *
next(struct expect *e, size_t *len)
{
	const char *r, *q;

	while (e->p < e->end) {
		r = e->p;
		q = memchr(r, e->delim, (size_t)(e->end - r));
		if (q == NULL)
			q = e->end;
		e->p = q < e->end ? q + 1 : q;
		if (q == r)
			continue;
		if (memchr(r, '\0', (size_t)(q - r)) != NULL) {
			e->nul = 1;
			continue;
		}
		*len = (size_t)(q - r);
		return r;
	}
	return NULL;
}

static int
each(const char *op, void *arg)
{
	struct expect *e = arg;
	const char *r;
	size_t len;
	int st;

	r = next(e, &len);
	check(e, r != NULL && strlen(op) == len && memcmp(op, r, len) == 0);
	st = op[0] == 'x' ? MQ_EX_LOST : op[0] == 'y' ? MQ_EX_IOERR : 0;
	e->worst = mq_worst(e->worst, st);
	return st;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expect e;
	FILE *in;
	size_t len;
	int st, err, devnull, saved;
	char *buf;

	if (size < 2)		/* fmemopen may refuse a size of 0 */
		return 0;
	buf = malloc(size - 1);
	must(buf != NULL);
	memcpy(buf, data + 1, size - 1);
	e.p = buf;
	e.end = buf + size - 1;
	e.delim = data[0] & 1 ? '\0' : '\n';
	e.nul = 0;
	e.worst = 0;
	e.bad = 0;
	in = fmemopen(buf, size - 1, "r");
	must(in != NULL);
	/* The reader's warnings are not this harness's output. */
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	saved = dup(2);
	must(devnull != -1 && saved != -1 && dup2(devnull, 2) == 2);
	st = mq_each_record(in, "standard input", e.delim, each, &e);
	err = dup2(saved, 2);
	close(saved);
	close(devnull);
	must(err == 2);
	if (e.bad != 0)
		fprintf(stderr, "%s:%d: property failed\n", __FILE__, e.bad);
	must(e.bad == 0);
	fclose(in);
	must(next(&e, &len) == NULL);
	must(st == mq_worst(e.worst, e.nul ? MQ_EX_DATAERR : 0));
	free(buf);
	return 0;
}
