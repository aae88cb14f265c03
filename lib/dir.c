/* dir: directory listings, fsync, and file I/O that never follows a
 * symlink. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/vfs.h>
#endif
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "dir.h"

int
mq_remote_fs(int fd)
{
#ifdef __linux__
	static const unsigned long remote[] = {
		0x6969,		/* NFS */
		0x517b,		/* SMB */
		0xff534d42,	/* CIFS */
		0xfe534d42,	/* SMB2 */
		0x65735546,	/* FUSE: GlusterFS, sshfs, ... */
		0x00c36400,	/* Ceph */
		0x5346414f,	/* AFS */
		0x01021997,	/* 9P */
		0x01161970,	/* GFS2 */
		0x7461636f,	/* OCFS2 */
		0x0bd00bd0,	/* Lustre */
	};
	struct statfs fs;
	size_t i;

	if (fstatfs(fd, &fs) == -1)
		return 1;	/* cannot tell: the careful way */
	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++)
		if ((unsigned long)fs.f_type == remote[i])
			return 1;
	return 0;
#else
	(void)fd;
	return 1;
#endif
}

int
mq_name_probe(int dirfd, const char *id, long max_attempts,
    char name[MQ_NAME_MAX + 1])
{
	struct stat st;
	long n, most = max_attempts + 1;

	if (most > MQ_PROBES || most < 1)
		most = MQ_PROBES;
	for (n = 0; n < most; n++) {
		snprintf(name, MQ_NAME_MAX + 1, "%s,%ld", id, n);
		if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return 1;
	}
	return 0;
}

int
mq_opendir(int dirfd, const char *name)
{
	return openat(dirfd, name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int
mq_openfile(int dirfd, const char *name, int flags, mode_t mode,
    struct stat *stp)
{
	struct stat st;
	int fd, err;

	fd = openat(dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
	    mode);
	if (fd == -1)
		return -1;
	err = fstat(fd, &st) == -1 ? errno : !S_ISREG(st.st_mode) ? EINVAL : 0;
	if (err == 0 && stp != NULL)
		*stp = st;
	if (err != 0) {
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}


/* A stream of dirfd's entries, on a new open file description so that
 * its offset is its own. */
static DIR *
open_stream(int dirfd)
{
	DIR *dir;
	int fd, err;

	/* A second descriptor of the same open directory, from its start:
	 * no open of it again (on a network file system, a round trip). */
	if ((fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0)) == -1)
		return NULL;
	if ((dir = fdopendir(fd)) == NULL) {
		err = errno;
		close(fd);
		errno = err;
		return NULL;
	}
	rewinddir(dir);
	return dir;
}

int
mq_dir_empty(int dirfd)
{
	struct dirent *d;
	DIR *dir;
	int empty = 1;

	if ((dir = open_stream(dirfd)) == NULL)
		return 0;
	while (empty && (d = readdir(dir)) != NULL)
		empty = d->d_name[0] == '.' && (d->d_name[1] == '\0' ||
		    (d->d_name[1] == '.' && d->d_name[2] == '\0'));
	closedir(dir);
	return empty;
}

int
mq_dir_list(int dirfd, struct mq_names *out)
{
	struct dirent *d;
	DIR *dir;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if ((dir = open_stream(dirfd)) == NULL)
		return -1;
	for (;;) {
		errno = 0;
		if ((d = readdir(dir)) == NULL) {
			err = errno;
			break;
		}
		if (d->d_name[0] == '.' && (d->d_name[1] == '\0' ||
		    (d->d_name[1] == '.' && d->d_name[2] == '\0')))
			continue;
		if (mq_names_push(out, d->d_name) == -1) {
			err = errno;
			break;
		}
	}
	closedir(dir);
	if (err != 0) {
		mq_names_free(out);
		errno = err;
		return -1;
	}
	return 0;
}

long
mq_dir_count(int dirfd, int (*ok)(const char *name, void *arg), void *arg)
{
	struct dirent *d;
	DIR *dir;
	long n = 0;
	int err, k = 0;

	if ((dir = open_stream(dirfd)) == NULL)
		return -1;
	for (;;) {
		errno = 0;
		if ((d = readdir(dir)) == NULL)
			break;
		if (d->d_name[0] == '.' && (d->d_name[1] == '\0' ||
		    (d->d_name[1] == '.' && d->d_name[2] == '\0')))
			continue;
		if (ok == NULL || (k = ok(d->d_name, arg)) > 0)
			n++;
		else if (k < 0)
			break;
	}
	err = errno;
	closedir(dir);
	errno = err;
	return err != 0 ? -1 : n;
}


int
mq_fsync(int fd)
{
	while (fsync(fd) == -1) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int
mq_stamp(int dirfd, const char *name, int64_t ms)
{
	struct timespec ts[2];

	ts[0] = ts[1] = mq_ms_ts(ms);
	if (utimensat(dirfd, name, ts, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	/* Another user's file in a shared spool: "now" is the one time
	 * its group may set (with write permission). Near enough for a
	 * stamp meant as now (a redrive's, a burial's). */
	if ((errno == EPERM || errno == EACCES) &&
	    ms - mq_now_ms() <= 1000 && mq_now_ms() - ms <= 1000)
		return utimensat(dirfd, name, NULL, AT_SYMLINK_NOFOLLOW);
	return -1;
}

int
mq_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t
mq_read_small(int dirfd, const char *name, char *buf, size_t len)
{
	struct stat st;
	size_t got = 0;
	ssize_t n;
	int fd, err;

	if ((fd = mq_openfile(dirfd, name, O_RDONLY, 0, &st)) == -1)
		return -1;
	while (got < len && (got == 0 || (off_t)got < st.st_size)) {
		if ((n = read(fd, buf + got, len - got)) == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

int
mq_copy_at(int fromfd, const char *from, int tofd, const char *to, int sync)
{
	struct timespec ts[2];
	struct stat st;
	char buf[65536];
	ssize_t n;
	int in, out, err = 0;

	in = openat(fromfd, from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in == -1)
		return -1;
	out = openat(tofd, to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0666);
	if (out == -1 || fstat(in, &st) == -1) {
		err = errno;
		goto done;
	}
	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (mq_write_all(out, buf, (size_t)n) == -1)
			break;
	}
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	if (n != 0 || futimens(out, ts) == -1 || (sync && fsync(out) == -1))
		err = errno;
done:
	close(in);
	if (out != -1 && close(out) == -1 && err == 0)
		err = errno;
	if (err != 0) {
		if (out != -1)
			(void)unlinkat(tofd, to, 0);
		errno = err;
		return -1;
	}
	return 0;
}

int
mq_lock(int fd, short type, off_t start, off_t len, int wait)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	while (fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl) == -1)
		if (errno != EINTR || !wait)
			return -1;
	return 0;
}

int
mq_file_replace(int tmpfd, const char *tmpname, int dirfd, const char *name,
    const char *text, size_t len, int sync, const char *what)
{
	return mq_file_replace_bytes(tmpfd, tmpname, dirfd, name, text, len,
	    sync | MQ_FILE_LINE, what);
}

int
mq_file_replace_bytes(int tmpfd, const char *tmpname, int dirfd,
    const char *name, const char *text, size_t len, int sync,
    const char *what)
{
	char buf[MQ_FILE_MAX + 1];
	int fd, err = 0;

	if (len > MQ_FILE_MAX)
		len = MQ_FILE_MAX;
	memcpy(buf, text, len);
	if (sync & MQ_FILE_LINE)
		buf[len++] = '\n';
	sync &= ~MQ_FILE_LINE;
	fd = openat(tmpfd, tmpname, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
	    O_CLOEXEC, 0666);
	if (fd == -1)
		return mq_fail(MQ_EX_CANTCREAT, what, errno);
	if (mq_write_all(fd, buf, len) == -1 || (sync && fsync(fd) == -1))
		err = errno;
	if (close(fd) == -1 && err == 0)
		err = errno;
	if (err == 0 && renameat(tmpfd, tmpname, dirfd, name) == -1)
		err = errno;
	if (err != 0) {
		(void)unlinkat(tmpfd, tmpname, 0);
		return mq_fail(MQ_EX_IOERR, what, err);
	}
	if (sync && mq_fsync(dirfd) == -1)
		return mq_fail(MQ_EX_IOERR, what, errno);
	return MQ_EX_OK;
}

const char *
mq_abspath(const char *path, char *buf, size_t len)
{
	size_t n;

	if (path[0] == '/' || getcwd(buf, len) == NULL)
		buf[0] = '\0';
	n = strlen(buf);
	snprintf(buf + n, len - n, "%s%s", n > 1 ? "/" : "", path);
	return buf;
}
