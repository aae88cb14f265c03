/* key: idempotency keys for mq-put -k, kept in SPOOL/key/. */
#ifndef MQ_KEY_H
#define MQ_KEY_H

#include "dir.h"
#include "name.h"
#include "spool.h"

struct mq_key {
	int fd;			/* the key file, locked; -1: none */
	int made;		/* we created it, empty */
	const char *name;	/* the key (valid: mq_key_valid) */
};

/* Locks key (waiting for a put of it under way elsewhere). When it was
 * put within dedup_window, its id is copied to dup and nothing is held;
 * else dup is "" and the caller puts, then records or releases. Returns
 * an exit status, the error already reported. */
int mq_key_claim(struct mq_spool *sp, const char *key, struct mq_key *k,
    char dup[MQ_ID_MAX + 1]);
/* Records id as the key's message, durably (sync=1), and unlocks. */
int mq_key_record(struct mq_spool *sp, struct mq_key *k, const char *id);
/* Unlocks without recording: the put failed. */
void mq_key_release(struct mq_spool *sp, struct mq_key *k);

/* Removes the keys naming any of the n ids (sorted): messages deleted
 * before they were done, so that the same put can be made again. Reads
 * key/ once; each key file is locked before it goes. An exit status. */
int mq_key_forget(struct mq_spool *sp, char **ids, size_t n);

/* The ids of messages deleted undone, their keys forgotten a batch at a
 * time (key/ read once for each MQ_KEY_BATCH): zeroed to begin. */
#define MQ_KEY_BATCH 32768
struct mq_key_batch {
	struct mq_names ids;
	int none;		/* the spool has no key/ */
};
int mq_key_batch_add(struct mq_spool *sp, struct mq_key_batch *b,
    const char *id);
/* The keys of the ids gathered so far go; the batch is empty again. */
int mq_key_batch_flush(struct mq_spool *sp, struct mq_key_batch *b);

#endif
