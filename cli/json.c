/* SPDX-License-Identifier: MIT */
/* json.c - the few pieces of JSON the commands print: strings escaped as
 * RFC 8259 asks, so that a store path or a file name with a quote, a
 * backslash or a control character still gives valid JSON. */
#include "cli.h"

#include <inttypes.h>

void json_string(FILE *out, const char *s)
{
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				putc(*p, out);
		}
	}
	putc('"', out);
}

void json_key(FILE *out, bool *first, const char *key)
{
	if (!*first)
		putc(',', out);
	*first = false;
	json_string(out, key);
	putc(':', out);
}

void json_seconds(FILE *out, int64_t ns)
{
	int64_t whole = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) {
		whole--;
		frac += 1000000000;
	}
	if (frac == 0) {
		fprintf(out, "%lld", (long long)whole);
		return;
	}
	char digits[16];
	int len = snprintf(digits, sizeof(digits), "%09lld", (long long)frac);
	while (len > 1 && digits[len - 1] == '0')
		digits[--len] = '\0';
	fprintf(out, "%lld.%s", (long long)whole, digits);
}

void json_policy(FILE *out, bool *first, const struct statusdir_config *cfg)
{
	json_key(out, first, "keep");
	if (cfg->keep)
		fprintf(out, "%" PRIu64, cfg->keep);
	else
		fputs("null", out);
	json_key(out, first, "max_age_s");
	if (cfg->max_age_ns)
		json_seconds(out, cfg->max_age_ns);
	else
		fputs("null", out);
}
