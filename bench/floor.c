/* floor: the least a directory queue can do per message, for bench/run.
 *
 *   floor put DIR N [nosync]   N messages: create DIR/tmp/I, write one
 *                              line, fsync, rename to DIR/new/I (nosync:
 *                              no fsync); with "dirsync", fsync DIR/new
 *                              after each rename as well
 *   floor take DIR             every file of DIR/new: rename to DIR/cur,
 *                              unlink (take+ack)
 *   floor sink FILE            append standard input, and a newline if
 *                              it lacks one, to FILE in one write (a
 *                              drain's command)
 *   floor sink FILE WORD       the same with WORD as the input (the
 *                              drain's spawn floor: xargs -P N)
 *
 * No ids, no policy, no trie, no checks beyond return values: what is
 * left is the system calls a message cannot do without.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
put(const char *dir, long n, int sync, int dirsync)
{
	char tmp[4096], new[4096], line[32];
	int fd, dfd = -1;
	long i;
	pid_t pid = getpid();

	snprintf(new, sizeof(new), "%s/new", dir);
	if (dirsync && (dfd = open(new, O_RDONLY | O_DIRECTORY)) == -1)
		die(new);
	for (i = 0; i < n; i++) {
		snprintf(tmp, sizeof(tmp), "%s/tmp/%ld.%ld", dir, (long)pid, i);
		snprintf(new, sizeof(new), "%s/new/%ld.%ld", dir, (long)pid, i);
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666)) == -1)
			die(tmp);
		snprintf(line, sizeof(line), "%ld\n", i);
		if (write(fd, line, strlen(line)) != (ssize_t)strlen(line) ||
		    (sync && fsync(fd) == -1) || close(fd) == -1)
			die(tmp);
		if (rename(tmp, new) == -1)
			die(new);
		if (dfd != -1 && fsync(dfd) == -1)
			die(new);
	}
}

static void
take(const char *dir)
{
	char from[4096], to[4096];
	struct dirent *d;
	DIR *dp;

	snprintf(from, sizeof(from), "%s/new", dir);
	if ((dp = opendir(from)) == NULL)
		die(from);
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(from, sizeof(from), "%s/new/%s", dir, d->d_name);
		snprintf(to, sizeof(to), "%s/cur/%s", dir, d->d_name);
		if (rename(from, to) == -1 || unlink(to) == -1)
			die(to);
	}
	closedir(dp);
}

static void
sink(const char *file, const char *word)
{
	char buf[65536];
	ssize_t n, len = 0;
	int fd;

	if (word != NULL)
		len = snprintf(buf, sizeof(buf) - 1, "%s", word);
	while (word == NULL && len < (ssize_t)sizeof(buf) &&
	    (n = read(0, buf + len, sizeof(buf) - (size_t)len)) > 0)
		len += n;
	if (len < (ssize_t)sizeof(buf) && (len == 0 || buf[len - 1] != '\n'))
		buf[len++] = '\n';	/* one line per message */
	if ((fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0666)) == -1 ||
	    write(fd, buf, (size_t)len) != len || close(fd) == -1)
		die(file);
}

int
main(int argc, char *argv[])
{
	if (argc >= 4 && strcmp(argv[1], "put") == 0)
		put(argv[2], atol(argv[3]), argc < 5 ||
		    strcmp(argv[4], "nosync") != 0, argc >= 5 &&
		    strcmp(argv[4], "dirsync") == 0);
	else if (argc == 3 && strcmp(argv[1], "take") == 0)
		take(argv[2]);
	else if ((argc == 3 || argc == 4) && strcmp(argv[1], "sink") == 0)
		sink(argv[2], argc == 4 ? argv[3] : NULL);
	else {
		fprintf(stderr, "usage: floor put DIR N [nosync | dirsync] | "
		    "take DIR | sink FILE [WORD]\n");
		return 64;
	}
	return 0;
}
