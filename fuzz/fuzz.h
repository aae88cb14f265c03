/* fuzz: what every harness shares. Each harness defines
 * LLVMFuzzerTestOneInput and checks properties with must(), which aborts
 * (a crash for libFuzzer, a failure for the replay driver). */
#ifndef MQ_FUZZ_H
#define MQ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define must(cond) do { if (!(cond)) { \
	fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, \
	    #cond); abort(); } } while (0)

/* data as a NUL-terminated string (NUL bytes in data end it early, as
 * they would in argv or a file name); free() it. */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	must(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
