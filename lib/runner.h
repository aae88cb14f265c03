/* runner: the parts of mq-run's pool (pool.c), shared by job.c (one
 * command: starting it, its stderr, settling its message) and tell.c (what
 * the pool tells: -v, the summary, the progress line). */
#ifndef MQ_RUNNER_H
#define MQ_RUNNER_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "name.h"
#include "pool.h"
#include "spool.h"
#include "tail.h"
#include "take.h"
#include "wait.h"
#include "writer.h"

#define MQ_GROW_AFTER 1000	/* ms a message waited: one more slot */
#define MQ_SHRINK_AFTER 1000	/* ms found empty: one fewer */
#define DRAW_EVERY 250		/* ms between redraws of the progress line */
#define READY_EVERY 1000	/* ms between counts of the ready, for it */

struct job {
	pid_t pid;		/* 0: a free slot */
	int ended;		/* reaped, not yet settled: its status in ws */
	int ws;
	int lockfd;
	int lost;		/* the lease was lost while the command ran */
	int64_t renew;		/* when to extend the lease next */
	int64_t began;		/* when it was taken, ms */
	struct mq_tail err;	/* its standard error */
	int infd;		/* the lease, its standard input, or -1 */
	int outfd;		/* -o: its standard output, or -1 */
	char outtmp[MQ_ID_MAX + 1];	/* that file's name in tmp/ */
	struct mq_name n;
	char name[MQ_NAME_MAX + 1];
};
struct pool {
	struct mq_spool *sp;
	const struct mq_pool_opts *o;
	struct job *jobs;	/* 2 * procs: the running, and those ended
				 * and not yet settled */
	long njobs;
	long running, started;
	long slots;		/* commands at once now (-P MIN:MAX) */
	long peak;		/* the most that ran at once */
	long acked, retried, dead, back, lost;
	int64_t began;		/* when the pool started, ms */
	int64_t grown, shrunk;	/* when the slots last changed */
	int progress;		/* a live line on a terminal */
	int drawn;		/* it is on the screen */
	int64_t drawn_at, counted_at;
	long ready;		/* as last counted, for the line; -1 */
	int64_t waited;		/* the longest a message taken now waited */
	struct pollfd *pfd;	/* for doze: procs + 2 */
	struct mq_writer out;	/* -o: what the commands' stdout becomes */
	char **envp;		/* the commands' environment (job.c) */
	char *cmd;		/* the command as found in PATH, or NULL */
	int looked;		/* PATH was searched for it */
	size_t nenv;		/* its variables but the four MQ_ ones */
	char env_spool[4096 + 16], env_lease[4096 + 128];
	char env_id[64], env_attempt[48];
	int status;		/* the worst so far */
	int halt;		/* a command could not be started: stop */
	int fatal;		/* the command cannot be run: 126 or 127 */
	int passed;		/* a second signal was passed on */
	int empty;		/* the last take found fewer than it wanted */
	int64_t idle_since;	/* when the pool last had work */
	struct mq_waiter w;	/* for work, when the queue is empty */
	struct mq_take_hint hint;	/* where the last take found one */
	char spool[4096];	/* the spool's absolute path, for commands */
};
/* job.c */
int mq_pipe_cloexec(int fds[2]);
/* The taker's fn (take.h): starts the command on the new lease. */
int mq_job_start(struct mq_spool *sp, const char *lease, void *arg);
/* Reads a job's stderr; end: the command is gone, what is left. */
void mq_job_read_err(struct pool *p, struct job *j, int end);
/* The command ended with wait status ws: its message is settled. */
void mq_job_settle(struct pool *p, struct job *j, int ws);

/* handon.c: -o */
/* Opens the file a job's stdout goes to (j->outfd): an exit status. */
int mq_handon_open(struct pool *p, struct job *j);
/* The command succeeded: its stdout is put (keyed by the input's id,
 * in its group): an exit status; why says what failed. */
int mq_handon(struct pool *p, struct job *j, char *why, size_t len);
/* The command failed, or was not run: its stdout goes. */
void mq_handon_drop(struct pool *p, struct job *j);

/* tell.c */
void mq_tell_clear(struct pool *p);
void mq_tell(struct pool *p, const char *fmt, ...);
void mq_tell_progress(struct pool *p, int64_t now);
void mq_tell_summary(struct pool *p, int64_t now);

#endif
