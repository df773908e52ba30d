/* SPDX-License-Identifier: MIT */
/* targets.c - the run's medians set against the targets of issues 6, 17 and 18.
 * A target whose figures were not measured in this run is left out. */
#include "config.h"

#include "bench.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define AT_MOST 0
#define AT_LEAST 1

static void verdict(const char *what, double v, int sense, double limit,
                    const char *unit, const char *remark)
{
	bool met = sense == AT_MOST ? v <= limit : v >= limit;
	printf("%-58s %9.2f%-3s %s %-7.2f %-6s %s\n", what, v, unit,
	       sense == AT_MOST ? "<=" : ">=", limit, met ? "met" : "MISSED", remark);
}

/* a/b of two rows' medians, if both were measured. */
static bool ratio_of(const struct row *a, const struct row *b, double *v)
{
	if (!a || !b || b->median <= 0)
		return false;
	*v = a->median / b->median;
	return true;
}

/* Row i's median over its reference row's, if row i belongs to section
 * and key and both were measured. */
static bool ratio_to_ref(const struct rows *r, size_t i, const char *section,
                         const char *key, double *v)
{
	const struct row *w = &r->v[i];
	if (w->skip || w->n == 0 || strcmp(w->section, section) != 0 || strcmp(w->key, key) != 0)
		return false;
	return ratio_of(w, w->ref >= 0 ? &r->v[w->ref] : NULL, v);
}

static void puts_target(const struct rows *r, const struct machine *m)
{
	static const uint64_t lens[] = { 100, 4096 };
	for (size_t i = 0; i < 2; i++) {
		char what[96], size[16];
		double v;
		const struct row *sd = rows_find(r, "put", "statusdir", lens[i], 0, 0);
		const struct row *floor = rows_find(r, "put", "floor", lens[i], 0, 0);
		if (!ratio_of(sd, floor, &v))
			continue;
		snprintf(what, sizeof(what), "durable put %s: statusdir / raw floor",
		         size_text(lens[i], size, sizeof(size)));
		verdict(what, v, AT_MOST, m->tmpfs ? 1.5 : 1.10, "x",
		        m->tmpfs ? "(tmpfs)" : "(disk)");
		const struct row *sd2 = rows_find(r, "put", "statusdir2", lens[i], 0, 0);
		if (ratio_of(sd2, floor, &v)) {
			snprintf(what, sizeof(what), "durable put %s, format 2: statusdir / raw floor",
			         size_text(lens[i], size, sizeof(size)));
			verdict(what, v, AT_MOST, m->tmpfs ? 1.6 : 1.10, "x",
			        m->tmpfs ? "(tmpfs)" : "(disk)");
		}
		if (ratio_of(rows_find(r, "put", "statusdir2-cas", lens[i], 0, 0), sd2, &v)) {
			snprintf(what, sizeof(what), "  conditional put %s (uncontended) / plain put",
			         size_text(lens[i], size, sizeof(size)));
			verdict(what, v, AT_MOST, 1.05, "x", "(format 2)");
		}
		if (!ratio_of(rows_find(r, "put", "statusdir-oneflush", lens[i], 0, 0), floor, &v))
			continue;
		snprintf(what, sizeof(what), "  %s with STATUSDIR_ONE_FLUSH (item 3)",
		         size_text(lens[i], size, sizeof(size)));
		verdict(what, v, AT_MOST, m->tmpfs ? 1.5 : 1.10, "x", "");
		const struct row *head = rows_find(r, "put", "floor-head", lens[i], 0, 0);
		if (ratio_of(sd, head, &v))
			printf("  (statusdir / the floor with the listing and head move: %.2fx)\n", v);
		/* What the head split costs before statusdir does any work of its
		 * own: the move alone, and the move with the listing that finds it. */
		double move_only, with_listing;
		if (ratio_of(rows_find(r, "put", "floor-move", lens[i], 0, 0), floor, &move_only) &&
		    ratio_of(head, floor, &with_listing))
			printf("  (raw floor + head move / raw floor: %.2fx; + listing too: %.2fx)\n",
			       move_only, with_listing);
	}
}

static void writers_target(const struct rows *r, const struct machine *m)
{
	double v;
	const struct row *sd8 = rows_find(r, "writers", "statusdir", 4096, 0, 8);
	if (ratio_of(sd8, rows_find(r, "writers", "statusdir", 4096, 0, 1), &v))
		verdict("8 writers / 1 writer, statusdir puts/s", v, AT_LEAST, 2.0, "x",
		        m->tmpfs ? "(the target is for ext4)" : "");
	if (ratio_of(sd8, rows_find(r, "writers", "sqlite-full", 4096, 0, 8), &v))
		verdict("8 writers: statusdir / SQLite WAL FULL puts/s", v, AT_LEAST, 1.0,
		        "x", "(must be above)");
	const struct row *one8 = rows_find(r, "writers", "statusdir-oneflush", 4096, 0, 8);
	if (ratio_of(one8, rows_find(r, "writers", "statusdir-oneflush", 4096, 0, 1), &v))
		verdict("  with STATUSDIR_ONE_FLUSH: 8 writers / 1", v, AT_LEAST, 2.0, "x", "");
	if (ratio_of(one8, rows_find(r, "writers", "sqlite-full", 4096, 0, 8), &v))
		verdict("  with STATUSDIR_ONE_FLUSH: 8 writers / SQLite WAL FULL", v, AT_LEAST,
		        1.0, "x", "");
}

/* With one process, the time of an update is the median latency of a
 * success (no one to conflict with or wait for); with eight, latencies hold
 * lock waits and back-offs, and successes/s of all together tell more. */
static bool update_ratio(const struct rows *r, const char *section, const char *a,
                         const char *b, unsigned procs, double *v)
{
	return ratio_of(rows_find(r, section, a, 0, 0, procs),
	                rows_find(r, section, b, 0, 0, procs), v);
}

/* The target compares what a user runs: statusdir update against a
 * flock(1)-guarded read-modify-write of a plain file, one process each.
 * The in-process pair (the library against flock(2)) is printed beside it:
 * there the flushes are no-ops on tmpfs and the count of calls decides
 * (spec/performance.md, "Compare-and-set"). */
static void update_target(const struct rows *r, const struct machine *m)
{
	double in1, proc1, in8, proc8;
	char remark[96];
	if (!update_ratio(r, "update-latency", "cli", "flock-cmd", 1, &proc1))
		return;
	int n = snprintf(remark, sizeof(remark), "%s", m->tmpfs ? "(tmpfs)" : "(disk)");
	if (update_ratio(r, "update-latency", "statusdir", "flock", 1, &in1))
		snprintf(remark + n, sizeof(remark) - (size_t)n,
		         " in-process: library / flock(2) %.2fx", in1);
	verdict("update, 1 process: statusdir update / flock(1)", proc1, AT_MOST, 1.2, "x", remark);
	if (update_ratio(r, "update", "statusdir", "flock", 8, &in8) &&
	    update_ratio(r, "update", "cli", "flock-cmd", 8, &proc8))
		printf("  (8 processes, successes/s: statusdir update / flock(1) %.2fx, "
		       "in-process library / flock(2) %.2fx)\n", proc8, in8);
}

/* Gets of the newest by the library, format 1 (key) or 2 (key2): against
 * a plain read, and at the greatest history against a store of 1. */
static void gets_target_of(const struct rows *r, const char *key, const char *label)
{
	const struct row *sd1 = NULL, *last = NULL;
	char what[96], size[16];
	double v;
	for (size_t i = 0; i < r->n; i++) {
		const struct row *w = &r->v[i];
		if (w->skip || w->n == 0 || strcmp(w->key, key) != 0)
			continue;
		if (ratio_to_ref(r, i, "get", key, &v)) {
			snprintf(what, sizeof(what), "get %s, 1 version%s: library / plain read",
			         size_text(w->payload, size, sizeof(size)), label);
			verdict(what, v, AT_MOST, 2.5, "x", "");
		}
		if (strcmp(w->section, "history-get") == 0 && w->history == 1)
			sd1 = w;
		else if (strcmp(w->section, "history-get") == 0)
			last = w;
	}
	if (ratio_of(last, sd1, &v)) {
		snprintf(what, sizeof(what), "get at %" PRIu64 " versions / at 1%s, library",
		         last->history, label);
		verdict(what, v, AT_MOST, 1.5, "x",
		        last->history < 1000000 ? "(target at 10^6: make bench-long)" : "");
	}
}

static void gets_target(const struct rows *r)
{
	gets_target_of(r, "statusdir", "");
	gets_target_of(r, "statusdir2", ", format 2");
}

/* `statusdir log -n 1` as a process at the greatest history measured,
 * against its time at the smallest: it must not list the history. */
static void log_target_of(const struct rows *r, const char *key, const char *label)
{
	const struct row *least = NULL, *most = NULL;
	for (size_t i = 0; i < r->n; i++) {
		const struct row *w = &r->v[i];
		if (w->skip || w->n == 0 || strcmp(w->section, "history-get-process") != 0 ||
		    strcmp(w->key, key) != 0)
			continue;
		if (!least || w->history < least->history)
			least = w;
		if (!most || w->history > most->history)
			most = w;
	}
	char what[96];
	double v;
	if (least == most || !ratio_of(most, least, &v))
		return;
	snprintf(what, sizeof(what), "statusdir log -n 1 (process)%s: at %" PRIu64 " / at %" PRIu64,
	         label, most->history, least->history);
	verdict(what, v, AT_MOST, 1.2, "x", "");
}

/* `statusdir put` as a process against bench-floor put, which links libc
 * alone: what the CLI's start-up costs beyond the protocol. */
static void put_process_target(const struct rows *r, const struct machine *m)
{
	static const char *const keys[] = { "cli", "cli2" };
	char what[96], size[16];
	double v;
	for (size_t i = 0; i < r->n; i++)
		for (size_t k = 0; k < 2; k++) {
			if (!ratio_to_ref(r, i, "put-process", keys[k], &v))
				continue;
			snprintf(what, sizeof(what), "statusdir put %s (process)%s / bench-floor",
			         size_text(r->v[i].payload, size, sizeof(size)),
			         k ? ", format 2" : "");
			verdict(what, v, AT_MOST, m->tmpfs ? 1.30 : 1.15, "x",
			        m->tmpfs ? "(tmpfs)" : "(disk)");
		}
}

static void process_target(const struct rows *r, const struct machine *m)
{
	char what[96], size[16];
	double v;
	put_process_target(r, m);
	log_target_of(r, "cli-log", "");
	log_target_of(r, "cli2-log", ", format 2");
	for (size_t i = 0; i < r->n; i++) {
		const struct row *w = &r->v[i];
		if (!ratio_to_ref(r, i, "get-process", "cli", &v))
			continue;
		snprintf(what, sizeof(what), "statusdir get %s (process) / cat",
		         size_text(w->payload, size, sizeof(size)));
		verdict(what, v, AT_MOST, 1.2, "x", "");
	}
	static const char *const keys[] = { "cli-put", "cli-get" };
	for (size_t i = 0; i < 2; i++) {
		const struct row *w = NULL;
		for (size_t j = 0; j < r->n && !w; j++)
			if (strcmp(r->v[j].section, "rss") == 0 && strcmp(r->v[j].key, keys[i]) == 0)
				w = &r->v[j];
		if (!w)
			continue;
		snprintf(what, sizeof(what), "peak RSS, statusdir %s of %s", i ? "get" : "put",
		         size_text(w->payload, size, sizeof(size)));
		verdict(what, w->median / 1024, AT_MOST, 16, "MiB", "(below)");
	}
}

static void retention_target(const struct rows *r)
{
	char what[96], size[16];
	double v;
	for (size_t i = 0; i < r->n; i++) {
		const struct row *w = &r->v[i];
		if (!ratio_to_ref(r, i, "retention", "statusdir-keep100", &v))
			continue;
		bool aged = w->history > KEEP_VERSIONS;
		snprintf(what, sizeof(what), "keep 100, %s, after %" PRIu64 " puts: statusdir / floor",
		         size_text(w->payload, size, sizeof(size)), w->history);
		verdict(what, v, AT_MOST, aged ? 1.15 : 1.10, "x", "");
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct row *w = &r->v[i];
		if (!ratio_to_ref(r, i, "retention-get", "statusdir-keep100", &v))
			continue;
		snprintf(what, sizeof(what), "keep 100, after %" PRIu64 " puts: get / get at 1",
		         w->history);
		verdict(what, v, AT_MOST, 1.5, "x", "");
	}
}

void targets_print(const struct rows *r, const struct machine *m)
{
	printf("\n== targets (issues 6, 17 and 18): ratios of medians from this run (%s)\n",
	       m->fs);
	puts_target(r, m);
	writers_target(r, m);
	update_target(r, m);
	gets_target(r);
	process_target(r, m);
	retention_target(r);
	fflush(stdout);
}
