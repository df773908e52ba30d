/* SPDX-License-Identifier: MIT */
/* test_list_newest.c - statusdir_list_newest() and statusdir_resolve("@N")
 * give what a full listing gives, and for N within the head they read cur/
 * alone: old/ is never opened.  That is checked by failing every listing
 * after the first (each listing opens its folder's "." afresh, scan.c), not
 * by timing. */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PUTS 30

static int setup(void **state)
{
	fault_reset();
	int r = store_setup(state);
	if (r == 0)
		put_numbered_flags(((struct store *)*state)->sd, PUTS, STATUSDIR_NOSYNC, NULL);
	return r;
}

static int teardown(void **state)
{
	fault_reset();
	return store_teardown(state);
}

/* list_newest(n) is the first n of statusdir_list(), for every n. */
static void assert_same_as_list(statusdir *sd, size_t upto)
{
	struct statusdir_version *all, *v;
	size_t n_all, n;
	assert_int_equal(statusdir_list(sd, &all, &n_all), 0);
	for (size_t want = 0; want <= upto; want++) {
		assert_int_equal(statusdir_list_newest(sd, want, &v, &n), 0);
		assert_int_equal(n, want < n_all ? want : n_all);
		if (n == 0)
			assert_null(v);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(v[i].id, all[i].id);
			assert_int_equal(v[i].in_head, all[i].in_head);
			assert_int_equal(v[i].size, all[i].size);
		}
		statusdir_list_free(v);
	}
	statusdir_list_free(all);
}

static void test_newest_is_a_prefix_of_list(void **state)
{
	struct store *s = *state;
	assert_int_equal(store_count(s, "cur"), STATUSDIR_HEAD);
	assert_same_as_list(s->sd, PUTS + 2);
}

/* A slow writer's low id in cur/, beside greater ones already in old/:
 * cur/ then holds HEAD + 1 versions, but only its HEAD newest are the
 * store's newest.  Made here by moving an old version back into cur/. */
static void test_low_id_in_cur(void **state)
{
	struct store *s = *state;
	struct statusdir_version *all, *v;
	size_t n_all, n;
	char from[PATH_MAX], to[PATH_MAX], rel[PATH_MAX];
	assert_int_equal(statusdir_list(s->sd, &all, &n_all), 0);
	const char *low = all[n_all - 3].id;
	snprintf(rel, sizeof(rel), "old/%s", low);
	store_file(s, rel, from);
	snprintf(rel, sizeof(rel), "cur/%s", low);
	store_file(s, rel, to);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(store_count(s, "cur"), STATUSDIR_HEAD + 1);
	assert_same_as_list(s->sd, PUTS);
	assert_int_equal(statusdir_list_newest(s->sd, STATUSDIR_HEAD + 1, &v, &n), 0);
	assert_int_equal(n, STATUSDIR_HEAD + 1);
	assert_string_equal(v[STATUSDIR_HEAD].id, all[STATUSDIR_HEAD].id);
	assert_int_equal(v[STATUSDIR_HEAD].in_head, 0);
	statusdir_list_free(v);
	statusdir_list_free(all);
}

/* Every listing after the first fails: one of cur/ succeeds, one of old/
 * would fail. */
static void fail_second_listing(void)
{
	fault_arm(FAULT_OPENAT, &(struct fault){ .skip = 1, .times = FAULT_ALWAYS,
	                                         .err = EIO, .name = "." });
}

static void test_within_head_reads_cur_only(void **state)
{
	struct store *s = *state;
	struct statusdir_version *v;
	size_t n;
	for (size_t want = 1; want <= STATUSDIR_HEAD; want++) {
		fail_second_listing();
		assert_int_equal(statusdir_list_newest(s->sd, want, &v, &n), 0);
		assert_int_equal(n, want);
		assert_int_equal(fault_hits(FAULT_OPENAT), 0);
		statusdir_list_free(v);
	}
	/* the control: beyond the head old/ is read, and the fault bites */
	fail_second_listing();
	assert_int_equal(statusdir_list_newest(s->sd, STATUSDIR_HEAD + 1, &v, &n), -EIO);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
}

static void test_resolve_within_head_reads_cur_only(void **state)
{
	struct store *s = *state;
	struct statusdir_version *all;
	size_t n_all;
	char ref[16], id[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_list(s->sd, &all, &n_all), 0);
	for (int back = 0; back < STATUSDIR_HEAD; back++) {
		snprintf(ref, sizeof(ref), "@%d", back);
		fail_second_listing();
		assert_int_equal(statusdir_resolve(s->sd, ref, id), 0);
		assert_string_equal(id, all[back].id);
		assert_int_equal(fault_hits(FAULT_OPENAT), 0);
	}
	fail_second_listing();
	snprintf(ref, sizeof(ref), "@%d", STATUSDIR_HEAD);
	assert_int_equal(statusdir_resolve(s->sd, ref, id), -EIO);
	fault_reset();
	assert_int_equal(statusdir_resolve(s->sd, ref, id), 0);
	assert_string_equal(id, all[STATUSDIR_HEAD].id);
	snprintf(ref, sizeof(ref), "@%d", PUTS);
	assert_int_equal(statusdir_resolve(s->sd, ref, id), -ENOENT);
	statusdir_list_free(all);
}

/* A store that holds fewer versions than asked for: cur/ is not enough,
 * old/ is read (and is empty). */
static void test_short_store(void **state)
{
	struct store *s = *state;
	struct statusdir_version *v = (struct statusdir_version *)&v;
	size_t n = 99;
	assert_int_equal(statusdir_list_newest(NULL, 1, &v, &n), -EINVAL);
	assert_int_equal(statusdir_list_newest(s->sd, 1, NULL, &n), -EINVAL);
	assert_int_equal(statusdir_list_newest(s->sd, 1, &v, NULL), -EINVAL);
	assert_int_equal(statusdir_list_newest(s->sd, 0, &v, &n), 0);
	assert_null(v);
	assert_int_equal(n, 0);
	store_teardown(state);
	assert_int_equal(store_setup(state), 0);
	s = *state;
	put_numbered(s->sd, 3, NULL);
	assert_int_equal(statusdir_list_newest(s->sd, 5, &v, &n), 0);
	assert_int_equal(n, 3);
	statusdir_list_free(v);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_newest_is_a_prefix_of_list),
		T(test_low_id_in_cur),
		T(test_within_head_reads_cur_only),
		T(test_resolve_within_head_reads_cur_only),
		T(test_short_store),
	};
	return cmocka_run_group_tests_name("list_newest", tests, NULL, NULL);
}
