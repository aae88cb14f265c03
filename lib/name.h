/* name: message ids and the file-name grammar of the spool. */
#ifndef MQ_NAME_H
#define MQ_NAME_H

#include <stddef.h>
#include <stdint.h>

#define MQ_ID_MAX 64		/* longest id accepted */
#define MQ_NAME_MAX 250		/* longest file name produced or accepted */
#define MQ_ATTEMPTS_MAX 999999UL
#define MQ_KEY_MAX 128		/* longest -k key (and -g group) */
#define MQ_ROUTE_MAX 64		/* longest routing key (mq-put -s) */

struct mq_name {
	char id[MQ_ID_MAX + 1];
	unsigned long attempts;
	unsigned long gen;	/* redrives so far: the name's third field */
	char group[MQ_KEY_MAX + 1];	/* -g: the fourth field; "" for none */
	int routed;		/* put with a routing key (mq-put -s): */
	char route[MQ_ROUTE_MAX + 1];	/* the fifth field, maybe "" */
};

/* A new id, unique across hosts, greater than every id this process made
 * and than the floor. */
void mq_id_new(char id[MQ_ID_MAX + 1]);
/* Raises the floor: every later id is later than us (us since the epoch),
 * whatever the clock says. */
void mq_id_floor(int64_t us);
/* The time (us) of the last id made, or the floor. */
int64_t mq_id_last(void);
/* The clock (ms), but never before the floor. */
int64_t mq_id_clock_ms(void);
/* The millisecond of an id's time: where a member waits in its group. */
int64_t mq_id_ms(const char *id);
/* Whether s[0..len) is an id: [A-Za-z0-9._-], not starting with '.' or '-'. */
int mq_id_valid(const char *s, size_t len);
/* Whether s has the shape of an id mq-put makes: 16 digits, a dot, 12
 * hexadecimal digits (an operand that is not one is a usage slip). */
int mq_id_shaped(const char *s);
/* Parses "ID,ATTEMPTS", "ID,ATTEMPTS,GEN", "ID,ATTEMPTS,GEN,GROUP" or,
 * routed, "ID,ATTEMPTS,GEN,GROUP,ROUTE" (GROUP and ROUTE may be empty
 * there); 0, or -1 when the name is outside the grammar. */
int mq_name_parse(const char *s, struct mq_name *n);
/* Formats n into buf (MQ_NAME_MAX + 1 bytes): "ID,ATTEMPTS" while gen
 * is 0 and there is no group, "ID,ATTEMPTS,GEN" or "ID,ATTEMPTS,GEN,GROUP",
 * and with a routing key "ID,ATTEMPTS,GEN,GROUP,ROUTE". */
void mq_name_format(char *buf, const struct mq_name *n);
/* Whether s is a key (mq-put -k) or group: 1 to MQ_KEY_MAX bytes of
 * [A-Za-z0-9._:@+=-], not starting with '.' or '-'. */
int mq_key_valid(const char *s);
/* Whether s is a routing key: "" (no words), or words of [A-Za-z0-9_-]
 * joined by single dots, at most MQ_ROUTE_MAX bytes. */
int mq_route_valid(const char *s, size_t len);
/* 64 random bits, from a generator seeded once per process. */
unsigned long long mq_random(void);

#endif
