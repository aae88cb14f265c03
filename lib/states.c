/* states: the names of the states mq-ls, mq-stat and the operators'
 * commands show, and -s's list of them. */
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "ls.h"

static const char *const names[] = { "expired", "leased", "ready", "held",
    "delayed", "parked", "dead", "done" };

const char *
mq_ls_state_name(int state)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (state == 1 << i)
			return names[i];
	return "?";
}

int
mq_ls_state_bit(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1 << i;
	return 0;
}

int
mq_ls_states(const char *s)
{
	char buf[256], *p, *save = NULL;
	int bits = 0, b;

	if (strcmp(s, "all") == 0)
		return MQ_LS_ALL;
	if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf))
		buf[0] = '\0';
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if ((b = mq_ls_state_bit(p)) == 0) {
			mq_warnx("-s", "%s: not a state (ready delayed held "
			    "leased expired parked dead done, or all)", p);
			return 0;
		}
		bits |= b;
	}
	if (bits == 0)
		mq_warnx("-s", "no state named");
	return bits;
}
