/* SPDX-License-Identifier: MIT */
/* test_refs.c - relative references "@N" wherever the API takes a
 * version's id: statusdir_get(), statusdir_get_fd(), statusdir_read_fd(),
 * statusdir_path() and statusdir_rollback().  "@N" is resolved once, as
 * statusdir_resolve() does, and the call then works as if given that id:
 * the id it reports is the one "@N" named, and "@0" of a damaged newest
 * does not heal. */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More than the head, so that the oldest are in old/. */
#define VERSIONS (STATUSDIR_HEAD + 4)

static const char *const malformed[] = { "@", "@x", "@-1", "@+1", "@1x", "@ 1", "@0x1", "@@0" };
#define MALFORMED (sizeof(malformed) / sizeof(malformed[0]))

static void ref_of(char *out, size_t cap, int n)
{
	int k = snprintf(out, cap, "@%d", n);
	assert_true(k > 0 && (size_t)k < cap);
}

static void text_of(char *out, size_t cap, int n)
{
	int k = snprintf(out, cap, "version %d\n", n);
	assert_true(k > 0 && (size_t)k < cap);
}

static void test_get(void **state)
{
	struct store *s = *state;
	char ids[VERSIONS][STATUSDIR_ID_SIZE], ref[16], text[32], found[STATUSDIR_ID_SIZE];
	char buf[64];
	size_t len;
	put_numbered(s->sd, VERSIONS, ids);
	for (int n = 0; n < VERSIONS; n++) {
		int i = VERSIONS - 1 - n;
		ref_of(ref, sizeof(ref), n);
		text_of(text, sizeof(text), i);
		memset(found, 0, sizeof(found));
		assert_int_equal(statusdir_get(s->sd, ref, buf, sizeof(buf), &len, found), 0);
		assert_string_equal(found, ids[i]);
		assert_int_equal(len, strlen(text));
		assert_memory_equal(buf, text, len);
	}
	/* too small a buffer: the size and the id "@N" named */
	assert_int_equal(statusdir_get(s->sd, "@3", buf, 2, &len, found), -EMSGSIZE);
	assert_int_equal(len, strlen("version 8\n"));
	assert_string_equal(found, ids[VERSIONS - 4]);
	ref_of(ref, sizeof(ref), VERSIONS);
	assert_int_equal(statusdir_get(s->sd, ref, buf, sizeof(buf), &len, found), -ENOENT);
	assert_int_equal(statusdir_get(s->sd, "@99999999999999999999999", buf, sizeof(buf), &len,
	                               found), -ENOENT);
	for (size_t i = 0; i < MALFORMED; i++)
		if (statusdir_get(s->sd, malformed[i], buf, sizeof(buf), &len, found) != -EINVAL)
			fail_msg("statusdir_get(\"%s\") is not -EINVAL", malformed[i]);
}

static void test_get_fd(void **state)
{
	struct store *s = *state;
	char ids[VERSIONS][STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE], path[PATH_MAX];
	put_numbered(s->sd, VERSIONS, ids);
	store_dir_file(s, "out", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(statusdir_get_fd(s->sd, "@1", fd, 0, found), 0);
	assert_string_equal(found, ids[VERSIONS - 2]);
	/* from old/ */
	char ref[16];
	ref_of(ref, sizeof(ref), VERSIONS - 1);
	assert_int_equal(statusdir_get_fd(s->sd, ref, fd, STATUSDIR_GET_STRICT, found), 0);
	assert_string_equal(found, ids[0]);
	assert_int_equal(close(fd), 0);
	char want[64];
	snprintf(want, sizeof(want), "version %d\nversion 0\n", VERSIONS - 2);
	assert_file_equals(path, want, strlen(want));
	ref_of(ref, sizeof(ref), VERSIONS);
	assert_int_equal(statusdir_get_fd(s->sd, ref, null_fd(), 0, found), -ENOENT);
	for (size_t i = 0; i < MALFORMED; i++)
		if (statusdir_get_fd(s->sd, malformed[i], null_fd(), 0, found) != -EINVAL)
			fail_msg("statusdir_get_fd(\"%s\") is not -EINVAL", malformed[i]);
}

static void test_read_fd(void **state)
{
	struct store *s = *state;
	char ids[VERSIONS][STATUSDIR_ID_SIZE], ref[16];
	put_numbered(s->sd, VERSIONS, ids);
	for (int n = 0; n < VERSIONS; n++) {
		struct statusdir_read rd = { .flags = 0 };
		memset(rd.id, 'x', sizeof(rd.id));
		ref_of(ref, sizeof(ref), n);
		assert_int_equal(statusdir_read_fd(s->sd, ref, null_fd(), &rd), 0);
		assert_string_equal(rd.id, ids[VERSIONS - 1 - n]);
		assert_string_equal(rd.damaged, "");
		assert_int_equal(rd.skipped, 0);
	}
	struct statusdir_read rd = { .flags = 0 };
	ref_of(ref, sizeof(ref), VERSIONS);
	assert_int_equal(statusdir_read_fd(s->sd, ref, null_fd(), &rd), -ENOENT);
	for (size_t i = 0; i < MALFORMED; i++)
		if (statusdir_read_fd(s->sd, malformed[i], null_fd(), &rd) != -EINVAL)
			fail_msg("statusdir_read_fd(\"%s\") is not -EINVAL", malformed[i]);
}

static void test_path(void **state)
{
	struct store *s = *state;
	char ids[VERSIONS][STATUSDIR_ID_SIZE], ref[16], want[PATH_MAX + STATUSDIR_ID_SIZE];
	put_numbered(s->sd, VERSIONS, ids);
	for (int n = 0; n < VERSIONS; n++) {
		int i = VERSIONS - 1 - n;
		char *path = NULL;
		ref_of(ref, sizeof(ref), n);
		assert_int_equal(statusdir_path(s->sd, ref, &path), 0);
		snprintf(want, sizeof(want), "%s/%s/%s", s->path, n < STATUSDIR_HEAD ? "cur" : "old",
		         ids[i]);
		assert_string_equal(path, want);
		free(path);
	}
	char *path = (char *)"untouched";
	ref_of(ref, sizeof(ref), VERSIONS);
	assert_int_equal(statusdir_path(s->sd, ref, &path), -ENOENT);
	for (size_t i = 0; i < MALFORMED; i++)
		if (statusdir_path(s->sd, malformed[i], &path) != -EINVAL)
			fail_msg("statusdir_path(\"%s\") is not -EINVAL", malformed[i]);
	assert_string_equal(path, "untouched");
}

static void test_rollback(void **state)
{
	struct store *s = *state;
	char ids[VERSIONS][STATUSDIR_ID_SIZE], ref[16], id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, VERSIONS, ids);
	assert_int_equal(statusdir_rollback(s->sd, "@2", 0, id), 0);
	assert_true(strcmp(id, ids[VERSIONS - 1]) > 0);
	char text[32];
	text_of(text, sizeof(text), VERSIONS - 3);
	assert_version(s->sd, NULL, text, strlen(text), id);
	/* "@0" is now the rollback itself: again, with IF_CHANGED, nothing */
	char again[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_rollback(s->sd, "@0", STATUSDIR_IF_CHANGED, again),
	                 STATUSDIR_UNCHANGED);
	assert_string_equal(again, id);
	/* from old/: the oldest, counted after the rollback's version */
	ref_of(ref, sizeof(ref), VERSIONS);
	assert_int_equal(statusdir_rollback(s->sd, ref, 0, id), 0);
	assert_version(s->sd, NULL, "version 0\n", 10, id);
	ref_of(ref, sizeof(ref), VERSIONS + 2);
	assert_int_equal(statusdir_rollback(s->sd, ref, 0, id), -ENOENT);
	for (size_t i = 0; i < MALFORMED; i++)
		if (statusdir_rollback(s->sd, malformed[i], 0, id) != -EINVAL)
			fail_msg("statusdir_rollback(\"%s\") is not -EINVAL", malformed[i]);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* "@0" is the newest by position, damaged or not: read as that id, it is
 * -EBADMSG, where NULL heals; a rollback to it commits nothing. */
static void test_damaged_newest_is_not_healed(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE], buf[64];
	size_t len;
	put_numbered(s->sd, 3, ids);
	damage_version(s->sd, ids[2]);
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, found),
	                 STATUSDIR_HEALED);
	assert_string_equal(found, ids[1]);
	assert_int_equal(statusdir_get(s->sd, "@0", buf, sizeof(buf), &len, found), -EBADMSG);
	struct statusdir_read rd = { .flags = 0 };
	assert_int_equal(statusdir_read_fd(s->sd, "@0", null_fd(), &rd), -EBADMSG);
	assert_string_equal(rd.id, ids[2]);
	assert_string_equal(rd.damaged, "");
	assert_int_equal(statusdir_get_fd(s->sd, "@0", null_fd(), 0, found), -EBADMSG);
	assert_int_equal(statusdir_rollback(s->sd, "@0", 0, found), -EBADMSG);
	assert_int_equal(statusdir_get(s->sd, "@1", buf, sizeof(buf), &len, found), 0);
	assert_string_equal(found, ids[1]);
}

static void test_empty_store(void **state)
{
	struct store *s = *state;
	char found[STATUSDIR_ID_SIZE], buf[8];
	size_t len;
	char *path;
	struct statusdir_read rd = { .flags = 0 };
	assert_int_equal(statusdir_get(s->sd, "@0", buf, sizeof(buf), &len, found), -ENOENT);
	assert_int_equal(statusdir_get_fd(s->sd, "@0", null_fd(), 0, found), -ENOENT);
	assert_int_equal(statusdir_read_fd(s->sd, "@0", null_fd(), &rd), -ENOENT);
	assert_int_equal(statusdir_path(s->sd, "@0", &path), -ENOENT);
	assert_int_equal(statusdir_rollback(s->sd, "@0", 0, found), -ENOENT);
	assert_int_equal(statusdir_get(s->sd, "@", buf, sizeof(buf), &len, found), -EINVAL);
	assert_int_equal(store_count(s, "cur"), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_get),
		T(test_get_fd),
		T(test_read_fd),
		T(test_path),
		T(test_rollback),
		T(test_damaged_newest_is_not_healed),
		T(test_empty_store),
	};
	return cmocka_run_group_tests_name("refs", tests, NULL, NULL);
}
