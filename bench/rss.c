/* SPDX-License-Identifier: MIT */
/* rss.c - peak memory of one put and one get of a big payload through the
 * CLI, beside cat and the floor program.  The input is a sparse file (the
 * stores get real blocks); get's output goes into a pipe read here, as
 * `statusdir get S | consumer` would.
 *
 * Each program runs under `bench-floor rusage`, which reports its peak RSS:
 * a child of this process would start from this process's peak (Linux
 * counts the memory a child had before exec into its ru_maxrss). */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <statusdir.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rss_case {
	const char *key;
	const char *label;
	char *argv[8];
	bool drain;
};

static void make_input(const char *path, uint64_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0 || close(fd) != 0)
		die("%s: %s", path, strerror(errno));
}

static void make_store(const char *path)
{
	statusdir *sd;
	int r = statusdir_open(path, STATUSDIR_CREATE, NULL, &sd);
	if (r < 0)
		die("%s: %s", path, statusdir_strerror(r));
	statusdir_close(sd);
}

static long read_rss(const char *path)
{
	long kib = -1;
	FILE *f = fopen(path, "re");
	if (!f || fscanf(f, "%ld", &kib) != 1)
		die("%s: no peak RSS", path);
	fclose(f);
	return kib;
}

static void add_rows(struct rows *r, const struct rss_case *c, uint64_t size,
                     const struct spawn_result *res, const int ref[2], int out[2])
{
	struct row rss = {
		.section = "rss", .key = c->key, .label = c->label, .payload = size,
		.n = 1, .unit = "KiB", .median = (double)res->maxrss_kib,
		.p99 = (double)res->maxrss_kib, .ref = ref[0],
	};
	struct row time = rss;
	time.section = "rss-time";
	time.unit = "ms";
	time.median = time.p99 = (double)res->elapsed_ns / 1e6;
	time.ref = ref[1];
	out[0] = rows_add(r, &rss);
	out[1] = rows_add(r, &time);
}

static void run_case(const struct rss_case *c, const char *out, uint64_t size,
                     struct spawn_result *res)
{
	if (spawn_run(c->argv, c->drain, res) < 0)
		die("peak RSS: %s failed", c->label);
	if (c->drain && res->out_bytes != size)
		die("peak RSS: %s wrote %" PRIu64 " bytes", c->label, res->out_bytes);
	res->maxrss_kib = read_rss(out);
}

/* The file holding the newest version, for cat to read the same bytes. */
static char *newest_file(const char *store)
{
	statusdir *sd = NULL;
	char *path = NULL;
	int r = statusdir_open(store, STATUSDIR_READONLY, NULL, &sd);
	if (r == 0)
		r = statusdir_path(sd, NULL, &path);
	statusdir_close(sd);
	if (r < 0)
		die("%s: %s", store, statusdir_strerror(r));
	return path;
}

void rss_run(const struct options *o, const char *root, struct rows *r)
{
	char *dir = xasprintf("%s/rss", root), *in = xasprintf("%s/big.in", dir);
	char *store = xasprintf("%s/store", dir), *fl = xasprintf("%s/floor", dir);
	char *out = xasprintf("%s/rss.out", dir);
	char *cli = (char *)o->tools.cli, *fc = (char *)o->tools.floor_cmd;
	int e = make_dir(dir);
	if (e < 0)
		die("%s: %s", dir, strerror(-e));
	make_input(in, o->rss_size);
	make_store(store);
	struct rss_case cases[] = {
		{ "floor-cmd-put", "bench-floor put DIR FILE", { fc, "rusage", out, fc, "put", fl, in, NULL }, false },
		{ "cli-put", "statusdir put STORE FILE", { fc, "rusage", out, cli, "put", store, in, NULL }, false },
		{ "cat", "cat FILE | reader", { fc, "rusage", out, "cat", NULL, NULL }, true },
		{ "floor-cmd-get", "bench-floor get DIR | reader", { fc, "rusage", out, fc, "get", fl, NULL }, true },
		{ "cli-get", "statusdir get STORE | reader", { fc, "rusage", out, cli, "get", store, NULL }, true },
	};
	enum { N = sizeof(cases) / sizeof(cases[0]), CAT = 2 };
	struct spawn_result res[N];
	note("peak RSS: %d runs with %" PRIu64 " bytes", N, o->rss_size);
	for (size_t i = 0; i < N; i++) {
		if (i == CAT)
			cases[i].argv[4] = newest_file(store);
		run_case(&cases[i], out, o->rss_size, &res[i]);
	}
	int ref[2] = { -1, -1 }, idx[2];
	add_rows(r, &cases[CAT], o->rss_size, &res[CAT], ref, ref);
	for (size_t i = 0; i < N; i++)
		if (i != CAT)
			add_rows(r, &cases[i], o->rss_size, &res[i], ref, idx);
	free(cases[CAT].argv[4]);
	remove_tree(dir);
	free(dir);
	free(in);
	free(store);
	free(fl);
	free(out);
}
