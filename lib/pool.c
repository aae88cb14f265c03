/* pool: mq-run's worker pool.
 *
 * One process takes messages and runs the command once per message, at
 * most procs at a time (job.c): posix_spawn, the lease file as standard
 * input, the MQ_* variables (absolute paths), a PATH search as execvp's.
 * No shell, no payload in argv.
 *
 * While a command runs, the pool holds a shared fcntl lock on its lease
 * file, and sets the lease's deadline to now + timeout every timeout/3,
 * by name in cur/, so a lease that was lost anyway (the pool stopped for
 * too long) is never extended under someone else. A taker reclaims an
 * expired lease only when nobody holds a lock on it (move.c), so a live
 * runner keeps its message even if its clock or its renewals lag; the
 * pool itself never reclaims its own leases. When mq-run dies, its
 * locks go with it and its leases expire: the messages are delivered
 * again.
 *
 * The exit status settles the lease: 0 ack; 75 retry after the backoff;
 * 65 or 100 dead letter now; anything else, or a signal, retry with the
 * status as the reason. SIGINT, SIGTERM, SIGHUP: take nothing more, let the
 * running commands finish and settle them, then return; a second one
 * passes SIGTERM on to the commands. Each command runs in a process group
 * of its own, so a ^C at the terminal reaches only mq-run.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "move.h"
#include "runner.h"
#include "take.h"

/* SIGINT, SIGTERM, SIGHUP: 1 take nothing more, 2 pass it on. */
static volatile sig_atomic_t mq_pool_stopping;
static int wake[2] = { -1, -1 };	/* the self-pipe */

static void
on_signal(int sig)
{
	int err = errno;

	if (sig != SIGCHLD && mq_pool_stopping < 2)
		mq_pool_stopping++;
	(void)write(wake[1], "", 1);
	errno = err;
}
static int
catch_signals(void)
{
	/* SIGHUP too: the commands, in their own process groups, outlive a
	 * closed terminal, so mq-run must stay to settle them. */
	static const int sigs[] = { SIGCHLD, SIGHUP, SIGINT, SIGTERM };
	struct sigaction sa;
	size_t i;

	if (mq_pipe_cloexec(wake) == -1)
		return -1;
	for (i = 0; i < 2; i++)
		if (fcntl(wake[i], F_SETFL, O_NONBLOCK) == -1)
			return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) == -1)
			return -1;
	return 0;
}
static int
held(const char *name, void *arg)
{
	struct pool *p = arg;
	long i;

	for (i = 0; i < p->njobs; i++)
		if (p->jobs[i].pid != 0 && strcmp(p->jobs[i].name, name) == 0)
			return 1;
	return 0;
}
/* A second SIGINT, SIGTERM or SIGHUP: the commands are asked to stop. */
static void
pass_on(struct pool *p)
{
	long i;

	for (i = 0; i < p->njobs; i++)
		if (p->jobs[i].pid > 0 && !p->jobs[i].ended)
			(void)kill(p->jobs[i].pid, SIGTERM);
}
/* The commands that ended: their slots are free at once, their leases
 * settled after the next commands are started (settle). */
static void
reap(struct pool *p)
{
	char buf[64];
	pid_t pid;
	long i;
	int ws;

	while (read(wake[0], buf, sizeof(buf)) > 0)
		;
	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
		for (i = 0; i < p->njobs; i++)
			if (p->jobs[i].pid == pid && !p->jobs[i].ended) {
				p->jobs[i].ended = 1;
				p->jobs[i].ws = ws;
				p->running--;
				break;
			}
}
/* Settles what reap found ended; whether there was any. */
static int
settle(struct pool *p)
{
	long i;
	int any = 0;

	for (i = 0; i < p->njobs; i++)
		if (p->jobs[i].pid > 0 && p->jobs[i].ended) {
			mq_job_settle(p, &p->jobs[i], p->jobs[i].ws);
			any = 1;
		}
	return any;
}
/* Extends the leases due; the next time one is due. */
static int64_t
renew(struct pool *p, int64_t now)
{
	struct job *j;
	char path[4096];
	int64_t next = MQ_FOREVER;
	long i;

	for (i = 0; i < p->njobs; i++) {
		j = &p->jobs[i];
		if (j->pid == 0 || j->lost || j->ended)
			continue;
		if (j->renew <= now) {
			if (mq_move_extend(p->sp, j->name, now +
			    p->o->timeout) == -1 && errno == ENOENT) {
				j->lost = 1;
				mq_tell_clear(p);
				mq_warnx(mq_spool_where(p->sp, "cur", j->name,
				    path, sizeof(path)), "lease lost: reclaimed "
				    "while its command ran");
				continue;
			}
			j->renew = now + (p->o->timeout / 3 > 0 ?
			    p->o->timeout / 3 : 1);
		}
		if (j->renew < next)
			next = j->renew;
	}
	return next;
}
/* -P MIN:MAX: one more slot when a message taken with every slot busy
 * had waited long; one fewer after a while of finding the queue empty. */
static void
scale(struct pool *p, int64_t now, int64_t waited, int full)
{
	const struct mq_pool_opts *o = p->o;
	long was = p->slots;

	if (o->min_procs == o->procs)
		return;
	if (full && waited > MQ_GROW_AFTER && p->slots < o->procs &&
	    p->running >= p->slots) {
		p->slots++;
		p->grown = now;
	} else if (!full && p->slots > o->min_procs && p->running <
	    p->slots && now - p->grown >= MQ_SHRINK_AFTER && now -
	    p->shrunk >= MQ_SHRINK_AFTER) {
		p->slots--;
		p->shrunk = now;
	}
	if (p->slots != was && o->verbose)
		mq_tell(p, "mq-run: %ld at once (%s)", p->slots, p->slots > was ?
		    "a backlog" : "idle");
}
/* Takes as many messages as there are free slots (and -n allows): 1 when
 * it took some; *waiting when it found none and the pool should wait
 * for work. */
static int
take_more(struct pool *p, int64_t now, int *waiting)
{
	const struct mq_pool_opts *o = p->o;
	struct mq_taker t;
	size_t taken;
	long want;
	int status;

	*waiting = 0;
	if (mq_pool_stopping || p->running >= p->slots ||
	    (o->count > 0 && p->started >= o->count))
		return 0;
	mq_waiter_drain(&p->w);
	want = p->slots - p->running;
	if (o->count > 0 && o->count - p->started < want)
		want = o->count - p->started;
	t.count = (size_t)want;
	t.timeout = o->timeout;
	t.fn = mq_job_start;
	t.held = held;		/* its own leases: its locks cannot tell it */
	t.arg = p;
	t.hint = &p->hint;
	p->waited = 0;
	status = mq_take(p->sp, &t, &taken);
	if (p->halt)
		mq_pool_stopping = 1;	/* a command could not be started */
	/* Messages not ours to lease (told once) wait for another. */
	if (status == MQ_EX_NOPERM)
		status = MQ_EX_OK;
	p->status = mq_worst(p->status, status);
	if (status != MQ_EX_OK)
		mq_pool_stopping = 1;
	p->empty = (long)taken < want;
	scale(p, now, p->waited, !p->empty);
	if (taken > 0) {
		p->idle_since = now;
		mq_waiter_reset(&p->w);
		return 1;
	}
	*waiting = !mq_pool_stopping;
	return 0;
}
/* The next commands first, then the leases of those that ended (a slot
 * waits for no rename): whether it took or settled any (a settle may
 * have let a group's next member out). */
static int
step(struct pool *p, int64_t now, int *waiting)
{
	if (take_more(p, now, waiting)) {
		(void)settle(p);
		return 1;
	}
	return settle(p);
}
/* Whether the pool is done; else how long it may sleep (*until). */
static int
done(struct pool *p, int64_t now, int64_t *until)
{
	const struct mq_pool_opts *o = p->o;

	if (p->running > 0) {
		p->idle_since = now;
		return 0;
	}
	if (mq_pool_stopping || (o->count > 0 && p->started >= o->count))
		return 1;
	if (p->empty && (o->idle == 0 || (o->idle != MQ_FOREVER &&
	    now - p->idle_since >= o->idle)))
		return 1;
	if (o->idle != MQ_FOREVER && p->idle_since + o->idle < *until)
		*until = p->idle_since + o->idle;
	return 0;
}
/* Sleeps until a signal (a command ended), a command wrote to stderr,
 * until, or (waiting) a put. */
static void
doze(struct pool *p, int64_t until, int waiting)
{
	struct pollfd *pfd = p->pfd;
	int64_t now;
	nfds_t n = 0, first;
	long i;

	pfd[n].fd = wake[0];
	pfd[n++].events = POLLIN;
	if (waiting && p->w.fd != -1) {
		pfd[n].fd = p->w.fd;
		pfd[n++].events = POLLIN;
	}
	first = n;
	for (i = 0; i < p->njobs; i++)
		if (p->jobs[i].pid > 0 && p->jobs[i].err.fd != -1) {
			pfd[n].fd = p->jobs[i].err.fd;
			pfd[n].revents = 0;
			pfd[n++].events = POLLIN;
		}
	now = mq_now_ms();
	if (p->progress && until > now + DRAW_EVERY)
		until = now + DRAW_EVERY;
	if (poll(pfd, n, until == MQ_FOREVER ? -1 : until <= now ? 0 :
	    until - now > INT_MAX ? INT_MAX : (int)(until - now)) <= 0)
		return;
	for (i = 0, n = first; i < p->njobs; i++)
		if (p->jobs[i].pid > 0 && p->jobs[i].err.fd != -1 &&
		    pfd[n++].revents != 0)
			mq_job_read_err(p, &p->jobs[i], 0);
}
int
mq_pool_run(struct mq_spool *sp, const struct mq_pool_opts *o)
{
	struct pool *p;
	int64_t now, until, due;
	int waiting, status;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->jobs = calloc((size_t)o->procs * 2, sizeof(*p->jobs))) ==
	    NULL ||
	    (p->pfd = calloc((size_t)o->procs * 2 + 2, sizeof(*p->pfd))) ==
	    NULL) {
		if (p != NULL)
			free(p->jobs);
		free(p);
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	}
	p->sp = sp;
	p->o = o;
	p->njobs = o->procs * 2;
	p->slots = o->min_procs;
	p->ready = -1;
	p->progress = isatty(STDERR_FILENO);
	mq_abspath(sp->path, p->spool, sizeof(p->spool));
	/* -o: a writer (whose signal handlers the pool's replace), ids not
	 * printed. */
	if (o->nout > 0 && ((status = mq_writer_init(&p->out, o->out, o->nout,
	    -1, 0, NULL, '\n')) != MQ_EX_OK ||
	    (status = mq_log_open_put(&p->out.log, o->out_path,
	    o->out, o->nout)) != MQ_EX_OK)) {
		(void)mq_writer_finish(&p->out);
		free(p->pfd);
		free(p->jobs);
		free(p);
		return status;
	}
	if (catch_signals() == -1) {
		free(p->pfd);
		free(p->jobs);
		free(p);
		return mq_fail(MQ_EX_IOERR, "signals", errno);
	}
	mq_waiter_init(&p->w, sp, 1);
	p->hint.key = -1;
	p->hint.walked = p->hint.reclaimed = 0;
	p->began = p->idle_since = p->grown = p->shrunk = mq_now_ms();
	p->counted_at = p->began - READY_EVERY;
	for (;;) {
		reap(p);
		if (mq_pool_stopping == 2 && !p->passed) {
			pass_on(p);
			p->passed = 1;
		}
		now = mq_now_ms();
		until = renew(p, now);
		if (step(p, now, &waiting))
			continue;	/* renew, and look again, first */
		if (done(p, now, &until))
			break;
		if (waiting && (due = mq_waiter_due(&p->w, sp, 1, now)) < until)
			until = due;
		if (waiting && p->slots > o->min_procs && (due = (p->grown >
		    p->shrunk ? p->grown : p->shrunk) + MQ_SHRINK_AFTER) < until)
			until = due;	/* to give a slot up */
		mq_tell_progress(p, now);
		doze(p, until, waiting);
	}
	mq_tell_summary(p, mq_now_ms());
	if (o->nout > 0)
		p->status = mq_worst(p->status, mq_writer_finish(&p->out));
	mq_waiter_close(&p->w);
	status = p->fatal != 0 ? p->fatal : p->status;
	free(p->envp);
	free(p->cmd);
	free(p->pfd);
	free(p->jobs);
	free(p);
	return status;
}
