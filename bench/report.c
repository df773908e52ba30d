/* SPDX-License-Identifier: MIT */
/* report.c - the results as tables on stdout, as CSV, and as plots. */
#include "config.h"

#include "bench.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct section_text {
	const char *name;
	const char *title;
};

static const struct section_text sections[] = {
	{ "put", "put, one writer, in-process: µs per put; x ref: to the raw floor "
	         "of the same payload (no-sync rows: to the floor without fsync)" },
	{ "put-process", "put as a whole process (spawn to exit): µs; x ref: to "
	                 "bench-floor put" },
	{ "get", "newest-get, in-process, store holding 1 version: µs; x ref: to a "
	         "plain open+read+close of the same payload" },
	{ "get-process", "get as a whole process, output to /dev/null: µs; x ref: "
	                 "to cat FILE" },
	{ "history-get", "newest-get against the number of versions in the store, "
	                 "100 B: µs; x ref: to a plain read" },
	{ "history-get-process", "get as a whole process against the number of "
	                         "versions, 100 B: µs; x ref: to cat FILE" },
	{ "history-put", "durable put, 100 B, against the number of versions: µs; "
	                 "x ref: to the raw floor into a new folder" },
	{ "retention", "durable put with keep = 100 (history: puts done before; "
	               "100 versions stay): µs; x ref: to the raw floor doing the "
	               "same work (create + unlink of the oldest)" },
	{ "retention-get", "newest-get, in-process, 4 KiB, from a store that "
	                   "records keep = 100 after the puts above: µs; x ref: "
	                   "to a get from a store of 1 version" },
	{ "writers", "concurrent writer processes, durable 4 KiB puts: puts/s of all "
	             "together, median and worst round; x ref: to the raw floor "
	             "with as many writers" },
	{ "update", "read-modify-write of one counter by concurrent processes, "
	            "durable: successes/s of all together, median and worst round; "
	            "tries: attempts per success, wasted: attempts that lost a "
	            "conflict per success (all rounds), gave up: updates that ran out "
	            "of retries (nothing committed); x ref: to the flock way of "
	            "the same kind (in-process or processes) with as many processes" },
	{ "update-latency", "the same runs: µs from the start of a success's "
	                    "first attempt to its commit, median and p99 of all "
	                    "rounds; x ref: as above" },
	{ "rss", "peak RSS of one run through the CLI: KiB; x ref: to cat" },
	{ "rss-time", "wall time of the same runs: ms; x ref: to cat" },
};

static const char *title_of(const char *section)
{
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(sections[i].name, section) == 0)
			return sections[i].title;
	return section;
}

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0;
}

/* How a section's table is laid out. */
struct layout {
	bool procs;  /* a column of process counts instead of history sizes */
	bool worst;  /* rates: the worst round instead of p99 */
	bool tries;  /* attempts and wasted attempts per success */
};

static struct layout layout_of(const char *section)
{
	bool writers = strcmp(section, "writers") == 0, update = strcmp(section, "update") == 0;
	return (struct layout){ writers || update || strcmp(section, "update-latency") == 0,
	                        writers || update, update };
}

static void print_row(const struct rows *r, const struct row *w, struct layout l)
{
	char size[32], hist[32];
	if (w->payload || !l.procs)
		size_text(w->payload, size, sizeof(size));
	else
		snprintf(size, sizeof(size), "-");
	if (l.procs)
		snprintf(hist, sizeof(hist), "%u", w->writers);
	else if (w->history)
		snprintf(hist, sizeof(hist), "%" PRIu64, w->history);
	else
		snprintf(hist, sizeof(hist), "new");
	printf("%-46.46s %8s %8s ", w->label, size, hist);
	if (w->skip || w->n == 0) {
		printf("  skipped: %s\n", w->skip ? w->skip : "no samples");
		return;
	}
	printf("%6zu %10.1f %10.1f", w->n, w->median, w->p99);
	if (l.tries && w->wasted >= 0)
		printf(" %6.2f %6.2f", w->attempts, w->wasted);
	else if (l.tries)
		printf(" %6.2f %6s", w->attempts, "-");
	if (w->ref >= 0) {
		const struct row *ref = &r->v[w->ref];
		printf(" %7.2f %7.2f  %s", ratio(w->median, ref->median),
		       ratio(w->p99, ref->p99), ref->key);
	}
	if (w->gave_up)
		printf("  (%" PRIu64 " gave up)", w->gave_up);
	putchar('\n');
}

static void print_section(const struct rows *r, const char *section)
{
	struct layout l = layout_of(section);
	printf("\n== %s: %s\n", section, title_of(section));
	printf("%-46s %8s %8s %6s %10s %10s", "case", "payload",
	       !l.procs ? "history" : strcmp(section, "writers") == 0 ? "writers" : "procs",
	       "n", "median", l.worst ? "worst" : "p99");
	if (l.tries)
		printf(" %6s %6s", "tries", "wasted");
	printf(" %7s %7s  %s\n", "x ref", l.worst ? "x worst" : "x p99", "ref");
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].section, section) == 0)
			print_row(r, &r->v[i], l);
}

void report_print(const struct rows *r)
{
	for (size_t i = 0; i < r->n; i++) {
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(r->v[j].section, r->v[i].section) == 0;
		if (!seen)
			print_section(r, r->v[i].section);
	}
	fflush(stdout);
}

/* One line per row; labels last and quoted, so the columns before them
 * split on commas alone (as gnuplot reads them). */
int report_csv(const struct rows *r, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("section,key,payload_bytes,history,writers,n,unit,median,p99,"
	      "ref_key,ratio_median,ratio_p99,attempts_per_success,"
	      "wasted_per_success,label\n", f);
	for (size_t i = 0; i < r->n; i++) {
		const struct row *w = &r->v[i];
		const struct row *ref = w->ref >= 0 ? &r->v[w->ref] : NULL;
		fprintf(f, "%s,%s,%" PRIu64 ",%" PRIu64 ",%u,%zu,%s,", w->section, w->key,
		        w->payload, w->history, w->writers, w->skip ? 0 : w->n, w->unit);
		if (w->skip || w->n == 0)
			fputs(",,,,", f);
		else if (!ref)
			fprintf(f, "%.3f,%.3f,,,", w->median, w->p99);
		else
			fprintf(f, "%.3f,%.3f,%s,%.4f,%.4f", w->median, w->p99, ref->key,
			        ratio(w->median, ref->median), ratio(w->p99, ref->p99));
		if (w->attempts > 0)
			fprintf(f, ",%.4f,", w->attempts);
		else
			fputs(",,", f);
		if (w->attempts > 0 && w->wasted >= 0)
			fprintf(f, "%.4f", w->wasted);
		fprintf(f, ",\"%s\"\n", w->label);
	}
	return fclose(f) == 0 ? 0 : -1;
}

static bool in_path(const char *name)
{
	const char *path = getenv("PATH");
	if (!path)
		return false;
	char *copy = xasprintf("%s", path), *save = NULL;
	bool found = false;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *full = xasprintf("%s/%s", d, name);
		found = access(full, X_OK) == 0;
		free(full);
	}
	free(copy);
	return found;
}

static bool has_section(const struct rows *r, const char *section)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].section, section) == 0 && r->v[i].n > 0)
			return true;
	return false;
}

void report_plots(const struct options *o, const struct rows *r)
{
	bool history = has_section(r, "history-get"), writers = has_section(r, "writers");
	if (!o->plot_dir || (!history && !writers))
		return;
	if (!in_path("gnuplot")) {
		note("gnuplot not found: no plots");
		return;
	}
	char *vars = xasprintf("csv='%s'; outdir='%s'; history=%d; writers=%d", o->csv,
	                       o->plot_dir, history, writers);
	char *argv[] = { "gnuplot", "-e", vars, (char *)o->plot_script, NULL };
	if (spawn_run(argv, false, NULL) == 0)
		note("plots in %s: %s%s", o->plot_dir, history ? "bench-get-history.png " : "",
		     writers ? "bench-writers.png" : "");
	free(vars);
}
