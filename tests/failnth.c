/* failnth: an LD_PRELOAD library for tests/faults.bats that makes the
 * Nth call of one system call wrapper fail, for the *at calls libfiu does
 * not cover (and the others, for a deterministic sweep).
 *
 *   MQ_FAIL=renameat:3:EIO      the 3rd renameat(2) fails with EIO
 *   MQ_FAIL_COUNT=FILE          at exit, append "CALL N" per call made
 *
 * Built by the test: cc -shared -fPIC -o failnth.so tests/failnth.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPENAT, RENAMEAT, RENAMEAT2, LINKAT, UNLINKAT, MKDIRAT, FSYNC, WRITE,
	PWRITE, UTIMENSAT, READ, NCALLS };
static const char *const names[NCALLS] = { "openat", "renameat",
	"renameat2", "linkat", "unlinkat", "mkdirat", "fsync", "write",
	"pwrite", "utimensat", "read" };
static const struct { const char *name; int err; } errnos[] = {
	{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EACCES", EACCES },
	{ "EDQUOT", EDQUOT }, { "EROFS", EROFS }, { "EMFILE", EMFILE },
	{ "ENOMEM", ENOMEM }, { "EINTR", EINTR },
};

static long calls[NCALLS];
static int fail_call = -1, fail_err = EIO;
static long fail_n;

__attribute__((constructor)) static void
init(void)
{
	const char *spec = getenv("MQ_FAIL"), *c1, *c2;
	size_t i;

	if (spec == NULL || (c1 = strchr(spec, ':')) == NULL ||
	    (c2 = strchr(c1 + 1, ':')) == NULL)
		return;
	for (i = 0; i < NCALLS; i++)
		if (strlen(names[i]) == (size_t)(c1 - spec) &&
		    strncmp(spec, names[i], (size_t)(c1 - spec)) == 0)
			fail_call = (int)i;
	fail_n = strtol(c1 + 1, NULL, 10);
	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (strcmp(c2 + 1, errnos[i].name) == 0)
			fail_err = errnos[i].err;
}

__attribute__((destructor)) static void
report(void)
{
	const char *path = getenv("MQ_FAIL_COUNT");
	char line[64];
	int fd, i, n;

	if (path == NULL || (fd = open(path, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0666)) == -1)
		return;
	for (i = 0; i < NCALLS; i++) {
		if (calls[i] == 0)
			continue;
		n = snprintf(line, sizeof(line), "%s %ld\n", names[i], calls[i]);
		if (write(fd, line, (size_t)n) != n)
			break;
	}
	close(fd);
}

/* Counts a call; 1 when this one must fail (errno set). */
static int
fails(int which)
{
	if (++calls[which] == fail_n && which == fail_call) {
		errno = fail_err;
		return 1;
	}
	return 0;
}

#define REAL(ret, name, ...) \
	static ret (*real)(__VA_ARGS__); \
	if (real == NULL) \
		*(void **)&real = dlsym(RTLD_NEXT, name)

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	REAL(int, "openat", int, const char *, int, ...);

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (fails(OPENAT))
		return -1;
	return real(dirfd, path, flags, mode);
}

int
renameat(int a, const char *b, int c, const char *d)
{
	REAL(int, "renameat", int, const char *, int, const char *);
	return fails(RENAMEAT) ? -1 : real(a, b, c, d);
}

int
renameat2(int a, const char *b, int c, const char *d, unsigned int e)
{
	REAL(int, "renameat2", int, const char *, int, const char *,
	    unsigned int);
	return fails(RENAMEAT2) ? -1 : real(a, b, c, d, e);
}

int
linkat(int a, const char *b, int c, const char *d, int e)
{
	REAL(int, "linkat", int, const char *, int, const char *, int);
	return fails(LINKAT) ? -1 : real(a, b, c, d, e);
}

int
unlinkat(int a, const char *b, int c)
{
	REAL(int, "unlinkat", int, const char *, int);
	return fails(UNLINKAT) ? -1 : real(a, b, c);
}

int
mkdirat(int a, const char *b, mode_t c)
{
	REAL(int, "mkdirat", int, const char *, mode_t);
	return fails(MKDIRAT) ? -1 : real(a, b, c);
}

int
fsync(int a)
{
	REAL(int, "fsync", int);
	return fails(FSYNC) ? -1 : real(a);
}

ssize_t
write(int a, const void *b, size_t c)
{
	REAL(ssize_t, "write", int, const void *, size_t);
	return fails(WRITE) ? -1 : real(a, b, c);
}

ssize_t
pwrite(int a, const void *b, size_t c, off_t d)
{
	REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
	return fails(PWRITE) ? -1 : real(a, b, c, d);
}

int
utimensat(int a, const char *b, const struct timespec c[2], int d)
{
	REAL(int, "utimensat", int, const char *, const struct timespec *,
	    int);
	return fails(UTIMENSAT) ? -1 : real(a, b, c, d);
}

ssize_t
read(int a, void *b, size_t c)
{
	REAL(ssize_t, "read", int, void *, size_t);
	return fails(READ) ? -1 : real(a, b, c);
}
