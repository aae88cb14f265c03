/* tell: what mq-run's pool tells on its stderr: a line for each message
 * settled (-v), a summary at the end (-v, or on a terminal), and on a
 * terminal a live progress line, cleared before anything else is
 * written there and redrawn at most every DRAW_EVERY ms. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "diag.h"
#include "dir.h"
#include "runner.h"
#include "stat.h"

/* The progress line goes before anything else is written to stderr. */
void
mq_tell_clear(struct pool *p)
{
	if (p->drawn)
		(void)mq_write_all(STDERR_FILENO, "\r\033[K", 4);
	p->drawn = 0;
}
/* A line of mq-run's own to stderr (-v, the mq_tell_summary). */
void
mq_tell(struct pool *p, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	mq_tell_clear(p);
	(void)fflush(stderr);
	(void)mq_write_all(STDERR_FILENO, line, (size_t)n);
}
static double
rate(long n, int64_t ms)
{
	return ms > 0 ? (double)n * 1000.0 / (double)ms : 0.0;
}
/* The live line on a terminal: redrawn at most every DRAW_EVERY ms. */
void
mq_tell_progress(struct pool *p, int64_t now)
{
	struct mq_stats st;
	char line[256];
	int n;

	if (!p->progress || now - p->drawn_at < DRAW_EVERY)
		return;
	if (now - p->counted_at >= READY_EVERY) {
		p->ready = mq_stats_read(p->sp, now, &st) == MQ_EX_OK ?
		    st.ready : -1;
		p->counted_at = now;
	}
	n = snprintf(line, sizeof(line), "\r\033[Kmq-run: %ld acked, %ld "
	    "retried, %ld dead, %.1f/s, %ld running, %ld ready", p->acked,
	    p->retried, p->dead, rate(p->acked + p->retried + p->dead,
	    now - p->began), p->running, p->ready < 0 ? 0 : p->ready);
	if (n > 0)
		(void)mq_write_all(STDERR_FILENO, line, (size_t)n <
		    sizeof(line) ? (size_t)n : sizeof(line) - 1);
	p->drawn = 1;
	p->drawn_at = now;
}
void
mq_tell_summary(struct pool *p, int64_t now)
{
	char more[128] = "";
	int k = 0;

	if (!p->o->verbose && !p->progress)
		return;
	if (p->back > 0)
		k += snprintf(more + k, sizeof(more) - (size_t)k,
		    ", %ld given back", p->back);
	if (p->lost > 0 && k >= 0 && (size_t)k < sizeof(more))
		snprintf(more + k, sizeof(more) - (size_t)k, ", %ld lost",
		    p->lost);
	mq_tell(p, "mq-run: %ld acked, %ld retried, %ld dead%s in %.3fs "
	    "(%.1f/s, at most %ld at once)", p->acked, p->retried, p->dead,
	    more, (double)(now - p->began) / 1000.0, rate(p->acked +
	    p->retried + p->dead, now - p->began), p->peak);
}
