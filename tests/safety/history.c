/* SPDX-License-Identifier: MIT */
/* history.c - records a history of puts, conditional puts and gets of the
 * newest on one format-2 store from several processes, for
 * tests/safety/linearize.py to check against a single register with
 * compare-and-set (spec/format2.md, sections 7, 9 and 15).
 *
 *   history [-p PROCS] [-n OPS] [-k KEEP] [-c CLEANERS] [--counter]
 *           [--kill N] [-B STORE2] STORE HISTORY
 *
 * Each process runs OPS operations: a get of the newest, a conditional put
 * on the version it read, or (not with --counter) a plain put.  The times
 * of invocation and return come from CLOCK_MONOTONIC, one clock for every
 * process of the machine.  Values are unique ("P.SEQ"), or with --counter
 * the integer read plus one, so that the checker can tell a lost or doubled
 * update.  CLEANERS processes prune the store to KEEP versions meanwhile
 * (KEEP is also recorded in the store, so puts apply it too).  --kill N
 * kills N of the processes at random moments with SIGKILL: the operation
 * each was in is recorded as unknown, with no return time.  -B names the
 * same store reached another way (a second mount of a network filesystem):
 * the odd-numbered processes use it.
 *
 * HISTORY gets one line per operation, in linearize.py's format:
 *   PROC OP INVOKE_NS RETURN_NS OUTCOME ARG RESULT
 * Exits 0 when the history was recorded, 2 on trouble. */
#include "config.h"
#include "statusdir.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 32
#define LINE_MAX_LEN 512
#define ARG_MAX_LEN 160 /* an operation's ARG: base:value */

/* What a process is doing now, in memory its parent can read after a
 * SIGKILL: the operation it had begun, to be recorded as unknown. */
struct pending {
	volatile int busy;
	char line[LINE_MAX_LEN]; /* "PROC OP INVOKE_NS inf unknown ARG -" */
};

struct options {
	int procs, ops, cleaners, kills;
	uint64_t keep;
	bool counter;
	const char *store, *store_b, *out;
};

static struct pending *pending; /* MAX_PROCS of them, shared */
static volatile int *stop_cleaners;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The number of a format-2 id, 0 for "" (nothing). */
static uint64_t number_of(const char *id)
{
	return *id ? strtoull(id, NULL, 10) : 0;
}

/* Appends one whole line: one write(2) on an O_APPEND descriptor. */
static void emit(int fd, const char *line)
{
	size_t len = strlen(line);
	if (write(fd, line, len) != (ssize_t)len)
		_exit(2);
}

static void begin(int p, const char *op, int64_t t, const char *arg)
{
	/* arg is at most ARG_MAX_LEN: values are short */
	snprintf(pending[p].line, sizeof(pending[p].line), "%d %s %" PRId64 " inf unknown %s -\n",
	         p, op, t, arg);
	__atomic_store_n(&pending[p].busy, 1, __ATOMIC_SEQ_CST);
}

static void end(int p, int fd, const char *op, int64_t t0, const char *outcome,
                const char *arg, const char *result)
{
	char line[LINE_MAX_LEN];
	snprintf(line, sizeof(line), "%d %s %" PRId64 " %" PRId64 " %s %s %s\n", p, op, t0,
	         now_ns(), outcome, arg, result);
	emit(fd, line);
	__atomic_store_n(&pending[p].busy, 0, __ATOMIC_SEQ_CST);
}

/* A get of the newest: its id and value into id and value ("" when the
 * store is empty); false if it failed (recorded as fail, nothing read). */
static bool get_newest(int p, int fd, statusdir *sd, char *id, char *value, size_t cap)
{
	char result[ARG_MAX_LEN];
	size_t len = 0;
	int64_t t0 = now_ns();
	begin(p, "get", t0, "-");
	int r = statusdir_get(sd, NULL, value, cap - 1, &len, id);
	if (r == -ENOENT) {
		id[0] = value[0] = '\0';
		end(p, fd, "get", t0, "ok", "-", "empty");
		return true;
	}
	if (r != 0) { /* HEALED would mean damage: not expected here */
		fprintf(stderr, "history: get: %s\n", statusdir_strerror(r));
		end(p, fd, "get", t0, "fail", "-", "-");
		return false;
	}
	value[len] = '\0';
	snprintf(result, sizeof(result), "%" PRIu64 ":%.64s", number_of(id), value);
	end(p, fd, "get", t0, "ok", "-", result);
	return true;
}

static void conditional_put(int p, int fd, statusdir *sd, const char *base,
                            const char *value)
{
	char arg[ARG_MAX_LEN], result[32], id[STATUSDIR_ID_SIZE] = "";
	snprintf(arg, sizeof(arg), "%" PRIu64 ":%.64s", number_of(base), value);
	int64_t t0 = now_ns();
	begin(p, "cas", t0, arg);
	int r = statusdir_put_if(sd, base, value, strlen(value), 0, id);
	snprintf(result, sizeof(result), "%" PRIu64, number_of(id));
	if (r == 0)
		end(p, fd, "cas", t0, "ok", arg, result);
	else if (r == -ECANCELED)
		end(p, fd, "cas", t0, "conflict", arg, result);
	else /* committed perhaps (an error after the claim names it) */
		end(p, fd, "cas", t0, "unknown", arg, id[0] ? result : "-");
}

static void plain_put(int p, int fd, statusdir *sd, const char *value)
{
	char result[32], id[STATUSDIR_ID_SIZE] = "";
	int64_t t0 = now_ns();
	begin(p, "put", t0, value);
	int r = statusdir_put(sd, value, strlen(value), 0, id);
	snprintf(result, sizeof(result), "%" PRIu64, number_of(id));
	end(p, fd, "put", t0, r == 0 ? "ok" : "unknown", value, r == 0 || id[0] ? result : "-");
}

static int worker(const struct options *o, int p)
{
	const char *path = o->store_b && p % 2 ? o->store_b : o->store;
	char file[4200], id[STATUSDIR_ID_SIZE], value[64], next[64];
	unsigned seed = (unsigned)getpid() ^ (unsigned)now_ns();
	statusdir *sd;
	snprintf(file, sizeof(file), "%s.%d", o->out, p);
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	int r = fd < 0 ? -errno : statusdir_open(path, 0, NULL, &sd);
	if (r < 0) {
		fprintf(stderr, "history: process %d cannot start: %s\n", p, statusdir_strerror(r));
		return 2;
	}
	for (int i = 0; i < o->ops; i++) {
		int pick = rand_r(&seed) % 10;
		if (!o->counter && pick < 2) {
			snprintf(next, sizeof(next), "%d.%d", p, i);
			plain_put(p, fd, sd, next);
			continue;
		}
		if (!get_newest(p, fd, sd, id, value, sizeof(value)) || pick < 5)
			continue; /* a get alone */
		if (o->counter)
			snprintf(next, sizeof(next), "%llu", strtoull(value, NULL, 10) + 1);
		else
			snprintf(next, sizeof(next), "%d.%d", p, i);
		conditional_put(p, fd, sd, id, next);
	}
	statusdir_close(sd);
	close(fd);
	return 0;
}

static int cleaner(const struct options *o)
{
	statusdir *sd;
	struct statusdir_prune_policy pol;
	if (statusdir_open(o->store, 0, NULL, &sd) < 0)
		return 2;
	statusdir_prune_policy_init(&pol);
	pol.keep = o->keep;
	while (!*stop_cleaners) {
		int r = statusdir_prune(sd, &pol, NULL);
		if (r < 0) {
			fprintf(stderr, "history: prune: %s\n", statusdir_strerror(r));
			return 2;
		}
		usleep(500);
	}
	statusdir_close(sd);
	return 0;
}

static int parse(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = { { "counter", no_argument, NULL, 'C' },
		                               { "kill", required_argument, NULL, 'K' },
		                               { NULL, 0, NULL, 0 } };
	*o = (struct options){ .procs = 4, .ops = 200, .keep = 5, .cleaners = 1 };
	for (int c; (c = getopt_long(argc, argv, "p:n:k:c:B:", longs, NULL)) != -1;) {
		switch (c) {
		case 'p': o->procs = atoi(optarg); break;
		case 'n': o->ops = atoi(optarg); break;
		case 'k': o->keep = strtoull(optarg, NULL, 10); break;
		case 'c': o->cleaners = atoi(optarg); break;
		case 'B': o->store_b = optarg; break;
		case 'C': o->counter = true; break;
		case 'K': o->kills = atoi(optarg); break;
		default: return -1;
		}
	}
	if (optind != argc - 2 || o->procs < 1 || o->procs > MAX_PROCS || o->ops < 1 ||
	    o->keep < 1 || o->cleaners < 0 || o->kills < 0 || o->kills > o->procs)
		return -1;
	o->store = argv[optind];
	o->out = argv[optind + 1];
	return 0;
}

/* The processes' files, and an unknown line for each operation a kill
 * cut short, into HISTORY. */
static int gather(const struct options *o, const bool *killed)
{
	char file[4200], line[LINE_MAX_LEN];
	FILE *out = fopen(o->out, "w");
	if (!out) {
		fprintf(stderr, "history: %s: %s\n", o->out, strerror(errno));
		return 2;
	}
	for (int p = 0; p < o->procs; p++) {
		snprintf(file, sizeof(file), "%s.%d", o->out, p);
		FILE *in = fopen(file, "r");
		if (!in && killed[p] && errno == ENOENT)
			continue; /* killed before it began: no operation */
		if (!in) {
			fprintf(stderr, "history: %s: %s\n", file, strerror(errno));
			fclose(out);
			return 2;
		}
		char last[LINE_MAX_LEN] = "";
		while (fgets(line, sizeof(line), in)) {
			fputs(line, out);
			memcpy(last, line, sizeof(last));
		}
		fclose(in);
		unlink(file);
		/* killed between its line and clearing busy: recorded already
		 * (the same "PROC OP INVOKE_NS " begins both) */
		const char *pend = pending[p].line;
		size_t head = 0;
		for (int spaces = 0; pend[head] && spaces < 3; head++)
			spaces += pend[head] == ' ';
		if (killed[p] && pending[p].busy && strncmp(pend, last, head) != 0)
			fputs(pend, out);
	}
	return fclose(out) == 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
	struct options o;
	statusdir *sd;
	pid_t pids[MAX_PROCS], cleaners[MAX_PROCS];
	bool killed[MAX_PROCS] = { false };
	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: history [-p PROCS] [-n OPS] [-k KEEP] [-c CLEANERS] "
		                "[--counter] [--kill N] [-B STORE2] STORE HISTORY\n");
		return 2;
	}
	struct statusdir_config cfg;
	statusdir_config_init(&cfg);
	cfg.keep = o.keep;
	pending = mmap(NULL, MAX_PROCS * sizeof(*pending) + sizeof(int), PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pending == MAP_FAILED ||
	    statusdir_open(o.store, STATUSDIR_CREATE | STATUSDIR_FORMAT2, &cfg, &sd) < 0) {
		perror("history: setting up");
		return 2;
	}
	statusdir_close(sd);
	stop_cleaners = (volatile int *)(pending + MAX_PROCS);
	for (int c = 0; c < o.cleaners && c < MAX_PROCS; c++)
		if ((cleaners[c] = fork()) == 0)
			_exit(cleaner(&o));
	for (int p = 0; p < o.procs; p++)
		if ((pids[p] = fork()) == 0)
			_exit(worker(&o, p));
	unsigned seed = (unsigned)getpid();
	for (int k = 0; k < o.kills; k++) {
		usleep(2000 + (unsigned)rand_r(&seed) % 50000);
		int p = k; /* the first --kill processes, at random moments */
		kill(pids[p], SIGKILL);
		killed[p] = true;
	}
	int status = 0;
	for (int p = 0; p < o.procs; p++) {
		int st;
		waitpid(pids[p], &st, 0);
		if (!killed[p] && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			fprintf(stderr, "history: process %d %s %d\n", p,
			        WIFEXITED(st) ? "exited with" : "was killed by signal",
			        WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			status = 2;
		}
	}
	*stop_cleaners = 1;
	for (int c = 0; c < o.cleaners && c < MAX_PROCS; c++) {
		int st;
		waitpid(cleaners[c], &st, 0);
		if (!(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			fprintf(stderr, "history: cleaner %d %s %d\n", c,
			        WIFEXITED(st) ? "exited with" : "was killed by signal",
			        WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			status = 2;
		}
	}
	int g = gather(&o, killed);
	return status ? status : g;
}
