/* SPDX-License-Identifier: MIT */
/* writers.c - 1, 2, 4 and 8 writer processes putting 4 KiB durably into
 * one store (one folder, one database) at once, for a fixed time: puts per
 * second, all writers together.  Each run starts from an empty store of its
 * own; its files are removed (see writers_new) and the filesystem synced
 * afterwards (not timed). */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAYLOAD (4 * KIB)
#define N_COUNTS 4
#define N_BACKENDS 4

static const unsigned counts[N_COUNTS] = { 1, 2, 4, 8 };
static const struct backend *const backends[N_BACKENDS] = {
	&be_floor, &be_statusdir, &be_statusdir_one_flush, &be_sqlite_full,
};

struct writers {
	struct samples rate[N_BACKENDS][N_COUNTS]; /* milli-puts per second */
	const char *skip[N_BACKENDS];
	bool keep_files; /* until the end of the run, not removed after each */
};

struct tally {
	int64_t puts;       /* -1: a put failed */
	int64_t elapsed_ns; /* from the start signal to the last put's end */
};

/* On ext4 without a journal, removing a run's files would slow every create
 * for the next minute or more (the inode allocator skips recently freed
 * inodes, on the CPU: 69 s of system time in an 85 s writers section), and
 * that, not the writers, would set the pace of the runs after it: there the
 * files stay until the end.  Elsewhere they go after each run (on tmpfs,
 * where puts are fast, they would fill memory).  The keep = 100 cases of
 * the same round still unlink a few hundred versions before the writers
 * run, in their own folders; the raw floor's writers see the same. */
struct writers *writers_new(const struct machine *m)
{
	struct writers *w = xcalloc(1, sizeof(struct writers));
	w->keep_files = m->ext4_no_journal;
	return w;
}

static void writer(const struct backend *be, const struct bench_ctx *ctx,
                   double seconds, int ready, int go, int out)
{
	void *st;
	struct tally t = { 0, 0 };
	char c = 0;
	if (be->open(&st, ctx, be->variant) < 0)
		_exit(1);
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 0) /* EOF: go */
		_exit(1);
	int64_t start = now_ns(), end = start + (int64_t)(seconds * 1e9), now = start;
	while (now < end) {
		if (be->put(st) < 0) {
			t.puts = -1;
			break;
		}
		t.puts++;
		now = now_ns();
	}
	t.elapsed_ns = now - start;
	_exit(write(out, &t, sizeof(t)) == sizeof(t) ? 0 : 1);
}

/* Forks n writers, lets them go at once: total puts per second * 1000. */
static int64_t run(const struct backend *be, const struct bench_ctx *ctx,
                   unsigned n, double seconds)
{
	int ready[2], go[2], out[2];
	pid_t pids[8];
	if (pipe(ready) || pipe(go) || pipe(out))
		die("pipe: %s", strerror(errno));
	for (unsigned i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			close(go[1]);
			writer(be, ctx, seconds, ready[1], go[0], out[1]);
		}
	}
	close(ready[1]);
	close(go[0]);
	close(out[1]);
	for (unsigned i = 0; i < n; i++) {
		char c;
		read_exactly(ready[0], &c, 1, "a writer process");
	}
	close(go[1]);
	int64_t total = 0, longest = 1;
	for (unsigned i = 0; i < n; i++) {
		struct tally t;
		read_exactly(out[0], &t, sizeof(t), "a writer process");
		if (t.puts < 0)
			die("%s: a writer's put failed", be->key);
		total += t.puts;
		longest = t.elapsed_ns > longest ? t.elapsed_ns : longest;
	}
	for (unsigned i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	close(ready[0]);
	close(out[0]);
	return (int64_t)((double)total * 1e12 / (double)longest);
}

static void measure(struct writers *w, size_t b, size_t k, const struct options *o,
                    const char *root, unsigned round)
{
	const struct backend *be = backends[b];
	char *dir = xasprintf("%s/writers-%s-%u-%u", root, be->key, counts[k], round);
	struct bench_ctx ctx = {
		.op = OP_PUT, .dir = dir, .data_dir = dir,
		.payload = payload_bytes(PAYLOAD), .len = PAYLOAD, .tools = &o->tools,
	};
	void *st;
	int r = be->open(&st, &ctx, be->variant); /* the store, made once */
	if (r == -ENOTSUP)
		w->skip[b] = "its library was not found by configure";
	else if (r < 0)
		die("%s: %s", dir, strerror(-r));
	else {
		be->close(st);
		samples_add(&w->rate[b][k], run(be, &ctx, counts[k], o->writers_s));
	}
	if (!w->keep_files)
		remove_tree(dir);
	settle(root);
	free(dir);
}

void writers_round(struct writers *w, const struct options *o, const char *root,
                   unsigned round)
{
	for (size_t k = 0; k < N_COUNTS; k++)
		for (size_t i = 0; i < N_BACKENDS; i++) {
			size_t b = (round + i) % N_BACKENDS; /* none always first */
			if (!w->skip[b])
				measure(w, b, k, o, root, round);
		}
}

void writers_rows(struct writers *w, struct rows *r)
{
	int floor_row[N_COUNTS];
	for (size_t b = 0; b < N_BACKENDS; b++) {
		for (size_t k = 0; k < N_COUNTS; k++) {
			struct samples *s = &w->rate[b][k];
			struct row row = {
				.section = "writers", .key = backends[b]->key,
				.label = backends[b]->put_label, .payload = PAYLOAD,
				.writers = counts[k], .n = s->n, .unit = "puts/s",
				.median = (double)samples_quantile(s, 0.5) / 1e3,
				.p99 = (double)samples_quantile(s, 0.0) / 1e3,
				.ref = b == 0 ? -1 : floor_row[k], .skip = w->skip[b],
			};
			int i = rows_add(r, &row);
			if (b == 0)
				floor_row[k] = i;
		}
	}
}

void writers_free(struct writers *w)
{
	for (size_t b = 0; b < N_BACKENDS; b++)
		for (size_t k = 0; k < N_COUNTS; k++)
			samples_free(&w->rate[b][k]);
	free(w);
}
