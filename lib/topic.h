/* topic: a directory of spools, one per subscriber (fan-out). */
#ifndef MQ_TOPIC_H
#define MQ_TOPIC_H

#include "dir.h"

/* When path is a topic (a directory with at least one subdirectory and
 * none named like a spool's own: tmp, new, cur, ...), its subscribers'
 * names (not starting with '.'), in byte order, into subs, and 1; 0 when
 * it is not a topic (or does not exist); -1 with errno set. */
int mq_topic_list(const char *path, struct mq_names *subs);
/* The spools a message to path goes to, as paths, into out: path itself,
 * or "path/SUB" for each subscriber when path is a topic. 0, or -1 with
 * errno set. */
int mq_topic_spools(const char *path, struct mq_names *out);

#endif
