/* SPDX-License-Identifier: MIT */
/* test_put_get.c - what is put is what is got, byte for byte, whatever its
 * size and whether it comes from a buffer, a pipe or a file. */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#define KiB 1024
#define MiB (1024 * 1024)

/* The id names the payload: its size and XXH3-64. */
static void assert_id_describes(const char *id, const void *buf, size_t len)
{
	struct statusdir_version v;
	assert_int_equal(statusdir_id_parse(id, &v), 0);
	assert_int_equal(v.size, len);
	assert_true(v.checksum == XXH3_64bits(buf, len));
}

static void put_and_get(struct store *s, size_t len, unsigned seed)
{
	char id[STATUSDIR_ID_SIZE];
	void *buf = pattern_alloc(len, seed);
	put_ok(s->sd, buf, len, id);
	assert_id_describes(id, buf, len);
	assert_version(s->sd, NULL, buf, len, id);
	assert_version(s->sd, id, buf, len, id);
	assert_int_equal(store_count(s, "tmp"), 0);
	free(buf);
}

static void test_empty_store_has_no_newest(void **state)
{
	struct store *s = *state;
	char buf[8], id[STATUSDIR_ID_SIZE] = "untouched";
	size_t len = 99;
	char *path = NULL;
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, id), -ENOENT);
	assert_int_equal(statusdir_get(s->sd, "", buf, sizeof(buf), &len, id), -ENOENT);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, null_fd(), 0, id), -ENOENT);
	assert_int_equal(statusdir_path(s->sd, NULL, &path), -ENOENT);
	assert_null(path);
}

static void test_zero_bytes(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	size_t len = 99;
	put_ok(s->sd, NULL, 0, id);
	assert_id_describes(id, "", 0);
	assert_int_equal(statusdir_get(s->sd, NULL, NULL, 0, &len, NULL), 0);
	assert_int_equal(len, 0);
	put_and_get(s, 0, 1);
}

static void test_small(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "ok\n", 3, id);
	assert_version(s->sd, NULL, "ok\n", 3, id);
	put_and_get(s, 1, 2);
	put_and_get(s, 4095, 3);
}

static void test_larger_than_64_kib(void **state)
{
	put_and_get(*state, 64 * KiB, 4);
	put_and_get(*state, 64 * KiB + 1, 5);
	put_and_get(*state, 200 * KiB + 7, 6);
}

static void test_a_few_mib(void **state)
{
	put_and_get(*state, 3 * MiB + 13, 7);
}

/* A binary payload: NULs, newlines, every byte value. */
static void test_every_byte_value(void **state)
{
	struct store *s = *state;
	unsigned char buf[512];
	char id[STATUSDIR_ID_SIZE];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(255 - i % 256);
	put_ok(s->sd, buf, sizeof(buf), id);
	assert_version(s->sd, id, buf, sizeof(buf), id);
}

static void test_put_fd_from_pipe(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	size_t len = 3 * MiB + 21;
	void *buf = pattern_alloc(len, 8);
	int fd;
	pid_t pid = feed_pipe(buf, len, &fd);
	int r = statusdir_put_fd(s->sd, fd, 0, id);
	close(fd);
	wait_child(pid);
	assert_int_equal(r, 0);
	assert_id_describes(id, buf, len);
	assert_version(s->sd, NULL, buf, len, id);
	assert_int_equal(store_count(s, "tmp"), 0);
	free(buf);
}

static void test_put_fd_from_empty_pipe(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	int fd;
	pid_t pid = feed_pipe("", 0, &fd);
	assert_int_equal(statusdir_put_fd(s->sd, fd, 0, id), 0);
	close(fd);
	wait_child(pid);
	assert_version(s->sd, NULL, "", 0, id);
}

/* From a file, starting at its current offset; the fd stays open. */
static void test_put_fd_from_file(void **state)
{
	struct store *s = *state;
	char path[PATH_MAX], id[STATUSDIR_ID_SIZE];
	size_t len = 2 * MiB + 333, skip = 1000;
	char *buf = pattern_alloc(len, 9);
	store_dir_file(s, "input", path);
	write_file(path, buf, len);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, (off_t)skip, SEEK_SET), (off_t)skip);
	assert_int_equal(statusdir_put_fd(s->sd, fd, 0, id), 0);
	assert_version(s->sd, NULL, buf + skip, len - skip, id);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), (off_t)len); /* not closed */
	assert_int_equal(close(fd), 0);
	free(buf);
}

static void test_newest_is_the_last_put(void **state)
{
	struct store *s = *state;
	char ids[30][STATUSDIR_ID_SIZE];
	for (int i = 0; i < 30; i++) {
		char text[16];
		int n = snprintf(text, sizeof(text), "#%d", i);
		put_ok(s->sd, text, (size_t)n, ids[i]);
		assert_version(s->sd, NULL, text, (size_t)n, ids[i]);
		if (i > 0)
			assert_true(strcmp(ids[i - 1], ids[i]) < 0);
	}
}

static void test_null_id_pointer_is_allowed(void **state)
{
	struct store *s = *state;
	assert_int_equal(statusdir_put(s->sd, "x", 1, 0, NULL), 0);
	assert_version(s->sd, NULL, "x", 1, NULL);
}

static void test_nosync_put_is_committed(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_put(s->sd, "fast", 4, STATUSDIR_NOSYNC, id), 0);
	assert_version(s->sd, NULL, "fast", 4, id);
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_put_rejects_bad_arguments(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_put(NULL, "x", 1, 0, id), -EINVAL);
	assert_int_equal(statusdir_put(s->sd, NULL, 1, 0, id), -EINVAL);
	assert_int_equal(statusdir_put(s->sd, "x", 1, 1u << 7, id), -EINVAL);
	assert_int_equal(statusdir_put_fd(s->sd, 0, 1u << 7, id), -EINVAL);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 0);
}

/* A buffer too small: -EMSGSIZE with the size needed and the id, which
 * then fetches exactly that version. */
static void test_small_buffer_gives_emsgsize(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE] = "";
	char small[10];
	size_t len = 0;
	put_ok(s->sd, "0123456789abcdef", 16, id);
	assert_int_equal(statusdir_get(s->sd, NULL, small, sizeof(small), &len, found),
	                 -EMSGSIZE);
	assert_int_equal(len, 16);
	assert_string_equal(found, id);
	assert_int_equal(statusdir_get(s->sd, NULL, NULL, 0, &len, NULL), -EMSGSIZE);
	assert_int_equal(len, 16);
	/* one byte short, and nothing is written past the cap */
	char almost[16];
	memset(almost, '#', sizeof(almost));
	assert_int_equal(statusdir_get(s->sd, NULL, almost, 15, &len, NULL), -EMSGSIZE);
	assert_int_equal(len, 16);
	assert_int_equal(almost[15], '#');
	put_ok(s->sd, "newer", 5, NULL);
	assert_version(s->sd, found, "0123456789abcdef", 16, id);
}

static void test_exact_buffer_is_enough(void **state)
{
	struct store *s = *state;
	char buf[16];
	size_t len = 0;
	put_ok(s->sd, "0123456789abcdef", 16, NULL);
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, NULL), 0);
	assert_int_equal(len, 16);
	assert_memory_equal(buf, "0123456789abcdef", 16);
}

static void test_get_by_id(void **state)
{
	struct store *s = *state;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "first", 5, a);
	put_ok(s->sd, "second", 6, b);
	assert_version(s->sd, a, "first", 5, a);
	assert_version(s->sd, b, "second", 6, b);
	assert_version(s->sd, "", "second", 6, b);
}

static void test_get_unknown_or_invalid_id(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], buf[16];
	size_t len;
	put_ok(s->sd, "x", 1, id);
	id[0] = id[0] == '0' ? '1' : '0'; /* a valid id of no version */
	assert_int_equal(statusdir_get(s->sd, id, buf, sizeof(buf), &len, NULL), -ENOENT);
	assert_int_equal(statusdir_get_fd(s->sd, id, null_fd(), 0, NULL), -ENOENT);
	assert_int_equal(statusdir_get(s->sd, "../format", buf, sizeof(buf), &len, NULL),
	                 -EINVAL);
	assert_int_equal(statusdir_get(s->sd, "nope", buf, sizeof(buf), &len, NULL), -EINVAL);
	assert_int_equal(statusdir_get_fd(s->sd, "nope", null_fd(), 0, NULL), -EINVAL);
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), NULL, NULL), -EINVAL);
	assert_int_equal(statusdir_get(NULL, NULL, buf, sizeof(buf), &len, NULL), -EINVAL);
}

/* Version files hold exactly the payload: cat STORE/cur/ID shows it. */
static void test_version_file_is_the_payload(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], rel[PATH_MAX], path[PATH_MAX];
	char *where = NULL;
	put_ok(s->sd, "status: ok\n", 11, id);
	snprintf(rel, sizeof(rel), "cur/%s", id);
	store_file(s, rel, path);
	assert_file_equals(path, "status: ok\n", 11);
	assert_int_equal(statusdir_path(s->sd, NULL, &where), 0);
	assert_string_equal(where, path);
	free(where);
}

/* Once a put succeeded the store is never reported empty: with every
 * version taken out by hand, get of the newest gives up with -EAGAIN,
 * not -ENOENT (STORE/has-versions tells it a listing of cur/ lies). */
static void test_store_with_versions_is_never_empty(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], from[PATH_MAX], to[PATH_MAX], rel[PATH_MAX];
	char buf[8];
	size_t len;
	assert_false(store_has(s, ".", "has-versions"));
	assert_int_equal(statusdir_put(s->sd, "x", 1, STATUSDIR_NOSYNC, id), 0);
	assert_true(store_has(s, ".", "has-versions"));
	snprintf(rel, sizeof(rel), "cur/%s", id);
	store_file(s, rel, from);
	snprintf(rel, sizeof(rel), "old/%s", id);
	store_file(s, rel, to);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, NULL), -EAGAIN);
	assert_version(s->sd, id, "x", 1, id); /* by id it is still there */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_empty_store_has_no_newest),
		T(test_zero_bytes),
		T(test_small),
		T(test_larger_than_64_kib),
		T(test_a_few_mib),
		T(test_every_byte_value),
		T(test_put_fd_from_pipe),
		T(test_put_fd_from_empty_pipe),
		T(test_put_fd_from_file),
		T(test_newest_is_the_last_put),
		T(test_null_id_pointer_is_allowed),
		T(test_nosync_put_is_committed),
		T(test_put_rejects_bad_arguments),
		T(test_small_buffer_gives_emsgsize),
		T(test_exact_buffer_is_enough),
		T(test_get_by_id),
		T(test_get_unknown_or_invalid_id),
		T(test_version_file_is_the_payload),
		T(test_store_with_versions_is_never_empty),
	};
	return cmocka_run_group_tests_name("put_get", tests, NULL, NULL);
}
