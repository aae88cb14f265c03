/* ids: a set of message ids named on a command line (or its stdin). */
#ifndef MQ_IDS_H
#define MQ_IDS_H

#include <stddef.h>

struct mq_ids {
	char **v;		/* sorted once mq_ids_sort is called */
	int *found;		/* by mq_ids_find */
	size_t n, cap;
};

/* An operand function (operands.h): adds id to the set (a struct
 * mq_ids); one not shaped like an id is said, 65. */
int mq_ids_add(const char *id, void *set);
/* Sorts the set, ready for finding: an exit status (memory). */
int mq_ids_sort(struct mq_ids *s);
/* The index of id in the set, marked found; or -1. */
long mq_ids_find(struct mq_ids *s, const char *id);
void mq_ids_free(struct mq_ids *s);

#endif
