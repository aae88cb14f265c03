/* diag: diagnostics and exit statuses shared by every mq program. */
#ifndef MQ_DIAG_H
#define MQ_DIAG_H

#include <sys/types.h>

/* Exit statuses, as every man page's EXIT STATUS and mq(7) give them
 * (sysexits.h values). */
enum {
	MQ_EX_OK = 0,
	MQ_EX_EMPTY = 1,	/* nothing to do */
	MQ_EX_LOST = 2,		/* lease no longer held */
	MQ_EX_USAGE = 64,
	MQ_EX_DATAERR = 65,
	MQ_EX_NOINPUT = 66,	/* no such spool (or input file) */
	MQ_EX_CANTCREAT = 73,
	MQ_EX_IOERR = 74,
	MQ_EX_TEMPFAIL = 75,
	MQ_EX_NOPERM = 77
};

extern const char *mq_prog;

void mq_setprog(const char *argv0);
/* "prog: what: message" on stderr. */
void mq_warnx(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "prog: what: strerror(err)"; returns status, or 77 for EACCES/EPERM. */
int mq_fail(int status, const char *what, int err);
/* The worse of two statuses: the larger number. */
int mq_worst(int a, int b);
void mq_version(void);
/* Why dirfd/name is not what is wanted (S_IFDIR, S_IFREG), for a
 * message: "a symbolic link, not followed", "not a directory", "not a
 * regular file"; NULL when it is (or is gone). */
const char *mq_entry_why(int dirfd, const char *name, mode_t want);
/* Reports the failure err to open dirfd/name as what: 65 with the reason
 * when it is not the type wanted, else as mq_fail(status, what, err). */
int mq_fail_entry(int status, const char *what, int dirfd, const char *name,
    mode_t want, int err);

#endif
