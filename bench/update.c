/* SPDX-License-Identifier: MIT */
/* update.c - 1, 2, 4 and 8 processes adding one to one counter at once,
 * for a fixed time, in each way of counter.c: successes per second of all
 * together, attempts and wasted attempts (conflicts) per success, and the
 * latency of a success, from the start of its first attempt (its first
 * read, its lock, its BEGIN, its spawn) to its commit.
 *
 * Each run starts from a counter of its own at 0 and ends by checking that
 * the counter reads the number of successes: an update lost or applied
 * twice stops the benchmark.  Its files are then removed, or kept to the
 * end as writers.c explains, and the filesystem synced (not timed). */
#include "config.h"

#include "bench.h"
#include "floor.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_COUNTS 4
#define MAX_PROCS 8

static const unsigned counts[N_COUNTS] = { 1, 2, 4, MAX_PROCS };

struct updates {
	struct samples rate[N_COUNTER_WAYS][N_COUNTS];    /* milli-successes/s, per round */
	struct samples latency[N_COUNTER_WAYS][N_COUNTS]; /* ns per success, all rounds */
	uint64_t successes[N_COUNTER_WAYS][N_COUNTS];
	uint64_t attempts[N_COUNTER_WAYS][N_COUNTS];
	uint64_t gave_up[N_COUNTER_WAYS][N_COUNTS];
	const char *skip[N_COUNTER_WAYS];
	bool keep_files;
};

/* What one process sends back, followed by the latency of each success. */
struct tally {
	int64_t successes;  /* -1: an update failed */
	uint64_t gave_up;   /* statusdir update out of retries */
	uint64_t attempts;
	int64_t elapsed_ns; /* from the start signal to the last update's end */
};

struct updates *updates_new(const struct machine *m)
{
	struct updates *u = xcalloc(1, sizeof(struct updates));
	u->keep_files = m->ext4_no_journal;
	return u;
}

static void send(int fd, const void *buf, size_t len)
{
	if (write_all(fd, buf, len) < 0)
		_exit(1);
}

static void updater(enum counter_way_id way, const char *dir, const struct options *o,
                    int ready, int go, int out)
{
	struct counter *c;
	struct tally t = { 0 };
	struct samples lat = { 0 };
	char ch = 0;
	int r = counter_open(way, dir, &o->tools, &c);
	if (r < 0) {
		note("%s: %s: %s", counter_ways[way].key, dir, strerror(-r));
		_exit(1);
	}
	if (write(ready, &ch, 1) != 1 || read(go, &ch, 1) != 0) /* EOF: go */
		_exit(1);
	int64_t start = now_ns(), end = start + (int64_t)(o->update_s * 1e9), now = start;
	while (now < end) {
		r = counter_add_one(c);
		int64_t done = now_ns();
		if (r < 0) {
			note("%s: an update failed: %s", counter_ways[way].key, strerror(-r));
			t.successes = -1;
			break;
		}
		if (r == 1) {
			t.successes++;
			samples_add(&lat, done - now);
		} else {
			t.gave_up++;
		}
		now = done;
	}
	t.elapsed_ns = now - start;
	t.attempts = counter_attempts(c);
	counter_close(c);
	send(out, &t, sizeof(t));
	if (t.successes > 0)
		send(out, lat.v, lat.n * sizeof(*lat.v));
	_exit(0);
}

static void receive(struct samples *lat, int fd, int64_t n)
{
	int64_t buf[1024];
	while (n > 0) {
		size_t k = n < 1024 ? (size_t)n : 1024;
		read_exactly(fd, buf, k * sizeof(buf[0]), "an updating process");
		for (size_t i = 0; i < k; i++)
			samples_add(lat, buf[i]);
		n -= (int64_t)k;
	}
}

/* Forks n processes, lets them go at once, gathers what they did and
 * checks the counter. */
static void run(struct updates *u, enum counter_way_id way, size_t k, const char *dir,
                const struct options *o)
{
	const char *key = counter_ways[way].key;
	unsigned n = counts[k];
	int ready[2], go[2], out[MAX_PROCS];
	pid_t pids[MAX_PROCS];
	if (pipe(ready) || pipe(go))
		die("pipe: %s", strerror(errno));
	for (unsigned i = 0; i < n; i++) {
		int p[2];
		if (pipe(p))
			die("pipe: %s", strerror(errno));
		pids[i] = fork();
		if (pids[i] < 0)
			die("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			close(go[1]);
			close(p[0]);
			updater(way, dir, o, ready[1], go[0], p[1]);
		}
		close(p[1]); /* the next children must not hold it: EOF when i dies */
		out[i] = p[0];
	}
	close(ready[1]);
	close(go[0]);
	for (unsigned i = 0; i < n; i++) {
		char c;
		read_exactly(ready[0], &c, 1, "an updating process");
	}
	close(go[1]);
	int64_t successes = 0, longest = 1;
	for (unsigned i = 0; i < n; i++) {
		struct tally t;
		read_exactly(out[i], &t, sizeof(t), "an updating process");
		if (t.successes < 0)
			die("update: %s: an update failed", key);
		receive(&u->latency[way][k], out[i], t.successes);
		successes += t.successes;
		u->attempts[way][k] += t.attempts;
		u->gave_up[way][k] += t.gave_up;
		longest = t.elapsed_ns > longest ? t.elapsed_ns : longest;
		close(out[i]);
	}
	for (unsigned i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	close(ready[0]);
	u->successes[way][k] += (uint64_t)successes;
	samples_add(&u->rate[way][k], (int64_t)((double)successes * 1e12 / (double)longest));

	int64_t value;
	int r = counter_value(way, dir, &value);
	if (r < 0)
		die("update: %s: cannot read the counter in %s: %s", key, dir, strerror(-r));
	if (value != successes)
		die("update: %s, %u processes: the counter reads %" PRId64 " after %" PRId64
		    " successful updates: an update was %s", key, n, value, successes,
		    value < successes ? "lost" : "applied twice");
}

static void measure(struct updates *u, enum counter_way_id way, size_t k,
                    const struct options *o, const char *root, unsigned round)
{
	char *dir = xasprintf("%s/update-%s-%u-%u", root, counter_ways[way].key, counts[k],
	                      round);
	int r = counter_setup(way, dir);
	if (r == -ENOTSUP)
		u->skip[way] = "its library was not found by configure";
	else if (r < 0)
		die("%s: %s", dir, strerror(-r));
	else
		run(u, way, k, dir, o);
	if (!u->keep_files)
		remove_tree(dir);
	settle(root);
	free(dir);
}

void updates_round(struct updates *u, const struct options *o, const char *root,
                   unsigned round)
{
	for (size_t k = 0; k < N_COUNTS; k++)
		for (size_t i = 0; i < N_COUNTER_WAYS; i++) {
			enum counter_way_id way = (round + i) % N_COUNTER_WAYS; /* none always first */
			if (!u->skip[way])
				measure(u, way, k, o, root, round);
		}
}

void updates_rows(struct updates *u, struct rows *r)
{
	int rate_row[N_COUNTER_WAYS][N_COUNTS], latency_row[N_COUNTER_WAYS][N_COUNTS];
	/* a way's reference comes before it in counter_ways */
	for (size_t w = 0; w < N_COUNTER_WAYS; w++) {
		const struct counter_way *cw = &counter_ways[w];
		for (size_t k = 0; k < N_COUNTS; k++) {
			struct samples *s = &u->rate[w][k];
			double ok = u->successes[w][k] ? (double)u->successes[w][k] : 1;
			bool conflicts = w == CW_STATUSDIR || w == CW_CLI;
			struct row row = {
				.section = "update", .key = cw->key, .label = cw->label,
				.writers = counts[k], .n = s->n, .unit = "updates/s",
				.median = (double)samples_quantile(s, 0.5) / 1e3,
				.p99 = (double)samples_quantile(s, 0.0) / 1e3,
				.ref = cw->ref < 0 ? -1 : rate_row[cw->ref][k], .skip = u->skip[w],
				.attempts = (double)u->attempts[w][k] / ok,
				.wasted = conflicts ? (double)(u->attempts[w][k] - u->successes[w][k]) / ok
				                    : -1,
				.gave_up = u->gave_up[w][k],
			};
			rate_row[w][k] = rows_add(r, &row);
		}
	}
	for (size_t w = 0; w < N_COUNTER_WAYS; w++) {
		const struct counter_way *cw = &counter_ways[w];
		for (size_t k = 0; k < N_COUNTS; k++) {
			struct samples *s = &u->latency[w][k];
			struct row row = {
				.section = "update-latency", .key = cw->key, .label = cw->label,
				.writers = counts[k], .n = s->n, .unit = "us",
				.median = (double)samples_quantile(s, 0.5) / 1e3,
				.p99 = (double)samples_quantile(s, 0.99) / 1e3,
				.ref = cw->ref < 0 ? -1 : latency_row[cw->ref][k],
				.skip = u->skip[w],
			};
			latency_row[w][k] = rows_add(r, &row);
		}
	}
}

void updates_free(struct updates *u)
{
	for (size_t w = 0; w < N_COUNTER_WAYS; w++)
		for (size_t k = 0; k < N_COUNTS; k++) {
			samples_free(&u->rate[w][k]);
			samples_free(&u->latency[w][k]);
		}
	free(u);
}
