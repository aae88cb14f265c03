/* Fuzzes mq_print_escaped, which puts reasons (from users and from the
 * spool) on a terminal: the output is one line of printable ASCII and
 * printable UTF-8 (no C0 or C1 control, no bidirectional control, no line
 * separator), and undoing its escapes gives back the input exactly. */
#include "fuzz.h"

#include "print.h"

static int
hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	must(c >= 'a' && c <= 'f');
	return c - 'a' + 10;
}

/* The length of the printable UTF-8 sequence at p; aborts on anything
 * else. Written apart from mq_utf8_len so that each checks the other. */
static size_t
utf8(const unsigned char *p, size_t left)
{
	unsigned long cp;
	size_t n, i;

	n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	must(p[0] >= 0xc2 && p[0] <= 0xf4 && n <= left);
	cp = p[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		must((p[i] & 0xc0) == 0x80);
		cp = cp << 6 | (p[i] & 0x3f);
	}
	must(cp >= 0xa0 && cp <= 0x10ffff);
	must(n == (cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4));
	must(cp < 0xd800 || cp > 0xdfff);
	must(cp != 0x200e && cp != 0x200f && (cp < 0x2028 || cp > 0x202e));
	must(cp < 0x2066 || cp > 0x2069);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL;
	size_t outlen = 0, i, j = 0, n;
	unsigned char *back;
	const unsigned char *o;
	FILE *f;

	f = open_memstream(&out, &outlen);
	must(f != NULL);
	mq_print_escaped(f, (const char *)data, size);
	must(fclose(f) == 0);
	o = (const unsigned char *)out;
	back = malloc(outlen + 1);
	must(back != NULL);
	for (i = 0; i < outlen; i++) {
		must(o[i] >= 0x20 && o[i] != 0x7f);
		if (o[i] >= 0x80) {
			n = utf8(o + i, outlen - i);
			memcpy(back + j, o + i, n);
			j += n;
			i += n - 1;
		} else if (o[i] == '\\') {
			must(i + 1 < outlen);
			switch (o[++i]) {
			case '\\': back[j++] = '\\'; break;
			case 't': back[j++] = '\t'; break;
			case 'n': back[j++] = '\n'; break;
			case 'r': back[j++] = '\r'; break;
			case 'x':
				must(i + 2 < outlen);
				back[j++] = (unsigned char)(hex(o[i + 1]) << 4 |
				    hex(o[i + 2]));
				i += 2;
				break;
			default: must(0);
			}
		} else {
			back[j++] = o[i];
		}
	}
	must(j == size && memcmp(back, data, size) == 0);
	free(back);
	free(out);
	return 0;
}
