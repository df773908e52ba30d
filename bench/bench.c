/* SPDX-License-Identifier: MIT */
/* bench.c - statusdir against the raw protocol floor, GLib, SQLite and
 * LMDB, in one run with interleaved rounds (issue 6).
 *
 *   bench/bench [--dir DIR] [--rounds N] [--iters N] [--long] ...
 *
 * Everything is written into a new folder under DIR (default: the current
 * directory), removed at the end.  The tables go to stdout, progress to
 * stderr, the figures to bench-results.csv and, with gnuplot, to PNGs. */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef BENCH_CLI
#define BENCH_CLI "statusdir"
#endif
#ifndef BENCH_FLOOR_CMD
#define BENCH_FLOOR_CMD "bench-floor"
#endif
#ifndef BENCH_PLOT_SCRIPT
#define BENCH_PLOT_SCRIPT "plot.gp"
#endif

static const char usage[] =
	"usage: bench [OPTION...]\n"
	"  -d, --dir DIR         put the data in a new folder under DIR (default .)\n"
	"  -r, --rounds N        rounds over all cases (5)\n"
	"  -i, --iters N         puts per case and round; gets do 5x, processes 1/4,\n"
	"                        1 MiB payloads in-process 1/10 (200)\n"
	"  -b, --budget SEC      at most SEC per case and round (2)\n"
	"  -w, --writers-time SEC  length of each concurrent-writers run (1)\n"
	"  -u, --update-time SEC   length of each read-modify-write run (1)\n"
	"  -p, --payloads LIST   payload sizes (100,4K,1M); K, M, G are binary\n"
	"  -H, --history LIST    versions in the store for newest-get\n"
	"                        (1,100,10000,100000)\n"
	"      --long            add 1000000 to the history sizes and measure\n"
	"                        retention after 1000000 puts (make bench-long)\n"
	"      --aged N          measure retention after N puts as well\n"
	"      --rss-size SIZE   payload of the peak-RSS runs (1G; 0 skips them)\n"
	"  -o, --only LIST       sections: put,get,history,retention,writers,rss,\n"
	"                        update; update (read-modify-write of one counter)\n"
	"                        is not in the default run: it takes 20 runs of\n"
	"                        --update-time per round (about 2 minutes)\n"
	"      --csv FILE        (bench-results.csv)\n"
	"      --plots DIR       where to draw the PNGs (.)\n"
	"      --no-plots\n"
	"      --keep            keep the data folder\n"
	"      --cli PATH        the statusdir program (" BENCH_CLI ")\n"
	"      --floor-cmd PATH  the bench-floor program (" BENCH_FLOOR_CMD ")\n"
	"      --plot-script F   (" BENCH_PLOT_SCRIPT ")\n";

enum { OPT_LONG = 256, OPT_AGED, OPT_RSS, OPT_CSV, OPT_PLOTS, OPT_NO_PLOTS,
       OPT_KEEP, OPT_CLI, OPT_FLOOR, OPT_SCRIPT };

static const struct option long_opts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "rounds", required_argument, NULL, 'r' },
	{ "iters", required_argument, NULL, 'i' },
	{ "budget", required_argument, NULL, 'b' },
	{ "writers-time", required_argument, NULL, 'w' },
	{ "update-time", required_argument, NULL, 'u' },
	{ "payloads", required_argument, NULL, 'p' },
	{ "history", required_argument, NULL, 'H' },
	{ "only", required_argument, NULL, 'o' },
	{ "long", no_argument, NULL, OPT_LONG },
	{ "aged", required_argument, NULL, OPT_AGED },
	{ "rss-size", required_argument, NULL, OPT_RSS },
	{ "csv", required_argument, NULL, OPT_CSV },
	{ "plots", required_argument, NULL, OPT_PLOTS },
	{ "no-plots", no_argument, NULL, OPT_NO_PLOTS },
	{ "keep", no_argument, NULL, OPT_KEEP },
	{ "cli", required_argument, NULL, OPT_CLI },
	{ "floor-cmd", required_argument, NULL, OPT_FLOOR },
	{ "plot-script", required_argument, NULL, OPT_SCRIPT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void defaults(struct options *o)
{
	static const size_t payloads[] = { 100, 4 * KIB, MIB };
	static const uint64_t histories[] = { 1, 100, 10000, 100000 };
	*o = (struct options){
		.dir = ".", .rounds = 5, .iters = 200, .turns = 20, .budget_s = 2,
		.writers_s = 1, .update_s = 1,
		.n_payloads = 3, .n_histories = 4, .rss_size = (uint64_t)1 << 30,
		.sections = ~(unsigned)SEC_UPDATE, .csv = "bench-results.csv", .plot_dir = ".",
		.plot_script = BENCH_PLOT_SCRIPT,
		.tools = { .cli = BENCH_CLI, .floor_cmd = BENCH_FLOOR_CMD },
	};
	memcpy(o->payloads, payloads, sizeof(payloads));
	memcpy(o->histories, histories, sizeof(histories));
}

/* A count with an optional binary suffix: 100, 4K, 1M, 1G, 1e6. */
static uint64_t parse_count(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	const char *suffixes = "KMG";
	const char *u = *end ? strchr(suffixes, *end) : NULL;
	if (u && end[1] == '\0')
		v *= (double)((uint64_t)1 << (10 * (u - suffixes + 1)));
	else if (*end != '\0')
		die("not a count: %s", s);
	if (errno || v < 0 || v > 1e15)
		die("not a count: %s", s);
	return (uint64_t)v;
}

static size_t parse_list(const char *s, uint64_t *out, size_t cap)
{
	char *copy = xasprintf("%s", s), *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == cap)
			die("at most %zu values in %s", cap, s);
		out[n++] = parse_count(t);
	}
	free(copy);
	return n;
}

static unsigned parse_sections(const char *s)
{
	static const char *const names[] = { "put", "get", "history", "retention",
	                                     "writers", "rss", "update" };
	char *copy = xasprintf("%s", s), *save = NULL;
	unsigned bits = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (i < 7 && strcmp(t, names[i]) != 0)
			i++;
		if (i == 7)
			die("no section %s (put, get, history, retention, writers, rss, update)", t);
		bits |= 1u << i;
	}
	free(copy);
	return bits;
}

static void parse_args(struct options *o, int argc, char **argv)
{
	uint64_t list[8];
	int c;
	while ((c = getopt_long(argc, argv, "d:r:i:b:w:u:p:H:o:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dir = optarg; break;
		case 'r': o->rounds = (unsigned)parse_count(optarg); break;
		case 'i': o->iters = (unsigned)parse_count(optarg); break;
		case 'b': o->budget_s = strtod(optarg, NULL); break;
		case 'w': o->writers_s = strtod(optarg, NULL); break;
		case 'u': o->update_s = strtod(optarg, NULL); break;
		case 'p':
			o->n_payloads = parse_list(optarg, list, 8);
			for (size_t i = 0; i < o->n_payloads; i++)
				o->payloads[i] = list[i] ? (size_t)list[i] : 1;
			break;
		case 'H': o->n_histories = parse_list(optarg, o->histories, 8); break;
		case 'o': o->sections = parse_sections(optarg); break;
		case OPT_LONG:
			if (o->n_histories < 8)
				o->histories[o->n_histories++] = 1000000;
			o->aged = 1000000;
			break;
		case OPT_AGED: o->aged = parse_count(optarg); break;
		case OPT_RSS: o->rss_size = parse_count(optarg); break;
		case OPT_CSV: o->csv = optarg; break;
		case OPT_PLOTS: o->plot_dir = optarg; break;
		case OPT_NO_PLOTS: o->plot_dir = NULL; break;
		case OPT_KEEP: o->keep = true; break;
		case OPT_CLI: o->tools.cli = optarg; break;
		case OPT_FLOOR: o->tools.floor_cmd = optarg; break;
		case OPT_SCRIPT: o->plot_script = optarg; break;
		case 'h': fputs(usage, stdout); exit(0);
		default: fputs(usage, stderr); exit(2);
		}
	}
	if (optind < argc || o->rounds == 0 || o->iters == 0)
		die("bad arguments (see --help)");
}

/* A new folder under dir, as an absolute path. */
static char *make_root(const char *dir)
{
	char *tmpl = xasprintf("%s/statusdir-bench.XXXXXX", dir);
	char real[PATH_MAX];
	if (!mkdtemp(tmpl))
		die("cannot make a folder in %s: %s", dir, strerror(errno));
	if (!realpath(tmpl, real))
		die("%s: %s", tmpl, strerror(errno));
	free(tmpl);
	return xasprintf("%s", real);
}

static void print_setup(const struct options *o)
{
	const struct backend *alts[] = { &be_glib, &be_sqlite_full, &be_lmdb };
	const char *names[] = { "GLib", "SQLite", "LMDB" };
	printf("against:");
	for (size_t i = 0; i < 3; i++)
		printf("%s %s %s", i ? "," : "", names[i],
		       alts[i]->version ? alts[i]->version() : "(not built: skipped)");
	printf("\nrun:     %u rounds, %u puts per case and round, budget %.1f s, "
	       "writers %.1f s per run", o->rounds, o->iters, o->budget_s, o->writers_s);
	if (o->sections & SEC_UPDATE)
		printf(", update %.1f s per run", o->update_s);
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct options o;
	struct machine m;
	struct plan p;
	struct rows rows = { 0 };
	defaults(&o);
	parse_args(&o, argc, argv);
	int64_t start = now_ns();
	char *root = make_root(o.dir);
	machine_print(root, &m);
	print_setup(&o);

	plan_build(&p, &o);
	plan_prepare(&p, &o, root);
	struct writers *w = o.sections & SEC_WRITERS ? writers_new(&m) : NULL;
	struct updates *u = o.sections & SEC_UPDATE ? updates_new(&m) : NULL;
	for (unsigned i = 0; i < o.rounds; i++) {
		note("round %u of %u", i + 1, o.rounds);
		plan_round(&p, &o);
		if (w)
			writers_round(w, &o, root, i);
		if (u)
			updates_round(u, &o, root, i);
	}
	rows_from_plan(&rows, &p);
	plan_close(&p);
	if (w) {
		writers_rows(w, &rows);
		writers_free(w);
	}
	if (u) {
		updates_rows(u, &rows);
		updates_free(u);
	}
	if (o.rss_size && (o.sections & SEC_RSS))
		rss_run(&o, root, &rows);

	report_print(&rows);
	targets_print(&rows, &m);
	printf("\nthe run took %.0f s; ", (double)(now_ns() - start) / 1e9);
	machine_load("load at end");
	if (report_csv(&rows, o.csv) < 0)
		note("cannot write %s: %s", o.csv, strerror(errno));
	else
		note("wrote %s", o.csv);
	report_plots(&o, &rows);
	if (o.keep)
		note("data kept in %s", root);
	else
		remove_tree(root);
	free(rows.v);
	free(root);
	return 0;
}
