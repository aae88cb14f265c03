/* mq-stat: counts, lag and rates of spools, for people and monitoring. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "duration.h"
#include "opt.h"
#include "reason.h"
#include "spool.h"
#include "stat.h"
#include "topic.h"

enum { TABLE, JSON, PROM, SH };

struct row {
	struct mq_spool sp;
	int status;		/* the spool's own: 0, or it is not shown */
	struct mq_stats st, last;
	int64_t at, last_at;	/* when counted, ms */
};

static const char *const states[] = {
	"ready", "delayed", "held", "leased", "expired", "dead", "done"
};

#define NSTATES 7
enum { AGE = NSTATES, PUTS, ACKS };

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f, int status)
{
	fprintf(f, "usage: %s [-o table|json|prom|sh] [-i interval [-n count]] "
	    "spool...\n", mq_prog);
	exit(status);
}

static long
state(const struct mq_stats *st, int i)
{
	const long v[] = { st->ready, st->delayed, st->held, st->leased,
	    st->expired, st->dead, st->done };

	return v[i];
}

static double
age(const struct row *r)
{
	return r->st.oldest == -1 || r->st.oldest > r->at ? 0.0 :
	    (double)(r->at - r->st.oldest) / 1000.0;
}

/* Per second since the last count; a counter gone back (reset) is 0. */
static double
rate(int64_t now, int64_t then, int64_t dt)
{
	if (now < 0 || then < 0 || now < then || dt <= 0)
		return 0.0;
	return (double)(now - then) * 1000.0 / (double)dt;
}

/* s as the inside of a JSON string: valid UTF-8 kept, the rest escaped
 * or replaced by U+FFFD. */
static void
json_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, len = strlen(s), i;

	putchar('"');
	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			printf("\\u%04x", p[i]);
		else if (p[i] < 0x80)
			putchar(p[i]);
		else if ((n = mq_utf8_len(p + i, len - i)) > 0) {
			fwrite(p + i, 1, n, stdout);
			i += n - 1;
		} else
			fputs("\\ufffd", stdout);
	}
	putchar('"');
}

/* A Prometheus label value: backslash, quote and newline escaped, bytes
 * that are not UTF-8 replaced by '?'. */
static void
prom_str(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, len = strlen(s), i;

	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] == '\n')
			fputs("\\n", stdout);
		else if (p[i] < 0x80)
			putchar(p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i]);
		else if ((n = mq_utf8_len(p + i, len - i)) > 0) {
			fwrite(p + i, 1, n, stdout);
			i += n - 1;
		} else
			putchar('?');
	}
}

/* A single-quoted shell word. */
static void
sh_str(const char *s)
{
	putchar('\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	}
	putchar('\'');
}

static void
print_json(const struct row *r, int rates)
{
	int i;

	fputs("{\"spool\":", stdout);
	json_str(r->sp.path);
	for (i = 0; i < NSTATES; i++)
		printf(",\"%s\":%ld", states[i], state(&r->st, i));
	printf(",\"oldest_age\":%.3f", age(r));
	if (r->st.puts >= 0)
		printf(",\"put_total\":%lld,\"ack_total\":%lld",
		    (long long)r->st.puts, (long long)r->st.acks);
	else
		fputs(",\"put_total\":null,\"ack_total\":null", stdout);
	if (rates && r->last_at == 0)
		fputs(",\"put_rate\":null,\"ack_rate\":null", stdout);
	else if (rates)
		printf(",\"put_rate\":%.1f,\"ack_rate\":%.1f",
		    rate(r->st.puts, r->last.puts, r->at - r->last_at),
		    rate(r->st.acks, r->last.acks, r->at - r->last_at));
	fputs("}\n", stdout);
}

/* One metric family: HELP and TYPE once, then a sample per spool shown
 * (what: 0 the states of mq_messages, AGE, PUTS or ACKS). */
static void
prom_family(const struct row *rows, int n, const char *name,
    const char *type, const char *help, int what)
{
	int first = what < AGE ? 0 : what, i, j;
	int last = what < AGE ? NSTATES - 1 : what;

	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	for (i = 0; i < n; i++) {
		if (rows[i].status != MQ_EX_OK || (what >= PUTS &&
		    rows[i].st.puts < 0))
			continue;
		for (j = first; j <= last; j++) {
			printf("%s{spool=\"", name);
			prom_str(rows[i].sp.path);
			if (j < AGE)
				printf("\",state=\"%s\"} %ld\n", states[j],
				    state(&rows[i].st, j));
			else if (j == AGE)
				printf("\"} %.3f\n", age(&rows[i]));
			else
				printf("\"} %lld\n", (long long)(j == PUTS ?
				    rows[i].st.puts : rows[i].st.acks));
		}
	}
}

static void
print_prom(const struct row *rows, int n)
{
	prom_family(rows, n, "mq_messages", "gauge",
	    "Messages in the spool, by state.", 0);
	prom_family(rows, n, "mq_oldest_age_seconds", "gauge",
	    "How long the oldest ready message has waited.", AGE);
	prom_family(rows, n, "mq_put_total", "counter",
	    "Messages put into the spool.", PUTS);
	prom_family(rows, n, "mq_ack_total", "counter",
	    "Messages acknowledged.", ACKS);
}

static void
print_sh(const struct row *r, int index)
{
	char sfx[24] = "";
	int i;

	if (index > 0)
		snprintf(sfx, sizeof(sfx), "_%d", index);
	printf("spool%s=", sfx);
	sh_str(r->sp.path);
	putchar('\n');
	for (i = 0; i < NSTATES; i++)
		printf("%s%s=%ld\n", states[i], sfx, state(&r->st, i));
	printf("oldest_age%s=%.3f\n", sfx, age(r));
	if (r->st.puts >= 0)
		printf("put_total%s=%lld\nack_total%s=%lld\n", sfx,
		    (long long)r->st.puts, sfx, (long long)r->st.acks);
	else
		printf("put_total%s=\nack_total%s=\n", sfx, sfx);
}

/* The table: a header, then a row per spool, columns aligned. */
enum { C_AGE = NSTATES + 1, C_PUTS, C_PUTR, C_ACKR };

static void
print_table(const struct row *rows, int n, int rates, int header)
{
	static const char *const heads[] = { "SPOOL", "READY", "DELAYED",
	    "HELD", "LEASED", "EXPIRED", "DEAD", "DONE", "OLDEST_AGE",
	    "PUT_TOTAL", "PUT/S", "ACK/S" };
	char cell[12][64];
	int w[12], i, j, cols = rates ? 12 : 10;
	size_t len;

	for (j = 0; j < cols; j++)
		w[j] = (int)strlen(heads[j]);
	for (i = 0; i < n; i++)
		if (rows[i].status == MQ_EX_OK &&
		    (len = strlen(rows[i].sp.path)) > (size_t)w[0])
			w[0] = len > 48 ? 48 : (int)len;
	for (j = 1; j < cols; j++)
		if (w[j] < 10)
			w[j] = 10;
	if (header) {
		for (j = 0; j < cols; j++)
			printf(j == 0 ? "%-*s" : " %*s", w[j], heads[j]);
		putchar('\n');
	}
	for (i = 0; i < n; i++) {
		if (rows[i].status != MQ_EX_OK)
			continue;
		for (j = 0; j < NSTATES; j++)
			snprintf(cell[j + 1], sizeof(cell[0]), "%ld",
			    state(&rows[i].st, j));
		snprintf(cell[C_AGE], sizeof(cell[0]), "%.3f", age(&rows[i]));
		if (rows[i].st.puts >= 0)
			snprintf(cell[C_PUTS], sizeof(cell[0]), "%lld",
			    (long long)rows[i].st.puts);
		else
			strcpy(cell[C_PUTS], "-");
		snprintf(cell[C_PUTR], sizeof(cell[0]), "%.1f", rate(rows[i].st.puts,
		    rows[i].last.puts, rows[i].at - rows[i].last_at));
		snprintf(cell[C_ACKR], sizeof(cell[0]), "%.1f", rate(
		    rows[i].st.acks, rows[i].last.acks, rows[i].at -
		    rows[i].last_at));
		if (rows[i].last_at == 0) {	/* no earlier count */
			strcpy(cell[C_PUTR], "-");
			strcpy(cell[C_ACKR], "-");
		}
		printf("%-*s", w[0], rows[i].sp.path);
		for (j = 1; j < cols; j++)
			printf(" %*s", w[j], cell[j]);
		putchar('\n');
	}
}

static int
count(struct row *rows, int n)
{
	int i, status = MQ_EX_OK;

	for (i = 0; i < n; i++) {
		if (rows[i].status != MQ_EX_OK)
			continue;
		rows[i].last = rows[i].st;
		rows[i].last_at = rows[i].at;
		rows[i].at = mq_now_ms();
		rows[i].status = mq_stats_read(&rows[i].sp, rows[i].at,
		    &rows[i].st);
		status = mq_worst(status, rows[i].status);
	}
	return status;
}

static void
print(struct row *rows, int n, int fmt, int rates, int header)
{
	int i;

	if (fmt == TABLE)
		print_table(rows, n, rates, header);
	else if (fmt == PROM)
		print_prom(rows, n);
	for (i = 0; i < n && (fmt == JSON || fmt == SH); i++) {
		if (rows[i].status != MQ_EX_OK)
			continue;
		if (fmt == JSON)
			print_json(&rows[i], rates);
		else
			print_sh(&rows[i], n > 1 ? i + 1 : 0);
	}
}

/* The spools named, each topic replaced by its subscribers. */
static char **
spools(int argc, char *argv[], size_t *n)
{
	struct mq_names subs;
	char **v = NULL, **nv;
	size_t j, len;
	int i, r;

	*n = 0;
	for (i = 0; i < argc; i++) {
		if ((r = mq_topic_list(argv[i], &subs)) == -1) {
			mq_fail(MQ_EX_IOERR, argv[i], errno);
			r = 0;
		}
		nv = realloc(v, (*n + (r == 1 ? subs.n : 1)) * sizeof(*v));
		if (nv == NULL)
			goto fail;
		v = nv;
		for (j = 0; j < (r == 1 ? subs.n : 1); j++) {
			len = strlen(argv[i]) + (r == 1 ?
			    strlen(subs.v[j]) + 1 : 0) + 1;
			if ((v[*n] = malloc(len)) == NULL)
				goto fail;
			if (r == 1)
				snprintf(v[(*n)++], len, "%s/%s", argv[i],
				    subs.v[j]);
			else
				snprintf(v[(*n)++], len, "%s", argv[i]);
		}
		if (r == 1)
			mq_names_free(&subs);
	}
	return v;
fail:
	mq_fail(MQ_EX_IOERR, "memory", errno);
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct row *rows;
	struct timespec ts;
	struct sigaction sa;
	char **paths;
	size_t nrows;
	int64_t every = 0, next;
	long times = 0, k;
	int c, i, fmt = TABLE, status = MQ_EX_OK, opened = 0;

	mq_setprog(argv[0]);
	while ((c = getopt(argc, argv, "hi:n:o:V")) != -1) {
		switch (c) {
		case 'i': every = mq_duration_opt('i', optarg); break;
		case 'n': times = mq_count_opt('n', optarg, 1); break;
		case 'o':
			if (strcmp(optarg, "table") == 0)
				fmt = TABLE;
			else if (strcmp(optarg, "json") == 0)
				fmt = JSON;
			else if (strcmp(optarg, "prom") == 0)
				fmt = PROM;
			else if (strcmp(optarg, "sh") == 0)
				fmt = SH;
			else
				usage(stderr, MQ_EX_USAGE);
			break;
		case 'h': usage(stdout, MQ_EX_OK); break;
		case 'V': mq_version(); return MQ_EX_OK;
		default: usage(stderr, MQ_EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || (every > 0 && (fmt == PROM || fmt == SH)) ||
	    (times > 0 && every == 0))
		usage(stderr, MQ_EX_USAGE);
	signal(SIGPIPE, SIG_IGN);
	if ((paths = spools(argc, argv, &nrows)) == NULL)
		return MQ_EX_IOERR;
	if ((rows = calloc(nrows, sizeof(*rows))) == NULL)
		return mq_fail(MQ_EX_IOERR, "memory", errno);
	for (i = 0; i < (int)nrows; i++) {
		rows[i].status = mq_spool_open(&rows[i].sp, paths[i], MQ_OPEN);
		status = mq_worst(status, rows[i].status);
		opened += rows[i].status == MQ_EX_OK;
		free(paths[i]);
	}
	free(paths);
	argc = (int)nrows;
	status = mq_worst(status, count(rows, argc));
	print(rows, argc, fmt, every > 0, 1);
	if (every > 0 && opened > 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		(void)sigaction(SIGINT, &sa, NULL);
		(void)sigaction(SIGTERM, &sa, NULL);
		next = mq_now_ms();
		for (k = 1; !stop && (times == 0 || k < times); k++) {
			if (fflush(stdout) == EOF)
				break;
			next += every;
			while (!stop && mq_now_ms() < next) {
				ts = mq_ms_ts(next - mq_now_ms());
				(void)nanosleep(&ts, NULL);
			}
			if (stop)
				break;
			status = mq_worst(status, count(rows, argc));
			print(rows, argc, fmt, 1, 0);
		}
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		status = mq_worst(status, mq_fail(MQ_EX_IOERR,
		    "standard output", errno));
	for (i = 0; i < argc; i++)
		if (rows[i].sp.path != NULL)
			mq_spool_close(&rows[i].sp);
	free(rows);
	return status;
}
