/* dlq: listing dead letters. */
#ifndef MQ_DLQ_H
#define MQ_DLQ_H

#include <stddef.h>
#include <stdint.h>

#include "name.h"
#include "spool.h"

struct mq_dead {
	struct mq_name n;
	int64_t died;		/* time of death (its mtime), ms */
};

struct mq_dlq {
	struct mq_dead *v;
	size_t n;
};

/* Lists dlq/ in id order; files outside the grammar, or not regular
 * files, are skipped with a warning. Returns an exit status. */
int mq_dlq_list(struct mq_spool *sp, struct mq_dlq *out);
void mq_dlq_free(struct mq_dlq *d);
/* The dead letter with this id, or NULL. */
struct mq_dead *mq_dlq_find(struct mq_dlq *d, const char *id);
#endif
