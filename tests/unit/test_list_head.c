/* SPDX-License-Identifier: MIT */
/* test_list_head.c - listing, and the head/history split: cur/ keeps the
 * STATUSDIR_HEAD newest versions, old/ the rest, the newest is always in
 * cur/, and a version is found by id wherever it lives. */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#define PUTS 20

static void payload_of(size_t i, char *text, size_t *len)
{
	*len = (size_t)snprintf(text, 32, "version %zu\n", i);
}

static void test_empty_list(void **state)
{
	struct store *s = *state;
	struct statusdir_version *v = (struct statusdir_version *)&v;
	size_t n = 99;
	assert_int_equal(statusdir_list(s->sd, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
	statusdir_list_free(NULL);
	assert_int_equal(statusdir_list(NULL, &v, &n), -EINVAL);
	assert_int_equal(statusdir_list(s->sd, NULL, &n), -EINVAL);
}

static void test_head_and_history_after_each_put(void **state)
{
	struct store *s = *state;
	for (size_t i = 0; i < PUTS; i++) {
		char id[STATUSDIR_ID_SIZE], text[32];
		size_t len;
		payload_of(i, text, &len);
		put_ok(s->sd, text, len, id);
		size_t want_cur = i + 1 < STATUSDIR_HEAD ? i + 1 : STATUSDIR_HEAD;
		assert_int_equal(store_count(s, "cur"), want_cur);
		assert_int_equal(store_count(s, "old"), i + 1 - want_cur);
		assert_int_equal(store_count(s, "tmp"), 0);
		assert_true(store_has(s, "cur", id));
		assert_version(s->sd, NULL, text, len, id);
	}
}

/* Newest first, with the fields of each id, in_head for the cur/ ones. */
static void test_list_order_and_fields(void **state)
{
	struct store *s = *state;
	char ids[PUTS][STATUSDIR_ID_SIZE];
	struct statusdir_version *v;
	size_t n;
	put_numbered(s->sd, PUTS, ids);
	assert_int_equal(statusdir_list(s->sd, &v, &n), 0);
	assert_int_equal(n, PUTS);
	for (size_t i = 0; i < n; i++) {
		struct statusdir_version parsed;
		char text[32];
		size_t len;
		const char *want = ids[PUTS - 1 - i];
		assert_string_equal(v[i].id, want);
		assert_int_equal(statusdir_id_parse(want, &parsed), 0);
		assert_true(v[i].time_ns == parsed.time_ns);
		assert_true(v[i].checksum == parsed.checksum);
		payload_of(PUTS - 1 - i, text, &len);
		assert_int_equal(v[i].size, len);
		assert_int_equal(v[i].in_head, i < STATUSDIR_HEAD);
		assert_int_equal(store_has(s, v[i].in_head ? "cur" : "old", v[i].id), 1);
		if (i > 0) {
			assert_true(strcmp(v[i - 1].id, v[i].id) > 0);
			assert_true(v[i - 1].time_ns > v[i].time_ns);
		}
	}
	statusdir_list_free(v);
}

/* Every version reads back by id, from cur/ or from old/. */
static void test_get_by_id_from_cur_and_old(void **state)
{
	struct store *s = *state;
	char ids[PUTS][STATUSDIR_ID_SIZE];
	put_numbered(s->sd, PUTS, ids);
	for (size_t i = 0; i < PUTS; i++) {
		char text[32];
		size_t len;
		payload_of(i, text, &len);
		assert_int_equal(store_has(s, i >= PUTS - STATUSDIR_HEAD ? "cur" : "old", ids[i]),
		                 1);
		assert_version(s->sd, ids[i], text, len, ids[i]);
	}
}

static void test_path_names_cur_or_old(void **state)
{
	struct store *s = *state;
	char ids[PUTS][STATUSDIR_ID_SIZE];
	put_numbered(s->sd, PUTS, ids);
	for (size_t i = 0; i < PUTS; i++) {
		char rel[PATH_MAX], want[PATH_MAX], *path = NULL;
		snprintf(rel, sizeof(rel), "%s/%s", i >= PUTS - STATUSDIR_HEAD ? "cur" : "old",
		         ids[i]);
		store_file(s, rel, want);
		assert_int_equal(statusdir_path(s->sd, ids[i], &path), 0);
		assert_string_equal(path, want);
		free(path);
	}
}

/* A version seen in both folders (as while it is being moved) is listed
 * once, as a head entry. */
static void test_version_in_both_folders_listed_once(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE], from[PATH_MAX], to[PATH_MAX], rel[PATH_MAX];
	struct statusdir_version *v;
	size_t n;
	put_numbered(s->sd, 3, ids);
	snprintf(rel, sizeof(rel), "cur/%s", ids[1]);
	store_file(s, rel, from);
	snprintf(rel, sizeof(rel), "old/%s", ids[1]);
	store_file(s, rel, to);
	assert_int_equal(link(from, to), 0);
	assert_int_equal(statusdir_list(s->sd, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[1].id, ids[1]);
	assert_int_equal(v[1].in_head, 1);
	statusdir_list_free(v);
}

/* The newest is the greatest id in cur/: finding it never lists old/, so
 * even a greater id planted in old/ alone is not taken for it (it is
 * listed, and found by id). */
static void test_newest_comes_from_cur(void **state)
{
	struct store *s = *state;
	char ids[2][STATUSDIR_ID_SIZE], planted[STATUSDIR_ID_SIZE], rel[PATH_MAX];
	char path[PATH_MAX];
	struct statusdir_version *v;
	size_t n;
	put_numbered(s->sd, 2, ids);
	snprintf(planted, sizeof(planted), "9000000000000000000.%032x.7.%016" PRIx64, 1,
	         (uint64_t)XXH3_64bits("planted", 7));
	snprintf(rel, sizeof(rel), "old/%s", planted);
	store_file(s, rel, path);
	write_file(path, "planted", 7);
	assert_version(s->sd, NULL, "version 1\n", 10, ids[1]);
	assert_version(s->sd, planted, "planted", 7, planted);
	assert_int_equal(statusdir_list(s->sd, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].id, planted);
	assert_int_equal(v[0].in_head, 0);
	statusdir_list_free(v);
}

/* Two handles on one store see each other's versions. */
static void test_two_handles_share_the_store(void **state)
{
	struct store *s = *state;
	statusdir *other;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_open(s->path, 0, NULL, &other), 0);
	put_ok(s->sd, "from one", 8, a);
	assert_version(other, NULL, "from one", 8, a);
	put_ok(other, "from two", 8, b);
	assert_version(s->sd, NULL, "from two", 8, b);
	assert_true(strcmp(a, b) < 0);
	statusdir_close(other);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_empty_list),
		T(test_head_and_history_after_each_put),
		T(test_list_order_and_fields),
		T(test_get_by_id_from_cur_and_old),
		T(test_path_names_cur_or_old),
		T(test_version_in_both_folders_listed_once),
		T(test_newest_comes_from_cur),
		T(test_two_handles_share_the_store),
	};
	return cmocka_run_group_tests_name("list_head", tests, NULL, NULL);
}
