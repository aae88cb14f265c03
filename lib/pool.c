/* pool: mq-run's worker pool.
 *
 * One process takes messages and runs the command once per message, at
 * most procs at a time: fork, the lease file as standard input, the MQ_*
 * variables (absolute paths), execvp. No shell, no payload in argv.
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
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"
#include "lease.h"
#include "move.h"
#include "pool.h"
#include "take.h"
#include "wait.h"

struct job {
	pid_t pid;		/* 0: a free slot */
	int lockfd;
	int lost;		/* the lease was lost while the command ran */
	int64_t renew;		/* when to extend the lease next */
	struct mq_name n;
	char name[MQ_NAME_MAX + 1];
};

struct pool {
	struct mq_spool *sp;
	const struct mq_pool_opts *o;
	struct job *jobs;
	long running, started;
	int status;		/* the worst so far */
	int fatal;		/* the command cannot be run: 126 or 127 */
	int passed;		/* a second signal was passed on */
	int empty;		/* the last take found fewer than it wanted */
	int64_t idle_since;	/* when the pool last had work */
	struct mq_waiter w;	/* for work, when the queue is empty */
	char spool[4096];	/* the spool's absolute path, for commands */
};

static int wake[2] = { -1, -1 };	/* the self-pipe */
static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	int err = errno;

	if (sig != SIGCHLD && stopping < 2)
		stopping++;
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

	if (pipe(wake) == -1)
		return -1;
	for (i = 0; i < 2; i++)
		if (fcntl(wake[i], F_SETFD, FD_CLOEXEC) == -1 ||
		    fcntl(wake[i], F_SETFL, O_NONBLOCK) == -1)
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

	for (i = 0; i < p->o->procs; i++)
		if (p->jobs[i].pid != 0 && strcmp(p->jobs[i].name, name) == 0)
			return 1;
	return 0;
}

/* In the child: the lease as standard input, the environment, exec. */
static void
child(struct pool *p, const struct job *j, int report)
{
	static const int sigs[] = { SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGPIPE };
	char path[4096], attempt[32];
	sigset_t none;
	size_t i;
	int fd, err;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
	(void)setpgid(0, 0);	/* a terminal's ^C is for mq-run alone */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (snprintf(path, sizeof(path), "%s/cur/%s", p->spool, j->name) >=
	    (int)sizeof(path))
		_exit(127);
	umask(mq_user_umask());	/* the user's, not the shared spool's */
	snprintf(attempt, sizeof(attempt), "%lu", j->n.attempts);
	fd = openat(p->sp->cur, j->name, O_RDONLY | O_NOFOLLOW);
	if (fd != -1 && fd != STDIN_FILENO) {
		if (dup2(fd, STDIN_FILENO) == -1)
			fd = -1;
		else
			close(fd);
	}
	if (fd != -1 && setenv("MQ_SPOOL", p->spool, 1) == 0 &&
	    setenv("MQ_LEASE", path, 1) == 0 &&
	    setenv("MQ_ID", j->n.id, 1) == 0 &&
	    setenv("MQ_ATTEMPT", attempt, 1) == 0)
		execvp(p->o->argv[0], p->o->argv);
	err = errno;
	(void)write(report, &err, sizeof(err));
	_exit(127);
}

enum how { ACK, RETRY, RETRY_NOW, BURY };

/* The outcome settles the lease: a state change (move.c), by name. */
static void
finish(struct pool *p, struct job *j, enum how how, const char *why)
{
	char path[4096];
	int status;

	mq_spool_where(p->sp, "cur", j->name, path, sizeof(path));
	if (j->lost) {
		mq_warnx(path, "lease lost while the command ran; its outcome "
		    "is dropped");
		status = MQ_EX_LOST;
	} else if (how == ACK) {
		status = mq_move_ack(p->sp, &j->n, path);
	} else if (how == BURY) {
		status = mq_move_bury(p->sp, p->sp->cur, &j->n, path, why,
		    NULL);
	} else {
		status = mq_move_retry(p->sp, &j->n, path, how == RETRY_NOW ?
		    0 : -1, why);
	}
	p->status = mq_worst(p->status, status);
	if (j->lockfd != -1)
		close(j->lockfd);	/* after the lease is settled */
	j->lockfd = -1;
	j->pid = 0;
	p->running--;
}

/* The command ended: the status settles the lease. */
static void
settle(struct pool *p, struct job *j, int ws)
{
	char why[128];
	int code;

	if (WIFSIGNALED(ws)) {
		snprintf(why, sizeof(why), "killed by signal %d (%s)",
		    WTERMSIG(ws), strsignal(WTERMSIG(ws)));
		finish(p, j, RETRY, why);
		return;
	}
	code = WEXITSTATUS(ws);
	snprintf(why, sizeof(why), "exit %d", code);
	if (code == 0)
		finish(p, j, ACK, NULL);
	else if (code == 75)
		finish(p, j, RETRY, NULL);
	else if (code == 65 || code == 100)
		finish(p, j, BURY, why);
	else
		finish(p, j, RETRY, why);
}

static int
start(struct mq_spool *sp, const char *lease, void *arg)
{
	struct pool *p = arg;
	struct job *j = p->jobs;
	char why[256];
	int report[2], err = 0;
	ssize_t n;

	while (j->pid != 0)
		j++;
	memcpy(j->name, lease, strlen(lease) + 1);
	(void)mq_name_parse(lease, &j->n);
	j->lost = 0;
	j->lockfd = mq_lease_lock(sp, lease);
	j->renew = mq_now_ms() + p->o->timeout / 3;
	p->running++;
	p->started++;
	j->pid = -1;		/* taken: held, though not running yet */
	if (pipe(report) == -1) {
		err = errno;
	} else if (fcntl(report[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(report[1], F_SETFD, FD_CLOEXEC) == -1 ||
	    (j->pid = fork()) == -1) {
		err = errno;
		j->pid = -1;
		close(report[0]);
		close(report[1]);
	} else if (j->pid == 0) {
		close(report[0]);
		child(p, j, report[1]);
	}
	if (err == 0) {
		close(report[1]);
		do	/* closed by a successful exec */
			n = read(report[0], &err, sizeof(err));
		while (n == -1 && errno == EINTR);
		close(report[0]);
		if (n != (ssize_t)sizeof(err))
			return 0;
		while (waitpid(j->pid, NULL, 0) == -1 && errno == EINTR)
			;
		p->fatal = err == ENOENT ? 127 : 126;
		mq_warnx(p->o->argv[0], "%s", strerror(err));
	} else {
		mq_warnx("fork", "%s", strerror(err));
		p->status = mq_worst(p->status, MQ_EX_IOERR);
	}
	/* Not run: given back at once; the attempt is spent. */
	snprintf(why, sizeof(why), "cannot run the command: %s",
	    strerror(err));
	finish(p, j, RETRY_NOW, why);
	stopping = 1;
	return 1;
}

/* A second SIGINT, SIGTERM or SIGHUP: the commands are asked to stop. */
static void
pass_on(struct pool *p)
{
	long i;

	for (i = 0; i < p->o->procs; i++)
		if (p->jobs[i].pid > 0)
			(void)kill(p->jobs[i].pid, SIGTERM);
}

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
		for (i = 0; i < p->o->procs; i++)
			if (p->jobs[i].pid == pid) {
				settle(p, &p->jobs[i], ws);
				break;
			}
}

/* Extends the leases due; the next time one is due. */
static int64_t
renew(struct pool *p, int64_t now)
{
	struct job *j;
	char path[4096];
	int64_t next = MQ_FOREVER;
	long i;

	for (i = 0; i < p->o->procs; i++) {
		j = &p->jobs[i];
		if (j->pid == 0 || j->lost)
			continue;
		if (j->renew <= now) {
			if (mq_move_extend(p->sp, j->name, now +
			    p->o->timeout) == -1 && errno == ENOENT) {
				j->lost = 1;
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
	if (stopping || p->running >= o->procs ||
	    (o->count > 0 && p->started >= o->count))
		return 0;
	mq_waiter_drain(&p->w);
	want = o->procs - p->running;
	if (o->count > 0 && o->count - p->started < want)
		want = o->count - p->started;
	t.count = (size_t)want;
	t.timeout = o->timeout;
	t.fn = start;
	t.held = held;		/* its own leases: its locks cannot tell it */
	t.arg = p;
	status = mq_take(p->sp, &t, &taken);
	/* Messages not ours to lease (told once) wait for another. */
	if (status == MQ_EX_NOPERM)
		status = MQ_EX_OK;
	p->status = mq_worst(p->status, status);
	if (status != MQ_EX_OK)
		stopping = 1;
	p->empty = (long)taken < want;
	if (taken > 0) {
		p->idle_since = now;
		mq_waiter_reset(&p->w);
		return 1;
	}
	*waiting = !stopping;
	return 0;
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
	if (stopping || (o->count > 0 && p->started >= o->count))
		return 1;
	if (p->empty && (o->idle == 0 || (o->idle != MQ_FOREVER &&
	    now - p->idle_since >= o->idle)))
		return 1;
	if (o->idle != MQ_FOREVER && p->idle_since + o->idle < *until)
		*until = p->idle_since + o->idle;
	return 0;
}

/* Sleeps until a signal (a command ended), until, or (waiting) a put. */
static void
doze(struct pool *p, int64_t until, int waiting)
{
	struct pollfd pfd[2];
	int64_t now;

	pfd[0].fd = wake[0];
	pfd[0].events = POLLIN;
	pfd[1].fd = p->w.fd;
	pfd[1].events = POLLIN;
	now = mq_now_ms();
	(void)poll(pfd, waiting && p->w.fd != -1 ? 2 : 1,
	    until == MQ_FOREVER ? -1 : until <= now ? 0 :
	    until - now > INT_MAX ? INT_MAX : (int)(until - now));
}

int
mq_pool_run(struct mq_spool *sp, const struct mq_pool_opts *o)
{
	struct pool *p;
	int64_t now, until, due;
	int waiting, status;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->jobs = calloc((size_t)o->procs, sizeof(*p->jobs))) == NULL) {
		free(p);
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	}
	p->sp = sp;
	p->o = o;
	mq_abspath(sp->path, p->spool, sizeof(p->spool));
	if (catch_signals() == -1) {
		free(p->jobs);
		free(p);
		return mq_fail(MQ_EX_IOERR, "signals", errno);
	}
	mq_waiter_init(&p->w, sp, 1);
	p->idle_since = mq_now_ms();
	for (;;) {
		reap(p);
		if (stopping == 2 && !p->passed) {
			pass_on(p);
			p->passed = 1;
		}
		now = mq_now_ms();
		until = renew(p, now);
		if (take_more(p, now, &waiting))
			continue;	/* settle and renew first */
		if (done(p, now, &until))
			break;
		if (waiting && (due = mq_waiter_due(&p->w, sp, 1, now)) < until)
			until = due;
		doze(p, until, waiting);
	}
	mq_waiter_close(&p->w);
	status = p->fatal != 0 ? p->fatal : p->status;
	free(p->jobs);
	free(p);
	return status;
}
