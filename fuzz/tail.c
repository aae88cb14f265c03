/* Fuzzes tail.c, what mq-run does with a command's stderr. The input's
 * first byte picks the mode (odd: each line after a prefix) and the
 * size of the pieces the rest is written to the pipe in. Whatever the
 * bytes: passed on as they came (raw), or as lines each after the prefix
 * whose text, prefixes and added newlines taken out, is what came; the
 * bytes kept are the last 4096 that came; the last line has no control
 * characters and fits. */
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"

#include "tail.h"

#define PREFIX "ID: "

static size_t
slurp(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n < len && (r = read(fd, buf + n, len - n)) > 0)
		n += (size_t)r;
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mq_tail t;
	static char out[1 << 17], kept[MQ_TAIL], line[64];
	const char *pf;
	size_t piece, at, n, i, j, len;
	int in[2], o;
	FILE *f;

	if (size < 1 || size > 16384)
		return 0;
	pf = data[0] & 1 ? PREFIX : NULL;
	piece = (size_t)(data[0] >> 1) + 1;
	data++;
	size--;
	must(pipe(in) == 0);
	must((f = tmpfile()) != NULL);
	o = fileno(f);
	mq_tail_start(&t, in[0]);
	for (at = 0; at < size; at += n) {
		n = size - at < piece ? size - at : piece;
		must(write(in[1], data + at, n) == (ssize_t)n);
		must(mq_tail_read(&t, o, pf) == 0);
	}
	close(in[1]);
	mq_tail_end(&t, o, pf);
	must(t.fd == -1 && t.total == size);
	n = mq_tail_bytes(&t, kept);
	must(n == (size < MQ_TAIL ? size : MQ_TAIL));
	must(memcmp(kept, data + size - n, n) == 0);
	must(lseek(o, 0, SEEK_SET) == 0);
	len = slurp(o, out, sizeof(out));
	fclose(f);
	if (pf == NULL) {
		must(len == size && memcmp(out, data, size) == 0);
	} else {
		/* Each line: the prefix, then up to MQ_TAIL bytes of what
		 * came (a newline of its own, or one added). */
		for (i = 0, j = 0; i < len;) {
			must(len - i >= strlen(PREFIX) &&
			    memcmp(out + i, PREFIX, strlen(PREFIX)) == 0);
			i += strlen(PREFIX);
			while (i < len && out[i] != '\n') {
				must(j < size && out[i] == (char)data[j]);
				i++;
				j++;
			}
			must(i < len);	/* every line ended */
			if (j < size && data[j] == '\n')
				j++;
			i++;
		}
		must(j == size);
	}
	n = mq_tail_last_line(&t, line, sizeof(line));
	must(n < sizeof(line) && strlen(line) == n);
	for (i = 0; i < n; i++)
		must((unsigned char)line[i] >= 0x20 && line[i] != 0x7f);
	return 0;
}
