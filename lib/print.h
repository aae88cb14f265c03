/* print: names, reasons and payloads made safe for a terminal, JSON,
 * Prometheus and the shell. */
#ifndef MQ_PRINT_H
#define MQ_PRINT_H

#include <stddef.h>
#include <stdio.h>

#include "name.h"

/* The length of the well-formed UTF-8 sequence at p (a printable code
 * point of two to four bytes: not a C1 control, line or paragraph
 * separator, or bidirectional control), or 0. */
size_t mq_utf8_len(const unsigned char *p, size_t left);
/* Prints text on one line: backslash, tab, newline and bytes that are not
 * printable UTF-8 are written as \\ \t \n \r or \xHH. */
void mq_print_escaped(FILE *f, const char *text, size_t len);
/* text (len bytes) into out (size bytes, terminated), as on a terminal
 * line: bytes that are not printable ASCII or UTF-8 as \xHH (an escape
 * sequence in a file name cannot reach the terminal). Its length. */
size_t mq_escape(char *out, size_t size, const char *text, size_t len);
/* s as a JSON string, quotes included: valid UTF-8 kept, control
 * characters escaped, other bytes replaced by U+FFFD. */
void mq_print_json(FILE *f, const char *s);
/* s as the inside of a Prometheus label value: backslash, quote and
 * newline escaped, other control characters and bytes that are not
 * UTF-8 replaced by '?'. */
void mq_print_prom(FILE *f, const char *s);
/* s as one single-quoted shell word. */
void mq_print_sh(FILE *f, const char *s);

/* The n ids written to out in one write if it can,
 * each followed by delim: how many were written whole, as far as we can
 * tell; *err why the others were not. */
size_t mq_print_ids(FILE *out, char (*ids)[MQ_ID_MAX + 1], size_t n,
    int delim, int *err);

#endif
