/* diag: diagnostics and exit statuses shared by every mq program. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "print.h"

#ifndef MQ_VERSION
#define MQ_VERSION "0.1"
#endif

const char *mq_prog = "mq";

void
mq_setprog(const char *argv0)
{
	const char *slash;

	if (argv0 == NULL || *argv0 == '\0')
		return;
	slash = strrchr(argv0, '/');
	mq_prog = slash != NULL ? slash + 1 : argv0;
}

static void
put_line(const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(STDERR_FILENO, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* One write(2) a line: the diagnostics of processes running side by side
 * (xargs -P, mq-run) never interleave within a line. */
void
mq_warnx(const char *what, const char *fmt, ...)
{
	char line[4096], safe[4096 * 2];
	va_list ap;
	size_t len;
	int r, err = errno;

	fflush(stdout);
	if (what != NULL)
		r = snprintf(line, sizeof(line), "%s: %s: ", mq_prog, what);
	else
		r = snprintf(line, sizeof(line), "%s: ", mq_prog);
	len = r < 0 ? 0 : (size_t)r < sizeof(line) ? (size_t)r :
	    sizeof(line) - 1;
	va_start(ap, fmt);
	r = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (r > 0)
		len += (size_t)r < sizeof(line) - len ? (size_t)r :
		    sizeof(line) - len - 1;
	/* Names and what users wrote, escaped: a file name holding an
	 * escape sequence never reaches the terminal whole. */
	len = mq_escape(safe, sizeof(safe) - 1, line, len);
	safe[len++] = '\n';
	put_line(safe, len);
	errno = err;
}

int
mq_fail(int status, const char *what, int err)
{
	mq_warnx(what, "%s", strerror(err));
	if (err == EACCES || err == EPERM)
		return MQ_EX_NOPERM;
	/* The file system, not the spool: full, over quota, read-only. */
	if (err == ENOSPC || err == EDQUOT || err == EROFS)
		return MQ_EX_IOERR;
	return status;
}

int
mq_worst(int a, int b)
{
	return a > b ? a : b;
}

void
mq_version(void)
{
	printf("%s (mq) %s\n", mq_prog, MQ_VERSION);
}

const char *
mq_entry_why(int dirfd, const char *name, mode_t want)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return NULL;
	if (S_ISLNK(st.st_mode))
		return "a symbolic link, not followed";
	if ((st.st_mode & S_IFMT) == want)
		return NULL;
	return want == S_IFDIR ? "not a directory" : "not a regular file";
}

int
mq_fail_entry(int status, const char *what, int dirfd, const char *name,
    mode_t want, int err)
{
	const char *why = NULL;

	if (err == ENOTDIR || err == ELOOP || err == EISDIR || err == EINVAL ||
	    err == ENXIO)
		why = mq_entry_why(dirfd, name, want);
	if (why == NULL)
		return mq_fail(status, what, err);
	mq_warnx(what, "%s", why);
	return MQ_EX_DATAERR;
}
