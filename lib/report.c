/* report: mq-stat's four formats: a table for people, JSON lines,
 * Prometheus text exposition, and key=value lines for the shell.
 *
 * Every path printed passes through print.c first: a spool's name is
 * the user's, and may hold anything a file name can.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "print.h"
#include "report.h"

static const char *const states[] = {
	"ready", "delayed", "held", "parked", "leased", "expired", "dead",
	"done"
};

#define NSTATES 8
enum { AGE = NSTATES, PUTS, ACKS, LAG, LAG_AGE };

static long
state(const struct mq_stats *st, int i)
{
	const long v[] = { st->ready, st->delayed, st->held, st->parked,
	    st->leased, st->expired, st->dead, st->done };

	return v[i];
}

static double
age(const struct mq_report_row *r)
{
	return r->st.oldest == -1 || r->st.oldest > r->at ? 0.0 :
	    (double)(r->at - r->st.oldest) / 1000.0;
}

/* A subscriber's lag, as Kafka's exporters have a consumer group's: the
 * messages not yet consumed, and how long ago the oldest was put. */
static long
lag(const struct mq_stats *st)
{
	return st->ready + st->delayed + st->held + st->parked + st->leased +
	    st->expired;
}

static double
lag_age(const struct mq_report_row *r)
{
	return r->st.oldest_put == -1 || r->st.oldest_put > r->at ? 0.0 :
	    (double)(r->at - r->st.oldest_put) / 1000.0;
}

/* Per second since the last count; a counter gone back (reset) is 0. */
static double
rate(int64_t now, int64_t then, int64_t dt)
{
	if (now < 0 || then < 0 || now < then || dt <= 0)
		return 0.0;
	return (double)(now - then) * 1000.0 / (double)dt;
}

static void
print_json(const struct mq_report_row *r, int rates)
{
	int i;

	fputs("{\"spool\":", stdout);
	mq_print_json(stdout, r->spool);
	for (i = 0; i < NSTATES; i++)
		printf(",\"%s\":%ld", states[i], state(&r->st, i));
	printf(",\"oldest_age\":%.3f,\"lag\":%ld,\"lag_age\":%.3f", age(r),
	    lag(&r->st), lag_age(r));
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
prom_family(const struct mq_report_row *rows, int n, const char *name,
    const char *type, const char *help, int what)
{
	int first = what < AGE ? 0 : what, i, j;
	int last = what < AGE ? NSTATES - 1 : what;
	double v;

	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	for (i = 0; i < n; i++) {
		if (rows[i].status != MQ_EX_OK || ((what == PUTS ||
		    what == ACKS) && rows[i].st.puts < 0))
			continue;
		for (j = first; j <= last; j++) {
			printf("%s{spool=\"", name);
			mq_print_prom(stdout, rows[i].spool);
			if (j < AGE)
				printf("\",state=\"%s\"} %ld\n", states[j],
				    state(&rows[i].st, j));
			else if (j == AGE || j == LAG_AGE)
				printf("\"} %.3f\n", j == AGE ? age(&rows[i]) :
				    lag_age(&rows[i]));
			else {
				v = j == LAG ? (double)lag(&rows[i].st) :
				    (double)(j == PUTS ? rows[i].st.puts :
				    rows[i].st.acks);
				printf("\"} %.0f\n", v);
			}
		}
	}
}

static void
print_prom(const struct mq_report_row *rows, int n)
{
	int i;

	/* Every spool named once, 1 when it was counted: a spool gone is
	 * seen by Prometheus too, not only in the exit status. */
	fputs("# HELP mq_up Whether the spool could be read.\n"
	    "# TYPE mq_up gauge\n", stdout);
	for (i = 0; i < n; i++) {
		if (rows[i].status == MQ_REPORT_SAME)
			continue;
		fputs("mq_up{spool=\"", stdout);
		mq_print_prom(stdout, rows[i].spool);
		printf("\"} %d\n", rows[i].status == MQ_EX_OK);
	}
	prom_family(rows, n, "mq_messages", "gauge",
	    "Messages in the spool, by state.", 0);
	prom_family(rows, n, "mq_oldest_age_seconds", "gauge",
	    "How long the oldest ready message has waited.", AGE);
	prom_family(rows, n, "mq_consumergroup_lag", "gauge",
	    "Messages not yet consumed (a topic's subscriber: its lag).", LAG);
	prom_family(rows, n, "mq_consumergroup_lag_seconds", "gauge",
	    "How long ago the oldest message not yet consumed was put.",
	    LAG_AGE);
	prom_family(rows, n, "mq_put_total", "counter",
	    "Messages put into the spool.", PUTS);
	prom_family(rows, n, "mq_ack_total", "counter",
	    "Messages acknowledged.", ACKS);
}

/* -o sh: "mq_" names (a script's own variables are safe); for several
 * spools each one's numbered (mq_1_ready), and the unnumbered ones the
 * sums over them all (the oldest age the greatest), so "$mq_dead" means
 * the same for one spool, several, or a topic's subscribers. */
static void
print_sh(const struct mq_report_row *rows, int n)
{
	long tot[NSTATES] = { 0 };
	long long puts = 0, acks = 0;
	long lags = 0;
	double oldest = 0.0, behind = 0.0;
	char pfx[32];
	int i, j, shown = 0, totals = 1;

	for (i = 0; i < n; i++) {
		if (rows[i].status != MQ_EX_OK)
			continue;
		shown++;
		if (n > 1) {
			snprintf(pfx, sizeof(pfx), "mq_%d_", shown);
			printf("%sspool=", pfx);
			mq_print_sh(stdout, rows[i].spool);
			putchar('\n');
			for (j = 0; j < NSTATES; j++)
				printf("%s%s=%ld\n", pfx, states[j],
				    state(&rows[i].st, j));
			printf("%soldest_age=%.3f\n%slag=%ld\n%slag_age=%.3f\n",
			    pfx, age(&rows[i]), pfx, lag(&rows[i].st), pfx,
			    lag_age(&rows[i]));
			if (rows[i].st.puts >= 0)
				printf("%sput_total=%lld\n%sack_total=%lld\n",
				    pfx, (long long)rows[i].st.puts, pfx,
				    (long long)rows[i].st.acks);
		}
		for (j = 0; j < NSTATES; j++)
			tot[j] += state(&rows[i].st, j);
		if (age(&rows[i]) > oldest)
			oldest = age(&rows[i]);
		if (lag_age(&rows[i]) > behind)
			behind = lag_age(&rows[i]);
		lags += lag(&rows[i].st);
		if (rows[i].st.puts < 0)
			totals = 0;
		puts += (long long)rows[i].st.puts;
		acks += (long long)rows[i].st.acks;
	}
	printf("mq_spools=%d\n", shown);
	if (n == 1 && shown == 1) {
		fputs("mq_spool=", stdout);
		mq_print_sh(stdout, rows[0].spool);
		putchar('\n');
	}
	for (j = 0; j < NSTATES; j++)
		printf("mq_%s=%ld\n", states[j], tot[j]);
	printf("mq_oldest_age=%.3f\nmq_lag=%ld\nmq_lag_age=%.3f\n", oldest,
	    lags, behind);
	if (totals)
		printf("mq_put_total=%lld\nmq_ack_total=%lld\n", puts, acks);
	else
		fputs("mq_put_total=\nmq_ack_total=\n", stdout);
}

/* The table: a header, then a row per spool, each column as wide as its
 * widest cell (80 columns hold it for names up to about 12 bytes; the
 * lag's age is in the other formats). */
enum { C_AGE = NSTATES + 1, C_LAG, C_PUTS, C_ACKS, C_PUTR, C_ACKR, C_N };

static void
table_row(const struct mq_report_row *r, char cell[C_N][64])
{
	int j;

	(void)mq_escape(cell[0], sizeof(cell[0]), r->spool, strlen(r->spool));
	for (j = 0; j < NSTATES; j++)
		snprintf(cell[j + 1], sizeof(cell[0]), "%ld", state(&r->st, j));
	snprintf(cell[C_AGE], sizeof(cell[0]), "%.1f", age(r));
	snprintf(cell[C_LAG], sizeof(cell[0]), "%ld", lag(&r->st));
	strcpy(cell[C_PUTS], "-");
	strcpy(cell[C_ACKS], "-");
	if (r->st.puts >= 0) {
		snprintf(cell[C_PUTS], sizeof(cell[0]), "%lld",
		    (long long)r->st.puts);
		snprintf(cell[C_ACKS], sizeof(cell[0]), "%lld",
		    (long long)r->st.acks);
	}
	strcpy(cell[C_PUTR], "-");
	strcpy(cell[C_ACKR], "-");
	if (r->last_at != 0) {		/* an earlier count */
		snprintf(cell[C_PUTR], sizeof(cell[0]), "%.1f", rate(
		    r->st.puts, r->last.puts, r->at - r->last_at));
		snprintf(cell[C_ACKR], sizeof(cell[0]), "%.1f", rate(
		    r->st.acks, r->last.acks, r->at - r->last_at));
	}
}

static void
print_table(const struct mq_report_row *rows, int n, int rates, int header)
{
	static const char *const heads[C_N] = { "SPOOL", "READY", "DELAYED",
	    "HELD", "PARKED", "LEASED", "EXPIRED", "DEAD", "DONE", "AGE",
	    "LAG", "PUTS", "ACKS", "PUT/S", "ACK/S" };
	char (*cells)[C_N][64];
	int w[C_N], i, j, cols = rates ? C_N : C_PUTR;

	if ((cells = calloc((size_t)n + 1, sizeof(*cells))) == NULL)
		return;
	for (j = 0; j < cols; j++)
		w[j] = (int)strlen(heads[j]);
	for (i = 0; i < n; i++) {
		if (rows[i].status != MQ_EX_OK)
			continue;
		table_row(&rows[i], cells[i]);
		for (j = 0; j < cols; j++)
			if ((int)strlen(cells[i][j]) > w[j])
				w[j] = (int)strlen(cells[i][j]);
	}
	/* Under -i the rows come again and again: room to grow. */
	for (j = 1; rates && j < cols; j++)
		if (w[j] < 7)
			w[j] = 7;
	if (header) {
		for (j = 0; j < cols; j++)
			printf(j == 0 ? "%-*s" : " %*s", w[j], heads[j]);
		putchar('\n');
	}
	for (i = 0; i < n; i++) {
		if (rows[i].status != MQ_EX_OK)
			continue;
		for (j = 0; j < cols; j++)
			printf(j == 0 ? "%-*s" : " %*s", w[j], cells[i][j]);
		putchar('\n');
	}
	free(cells);
}

void
mq_report(const struct mq_report_row *rows, int n, int fmt, int rates,
    int header)
{
	int i;

	if (fmt == MQ_REPORT_TABLE)
		print_table(rows, n, rates, header);
	else if (fmt == MQ_REPORT_PROM)
		print_prom(rows, n);
	if (fmt != MQ_REPORT_JSON && fmt != MQ_REPORT_SH)
		return;
	if (fmt == MQ_REPORT_SH) {
		print_sh(rows, n);
		return;
	}
	for (i = 0; i < n; i++)
		if (rows[i].status == MQ_EX_OK)
			print_json(&rows[i], rates);
}

