/* SPDX-License-Identifier: MIT */
/* test_prune.c - removing versions by policy (keep N, max age), never the
 * greatest id nor the newest intact version, the head move, and a dry run
 * that changes nothing.  The clock is wrapped (fault.h) so that versions
 * can be made old. */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HOUR (3600 * INT64_C(1000000000))

struct events {
	unsigned n[STATUSDIR_EV_DAMAGED + 1];
	unsigned dry;   /* events with dry_run set */
	unsigned total;
	char last_removed[STATUSDIR_ID_SIZE];
	char last_dir[8];
};

static void record(void *arg, const struct statusdir_event *ev)
{
	struct events *e = arg;
	assert_true(ev->kind <= STATUSDIR_EV_DAMAGED);
	assert_non_null(ev->dir);
	assert_non_null(ev->name);
	assert_non_null(ev->detail);
	e->n[ev->kind]++;
	e->total++;
	e->dry += ev->dry_run != 0;
	if (ev->kind == STATUSDIR_EV_REMOVED) {
		snprintf(e->last_removed, sizeof(e->last_removed), "%s", ev->name);
		snprintf(e->last_dir, sizeof(e->last_dir), "%s", ev->dir);
	}
}

static void prune_ok(statusdir *sd, struct statusdir_prune_policy *p,
                     struct statusdir_counts *c)
{
	int r = statusdir_prune(sd, p, c);
	if (r != 0)
		fail_msg("statusdir_prune: %s", statusdir_strerror(r));
}

/* The ids listed now, newest first, must be exactly want[0..n). */
static void assert_listed(statusdir *sd, char (*want)[STATUSDIR_ID_SIZE], size_t n)
{
	struct statusdir_version *v;
	size_t got;
	assert_int_equal(statusdir_list(sd, &v, &got), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i].id, want[i]);
	statusdir_list_free(v);
}

/* ids of put_numbered() newest first: ids[n-1], ..., ids[0]. */
static void newest_first(char (*ids)[STATUSDIR_ID_SIZE], size_t n,
                         char (*out)[STATUSDIR_ID_SIZE])
{
	for (size_t i = 0; i < n; i++)
		memcpy(out[i], ids[n - 1 - i], STATUSDIR_ID_SIZE);
}

static void version_path(const struct store *s, const char *id, char *out)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "%s/%s", store_has(s, "cur", id) ? "cur" : "old", id);
	store_file(s, rel, out);
}

/* Same size, other bytes. */
static void damage_content(const struct store *s, const char *id)
{
	char p[PATH_MAX];
	size_t len;
	version_path(s, id, p);
	char *buf = read_file(p, &len);
	assert_true(len > 0);
	buf[0] ^= 0x20;
	write_file(p, buf, len);
	free(buf);
}

static void damage_size(const struct store *s, const char *id)
{
	char p[PATH_MAX];
	version_path(s, id, p);
	assert_int_equal(truncate(p, 1), 0);
}

static void test_keep_n(void **state)
{
	struct store *s = *state;
	char ids[20][STATUSDIR_ID_SIZE], want[20][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	struct statusdir_counts c;
	struct events ev = { 0 };
	put_numbered(s->sd, 20, ids);
	statusdir_prune_policy_init(&p);
	p.keep = 5;
	p.report = record;
	p.report_arg = &ev;
	prune_ok(s->sd, &p, &c);
	assert_int_equal(c.versions, 20);
	assert_int_equal(c.removed, 15);
	assert_int_equal(ev.n[STATUSDIR_EV_REMOVED], 15);
	assert_int_equal(ev.dry, 0);
	assert_string_equal(ev.last_removed, ids[0]);
	assert_string_equal(ev.last_dir, "old");
	newest_first(ids, 20, want);
	assert_listed(s->sd, want, 5);
	assert_int_equal(store_count(s, "cur"), 5);
	assert_int_equal(store_count(s, "old"), 0);
	/* again: nothing more to do */
	prune_ok(s->sd, &p, &c);
	assert_int_equal(c.removed, 0);
	assert_listed(s->sd, want, 5);
}

static void test_keep_one_keeps_the_greatest(void **state)
{
	struct store *s = *state;
	char ids[12][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	put_numbered(s->sd, 12, ids);
	statusdir_prune_policy_init(&p);
	p.keep = 1;
	prune_ok(s->sd, &p, NULL);
	assert_listed(s->sd, &ids[11], 1);
	assert_version(s->sd, NULL, "version 11\n", 11, ids[11]);
}

/* By the id's time: the five made two hours ago go, the five made now stay. */
static void test_max_age(void **state)
{
	struct store *s = *state;
	char ids[10][STATUSDIR_ID_SIZE], want[10][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	struct statusdir_counts c;
	fault_clock_offset(-2 * HOUR);
	put_numbered(s->sd, 5, ids);
	fault_clock_offset(0);
	put_numbered(s->sd, 5, ids + 5);
	statusdir_prune_policy_init(&p);
	p.max_age_ns = HOUR;
	prune_ok(s->sd, &p, &c);
	assert_int_equal(c.removed, 5);
	newest_first(ids, 10, want);
	assert_listed(s->sd, want, 5);
}

/* Everything is too old, but the greatest id stays. */
static void test_max_age_keeps_the_greatest(void **state)
{
	struct store *s = *state;
	char ids[6][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	fault_clock_offset(-48 * HOUR);
	put_numbered(s->sd, 6, ids);
	fault_clock_offset(0);
	statusdir_prune_policy_init(&p);
	p.max_age_ns = 1;
	prune_ok(s->sd, &p, NULL);
	assert_listed(s->sd, &ids[5], 1);
}

/* A version goes if either rule says so. */
static void test_keep_and_max_age_together(void **state)
{
	struct store *s = *state;
	char ids[10][STATUSDIR_ID_SIZE], want[10][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	fault_clock_offset(-2 * HOUR);
	put_numbered(s->sd, 6, ids);
	fault_clock_offset(0);
	put_numbered(s->sd, 4, ids + 6);
	newest_first(ids, 10, want);
	statusdir_prune_policy_init(&p);
	p.keep = 8;
	p.max_age_ns = HOUR;
	prune_ok(s->sd, &p, NULL);
	assert_listed(s->sd, want, 4);
	p.keep = 2;
	prune_ok(s->sd, &p, NULL);
	assert_listed(s->sd, want, 2);
}

/* The newest is damaged: it stays (the greatest id), and so does the newest
 * intact version, so that readers asking by id still have a good one. */
static void check_newest_intact_kept(struct store *s,
                                     void (*damage)(const struct store *, const char *))
{
	char ids[5][STATUSDIR_ID_SIZE], want[2][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	char buf[32];
	size_t len;
	put_numbered(s->sd, 5, ids);
	damage(s, ids[4]);
	statusdir_prune_policy_init(&p);
	p.keep = 1;
	prune_ok(s->sd, &p, NULL);
	memcpy(want[0], ids[4], STATUSDIR_ID_SIZE);
	memcpy(want[1], ids[3], STATUSDIR_ID_SIZE);
	assert_listed(s->sd, want, 2);
	/* the newest is damaged: get heals to the intact one prune kept */
	char found[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, found),
	                 STATUSDIR_HEALED);
	assert_string_equal(found, ids[3]);
	assert_int_equal(len, 10);
	assert_memory_equal(buf, "version 3\n", 10);
	assert_version(s->sd, ids[3], "version 3\n", 10, ids[3]);
}

static void test_damaged_content_newest_keeps_newest_intact(void **state)
{
	check_newest_intact_kept(*state, damage_content);
}

static void test_damaged_size_newest_keeps_newest_intact(void **state)
{
	check_newest_intact_kept(*state, damage_size);
}

/* Two damaged on top: the newest intact is the third; the damaged one
 * between is not kept for it. */
static void test_two_damaged_newest(void **state)
{
	struct store *s = *state;
	char ids[6][STATUSDIR_ID_SIZE], want[2][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	put_numbered(s->sd, 6, ids);
	damage_content(s, ids[5]);
	damage_size(s, ids[4]);
	statusdir_prune_policy_init(&p);
	p.keep = 1;
	p.max_age_ns = 1;
	prune_ok(s->sd, &p, NULL);
	memcpy(want[0], ids[5], STATUSDIR_ID_SIZE);
	memcpy(want[1], ids[3], STATUSDIR_ID_SIZE);
	assert_listed(s->sd, want, 2);
	assert_version(s->sd, ids[3], "version 3\n", 10, ids[3]);
}

/* A damaged version within keep does not make prune keep an extra one. */
static void test_intact_within_keep_needs_nothing_extra(void **state)
{
	struct store *s = *state;
	char ids[6][STATUSDIR_ID_SIZE], want[6][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	put_numbered(s->sd, 6, ids);
	damage_content(s, ids[5]);
	statusdir_prune_policy_init(&p);
	p.keep = 3;
	prune_ok(s->sd, &p, NULL);
	newest_first(ids, 6, want);
	assert_listed(s->sd, want, 3);
}

/* Every entry of every folder, as one string, to compare before/after. */
static char *tree(const struct store *s)
{
	static const char *const folders[] = { ".", "cur", "old", "tmp" };
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap);
	assert_non_null(out);
	for (size_t i = 0; i < 4; i++) {
		char p[PATH_MAX];
		struct dirent **names;
		store_file(s, folders[i], p);
		int n = scandir(p, &names, NULL, alphasort);
		assert_true(n >= 0);
		for (int j = 0; j < n; j++) {
			int w = snprintf(out + len, cap - len, "%s/%s\n", folders[i], names[j]->d_name);
			assert_true(w > 0 && (size_t)w < cap - len);
			len += (size_t)w;
			free(names[j]);
		}
		free(names);
	}
	return out;
}

static void test_dry_run_changes_nothing(void **state)
{
	struct store *s = *state;
	char ids[20][STATUSDIR_ID_SIZE], p_tmp[PATH_MAX];
	struct statusdir_prune_policy p;
	struct statusdir_counts c;
	struct events ev = { 0 };
	fault_clock_offset(-2 * HOUR);
	put_numbered(s->sd, 10, ids);
	fault_clock_offset(0);
	put_numbered(s->sd, 10, ids + 10);
	/* put the history back into the head, so there is a move to do */
	for (size_t i = 0; i < 12; i++) {
		char from[PATH_MAX], to[PATH_MAX], rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "old/%s", ids[i]);
		store_file(s, rel, from);
		snprintf(rel, sizeof(rel), "cur/%s", ids[i]);
		store_file(s, rel, to);
		assert_int_equal(rename(from, to), 0);
	}
	store_file(s, "tmp/leftover", p_tmp);
	write_file(p_tmp, "x", 1);
	char *before = tree(s);
	statusdir_prune_policy_init(&p);
	p.keep = 3;
	p.max_age_ns = 2 * HOUR;
	p.tmp_age_ns = HOUR / 2;
	p.flags = STATUSDIR_PRUNE_DRY_RUN;
	p.report = record;
	p.report_arg = &ev;
	fault_clock_offset(HOUR); /* the tmp file is an hour old */
	prune_ok(s->sd, &p, &c);
	char *after = tree(s);
	assert_string_equal(before, after);
	assert_int_equal(c.removed, 17);
	assert_int_equal(c.moved, 12);
	assert_int_equal(c.tmp_removed, 1);
	assert_int_equal(ev.n[STATUSDIR_EV_REMOVED], 17);
	assert_int_equal(ev.n[STATUSDIR_EV_MOVED], 12);
	assert_int_equal(ev.n[STATUSDIR_EV_TMP_REMOVED], 1);
	assert_int_equal(ev.dry, ev.total);
	/* the same policy for real does what the dry run said */
	p.flags = 0;
	memset(&ev, 0, sizeof(ev));
	prune_ok(s->sd, &p, &c);
	assert_int_equal(c.removed, 17);
	assert_int_equal(c.tmp_removed, 1);
	assert_int_equal(ev.dry, 0);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur") + store_count(s, "old"), 3);
	free(before);
	free(after);
}

static void test_default_policy_removes_no_version(void **state)
{
	struct store *s = *state;
	char ids[20][STATUSDIR_ID_SIZE], want[20][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	struct statusdir_counts c;
	fault_clock_offset(-1000 * HOUR);
	put_numbered(s->sd, 20, ids);
	fault_clock_offset(0);
	statusdir_prune_policy_init(&p);
	prune_ok(s->sd, &p, &c);
	assert_int_equal(c.removed, 0);
	newest_first(ids, 20, want);
	assert_listed(s->sd, want, 20);
}

/* cur/ holding more than the head (e.g. after a crash between a put and
 * its move): prune moves the older ones to old/. */
static void test_prune_moves_the_head(void **state)
{
	struct store *s = *state;
	char ids[20][STATUSDIR_ID_SIZE], want[20][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	struct statusdir_counts c;
	struct events ev = { 0 };
	put_numbered(s->sd, 20, ids);
	for (size_t i = 0; i < 20 - STATUSDIR_HEAD; i++) {
		char from[PATH_MAX], to[PATH_MAX], rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "old/%s", ids[i]);
		store_file(s, rel, from);
		snprintf(rel, sizeof(rel), "cur/%s", ids[i]);
		store_file(s, rel, to);
		assert_int_equal(rename(from, to), 0);
	}
	assert_int_equal(store_count(s, "cur"), 20);
	statusdir_prune_policy_init(&p);
	p.report = record;
	p.report_arg = &ev;
	prune_ok(s->sd, &p, &c);
	assert_int_equal(c.moved, 20 - STATUSDIR_HEAD);
	assert_int_equal(ev.n[STATUSDIR_EV_MOVED], 20 - STATUSDIR_HEAD);
	assert_int_equal(store_count(s, "cur"), STATUSDIR_HEAD);
	assert_int_equal(store_count(s, "old"), 20 - STATUSDIR_HEAD);
	for (size_t i = 0; i < 20; i++)
		assert_true(store_has(s, i < 20 - STATUSDIR_HEAD ? "old" : "cur", ids[i]));
	newest_first(ids, 20, want);
	assert_listed(s->sd, want, 20);
}

static void test_prune_leaves_junk_alone(void **state)
{
	struct store *s = *state;
	char p_junk[PATH_MAX], ids[10][STATUSDIR_ID_SIZE];
	struct statusdir_prune_policy p;
	put_numbered(s->sd, 10, ids);
	store_file(s, "cur/notes.txt", p_junk);
	write_file(p_junk, "mine", 4);
	store_file(s, "old/.nfs0001", p_junk);
	write_file(p_junk, "mine", 4);
	store_file(s, "cur/subdir", p_junk);
	assert_int_equal(mkdir(p_junk, 0755), 0);
	statusdir_prune_policy_init(&p);
	p.keep = 1;
	prune_ok(s->sd, &p, NULL);
	assert_listed(s->sd, &ids[9], 1);
	assert_true(store_has(s, "cur", "notes.txt"));
	assert_true(store_has(s, "cur", "subdir"));
	assert_true(store_has(s, "old", ".nfs0001"));
}

static void test_bad_policy_is_einval(void **state)
{
	struct store *s = *state;
	struct statusdir_prune_policy p;
	put_numbered(s->sd, 3, NULL);
	assert_int_equal(statusdir_prune(s->sd, NULL, NULL), -EINVAL);
	statusdir_prune_policy_init(&p);
	assert_int_equal(statusdir_prune(NULL, &p, NULL), -EINVAL);
	p.max_age_ns = -1;
	assert_int_equal(statusdir_prune(s->sd, &p, NULL), -EINVAL);
	statusdir_prune_policy_init(&p);
	p.tmp_age_ns = -1;
	assert_int_equal(statusdir_prune(s->sd, &p, NULL), -EINVAL);
	statusdir_prune_policy_init(&p);
	p.flags = 1u << 5;
	p.keep = 1;
	assert_int_equal(statusdir_prune(s->sd, &p, NULL), -EINVAL);
	assert_int_equal(store_count(s, "cur"), 3);
}

/* Pruning an empty store is fine. */
static void test_empty_store(void **state)
{
	struct store *s = *state;
	struct statusdir_prune_policy p;
	struct statusdir_counts c;
	statusdir_prune_policy_init(&p);
	p.keep = 1;
	p.max_age_ns = 1;
	prune_ok(s->sd, &p, &c);
	assert_int_equal(c.versions, 0);
	assert_int_equal(c.removed, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fault_store_setup, fault_store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_keep_n),
		T(test_keep_one_keeps_the_greatest),
		T(test_max_age),
		T(test_max_age_keeps_the_greatest),
		T(test_keep_and_max_age_together),
		T(test_damaged_content_newest_keeps_newest_intact),
		T(test_damaged_size_newest_keeps_newest_intact),
		T(test_two_damaged_newest),
		T(test_intact_within_keep_needs_nothing_extra),
		T(test_dry_run_changes_nothing),
		T(test_default_policy_removes_no_version),
		T(test_prune_moves_the_head),
		T(test_prune_leaves_junk_alone),
		T(test_bad_policy_is_einval),
		T(test_empty_store),
	};
	return cmocka_run_group_tests_name("prune", tests, NULL, NULL);
}
