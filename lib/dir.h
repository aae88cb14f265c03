/* dir: directory listings, fsync, and file I/O that never follows a
 * symlink. */
#ifndef MQ_DIR_H
#define MQ_DIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "name.h"

struct mq_names {
	char **v;
	size_t n, cap;
	size_t heap;		/* names still in the heap (mq_names_pop) */
};

/* Whether dirfd holds nothing but . and .. (an error: not empty). */
int mq_dir_empty(int dirfd);
/* Lists dirfd (without . and ..) into out; 0, or -1 with errno set. */
int mq_dir_list(int dirfd, struct mq_names *out);
/* Counts the entries of dirfd (without . and ..) for which ok(name, arg)
 * (or NULL) says yes (> 0), without keeping their names; a negative
 * answer stops the reading there. -1 with errno set on error. */
long mq_dir_count(int dirfd, int (*ok)(const char *name, void *arg),
    void *arg);
/* Sorts decimal names (no leading zeros, or all of one width) by value. */
void mq_names_sort(struct mq_names *names);
void mq_names_free(struct mq_names *names);
/* Adds a copy of s to names (zeroed, or filled by these functions); 0,
 * or -1 with errno set. */
int mq_names_push(struct mq_names *names, const char *s);
/* The names in byte order, one at a time, without sorting them all: a
 * take wants the first few of a large leaf. NULL when none is left. */
void mq_names_heapify(struct mq_names *names);
const char *mq_names_pop(struct mq_names *names);
/* The names of dirfd in byte order, given to fn (nonzero stops), with at
 * most batch of them kept at a time: each batch, the least names after
 * the last one given, is chosen by a reading of the whole directory, so
 * n names cost n / batch + 1 readings. A name made meanwhile before the
 * last one given is not seen. 0, 1 (fn stopped it), or -1 with errno
 * set. */
int mq_dir_ordered(int dirfd, size_t batch, int (*fn)(const char *name,
    void *arg), void *arg);
/* As mq_dir_ordered, for a reader that mostly wants the first few: the
 * first batch is of first names, each next one twice as large, so a
 * reader that stops after k names pays for log2(k / first) + 1
 * readings, one that reads all n for log2(n / first) + 1, and a reading
 * copies only the names that are among its batch's least so far. */
int mq_dir_least(int dirfd, size_t first, int (*fn)(const char *name,
    void *arg), void *arg);
/* fsync(2) of a directory fd, retried on EINTR; 0 or -1. */
int mq_fsync(int fd);
/* Whether fd is on a network or FUSE file system (or one it cannot
 * tell): other hosts' changes are invisible to inotify there, and
 * concurrent renames of one file need a lock to resolve once. */
int mq_remote_fs(int fd);
/* The name "ID,N" (N from 0 to max_attempts, at most MQ_PROBES of them)
 * under which dirfd holds something for message id, as a message neither
 * grouped nor redriven is named in parked/, dlq/ or done/: each looked up
 * by its name, the directory not read. 1 with name set, or 0. */
#define MQ_PROBES 64
int mq_name_probe(int dirfd, const char *id, long max_attempts,
    char name[MQ_NAME_MAX + 1]);
/* openat(2) of a subdirectory, never following a symlink. */
int mq_opendir(int dirfd, const char *name);
/* openat(2) of a regular file, never following a symlink nor waiting on
 * a fifo; -1 with EINVAL when it is not a regular file. Its fstat(2) in
 * st, unless NULL. */
int mq_openfile(int dirfd, const char *name, int flags, mode_t mode,
    struct stat *st);
/* Sets the mtime (and atime) of dirfd/name, not following a symlink. */
int mq_stamp(int dirfd, const char *name, int64_t ms);
/* Copies fromfd/from to a new file tofd/to (never following a symlink,
 * never replacing a file) with the same mtime, streamed, fsynced when
 * sync is set; 0, or -1 with errno set and nothing left at to. */
int mq_copy_at(int fromfd, const char *from, int tofd, const char *to,
    int sync);
/* An fcntl lock of type (F_RDLCK, F_WRLCK, F_UNLCK) on len bytes from
 * start (len 0: to the end) of fd, waiting for it when wait is set,
 * through EINTR; 0, or -1 with errno set. */
int mq_lock(int fd, short type, off_t start, off_t len, int wait);
/* write(2) of all of buf, through short writes and EINTR; 0 or -1. */
int mq_write_all(int fd, const void *buf, size_t len);
/* Reads up to len bytes of the regular file dirfd/name (never through a
 * symlink, never blocking on a fifo). The count, or -1 with errno set
 * (EINVAL: not a regular file). */
ssize_t mq_read_small(int dirfd, const char *name, char *buf, size_t len);

#define MQ_FILE_MAX 4096

/* A small file (a reason, a key) replaced whole: text (at most
 * MQ_FILE_MAX bytes kept) and a newline written to tmpfd/tmpname,
 * fsynced when sync is set, renamed over dirfd/name, and dirfd fsynced:
 * a crash leaves the old file or the new one, never a part. Returns an
 * exit status, a failure reported as what (73: tmpname could not be
 * made; 74, with tmpname removed). */
int mq_file_replace(int tmpfd, const char *tmpname, int dirfd,
    const char *name, const char *text, size_t len, int sync,
    const char *what);
/* The same, the bytes as they are (no newline added); sync may carry
 * MQ_FILE_LINE to add one. */
#define MQ_FILE_LINE 0x100
int mq_file_replace_bytes(int tmpfd, const char *tmpname, int dirfd,
    const char *name, const char *text, size_t len, int sync,
    const char *what);

/* path made absolute (the working directory before it, if relative)
 * into buf: buf. */
const char *mq_abspath(const char *path, char *buf, size_t len);

#endif
