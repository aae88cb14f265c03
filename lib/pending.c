/* pending: a writer's files in tmp/ that a signal must not leave behind.
 *
 * A file in tmp/ is invisible to takers, and one a killed writer leaves
 * is swept a day and a half later (sweep.c). A writer interrupted by
 * SIGINT, SIGTERM or SIGHUP does better: the handler removes the file
 * being written and the batch's files waiting for their commit, then
 * lets the signal take its course. The handler only reads what the
 * writer published: a name is complete before it is counted.
 */
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "pending.h"

static volatile sig_atomic_t sig_tmpfd = -1;
static char sig_name[MQ_ID_MAX + 1];
static volatile sig_atomic_t sig_pendfd = -1, sig_npend;
static struct mq_pending *sig_pend;

static void
on_signal(int sig)
{
	sig_atomic_t i;

	if (sig_tmpfd != -1)
		(void)unlinkat(sig_tmpfd, sig_name, 0);
	for (i = 0; sig_pendfd != -1 && i < sig_npend; i++)
		(void)unlinkat(sig_pendfd, sig_pend[i].tmp, 0);
	signal(sig, SIG_DFL);
	raise(sig);
}

void
mq_pending_guard(struct mq_pending *pend, int tmpfd)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	sig_npend = 0;
	sig_pend = pend;
	sig_pendfd = tmpfd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

void
mq_pending_count(size_t n)
{
	sig_npend = (sig_atomic_t)n;
}

void
mq_pending_writing(int tmpfd, const char *name)
{
	if (tmpfd != -1) {
		sig_tmpfd = -1;
		memcpy(sig_name, name, sizeof(sig_name));
	}
	sig_tmpfd = tmpfd;
}

void
mq_pending_end(void)
{
	sig_pendfd = -1;
	sig_tmpfd = -1;
	sig_npend = 0;
}

size_t
mq_pending_max(size_t nto, size_t max)
{
	struct rlimit rl;
	rlim_t spare = 64 + 16 * (rlim_t)nto;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 ||
	    rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= spare + max)
		return max;
	return rl.rlim_cur > spare ? (size_t)(rl.rlim_cur - spare) : 1;
}
