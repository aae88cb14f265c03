/* mq-ls: list a spool's messages in any state, changing nothing. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "ids.h"
#include "ls.h"
#include "opt.h"
#include "print.h"
#include "reason.h"
#include "topic.h"

enum { TABLE, JSON, PATHS };

struct ls {
	int format, payloads, delim, several;
	const char *group;	/* -g, encoded as in names; or NULL */
	const char *spool;	/* the spool being listed, as named */
	struct mq_ids ids;	/* after --; none: every message */
	int64_t now;
	int failed;		/* stdout could not be written */
};

static void
usage(FILE *f, int status)
{
	mq_usage(f, status,
	    "usage: mq-ls [-0p] [-g group] [-o table|json|paths] [-s state[,state...]]\n"
	    "             spool... [-- id...]\n",
	    "Lists messages in delivery order, changing nothing.\n"
	    "  -s states  of these states (comma-separated): ready delayed held\n"
	    "             leased expired parked dead done, or all (default: all\n"
	    "             but done)\n"
	    "  -g group   of this ordering group only\n"
	    "  -o format  table (the default), json (a JSON object a line), or\n"
	    "             paths (each message's file: -o paths | xargs cat)\n"
	    "  -p         each payload after its line, escaped (the table only)\n"
	    "  -0         with -o paths, NUL after each path\n"
	    "  -- id...   these messages only (exit 1 if one is not found)\n"
	    "  -h         this help;  -V  the version\n");
}

/* How long ago it was put: 59s, 12m, 3h, 2d. */
static void
age(int64_t ms, char *buf, size_t len)
{
	int64_t s = ms < 0 ? 0 : ms / 1000;

	if (s < 120)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 7200)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 172800)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
}

/* The payload, escaped, on a line of its own after the message's. */
static void
payload(const struct mq_ls_msg *m)
{
	char buf[4096];
	ssize_t n;
	int fd;

	fd = openat(m->dirfd, m->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	fputs("    ", stdout);
	if (fd == -1) {
		printf("(%s)\n", strerror(errno));
		return;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		mq_print_escaped(stdout, buf, (size_t)n);
	close(fd);
	putchar('\n');
}

static int
show(struct mq_spool *sp, const struct mq_ls_msg *m, void *arg)
{
	struct ls *o = arg;
	char when[32], ago[16], why[MQ_REASON_MAX + 1];
	long r;

	if (o->group != NULL && strcmp(m->n.group, o->group) != 0)
		return 0;
	if (o->ids.n > 0 && mq_ids_find(&o->ids, m->n.id) == -1)
		return 0;
	if (o->format == PATHS) {
		printf("%s/%s/%s%c", o->spool, m->dir, m->name, o->delim);
		return ferror(stdout) != 0;
	}
	mq_iso_utc(m->when, when, sizeof(when));
	age(o->now - mq_id_ms(m->n.id), ago, sizeof(ago));
	r = mq_reason_get(sp, m->n.id, why);
	if (o->format == JSON) {
		printf("{\"spool\":");
		mq_print_json(stdout, o->spool);
		printf(",\"id\":\"%s\",\"state\":\"%s\",\"attempts\":%lu,"
		    "\"redrives\":%lu,\"group\":", m->n.id,
		    mq_ls_state_name(m->state), m->n.attempts, m->n.gen);
		if (m->n.group[0] != '\0')
			mq_print_json(stdout, m->n.group);
		else
			fputs("null", stdout);
		if (m->n.routed) {
			printf(",\"route\":");
			mq_print_json(stdout, m->n.route);
		}
		printf(",\"time\":\"%s\",\"age_ms\":%lld,\"size\":%lld,"
		    "\"reason\":", when, (long long)(o->now -
		    mq_id_ms(m->n.id)), (long long)m->size);
		if (r >= 0)
			mq_print_json(stdout, why);	/* its first NUL ends it */
		else
			fputs("null", stdout);
		printf(",\"path\":");
		printf("\"%s/%s\"}\n", m->dir, m->name);
		return ferror(stdout) != 0;
	}
	if (o->several) {
		mq_print_escaped(stdout, o->spool, strlen(o->spool));
		putchar(' ');
	}
	printf("%-29s %-7s %5lu %2lu %-20s %5s %9lld %s ", m->n.id,
	    mq_ls_state_name(m->state), m->n.attempts, m->n.gen, when, ago,
	    (long long)m->size, m->n.group[0] != '\0' ? m->n.group : "-");
	if (r > 0 && memchr(why, '\n', (size_t)r) != NULL)
		r = (char *)memchr(why, '\n', (size_t)r) - why;
	if (r >= 0)
		mq_print_escaped(stdout, why, (size_t)r);
	else
		putchar('-');
	putchar('\n');
	if (o->payloads)
		payload(m);
	return ferror(stdout) != 0;
}

static int
list(struct ls *o, const char *path, int states)
{
	struct mq_spool sp;
	int status;

	if ((status = mq_spool_open(&sp, path, MQ_OPEN)) != MQ_EX_OK)
		return status;
	o->spool = path;
	status = o->ids.n > 0 ? mq_ls_ids(&sp, o->ids.v, o->ids.n, states,
	    o->now, show, o) : mq_ls(&sp, states, o->now, show, o);
	mq_spool_close(&sp);
	return status;
}

/* The spools named: each, or each subscriber of a topic. */
static int
spools_of(char **v, int n, struct mq_names *spools)
{
	struct mq_names one;
	size_t j;
	int i;

	memset(spools, 0, sizeof(*spools));
	for (i = 0; i < n; i++) {
		if (mq_topic_spools(v[i], &one) == -1)
			return mq_fail(MQ_EX_IOERR, v[i], errno);
		for (j = 0; j < one.n; j++)
			if (mq_names_push(spools, one.v[j]) == -1)
				return mq_fail(MQ_EX_IOERR, "memory", errno);
		mq_names_free(&one);
	}
	return MQ_EX_OK;
}

int
main(int argc, char *argv[])
{
	struct ls o;
	struct mq_names spools;
	int c, i, nsp, states = 0, status = MQ_EX_OK;
	size_t j;

	mq_setprog(argv[0]);
	memset(&o, 0, sizeof(o));
	o.delim = '\n';
	while ((c = mq_getopt(argc, argv, "+0g:ho:ps:V")) != -1) {
		switch (c) {
		case '0': o.delim = '\0'; break;
		case 'g': o.group = mq_key_opt('g', optarg); break;
		case 'o':
			if (strcmp(optarg, "table") == 0)
				o.format = TABLE;
			else if (strcmp(optarg, "json") == 0)
				o.format = JSON;
			else if (strcmp(optarg, "paths") == 0)
				o.format = PATHS;
			else {
				mq_warnx("-o", "%s: not a format (table, json, "
				    "paths)", optarg);
				usage(stderr, MQ_EX_USAGE);
			}
			break;
		case 'p': o.payloads = 1; break;
		case 's':
			if ((states = mq_ls_states(optarg)) == 0)
				usage(stderr, MQ_EX_USAGE);
			break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	for (nsp = 0; optind + nsp < argc && strcmp(argv[optind + nsp], "--");
	    nsp++)
		;
	mq_no_late_options(argc, argv, nsp, usage);
	if (nsp == 0) {
		mq_warnx(NULL, "no spool");
		usage(stderr, MQ_EX_USAGE);
	}
	if (o.payloads && o.format != TABLE) {
		mq_warnx("-p", "with the table only (the bytes: -o paths | "
		    "xargs cat)");
		usage(stderr, MQ_EX_USAGE);
	}
	for (i = optind + nsp + 1; i < argc; i++)
		if ((status = mq_ids_add(argv[i], &o.ids)) != MQ_EX_OK)
			return status;
	if ((status = mq_ids_sort(&o.ids)) != MQ_EX_OK)
		return status;
	if (states == 0)	/* by id, in any state; else all but done */
		states = o.ids.n > 0 ? MQ_LS_ALL : MQ_LS_ALL & ~MQ_LS_DONE;
	if ((status = spools_of(argv + optind, nsp, &spools)) != MQ_EX_OK)
		return status;
	o.several = spools.n > 1;
	o.now = mq_now_ms();
	if (o.format == TABLE)
		printf("%sID                            STATE   TRIES RD "
		    "WHEN                   AGE      SIZE GROUP REASON\n",
		    o.several ? "SPOOL " : "");
	for (j = 0; j < spools.n; j++)
		status = mq_worst(status, list(&o, spools.v[j], states));
	mq_names_free(&spools);
	for (j = 0; j < o.ids.n; j++)
		if (!o.ids.found[j]) {
			mq_warnx(o.ids.v[j], "no such message in %s",
			    nsp > 1 ? "these spools" : argv[optind]);
			status = mq_worst(status, MQ_EX_EMPTY);
		}
	if (fflush(stdout) == EOF || ferror(stdout))
		status = mq_worst(status, mq_fail(MQ_EX_IOERR,
		    "standard output", errno));
	mq_ids_free(&o.ids);
	return status;
}
