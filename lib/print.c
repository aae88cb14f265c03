/* print: names, reasons and payloads made safe for a terminal, JSON,
 * Prometheus and the shell.
 *
 * Whatever a user or a hostile producer can put in a reason, a key, a
 * group or a spool's path passes through here before it reaches a
 * terminal or a parser: nothing that moves the cursor, changes the
 * terminal's state, reorders the text (bidirectional controls) or breaks
 * a line (U+2028, U+2029) gets out as itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "name.h"
#include "print.h"

size_t
mq_utf8_len(const unsigned char *p, size_t left)
{
	unsigned long cp;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 ||
	    cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0xa0)
		return 0;		/* overlong, surrogate, C1 control */
	if ((cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 &&
	    cp <= 0x2069) || cp == 0x200e || cp == 0x200f)
		return 0;		/* line breaks, bidirectional controls */
	return n;
}

void
mq_print_escaped(FILE *f, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i, n;

	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '\\': fputs("\\\\", f); continue;
		case '\t': fputs("\\t", f); continue;
		case '\n': fputs("\\n", f); continue;
		case '\r': fputs("\\r", f); continue;
		default: break;
		}
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			putc(p[i], f);
		} else if ((n = mq_utf8_len(p + i, len - i)) > 0) {
			fwrite(p + i, 1, n, f);
			i += n - 1;
		} else {
			fprintf(f, "\\x%02x", p[i]);
		}
	}
}

size_t
mq_escape(char *out, size_t size, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i, n, o = 0;

	for (i = 0; i < len && o + 5 <= size; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f) {
			out[o++] = (char)p[i];
		} else if (p[i] >= 0x80 && (n = mq_utf8_len(p + i, len - i)) >
		    0 && o + n < size) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n - 1;
		} else {
			o += (size_t)snprintf(out + o, size - o, "\\x%02x",
			    p[i]);
		}
	}
	if (size > 0)
		out[o < size ? o : size - 1] = '\0';
	return o < size ? o : size - 1;
}

void
mq_print_json(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, len = strlen(s), i;

	putc('"', f);
	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] == 0x7f)
			fprintf(f, "\\u%04x", p[i]);
		else if (p[i] < 0x80)
			putc(p[i], f);
		else if ((n = mq_utf8_len(p + i, len - i)) > 0) {
			fwrite(p + i, 1, n, f);
			i += n - 1;
		} else
			fputs("\\ufffd", f);
	}
	putc('"', f);
}

void
mq_print_prom(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n, len = strlen(s), i;

	for (i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else if (p[i] == '\n')
			fputs("\\n", f);
		else if (p[i] < 0x80)
			putc(p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i], f);
		else if ((n = mq_utf8_len(p + i, len - i)) > 0) {
			fwrite(p + i, 1, n, f);
			i += n - 1;
		} else
			putc('?', f);
	}
}

void
mq_print_sh(FILE *f, const char *s)
{
	putc('\'', f);
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			putc(*s, f);
	}
	putc('\'', f);
}

size_t
mq_print_ids(FILE *out, char (*ids)[MQ_ID_MAX + 1], size_t n, int delim,
    int *err)
{
	char *buf;
	size_t i, len = 0, done = 0, *ends;
	ssize_t r;

	*err = 0;
	buf = malloc(n * (MQ_ID_MAX + 1) + 1);
	ends = malloc((n + 1) * sizeof(*ends));
	if (buf == NULL || ends == NULL || fflush(out) == EOF) {
		*err = errno;
		free(buf);
		free(ends);
		return 0;
	}
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(buf + len, MQ_ID_MAX + 2, "%s%c",
		    ids[i], delim);
		ends[i] = len;
	}
	while (done < len) {
		if ((r = write(fileno(out), buf + done, len - done)) == -1) {
			if (errno == EINTR)
				continue;
			*err = errno;
			break;
		}
		done += (size_t)r;
	}
	for (i = 0; i < n && ends[i] <= done; i++)
		;
	free(buf);
	free(ends);
	return i;
}
