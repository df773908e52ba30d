/* SPDX-License-Identifier: MIT */
/* test_tmp_sweep.c - prune removes tmp/ files that are stale: older than
 * the age limit (by ctime; the clock is wrapped to age them), or written by
 * a writer that is gone (dead pid, another boot, a pid reused by a process
 * started later).  A live writer's file, and files it cannot judge, stay.
 * Puts sweep too, on one put in K, and only files whose writer is gone:
 * these tests set K (the handle's tmp_sweep_every, internal.h) to 1 to make
 * that deterministic.
 * The writer checks need /proc; without it the whole binary is skipped. */
#include "internal.h" /* first: config.h; struct statusdir for the put's K */

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOUR (3600 * INT64_C(1000000000))

static void plant_tmp(const struct store *s, const char *name)
{
	char rel[PATH_MAX], p[PATH_MAX];
	snprintf(rel, sizeof(rel), "tmp/%s", name);
	store_file(s, rel, p);
	write_file(p, "partial", 7);
}

/* Runs a default prune (plus tmp_age_ns) and returns how many tmp/ files
 * it removed, checking that dry_run is as asked in every event. */
struct seen {
	unsigned removed;
	unsigned dry;
	char name[NAME_MAX + 1];
};

static void record(void *arg, const struct statusdir_event *ev)
{
	struct seen *seen = arg;
	if (ev->kind != STATUSDIR_EV_TMP_REMOVED)
		return;
	assert_string_equal(ev->dir, "tmp");
	seen->removed++;
	seen->dry += ev->dry_run != 0;
	snprintf(seen->name, sizeof(seen->name), "%s", ev->name);
}

static unsigned sweep(statusdir *sd, int64_t tmp_age_ns, unsigned flags, struct seen *seen)
{
	struct statusdir_prune_policy p;
	struct statusdir_counts c;
	statusdir_prune_policy_init(&p);
	p.tmp_age_ns = tmp_age_ns;
	p.flags = flags;
	p.report = record;
	p.report_arg = seen;
	memset(seen, 0, sizeof(*seen));
	int r = statusdir_prune(sd, &p, &c);
	if (r != 0)
		fail_msg("statusdir_prune: %s", statusdir_strerror(r));
	assert_int_equal(c.tmp_removed, seen->removed);
	assert_int_equal(seen->dry, (flags & STATUSDIR_PRUNE_DRY_RUN) ? seen->removed : 0);
	return seen->removed;
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* A name this process would use, with one field changed. */
static void edited_name(struct store *s, int field, const char *value, char *out)
{
	tmp_name_now(s->sd, s, out);
	tmp_name_edit(out, field, value);
}

static void test_stale_after_default_age(void **state)
{
	struct store *s = *state;
	struct seen seen;
	plant_tmp(s, "leftover");
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 0);
	fault_clock_offset(35 * HOUR);
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 0);
	assert_true(store_has(s, "tmp", "leftover"));
	fault_clock_offset(STATUSDIR_TMP_AGE_NS + HOUR);
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 1);
	assert_string_equal(seen.name, "leftover");
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_stale_after_policy_age(void **state)
{
	struct store *s = *state;
	struct seen seen;
	plant_tmp(s, "leftover");
	fault_clock_offset(HOUR / 6 - HOUR / 60);
	assert_int_equal(sweep(s->sd, HOUR / 6, 0, &seen), 0);
	fault_clock_offset(HOUR / 6 + HOUR / 60);
	assert_int_equal(sweep(s->sd, HOUR / 6, 0, &seen), 1);
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_dead_writer_is_swept_at_once(void **state)
{
	struct store *s = *state;
	struct seen seen;
	char name[NAME_MAX + 1], pid[32];
	snprintf(pid, sizeof(pid), "%ld", (long)dead_pid());
	edited_name(s, 2, pid, name);
	plant_tmp(s, name);
	plant_tmp(s, "young-and-unknown");
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 1);
	assert_string_equal(seen.name, name);
	assert_false(store_has(s, "tmp", name));
	assert_true(store_has(s, "tmp", "young-and-unknown"));
}

static void test_writer_of_another_boot_is_gone(void **state)
{
	struct store *s = *state;
	struct seen seen;
	char name[NAME_MAX + 1];
	edited_name(s, 0, "0123456789abcdef0123456789abcdef", name);
	plant_tmp(s, name);
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 1);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* Our own pid, but a start time that is not ours: the pid was reused. */
static void test_reused_pid_is_gone(void **state)
{
	struct store *s = *state;
	struct seen seen;
	char name[NAME_MAX + 1];
	edited_name(s, 3, "1", name);
	plant_tmp(s, name);
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 1);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* A live writer's file stays, and its put still commits. */
static void test_live_writer_is_kept(void **state)
{
	struct store *s = *state;
	struct seen seen;
	statusdir_txn *t;
	char name[NAME_MAX + 1], id[STATUSDIR_ID_SIZE];
	tmp_name_now(s->sd, s, name); /* this process, as it is */
	plant_tmp(s, name);
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_write(t, "in progress", 11), 0);
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 0);
	assert_int_equal(store_count(s, "tmp"), 2);
	assert_int_equal(statusdir_put_commit(t, id), 0);
	assert_version(s->sd, NULL, "in progress", 11, id);
	assert_true(store_has(s, "tmp", name));
}

/* Names the cleaner cannot judge stay until they are old: another host, an
 * unknown boot, another pid namespace. */
static void test_undecidable_writers_are_kept(void **state)
{
	struct store *s = *state;
	struct seen seen;
	char pid[32], name[NAME_MAX + 1];
	snprintf(pid, sizeof(pid), "%ld", (long)dead_pid());
	edited_name(s, 2, pid, name);
	tmp_name_edit(name, 5, "some-other-host");
	plant_tmp(s, name);
	edited_name(s, 2, pid, name);
	tmp_name_edit(name, 0, "00000000000000000000000000000000");
	plant_tmp(s, name);
	edited_name(s, 2, pid, name);
	tmp_name_edit(name, 1, "1");
	plant_tmp(s, name);
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 0);
	assert_int_equal(store_count(s, "tmp"), 3);
	fault_clock_offset(STATUSDIR_TMP_AGE_NS + HOUR);
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 3);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* Only regular files are considered. */
static void test_non_regular_entries_are_left_alone(void **state)
{
	struct store *s = *state;
	struct seen seen;
	char p[PATH_MAX];
	store_file(s, "tmp/subdir", p);
	assert_int_equal(mkdir(p, 0755), 0);
	store_file(s, "tmp/fifo", p);
	assert_int_equal(mkfifo(p, 0644), 0);
	store_file(s, "tmp/link", p);
	assert_int_equal(symlink("/", p), 0);
	fault_clock_offset(100 * HOUR);
	assert_int_equal(sweep(s->sd, 1, 0, &seen), 0);
	assert_int_equal(store_count(s, "tmp"), 3);
}

static void test_dry_run_only_reports(void **state)
{
	struct store *s = *state;
	struct seen seen;
	char name[NAME_MAX + 1], pid[32];
	snprintf(pid, sizeof(pid), "%ld", (long)dead_pid());
	edited_name(s, 2, pid, name);
	plant_tmp(s, name);
	plant_tmp(s, "old-one");
	fault_clock_offset(STATUSDIR_TMP_AGE_NS + HOUR);
	assert_int_equal(sweep(s->sd, 0, STATUSDIR_PRUNE_DRY_RUN, &seen), 2);
	assert_int_equal(store_count(s, "tmp"), 2);
	assert_int_equal(sweep(s->sd, 0, 0, &seen), 2);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* What an interrupted format write leaves beside the format file goes by
 * age alone (its name says nothing about its writer). */
static void test_format_leftover_goes_by_age(void **state)
{
	struct store *s = *state;
	struct statusdir_prune_policy p;
	char path[PATH_MAX];
	store_file(s, ".format.0123456789abcdef", path);
	write_file(path, "statusdir-format 1\n", 19);
	statusdir_prune_policy_init(&p);
	assert_int_equal(statusdir_prune(s->sd, &p, NULL), 0);
	assert_int_equal(store_count_prefix(s, ".", ".format."), 1);
	fault_clock_offset(STATUSDIR_TMP_AGE_NS + HOUR);
	p.flags = STATUSDIR_PRUNE_DRY_RUN;
	assert_int_equal(statusdir_prune(s->sd, &p, NULL), 0);
	assert_int_equal(store_count_prefix(s, ".", ".format."), 1);
	p.flags = 0;
	assert_int_equal(statusdir_prune(s->sd, &p, NULL), 0);
	assert_int_equal(store_count_prefix(s, ".", ".format."), 0);
	assert_true(store_has(s, ".", "format"));
}

/* verify reports stale and busy tmp/ files, apart from damage, and
 * removes nothing. */
static void test_verify_reports_stale_and_busy(void **state)
{
	struct store *s = *state;
	struct statusdir_counts c;
	char stale[NAME_MAX + 1], busy[NAME_MAX + 1];
	put_numbered(s->sd, 2, NULL);
	edited_name(s, 0, "0123456789abcdef0123456789abcdef", stale);
	plant_tmp(s, stale);
	tmp_name_now(s->sd, s, busy);
	plant_tmp(s, busy);
	plant_tmp(s, "unknown");
	assert_int_equal(statusdir_verify(s->sd, NULL, NULL, &c), 0);
	assert_int_equal(c.tmp_stale, 1);
	assert_int_equal(c.tmp_busy, 2);
	assert_int_equal(c.damaged, 0);
	assert_int_equal(c.junk, 0);
	fault_clock_offset(STATUSDIR_TMP_AGE_NS + HOUR);
	assert_int_equal(statusdir_verify(s->sd, NULL, NULL, &c), 0);
	assert_int_equal(c.tmp_stale, 3);
	assert_int_equal(c.tmp_busy, 0);
	assert_int_equal(store_count(s, "tmp"), 3);
}

/* statusdir_tmp_usage() counts what prune would remove and what it would
 * leave, with their bytes, through a read-only handle, and changes nothing. */
static void test_usage_counts_stale_and_busy(void **state)
{
	struct store *s = *state;
	struct statusdir_tmp_usage u;
	struct seen seen;
	statusdir *ro;
	char stale[NAME_MAX + 1], busy[NAME_MAX + 1], p[PATH_MAX];
	put_numbered(s->sd, 2, NULL);
	edited_name(s, 0, "0123456789abcdef0123456789abcdef", stale);
	plant_tmp(s, stale);                  /* 7 bytes, writer gone */
	tmp_name_now(s->sd, s, busy);
	plant_tmp(s, busy);                   /* 7 bytes, this writer */
	store_file(s, "tmp/unknown", p);
	write_file(p, "0123456789abc", 13);   /* young, writer unknown */
	store_file(s, "tmp/subdir", p);
	assert_int_equal(mkdir(p, 0755), 0);
	store_file(s, "tmp/link", p);
	assert_int_equal(symlink("unknown", p), 0);
	assert_int_equal(statusdir_open(s->path, STATUSDIR_READONLY, NULL, &ro), 0);
	assert_int_equal(statusdir_tmp_usage(ro, 0, &u), 0);
	assert_int_equal(u.stale, 1);
	assert_int_equal(u.stale_bytes, 7);
	assert_int_equal(u.busy, 2);
	assert_int_equal(u.busy_bytes, 20);
	assert_int_equal(store_count(s, "tmp"), 5);
	assert_int_equal(sweep(s->sd, 0, STATUSDIR_PRUNE_DRY_RUN, &seen), u.stale);
	fault_clock_offset(2 * HOUR);
	assert_int_equal(statusdir_tmp_usage(ro, HOUR, &u), 0);
	assert_int_equal(u.stale, 3);
	assert_int_equal(u.stale_bytes, 27);
	assert_int_equal(u.busy, 0);
	assert_int_equal(u.busy_bytes, 0);
	assert_int_equal(sweep(s->sd, HOUR, STATUSDIR_PRUNE_DRY_RUN, &seen), u.stale);
	assert_int_equal(store_count(s, "tmp"), 5);
	assert_int_equal(statusdir_tmp_usage(ro, -1, &u), -EINVAL);
	assert_int_equal(statusdir_tmp_usage(ro, 0, NULL), -EINVAL);
	assert_int_equal(statusdir_tmp_usage(NULL, 0, &u), -EINVAL);
	statusdir_close(ro);
}

/* An empty tmp/ counts zero. */
static void test_usage_of_empty_tmp(void **state)
{
	struct store *s = *state;
	struct statusdir_tmp_usage u;
	memset(&u, 0xff, sizeof(u));
	assert_int_equal(statusdir_tmp_usage(s->sd, 0, &u), 0);
	assert_int_equal(u.stale + u.busy + u.stale_bytes + u.busy_bytes, 0);
}

/* A listing of tmp/ that fails is an error, not zero files. */
static void test_usage_reports_a_failed_listing(void **state)
{
	struct store *s = *state;
	struct statusdir_tmp_usage u;
	plant_tmp(s, "leftover");
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EIO, .name = "." });
	assert_int_equal(statusdir_tmp_usage(s->sd, 0, &u), -EIO);
	assert_true(fault_hits(FAULT_OPENAT) >= 1);
	assert_int_equal(u.stale + u.busy, 0);
	fault_reset();
	assert_int_equal(statusdir_tmp_usage(s->sd, 0, &u), 0);
	assert_int_equal(u.busy, 1);
	assert_int_equal(u.busy_bytes, 7);
}

/* A put sweeps what killed writers of this host left: a dead pid, another
 * boot, a reused pid. */
static void test_put_sweeps_gone_writers(void **state)
{
	struct store *s = *state;
	char dead[NAME_MAX + 1], boot[NAME_MAX + 1], reused[NAME_MAX + 1], pid[32];
	snprintf(pid, sizeof(pid), "%ld", (long)dead_pid());
	edited_name(s, 2, pid, dead);
	plant_tmp(s, dead);
	edited_name(s, 0, "0123456789abcdef0123456789abcdef", boot);
	plant_tmp(s, boot);
	edited_name(s, 3, "1", reused);
	plant_tmp(s, reused);
	s->sd->tmp_sweep_every = 1;
	put_numbered(s->sd, 1, NULL);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* With the default K, some put within a few hundred sweeps: each misses
 * with chance 63/64, all 3,000 with chance below 1e-20. */
static void test_put_sweeps_within_a_few_k_puts(void **state)
{
	struct store *s = *state;
	char dead[NAME_MAX + 1], pid[32];
	unsigned puts = 0;
	snprintf(pid, sizeof(pid), "%ld", (long)dead_pid());
	edited_name(s, 2, pid, dead);
	plant_tmp(s, dead);
	statusdir *fresh;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &fresh), 0);
	assert_int_equal(fresh->tmp_sweep_every, STATUSDIR__TMP_SWEEP_EVERY);
	statusdir_close(fresh);
	s->sd->tmp_sweep_every = STATUSDIR__TMP_SWEEP_EVERY; /* the fixture's is 0 */
	while (store_has(s, "tmp", dead) && puts < 3000) {
		put_ok(s->sd, "x", 1, NULL);
		puts++;
	}
	assert_false(store_has(s, "tmp", dead));
}

/* Not every put sweeps: with K = 2^32 - 1 a sweep is due once in four
 * billion puts, with K = 0 never. */
static void test_put_sweep_is_rare(void **state)
{
	struct store *s = *state;
	char dead[NAME_MAX + 1], pid[32];
	snprintf(pid, sizeof(pid), "%ld", (long)dead_pid());
	edited_name(s, 2, pid, dead);
	plant_tmp(s, dead);
	s->sd->tmp_sweep_every = UINT32_MAX;
	put_numbered(s->sd, 16, NULL);
	assert_true(store_has(s, "tmp", dead));
	s->sd->tmp_sweep_every = 0;
	put_numbered(s->sd, 16, NULL);
	assert_true(store_has(s, "tmp", dead));
}

/* What a put cannot know to be gone stays however many puts sweep: a live
 * writer's file (this process, and a transaction of the same handle), one
 * of another host, one of an unknown boot or another pid namespace, and a
 * file that only age would make stale (age is prune's rule, never a put's). */
static void test_put_sweep_keeps_what_may_be_alive(void **state)
{
	struct store *s = *state;
	statusdir_txn *t;
	char live[NAME_MAX + 1], host[NAME_MAX + 1], boot[NAME_MAX + 1];
	char ns[NAME_MAX + 1], pid[32], id[STATUSDIR_ID_SIZE];
	snprintf(pid, sizeof(pid), "%ld", (long)dead_pid());
	tmp_name_now(s->sd, s, live);
	plant_tmp(s, live);
	edited_name(s, 2, pid, host);
	tmp_name_edit(host, 5, "some-other-host");
	plant_tmp(s, host);
	edited_name(s, 2, pid, boot);
	tmp_name_edit(boot, 0, "00000000000000000000000000000000");
	plant_tmp(s, boot);
	edited_name(s, 2, pid, ns);
	tmp_name_edit(ns, 1, "1");
	plant_tmp(s, ns);
	plant_tmp(s, "leftover");
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_write(t, "in progress", 11), 0);
	fault_clock_offset(STATUSDIR_TMP_AGE_NS + HOUR);
	s->sd->tmp_sweep_every = 1;
	put_numbered(s->sd, 50, NULL);
	assert_int_equal(store_count(s, "tmp"), 6);
	assert_true(store_has(s, "tmp", live));
	assert_true(store_has(s, "tmp", host));
	assert_true(store_has(s, "tmp", "leftover"));
	assert_int_equal(statusdir_put_commit(t, id), 0);
	assert_version(s->sd, NULL, "in progress", 11, id);
}

/* A sweep that fails does not fail the put, which has committed. */
static void test_put_sweep_error_is_ignored(void **state)
{
	struct store *s = *state;
	char dead[NAME_MAX + 1], pid[32], id[STATUSDIR_ID_SIZE];
	snprintf(pid, sizeof(pid), "%ld", (long)dead_pid());
	edited_name(s, 2, pid, dead);
	plant_tmp(s, dead);
	s->sd->tmp_sweep_every = 1;
	fault_arm(FAULT_UNLINKAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EACCES,
	                                           .name = dead });
	assert_int_equal(statusdir_put(s->sd, "v", 1, 0, id), 0);
	assert_int_equal(fault_hits(FAULT_UNLINKAT), 1);
	fault_reset();
	assert_version(s->sd, NULL, "v", 1, id);
	assert_true(store_has(s, "tmp", dead));
}

static bool have_writer_identity(void)
{
	struct stat st;
	return access("/proc/sys/kernel/random/boot_id", R_OK) == 0 &&
	       stat("/proc/self/ns/pid", &st) == 0 && access("/proc/self/stat", R_OK) == 0;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fault_store_setup, fault_store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_stale_after_default_age),
		T(test_stale_after_policy_age),
		T(test_dead_writer_is_swept_at_once),
		T(test_writer_of_another_boot_is_gone),
		T(test_reused_pid_is_gone),
		T(test_live_writer_is_kept),
		T(test_undecidable_writers_are_kept),
		T(test_non_regular_entries_are_left_alone),
		T(test_dry_run_only_reports),
		T(test_format_leftover_goes_by_age),
		T(test_verify_reports_stale_and_busy),
		T(test_usage_counts_stale_and_busy),
		T(test_usage_of_empty_tmp),
		T(test_usage_reports_a_failed_listing),
		T(test_put_sweeps_gone_writers),
		T(test_put_sweeps_within_a_few_k_puts),
		T(test_put_sweep_is_rare),
		T(test_put_sweep_keeps_what_may_be_alive),
		T(test_put_sweep_error_is_ignored),
	};
	if (!have_writer_identity()) {
		printf("1..0 # SKIP no /proc: writers cannot be identified\n");
		return 0;
	}
	return cmocka_run_group_tests_name("tmp_sweep", tests, NULL, NULL);
}
