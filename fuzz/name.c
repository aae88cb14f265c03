/* Fuzzes the file-name grammar: mq_name_parse, mq_name_format, mq_id_valid
 * and mq_key_valid. A name accepted holds only safe bytes, and formatting
 * what was parsed gives a name that parses to the same message. */
#include "fuzz.h"

#include "name.h"

static const char safe[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789._-,:@+=%";	/* % : a key's escapes (opt.c) */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), buf[MQ_NAME_MAX + 1];
	struct mq_name n, again;
	size_t len = strlen(s);

	memset(&n, 0x5a, sizeof(n));
	if (mq_name_parse(s, &n) == 0) {
		must(strspn(s, safe) == len);
		must(s[0] != '.' && s[0] != '-');
		must(mq_id_valid(n.id, strlen(n.id)));
		must(n.attempts <= MQ_ATTEMPTS_MAX);
		must(n.group[0] == '\0' || mq_key_valid(n.group));
		must(!n.routed || mq_route_valid(n.route, strlen(n.route)));
		if (len <= MQ_NAME_MAX) {
			mq_name_format(buf, &n);
			must(strlen(buf) <= len);
			must(mq_name_parse(buf, &again) == 0);
			must(strcmp(n.id, again.id) == 0);
			must(n.attempts == again.attempts && n.gen == again.gen);
			must(strcmp(n.group, again.group) == 0);
			must(n.routed == again.routed);
			must(strcmp(n.route, again.route) == 0);
		}
	}
	if (mq_id_valid(s, len)) {
		must(len >= 1 && len <= MQ_ID_MAX);
		must(strspn(s, safe) == len && strchr(s, ',') == NULL);
		must(strchr(s, ':') == NULL && strchr(s, '@') == NULL);
	}
	if (mq_key_valid(s)) {
		must(len >= 1 && len <= MQ_KEY_MAX);
		must(strspn(s, safe) == len && strchr(s, ',') == NULL);
		must(s[0] != '.' && s[0] != '-');
	}
	free(s);
	return 0;
}
