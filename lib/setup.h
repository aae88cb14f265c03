/* setup: what can be told, from one client, of a shared file system set
 * up wrong for mq (mq(7): Sharing a spool between hosts). */
#ifndef MQ_SETUP_H
#define MQ_SETUP_H

#include "spool.h"

/* Warns (to standard error, naming the spool) about each setting of a
 * GlusterFS mount that mq(7) says is wrong, once per mount a process:
 * the kernel's metadata caches (attribute-timeout, entry-timeout), the
 * volume's stat-prefetch, ping-timeout and quorum. Read from the
 * client's own .meta directory; nothing on another file system, and
 * nothing when it cannot be read. Returns the warnings given. */
int mq_setup_check(struct mq_spool *sp);

#endif
