/* report: mq-stat's four formats: a table for people, JSON lines,
 * Prometheus text exposition, and key=value lines for the shell.
 *
 * Every path printed passes through print.c first: a spool's name is
 * the user's, and may hold anything a file name can.
 */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "print.h"
#include "report.h"

static const char *const states[] = {
	"ready", "delayed", "held", "leased", "expired", "dead", "done"
};

#define NSTATES 7
enum { AGE = NSTATES, PUTS, ACKS };

static long
state(const struct mq_stats *st, int i)
{
	const long v[] = { st->ready, st->delayed, st->held, st->leased,
	    st->expired, st->dead, st->done };

	return v[i];
}

static double
age(const struct mq_report_row *r)
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

static void
print_json(const struct mq_report_row *r, int rates)
{
	int i;

	fputs("{\"spool\":", stdout);
	mq_print_json(stdout, r->spool);
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
prom_family(const struct mq_report_row *rows, int n, const char *name,
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
			mq_print_prom(stdout, rows[i].spool);
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
print_prom(const struct mq_report_row *rows, int n)
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
print_sh(const struct mq_report_row *r, int index)
{
	char sfx[24] = "";
	int i;

	if (index > 0)
		snprintf(sfx, sizeof(sfx), "_%d", index);
	printf("spool%s=", sfx);
	mq_print_sh(stdout, r->spool);
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
print_table(const struct mq_report_row *rows, int n, int rates, int header)
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
		    (len = strlen(rows[i].spool)) > (size_t)w[0])
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
		snprintf(cell[C_PUTR], sizeof(cell[0]), "%.1f", rate(
		    rows[i].st.puts, rows[i].last.puts, rows[i].at -
		    rows[i].last_at));
		snprintf(cell[C_ACKR], sizeof(cell[0]), "%.1f", rate(
		    rows[i].st.acks, rows[i].last.acks, rows[i].at -
		    rows[i].last_at));
		if (rows[i].last_at == 0) {	/* no earlier count */
			strcpy(cell[C_PUTR], "-");
			strcpy(cell[C_ACKR], "-");
		}
		printf("%-*s", w[0], rows[i].spool);
		for (j = 1; j < cols; j++)
			printf(" %*s", w[j], cell[j]);
		putchar('\n');
	}
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
	for (i = 0; i < n; i++) {
		if (rows[i].status != MQ_EX_OK)
			continue;
		if (fmt == MQ_REPORT_JSON)
			print_json(&rows[i], rates);
		else
			print_sh(&rows[i], n > 1 ? i + 1 : 0);
	}
}

