/* Fuzzes the check of a lease path given to mq-ack, mq-retry, mq-dlq -a:
 * mq_lease_path. A path accepted is SPOOL/cur/NAME with no '..'
 * component, NAME a lease name of the grammar, and SPOOL a prefix of the
 * path. */
#include "fuzz.h"

#include "lease.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), spool[64], *c;
	const char *name = NULL;
	struct mq_name n;
	size_t len = strlen(s), sl;

	if (mq_lease_path(s, spool, sizeof(spool), &name, &n) == NULL) {
		must(name != NULL && name > s && name <= s + len);
		must(name[-1] == '/' && strchr(name, '/') == NULL);
		must(strlen(name) <= MQ_NAME_MAX && n.attempts >= 1);
		for (c = s; (c = strstr(c, "..")) != NULL; c++)
			must(!((c == s || c[-1] == '/') &&
			    (c[2] == '/' || c[2] == '\0')));
		sl = strlen(spool);
		must(sl < sizeof(spool));
		must(strcmp(spool, ".") == 0 || strncmp(s, spool, sl) == 0);
		c = (char *)name - 1;
		while (c > s && c[-1] == '/')
			c--;
		must(c - s >= 3 && strncmp(c - 3, "cur", 3) == 0);
		must(c - 3 == s || c[-4] == '/');
	}
	free(s);
	return 0;
}
