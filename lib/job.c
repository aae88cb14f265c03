/* job: one command of mq-run's pool: started on a lease (spawned, the
 * lease as stdin, a pipe as stderr, exec), its stderr read (tail.c), and
 * its message settled by how it ended. */
#ifdef __linux__
#define _GNU_SOURCE		/* pipe2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
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

extern char **environ;

int
mq_pipe_cloexec(int fds[2])
{
#ifdef __linux__
	return pipe2(fds, O_CLOEXEC);
#else
	if (pipe(fds) == -1)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) == -1 ||
	    fcntl(fds[1], F_SETFD, FD_CLOEXEC) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
#endif
}
/* The command's environment: ours, but for the MQ_ variables it is
 * given (the last four slots, set for each command). */
static char **
environment(struct pool *p)
{
	static const char *const ours[] = { "MQ_SPOOL=", "MQ_LEASE=",
	    "MQ_ID=", "MQ_ATTEMPT=" };
	size_t n = 0, k, i;

	if (p->envp != NULL)
		return p->envp;
	while (environ[n] != NULL)
		n++;
	if ((p->envp = calloc(n + 5, sizeof(*p->envp))) == NULL)
		return NULL;
	for (i = 0, k = 0; i < n; i++) {
		size_t m;

		for (m = 0; m < 4; m++)
			if (strncmp(environ[i], ours[m], strlen(ours[m])) == 0)
				break;
		if (m == 4)
			p->envp[k++] = environ[i];
	}
	p->nenv = k;
	return p->envp;
}

/* The command as posix_spawnp would find it, looked up in PATH once (as
 * a shell hashes it): a spawn then skips the search's failed execs,
 * each of which holds the pool still (the child shares its memory until
 * it has exec'd). p->cmd stays NULL, and posix_spawnp looks, for a name
 * with a slash, without PATH, or not found. */
static void
find_command(struct pool *p)
{
	const char *name = p->o->argv[0], *path = getenv("PATH"), *d, *e;
	size_t nl = strlen(name), dl;
	struct stat st;
	char *c;

	p->looked = 1;
	if (path == NULL || nl == 0 || strchr(name, '/') != NULL)
		return;
	for (d = path;; d = e + 1) {
		if ((e = strchr(d, ':')) == NULL)
			e = d + strlen(d);
		dl = (size_t)(e - d);
		if ((c = malloc(dl + nl + 3)) == NULL)
			return;
		if (dl == 0)		/* an empty entry: the directory we are in */
			c[dl++] = '.';
		else
			memcpy(c, d, dl);
		c[dl] = '/';
		memcpy(c + dl + 1, name, nl + 1);
		if (stat(c, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(c, X_OK) == 0) {
			p->cmd = c;
			return;
		}
		free(c);
		if (*e == '\0')
			return;
	}
}

/* Starts the command with posix_spawn (no copy of the pool's memory, a
 * little cheaper than fork and exec: bench/RESULTS.md): the lease as
 * stdin, the pipe as stderr, -o's file as stdout, its own process group,
 * the signals we catch or ignore as they were before us, the user's
 * umask. 0, or an errno: the command could not be executed, or (*what
 * set to what failed) the spawn itself failed. */
static int
spawn(struct pool *p, struct job *j, int errfd, const char **what)
{
	static const int sigs[] = { SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGPIPE };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t def, none;
	char **envp;
	mode_t mask;
	size_t i;
	int fd, err;

	*what = "posix_spawn";
	if ((envp = environment(p)) == NULL)
		return errno;
	if (!p->looked)
		find_command(p);
	snprintf(p->env_spool, sizeof(p->env_spool), "MQ_SPOOL=%s", p->spool);
	if (snprintf(p->env_lease, sizeof(p->env_lease), "MQ_LEASE=%s/cur/%s",
	    p->spool, j->name) >= (int)sizeof(p->env_lease))
		return ENAMETOOLONG;
	snprintf(p->env_id, sizeof(p->env_id), "MQ_ID=%s", j->n.id);
	snprintf(p->env_attempt, sizeof(p->env_attempt), "MQ_ATTEMPT=%lu",
	    j->n.attempts);
	envp[p->nenv] = p->env_spool;
	envp[p->nenv + 1] = p->env_lease;
	envp[p->nenv + 2] = p->env_id;
	envp[p->nenv + 3] = p->env_attempt;
	/* Kept open until the message is settled: closing a descriptor of
	 * the lease would let go of our lock on it. The locked one when
	 * there is one (the command's reads move an offset we never use;
	 * a lock is the process's, not passed on with the descriptor). */
	*what = "the lease";
	if ((fd = j->lockfd) == -1 && (fd = j->infd = openat(p->sp->cur,
	    j->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return errno;
	*what = "posix_spawn";
	sigemptyset(&none);
	sigemptyset(&def);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&def, sigs[i]);
	if ((err = posix_spawn_file_actions_init(&fa)) != 0)
		return err;
	if ((err = posix_spawnattr_init(&at)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return err;
	}
	if ((err = posix_spawn_file_actions_adddup2(&fa, fd, STDIN_FILENO)) ==
	    0 && (err = posix_spawn_file_actions_adddup2(&fa, errfd,
	    STDERR_FILENO)) == 0 && j->outfd != -1)
		err = posix_spawn_file_actions_adddup2(&fa, j->outfd,
		    STDOUT_FILENO);
	if (err == 0 && (err = posix_spawnattr_setflags(&at,
	    POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
	    POSIX_SPAWN_SETSIGMASK)) == 0 &&
	    (err = posix_spawnattr_setpgroup(&at, 0)) == 0 &&
	    (err = posix_spawnattr_setsigdefault(&at, &def)) == 0)
		err = posix_spawnattr_setsigmask(&at, &none);
	if (err == 0) {
		/* A terminal's ^C is for mq-run alone (its own group); the
		 * user's umask, not the shared spool's (one thread: set and
		 * put back around the spawn). */
		mask = umask(mq_user_umask());
		err = p->cmd == NULL ? ENOENT : posix_spawn(&j->pid, p->cmd,
		    &fa, &at, p->o->argv, envp);
		if (err == ENOENT) {	/* not there, or no longer: as given */
			free(p->cmd);
			p->cmd = NULL;
			err = posix_spawnp(&j->pid, p->o->argv[0], &fa, &at,
			    p->o->argv, envp);
		}
		umask(mask);
		if (err != EAGAIN && err != ENOMEM)
			*what = NULL;	/* the command's own */
	}
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	if (err != 0)
		j->pid = -1;
	return err;
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
	struct stat st, *stp = NULL;
	int status;

	mq_handon_drop(p, j);	/* -o: not handed on, so not kept */
	/* The lease's file as its lock holds it: whether it has a twin. */
	if (j->lockfd != -1 && fstat(j->lockfd, &st) == 0)
		stp = &st;
	mq_spool_where(p->sp, "cur", j->name, path, sizeof(path));
	if (j->lost) {
		mq_warnx(path, "lease lost while the command ran; its outcome "
		    "is dropped");
		status = MQ_EX_LOST;
		p->lost++;
	} else if (how == ACK) {
		status = mq_move_ack(p->sp, &j->n, stp, path);
		p->acked++;
	} else if (how == BURY) {
		status = mq_move_bury(p->sp, p->sp->cur, &j->n, path, why,
		    NULL);
		p->dead++;
	} else if (how == BACK) {
		status = mq_move_unclaim(p->sp, j->name);
		p->back++;
	} else {
		status = mq_move_retry(p->sp, &j->n, stp, path,
		    how == RETRY_NOW ? 0 : -1, why);
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
	if (j->infd != -1)
		close(j->infd);		/* after the lease is settled */
	if (j->lockfd != -1)
		close(j->lockfd);
	j->lockfd = j->infd = -1;
	j->pid = 0;
	if (j->ended)
		j->ended = 0;	/* (counted out when it was reaped) */
	else
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
	const char *what;
	int errp[2] = { -1, -1 }, err = 0;

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
	j->outfd = j->infd = -1;
	p->running++;
	p->started++;
	if (p->running > p->peak)
		p->peak = p->running;
	j->pid = -1;		/* taken: held, though not running yet */
	if (p->o->nout > 0 && (err = mq_handon_open(p, j)) != MQ_EX_OK) {
		p->status = mq_worst(p->status, err);
		finish(p, j, BACK, "its output could not be made");
		p->halt = 1;
		return 1;
	}
	if (mq_pipe_cloexec(errp) == -1) {
		err = errno;
		mq_warnx("pipe", "%s", strerror(err));
		p->status = mq_worst(p->status, MQ_EX_IOERR);
	} else if ((err = spawn(p, j, errp[1], &what)) != 0) {
		close(errp[0]);
		close(errp[1]);
		if (what == NULL)
			p->fatal = err == ENOENT ? 127 : 126;
		else
			p->status = mq_worst(p->status, MQ_EX_IOERR);
		mq_warnx(what == NULL ? p->o->argv[0] : what, "%s",
		    strerror(err));
	} else {
		close(errp[1]);
		mq_tail_start(&j->err, errp[0]);
		return 0;
	}
	/* Not run: a fault of the pool, not of the message. It goes back
	 * as it was, its attempt not spent, and the pool stops. */
	snprintf(why, sizeof(why), "cannot run the command: %s",
	    strerror(err));
	finish(p, j, BACK, why);
	p->halt = 1;
	return 1;
}
