/* Fuzzes the spool's config file parser, mq_policy_parse. Whatever the
 * file holds, the parser answers 0 or 65 (never crashes, never reads past
 * a line), and a config accepted gives a policy within its limits. */
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"

#include "diag.h"
#include "duration.h"
#include "policy.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int null = -1, saved = -1;
	struct mq_policy p;
	FILE *f;
	int status;

	if (null == -1) {	/* the parser's messages: to /dev/null */
		null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		saved = dup(2);
		must(null != -1 && saved != -1);
	}
	if (size == 0)
		return 0;
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	must(f != NULL);
	mq_policy_defaults(&p);
	fflush(stderr);
	must(dup2(null, 2) == 2);
	status = mq_policy_parse(&p, f, "fuzz/config");
	fflush(stderr);
	must(dup2(saved, 2) == 2);
	fclose(f);
	must(status == MQ_EX_OK || status == MQ_EX_DATAERR);
	if (status == MQ_EX_OK) {
		must(p.timeout >= 0 && p.timeout <= MQ_DURATION_MAX);
		must(p.backoff >= 0 && p.backoff <= MQ_DURATION_MAX);
		must(p.backoff_max >= 0 && p.backoff_max <= MQ_DURATION_MAX);
		must(p.dedup_window >= 0 && p.keep >= 0);
		must(p.max_attempts >= 1 && p.max_attempts <= 1000000000L);
		must(p.max_depth >= 0 && (p.sync == 0 || p.sync == 1));
		must(mq_backoff(&p, 1) >= 0 && mq_backoff(&p, 999999) >= 0);
	}
	return 0;
}
