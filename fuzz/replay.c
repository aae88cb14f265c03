/* A main for the harnesses without libFuzzer: runs each file named on the
 * command line (the seeds and the regression inputs) through
 * LLVMFuzzerTestOneInput once. Any compiler builds it; `make check` runs
 * it, so an input that once crashed a parser stays a test. */
#include <errno.h>

#include "fuzz.h"

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		unsigned char *buf = NULL;
		size_t len = 0, cap = 0, n;

		if (f == NULL) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			return 1;
		}
		do {
			if (len == cap) {
				unsigned char *more;

				cap = cap ? cap * 2 : 4096;
				more = realloc(buf, cap);
				must(more != NULL);
				buf = more;
			}
			n = fread(buf + len, 1, cap - len, f);
			len += n;
		} while (n > 0);
		must(!ferror(f));
		fclose(f);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	printf("replay: %d inputs\n", argc - 1);
	return 0;
}
