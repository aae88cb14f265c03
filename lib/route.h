/* route: routing keys (mq-put -s) and the bind patterns of a topic's
 * subscribers. */
#ifndef MQ_ROUTE_H
#define MQ_ROUTE_H

#include "policy.h"

/* Whether s is a bind pattern: "" or words joined by single dots, each
 * a word of a routing key, "*" or "#". */
int mq_bind_valid(const char *s);
/* Whether routing key key matches pattern: "*" stands for one word, "#"
 * for zero or more, any other word for itself. */
int mq_route_match(const char *pattern, const char *key);
/* Whether a message with key (NULL: put without one) goes to a
 * subscriber of policy p: without binds, all do; with binds, a key must
 * match one of them, and one without a key goes to all. */
int mq_route_to(const struct mq_policy *p, const char *key);

#endif
