/* opt: option arguments shared by the programs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "name.h"
#include "opt.h"
#include "reason.h"

long
mq_count_opt(char opt, const char *s, long min)
{
	char what[3] = { '-', opt, '\0' }, *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || errno != 0 || *end != '\0' ||
	    n < min) {
		mq_warnx(what, "bad count '%s'", s);
		exit(MQ_EX_USAGE);
	}
	return n;
}

const char *
mq_reason_opt(const char *s)
{
	size_t len = strlen(s);

	if (len == 0) {
		mq_warnx("-r", "empty reason");
		exit(MQ_EX_USAGE);
	}
	if (len > MQ_REASON_MAX) {
		mq_warnx("-r", "reason too long (%zu bytes, at most %d)", len,
		    MQ_REASON_MAX);
		exit(MQ_EX_USAGE);
	}
	return s;
}

const char *
mq_key_opt(char opt, const char *s)
{
	char what[3] = { '-', opt, '\0' };

	if (!mq_key_valid(s)) {
		mq_warnx(what, "bad %s (1 to %d of A-Z a-z 0-9 . _ - : @ + =, "
		    "not starting with . or -)", opt == 'g' ? "group" : "key",
		    MQ_KEY_MAX);
		exit(MQ_EX_USAGE);
	}
	return s;
}
