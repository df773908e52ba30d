/* SPDX-License-Identifier: MIT */
/* test_recover.c - format 2 after a power cut (spec/format2.md, section
 * 12): puts that are not durable leave a marker of their boot; an open in
 * a later boot seals the holes below the greatest number with tombstones,
 * so that no number is claimed again below a version that survived. */
#include "internal.h" /* first: config.h; the handle's identity */

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* STORE/unsynced.HOST.BOOT of this host, with boot as given. */
static void marker_path(const struct store *s, const char *boot, char *out)
{
	char rel[NAME_MAX + 1];
	snprintf(rel, sizeof(rel), "unsynced.%s.%s", s->sd->me.host, boot);
	store_file(s, rel, out);
}

static void lose(const struct store *s, uint64_t n)
{
	char path[PATH_MAX], rel[64];
	snprintf(rel, sizeof(rel), "cur/%s", store_number(n));
	store_file(s, rel, path);
	assert_int_equal(unlink(path), 0);
}

static statusdir *reopen(struct store *s)
{
	statusdir_close(s->sd);
	s->sd = NULL;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &s->sd), 0);
	return s->sd;
}

static void test_unsynced_put_leaves_its_boot_marker(void **state)
{
	struct store *s = *state;
	char path[PATH_MAX];
	struct stat st;
	marker_path(s, s->sd->me.boot_id, path);
	put_ok(s->sd, "durable", 7, NULL);
	assert_int_equal(stat(path, &st), -1); /* a durable put needs none */
	assert_int_equal(statusdir_put(s->sd, "n", 1, STATUSDIR_NOSYNC, NULL), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(statusdir_put(s->sd, "o", 1, STATUSDIR_ONE_FLUSH, NULL), 0);
	assert_int_equal(stat(path, &st), -1); /* once per handle: it knows */
	reopen(s);
	assert_int_equal(statusdir_put(s->sd, "o", 1, STATUSDIR_ONE_FLUSH, NULL), 0);
	assert_int_equal(stat(path, &st), 0);
}

/* Numbers 2 and 5 lost, 6 survived: after the next boot's open, 2 and 5
 * are tombstones, the marker is gone, and a put claims 7, never 2 (a fresh
 * handle's search, from 1, would stop at an unsealed 2). */
static void test_next_boot_seals_the_holes(void **state)
{
	struct store *s = *state;
	char path[PATH_MAX], id[STATUSDIR_ID_SIZE], target[16];
	struct stat st;
	for (int i = 0; i < 6; i++)
		assert_int_equal(statusdir_put(s->sd, "v", 1, STATUSDIR_NOSYNC, NULL), 0);
	lose(s, 2);
	lose(s, 5);
	/* as the power cut left it: a marker of this host, another boot */
	marker_path(s, s->sd->me.boot_id, path);
	char other[PATH_MAX];
	marker_path(s, "0123456789abcdef0123456789abcdef", other);
	assert_int_equal(rename(path, other), 0);
	reopen(s);
	assert_int_equal(stat(other, &st), -1);
	for (uint64_t k = 2; k <= 5; k += 3) {
		char rel[64];
		snprintf(rel, sizeof(rel), "cur/%s", store_number(k));
		store_file(s, rel, path);
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		assert_int_equal(n, 4);
		target[n] = '\0';
		assert_string_equal(target, "lost");
	}
	assert_int_equal(statusdir_get(s->sd, store_number(2), NULL, 0, &(size_t){ 0 }, NULL), -ENOENT);
	put_ok(s->sd, "after", 5, id);
	assert_string_equal(id, store_number(7));
	assert_version(s->sd, NULL, "after", 5, store_number(7));
}

/* Without a marker of another boot nothing is sealed: a hole that is not
 * a power cut's (a number still being claimed) is left alone. */
static void test_no_marker_no_tombstones(void **state)
{
	struct store *s = *state;
	for (int i = 0; i < 4; i++)
		put_ok(s->sd, "v", 1, NULL);
	lose(s, 2);
	reopen(s);
	assert_int_equal(store_has(s, "cur", store_number(2)), 0);
	/* another host's marker, whose name begins with this host's */
	char path[PATH_MAX], rel[NAME_MAX + 1];
	snprintf(rel, sizeof(rel), "unsynced.%s.x.0123456789abcdef0123456789abcdef",
	         s->sd->me.host);
	store_file(s, rel, path);
	write_file(path, "", 0);
	reopen(s);
	assert_int_equal(store_has(s, "cur", store_number(2)), 0);
	assert_int_equal(store_has(s, "", rel), 1);
}

/* A read-only open seals nothing (it may not write). */
static void test_readonly_open_does_not_seal(void **state)
{
	struct store *s = *state;
	char path[PATH_MAX];
	statusdir *ro;
	for (int i = 0; i < 3; i++)
		assert_int_equal(statusdir_put(s->sd, "v", 1, STATUSDIR_NOSYNC, NULL), 0);
	lose(s, 2);
	marker_path(s, "0123456789abcdef0123456789abcdef", path);
	write_file(path, "", 0);
	assert_int_equal(statusdir_open(s->path, STATUSDIR_READONLY, NULL, &ro), 0);
	statusdir_close(ro);
	assert_int_equal(store_has(s, "cur", store_number(2)), 0);
	reopen(s);
	assert_int_equal(store_has(s, "cur", store_number(2)), 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, store_setup_format2, store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_unsynced_put_leaves_its_boot_marker),
		T(test_next_boot_seals_the_holes),
		T(test_no_marker_no_tombstones),
		T(test_readonly_open_does_not_seal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
