/* SPDX-License-Identifier: MIT */
/* test_junk.c - readers ignore what is not a version: names outside the
 * grammar, and anything under a valid name that is not a regular file (a
 * FIFO must not block, a symlink must not be followed, a folder is not a
 * version).  The junk is named like an id greater than every version, so
 * a reader that took it would show. */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIFO_ID "9000000000000000001.00000000000000000000000000000001.0.2d06800538d394c2"
#define DIR_ID "9000000000000000002.00000000000000000000000000000002.0.2d06800538d394c2"
#define LINK_ID "9000000000000000003.00000000000000000000000000000003.0.2d06800538d394c2"
#define DANGLING_ID "9000000000000000004.00000000000000000000000000000004.0.2d06800538d394c2"

static void plant_junk(struct store *s, const char *folder, const char *target_id)
{
	char p[PATH_MAX], rel[PATH_MAX], target[PATH_MAX];
	snprintf(rel, sizeof(rel), "%s/" FIFO_ID, folder);
	store_file(s, rel, p);
	assert_int_equal(mkfifo(p, 0644), 0);
	snprintf(rel, sizeof(rel), "%s/" DIR_ID, folder);
	store_file(s, rel, p);
	assert_int_equal(mkdir(p, 0755), 0);
	/* a symlink to a real version, under a greater valid id */
	snprintf(rel, sizeof(rel), "%s/" LINK_ID, folder);
	store_file(s, rel, p);
	snprintf(rel, sizeof(rel), "cur/%s", target_id);
	store_file(s, rel, target);
	assert_int_equal(symlink(target, p), 0);
	snprintf(rel, sizeof(rel), "%s/" DANGLING_ID, folder);
	store_file(s, rel, p);
	assert_int_equal(symlink("/nonexistent/statusdir", p), 0);
	/* files whose names are not ids */
	static const char *const names[] = { ".nfs000000000001", "notes.txt",
	                                     "x.swp", "~" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(rel, sizeof(rel), "%s/%s", folder, names[i]);
		store_file(s, rel, p);
		write_file(p, "junk", 4);
	}
}

static void test_get_ignores_junk(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], rel[PATH_MAX], p[PATH_MAX];
	put_ok(s->sd, "real", 4, id);
	plant_junk(s, "cur", id);
	assert_version(s->sd, NULL, "real", 4, id);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, null_fd(), 0, NULL), 0);
	char *path = NULL;
	assert_int_equal(statusdir_path(s->sd, NULL, &path), 0);
	snprintf(rel, sizeof(rel), "cur/%s", id);
	store_file(s, rel, p);
	assert_string_equal(path, p);
	free(path);
}

/* Asked for by name, junk is no version either (and a FIFO does not block). */
static void test_get_by_junk_name_is_enoent(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], buf[16];
	size_t len;
	put_ok(s->sd, "real", 4, id);
	plant_junk(s, "cur", id);
	plant_junk(s, "old", id);
	static const char *const ids[] = { FIFO_ID, DIR_ID, LINK_ID, DANGLING_ID };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(statusdir_get(s->sd, ids[i], buf, sizeof(buf), &len, NULL),
		                 -ENOENT);
		assert_int_equal(statusdir_get_fd(s->sd, ids[i], null_fd(), 0, NULL), -ENOENT);
	}
}

static void test_list_ignores_junk(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE];
	struct statusdir_version *v;
	size_t n;
	put_numbered(s->sd, 3, ids);
	plant_junk(s, "cur", ids[2]);
	plant_junk(s, "old", ids[2]);
	assert_int_equal(statusdir_list(s->sd, &v, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i].id, ids[2 - i]);
	statusdir_list_free(v);
}

/* Junk does not disturb writing either: the next put is the newest, and the
 * head move counts only versions. */
static void test_put_after_junk(void **state)
{
	struct store *s = *state;
	char first[STATUSDIR_ID_SIZE], ids[STATUSDIR_HEAD + 2][STATUSDIR_ID_SIZE];
	char text[32];
	put_ok(s->sd, "first", 5, first);
	plant_junk(s, "cur", first);
	put_numbered(s->sd, STATUSDIR_HEAD + 2, ids);
	int len = snprintf(text, sizeof(text), "version %d\n", STATUSDIR_HEAD + 1);
	assert_version(s->sd, NULL, text, (size_t)len, ids[STATUSDIR_HEAD + 1]);
	assert_true(store_has(s, "cur", FIFO_ID));
	assert_true(store_has(s, "cur", DIR_ID));
	assert_true(store_has(s, "cur", LINK_ID));
	assert_true(store_has(s, "cur", "notes.txt"));
	assert_true(store_has(s, "old", first));
	assert_int_equal(store_count(s, "old"), 3);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_get_ignores_junk),
		T(test_get_by_junk_name_is_enoent),
		T(test_list_ignores_junk),
		T(test_put_after_junk),
	};
	return cmocka_run_group_tests_name("junk", tests, NULL, NULL);
}
