/* targets: the spools a put goes to: the one named, or each subscriber
 * of the topic it names (topic.c), each opened (made if need be) and its
 * tmp/ swept of old debris. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "route.h"
#include "sweep.h"
#include "targets.h"
#include "topic.h"
#include "writer.h"

int
mq_targets_open(const char *path, struct mq_spool ***out, size_t *n)
{
	struct mq_spool **sps;
	struct mq_names paths;
	size_t i;
	int status = MQ_EX_OK;

	*n = 0;
	if (mq_topic_spools(path, &paths) == -1)
		return mq_fail(MQ_EX_IOERR, path, errno);
	if ((*out = sps = calloc(paths.n, sizeof(*sps))) == NULL)
		status = mq_fail(MQ_EX_IOERR, "memory", errno);
	for (i = 0; i < paths.n && status == MQ_EX_OK; i++) {
		if ((sps[i] = malloc(sizeof(*sps[i]))) == NULL) {
			status = mq_fail(MQ_EX_IOERR, "memory", errno);
			break;
		}
		if ((status = mq_spool_open(sps[i], paths.v[i], MQ_CREATE)) !=
		    MQ_EX_OK) {
			free(sps[i]);
			break;
		}
		*n = i + 1;
		mq_tmp_sweep(sps[i]);
	}
	mq_names_free(&paths);
	return status;
}

void
mq_targets_close(struct mq_spool **sps, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		mq_spool_close(sps[i]);
		free(sps[i]);
	}
	free(sps);
}

int
mq_targets_route(const char *path, struct mq_spool **sps, size_t *n,
    const char *route)
{
	size_t i, kept = 0;

	for (i = 0; i < *n; i++) {
		/* (a spool named itself, not a topic's subscriber, has no
		 * binds to follow) */
		if (strcmp(sps[i]->path, path) == 0 ||
		    mq_route_to(&sps[i]->pol, route)) {
			sps[kept++] = sps[i];
			continue;
		}
		mq_spool_close(sps[i]);
		free(sps[i]);
	}
	*n = kept;
	if (kept > 0)
		return MQ_EX_OK;
	mq_warnx(path, "no subscriber binds %s%s%s: nothing put",
	    route[0] != '\0' ? "\"" : "", route[0] != '\0' ? route :
	    "the empty key", route[0] != '\0' ? "\"" : "");
	return MQ_EX_EMPTY;
}
