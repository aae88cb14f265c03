/* setup: what can be told, from one client, of a shared file system set
 * up wrong for mq.
 *
 * A GlusterFS volume made with its defaults delivers messages twice
 * (mq(7)): its clients cache metadata, so one sees another's new lease
 * deadline late. Nothing in the spool shows it, but the client says how
 * it runs: the FUSE client serves a directory .meta at its mount's root
 * (its meta translator), where cmdline is its own command line (the
 * kernel's cache times are options of it) and graphs/active/ the volume's
 * translators as the client runs them, each a directory with its type
 * (performance/md-cache is there while stat-prefetch is on) and its live
 * state in private (a server connection's ping timeout, the replicas'
 * quorum: the volfile beside them keeps the values the graph was made
 * with, not those set since). The mount is found in the process's
 * mount table (Linux's /proc/self/mountinfo) by the spool's device;
 * elsewhere, and on any other file system, there is nothing to check.
 */
#include <fcntl.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#endif

#include "diag.h"
#include "dir.h"
#include "setup.h"

#define FUSE_MAGIC 0x65735546
#define META_MAX (256 * 1024)	/* a private state is a few kB */
#define PING_MOST 10		/* s: more stalls every client that long */

#ifdef __linux__
/* The file dir/name, at most META_MAX bytes and NUL-terminated, in
 * memory the caller frees; NULL if it cannot be read. (.meta's files
 * say they are empty and give their text to one read.) */
static char *
slurp(const char *dir, const char *name)
{
	char path[PATH_MAX + 64], *buf;
	ssize_t n;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path) || (buf = malloc(META_MAX + 1)) == NULL)
		return NULL;
	if ((n = mq_read_small(AT_FDCWD, path, buf, META_MAX)) == -1) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* A mount table's field, its \ooo escapes undone, in place. */
static void
unescape(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* The GlusterFS mount of the device dev whose root is the volume's (a
 * bind mount of a directory in it has no .meta): its mount point and
 * volume. */
static int
find_mount(dev_t dev, char *mnt, size_t mlen, char *vol, size_t vlen)
{
	char line[4 * PATH_MAX], *f[5], *dash, *type, *src, *save, want[64];
	int i, found = -1;
	FILE *mi;

	snprintf(want, sizeof(want), "%u:%u", major(dev), minor(dev));
	if ((mi = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (found == -1 && fgets(line, sizeof(line), mi) != NULL) {
		/* ID PARENT MAJ:MIN ROOT POINT OPTS ... - TYPE SOURCE ... */
		if ((dash = strstr(line, " - ")) == NULL)
			continue;
		*dash = '\0';
		for (i = 0, save = line; i < 5 &&
		    (f[i] = strtok_r(i ? NULL : save, " ", &save)) != NULL; i++)
			;
		type = strtok_r(dash + 3, " ", &save);
		src = strtok_r(NULL, " \n", &save);
		if (i < 5 || type == NULL || src == NULL ||
		    strcmp(type, "fuse.glusterfs") != 0 ||
		    strcmp(f[2], want) != 0 || strcmp(f[3], "/") != 0)
			continue;
		unescape(f[4]);
		snprintf(mnt, mlen, "%s", f[4]);
		src = strrchr(src, ':') ? strrchr(src, ':') + 1 : src;
		snprintf(vol, vlen, "%s", src + (*src == '/'));
		found = 0;
	}
	fclose(mi);
	return found;
}

/* Whether the command line cmd has option opt with the value 0. */
static int
zero(const char *cmd, const char *opt)
{
	const char *p = strstr(cmd, opt);
	size_t n = strlen(opt);

	return p != NULL && p[n] == '0' && strchr(" \"\n", p[n + 1]) != NULL;
}

struct graph {
	int mdcache;		/* performance/md-cache in it */
	long ping;		/* the longest ping timeout, s */
	int replicas;		/* cluster/replicate translators */
	int quorum;		/* of them, with a quorum-type not none */
};

/* The value of "key = value" in a translator's private state (its live
 * settings; the volfile keeps those it was made with). */
static const char *
value(const char *text, const char *key, char *v, size_t len)
{
	const char *p = text;
	size_t n = strlen(key), m;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == text || p[-1] == '\n') && strncmp(p + n, " = ", 3) == 0) {
			p += n + 3;
			m = strcspn(p, "\n");
			snprintf(v, len, "%.*s", (int)(m < len ? m : len - 1), p);
			return v;
		}
		p += n;
	}
	return NULL;
}

/* Each translator of the client's active graph: its type, and for the
 * servers' connections and the replicas their live settings. */
static void
read_graph(const char *meta, struct graph *g)
{
	char dir[PATH_MAX + 32], sub[NAME_MAX + 16], v[64], *t, *priv;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/graphs/active", meta);
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/type", e->d_name);
		if ((t = slurp(dir, sub)) == NULL)
			continue;
		t[strcspn(t, "\n")] = '\0';
		g->mdcache |= strcmp(t, "performance/md-cache") == 0;
		snprintf(sub, sizeof(sub), "%s/private", e->d_name);
		if ((strcmp(t, "protocol/client") == 0 ||
		    strcmp(t, "cluster/replicate") == 0) &&
		    (priv = slurp(dir, sub)) != NULL) {
			if (value(priv, "ping_timeout", v, sizeof(v)) != NULL &&
			    atol(v) > g->ping)
				g->ping = atol(v);
			if (strcmp(t, "cluster/replicate") == 0) {
				g->replicas++;
				g->quorum += value(priv, "quorum-type", v,
				    sizeof(v)) != NULL && strcmp(v, "none") != 0;
			}
			free(priv);
		}
		free(t);
	}
	closedir(d);
}

int
mq_setup_check(struct mq_spool *sp)
{
	static dev_t told;
	char mnt[PATH_MAX], vol[256], meta[PATH_MAX + 8];
	char *cmd;
	struct graph g = { 0, 0, 0, 0 };
	struct statfs fs;
	struct stat st;
	const char *what = sp->path;
	int warned = 0;

	if (fstatfs(sp->fd, &fs) == -1 || (unsigned long)fs.f_type !=
	    FUSE_MAGIC || fstat(sp->fd, &st) == -1 || st.st_dev == told ||
	    find_mount(st.st_dev, mnt, sizeof(mnt), vol, sizeof(vol)) == -1)
		return 0;
	told = st.st_dev;
	snprintf(meta, sizeof(meta), "%s/.meta", strcmp(mnt, "/") ? mnt : "");
	if ((cmd = slurp(meta, "cmdline")) != NULL) {
		if (!zero(cmd, "--attribute-timeout=") ||
		    !zero(cmd, "--entry-timeout=")) {
			mq_warnx(what, "GlusterFS mounted with the kernel's "
			    "metadata caches on (a client sees another's lease "
			    "late and a message goes out twice): mount with -o "
			    "attribute-timeout=0,entry-timeout=0; see mq(7)");
			warned++;
		}
		free(cmd);
	}
	read_graph(meta, &g);
	if (g.mdcache) {
		mq_warnx(what, "GlusterFS volume %s has performance.stat-prefetch"
		    " on (a client sees another's lease late and a message goes "
		    "out twice): gluster volume set %s performance.stat-prefetch"
		    " off; see mq(7)", vol, vol);
		warned++;
	}
	if (g.ping > PING_MOST) {
		mq_warnx(what, "GlusterFS volume %s has network.ping-timeout %ld "
		    "s (every client stalls that long when a server dies): "
		    "gluster volume set %s network.ping-timeout 5; see mq(7)",
		    vol, g.ping, vol);
		warned++;
	}
	if (g.replicas > g.quorum) {
		mq_warnx(what, "GlusterFS volume %s has no quorum (a lone "
		    "server takes writes the others never see): gluster volume "
		    "set %s cluster.quorum-type auto; see mq(7)", vol, vol);
		warned++;
	}
	return warned;
}
#else
int
mq_setup_check(struct mq_spool *sp)
{
	(void)sp;
	return 0;
}
#endif
