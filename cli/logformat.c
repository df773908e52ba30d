/* SPDX-License-Identifier: MIT */
/* logformat.c - the templates of statusdir log --format: checked when
 * parsed, then expanded for each version.  Its own file so that the
 * fuzzer (tests/fuzz/fuzz_cli.c) reaches both halves. */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

/* The escapes --format knows; anything else after % or \ is refused. */
bool log_format_valid(const char *f)
{
	for (; *f; f++) {
		if (*f == '%' && (!f[1] || !strchr("itTsclSn%", f[1])))
			return false;
		if (*f == '\\' && (!f[1] || !strchr("tn\\", f[1])))
			return false;
		if (*f == '%' || *f == '\\')
			f++;
	}
	return true;
}

void log_format_print(FILE *out, const char *f, const struct statusdir_version *v,
                      const struct statusdir_version *same)
{
	char time[TIME_SIZE];
	bool ends_in_newline = false;
	for (; *f; f++) {
		ends_in_newline = false;
		if (*f == '\\') {
			f++;
			putc(*f == 't' ? '\t' : *f == 'n' ? '\n' : '\\', out);
			continue;
		}
		if (*f != '%') {
			putc(*f, out);
			continue;
		}
		switch (*++f) {
		case 'i': fputs(v->id, out); break;
		case 't': format_time(v->time_ns, time); fputs(time, out); break;
		case 'T': fprintf(out, "%" PRId64, v->time_ns); break;
		case 's': fprintf(out, "%" PRIu64, v->size); break;
		case 'c': fprintf(out, "%016" PRIx64, v->checksum); break;
		case 'l': fputs(v->in_head ? "cur" : "old", out); break;
		case 'S': fputs(same ? same->id : "-", out); break;
		case 'n': putc('\n', out); ends_in_newline = true; break;
		default: putc('%', out); break;
		}
	}
	if (!ends_in_newline)
		putc('\n', out);
}
