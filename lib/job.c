/* job: one command of mq-run's pool: started on a lease (fork, the
 * lease as stdin, a pipe as stderr, exec), its stderr read (tail.c), and
 * its message settled by how it ended. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "lease.h"
#include "move.h"
#include "reason.h"
#include "runner.h"
#include "share.h"

int
mq_pipe_cloexec(int fds[2])
{
	if (pipe(fds) == -1)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
}
/* In the child: the lease as standard input, the pipe as standard error,
 * the environment, exec. */
static void
child(struct pool *p, const struct job *j, int errfd, int report)
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
	if ((errfd != -1 && dup2(errfd, STDERR_FILENO) == -1) ||
	    (j->outfd != -1 && dup2(j->outfd, STDOUT_FILENO) == -1))
		_exit(127);
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
/* The prefix of a command's stderr lines, or NULL: passed on as is. */
static const char *
prefix(const struct pool *p, const struct job *j, char *buf, size_t len)
{
	if (!p->o->label && p->o->procs == 1)
		return NULL;
	snprintf(buf, len, "%s: ", j->n.id);
	return buf;
}
/* Reads a job's stderr (the progress line cleared first). */
void
mq_job_read_err(struct pool *p, struct job *j, int end)
{
	char pre[MQ_ID_MAX + 3];
	const char *pf = prefix(p, j, pre, sizeof(pre));

	if (j->err.fd == -1 && (!end || j->err.llen == 0))
		return;
	mq_tell_clear(p);
	if (end)		/* what is left, and a part line */
		mq_tail_end(&j->err, STDERR_FILENO, pf);
	else if (mq_tail_read(&j->err, STDERR_FILENO, pf) == 1) {
		close(j->err.fd);	/* its end: the tail stays */
		j->err.fd = -1;
	}
}
enum how { ACK, RETRY, RETRY_NOW, BURY, BACK };
static const char *const done_as[] = { "acked", "retried", "retried",
    "dead", "given back" };
/* The outcome settles the lease: a state change (move.c), by name. */
static void
finish(struct pool *p, struct job *j, enum how how, const char *why)
{
	char path[4096];
	int64_t took = mq_now_ms() - j->began;
	int status;

	mq_handon_drop(p, j);	/* -o: not handed on, so not kept */
	mq_spool_where(p->sp, "cur", j->name, path, sizeof(path));
	if (j->lost) {
		mq_warnx(path, "lease lost while the command ran; its outcome "
		    "is dropped");
		status = MQ_EX_LOST;
		p->lost++;
	} else if (how == ACK) {
		status = mq_move_ack(p->sp, &j->n, path);
		p->acked++;
	} else if (how == BURY) {
		status = mq_move_bury(p->sp, p->sp->cur, &j->n, path, why,
		    NULL);
		p->dead++;
	} else if (how == BACK) {
		status = mq_move_unclaim(p->sp, j->name);
		p->back++;
	} else {
		status = mq_move_retry(p->sp, &j->n, path, how == RETRY_NOW ?
		    0 : -1, why);
		p->retried++;
	}
	p->status = mq_worst(p->status, status);
	/* The reason, when there is one, says the attempt and time. */
	if (p->o->verbose && why != NULL && !j->lost)
		mq_tell(p, "mq-run: %s: %s: %s", j->n.id, done_as[how], why);
	else if (p->o->verbose)
		mq_tell(p, "mq-run: %s: %s on attempt %lu after %.3fs", j->n.id,
		    j->lost ? "lost" : done_as[how], j->n.attempts,
		    (double)took / 1000.0);
	if (j->lockfd != -1)
		close(j->lockfd);	/* after the lease is settled */
	j->lockfd = -1;
	j->pid = 0;
	p->running--;
}
/* A failed command's evidence: its stderr's tail beside the reason, and
 * the reason, "exit 3 on attempt 2 after 1.204s: its last line". */
static void
evidence(struct pool *p, struct job *j, const char *status, char *why,
    size_t len)
{
	char bytes[MQ_TAIL], last[256];
	size_t n;
	int k;

	k = snprintf(why, len, "%s on attempt %lu after %.3fs", status,
	    j->n.attempts, (double)(mq_now_ms() - j->began) / 1000.0);
	if (mq_tail_last_line(&j->err, last, sizeof(last)) > 0 && k > 0 &&
	    (size_t)k < len)
		snprintf(why + k, len - (size_t)k, ": %s", last);
	if (j->lost)
		return;
	n = mq_tail_bytes(&j->err, bytes);
	p->status = mq_worst(p->status, mq_reason_evidence(p->sp, j->n.id,
	    bytes, n));
}
/* The command ended: the status settles the lease. */
void
mq_job_settle(struct pool *p, struct job *j, int ws)
{
	char why[MQ_REASON_MAX], status[128];
	int code;

	mq_job_read_err(p, j, 1);
	if (WIFSIGNALED(ws)) {
		snprintf(status, sizeof(status), "killed by signal %d (%s)",
		    WTERMSIG(ws), strsignal(WTERMSIG(ws)));
		evidence(p, j, status, why, sizeof(why));
		finish(p, j, RETRY, why);
		return;
	}
	code = WEXITSTATUS(ws);
	if (code == 0 && j->outfd != -1 && !j->lost &&
	    mq_handon(p, j, why, sizeof(why)) != MQ_EX_OK) {
		finish(p, j, RETRY, why);	/* not handed on: again */
		return;
	}
	if (code == 0) {
		finish(p, j, ACK, NULL);
		return;
	}
	snprintf(status, sizeof(status), "exit %d", code);
	evidence(p, j, status, why, sizeof(why));
	if (code == 65 || code == 100)
		finish(p, j, BURY, why);
	else if (code == 75 && j->err.total == 0)
		finish(p, j, RETRY, NULL);	/* "later", no more said */
	else
		finish(p, j, RETRY, why);
}
int
mq_job_start(struct mq_spool *sp, const char *lease, void *arg)
{
	struct pool *p = arg;
	struct job *j = p->jobs;
	char why[256];
	int report[2], errp[2] = { -1, -1 }, err = 0;
	ssize_t n;

	while (j->pid != 0)
		j++;
	memcpy(j->name, lease, strlen(lease) + 1);
	(void)mq_name_parse(lease, &j->n);
	j->lost = 0;
	j->lockfd = mq_lease_lock(sp, lease);
	j->began = mq_now_ms();
	j->renew = j->began + p->o->timeout / 3;
	if (mq_id_ms(j->n.id) > 0 && j->began - mq_id_ms(j->n.id) > p->waited)
		p->waited = j->began - mq_id_ms(j->n.id);
	mq_tail_start(&j->err, -1);
	j->outfd = -1;
	p->running++;
	p->started++;
	if (p->running > p->peak)
		p->peak = p->running;
	j->pid = -1;		/* taken: held, though not running yet */
	if (p->o->nout > 0 && (err = mq_handon_open(p, j)) != MQ_EX_OK) {
		p->status = mq_worst(p->status, err);
		finish(p, j, BACK, "its output could not be made");
		mq_pool_stopping = 1;
		return 1;
	}
	if (mq_pipe_cloexec(report) == -1) {
		err = errno;
	} else if (mq_pipe_cloexec(errp) == -1 || (j->pid = fork()) == -1) {
		err = errno;
		j->pid = -1;
		close(report[0]);
		close(report[1]);
		if (errp[0] != -1) {
			close(errp[0]);
			close(errp[1]);
		}
	} else if (j->pid == 0) {
		close(report[0]);
		child(p, j, errp[1], report[1]);
	}
	if (err == 0) {
		close(report[1]);
		close(errp[1]);
		mq_tail_start(&j->err, errp[0]);
		do	/* closed by a successful exec */
			n = read(report[0], &err, sizeof(err));
		while (n == -1 && errno == EINTR);
		close(report[0]);
		if (n != (ssize_t)sizeof(err))
			return 0;
		while (waitpid(j->pid, NULL, 0) == -1 && errno == EINTR)
			;
		mq_job_read_err(p, j, 1);
		p->fatal = err == ENOENT ? 127 : 126;
		mq_warnx(p->o->argv[0], "%s", strerror(err));
	} else {
		mq_warnx("fork", "%s", strerror(err));
		p->status = mq_worst(p->status, MQ_EX_IOERR);
	}
	/* Not run: a fault of the pool, not of the message. It goes back
	 * as it was, its attempt not spent, and the pool stops. */
	snprintf(why, sizeof(why), "cannot run the command: %s",
	    strerror(err));
	finish(p, j, BACK, why);
	mq_pool_stopping = 1;
	return 1;
}
