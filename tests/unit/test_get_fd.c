/* SPDX-License-Identifier: MIT */
/* test_get_fd.c - statusdir_get_fd() to every kind of output: a pipe, a
 * regular file at its offset, an O_APPEND file; small payloads (read once)
 * and large ones (checked, then copied by the kernel or by read/write). */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KiB 1024
#define MiB (1024 * 1024)

static const size_t sizes[] = { 0, 1, 4096, 64 * KiB, 64 * KiB + 1, 3 * MiB + 5 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static void to_pipe(struct store *s, const char *id, const void *buf, size_t len,
                    const char *want_id)
{
	char path[PATH_MAX], found[STATUSDIR_ID_SIZE] = "";
	int fd;
	store_dir_file(s, "from-pipe", path);
	pid_t pid = drain_pipe(path, &fd);
	int r = statusdir_get_fd(s->sd, id, fd, 0, found);
	close(fd);
	wait_child(pid);
	assert_int_equal(r, 0);
	assert_string_equal(found, want_id);
	assert_file_equals(path, buf, len);
}

static void test_to_pipe(void **state)
{
	struct store *s = *state;
	for (size_t i = 0; i < NSIZES; i++) {
		char id[STATUSDIR_ID_SIZE];
		void *buf = pattern_alloc(sizes[i], (unsigned)i);
		put_ok(s->sd, buf, sizes[i], id);
		to_pipe(s, NULL, buf, sizes[i], id);
		free(buf);
	}
}

/* A regular file gets the payload at its current offset. */
static void test_to_regular_file_at_offset(void **state)
{
	struct store *s = *state;
	for (size_t i = 0; i < NSIZES; i++) {
		char path[PATH_MAX], id[STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE];
		size_t len = sizes[i];
		char *buf = pattern_alloc(len, (unsigned)i + 100);
		char *want = malloc(len + 5);
		assert_non_null(want);
		memcpy(want, "head:", 5);
		memcpy(want + 5, buf, len);
		put_ok(s->sd, buf, len, id);
		store_dir_file(s, "regular", path);
		write_file(path, "head:", 5);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(lseek(fd, 5, SEEK_SET), 5);
		assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, 0, found), 0);
		assert_int_equal(lseek(fd, 0, SEEK_CUR), (off_t)(len + 5));
		assert_int_equal(close(fd), 0);
		assert_string_equal(found, id);
		assert_file_equals(path, want, len + 5);
		free(want);
		free(buf);
	}
}

static void test_to_append_file(void **state)
{
	struct store *s = *state;
	for (size_t i = 0; i < NSIZES; i++) {
		char path[PATH_MAX], id[STATUSDIR_ID_SIZE];
		size_t len = sizes[i];
		char *buf = pattern_alloc(len, (unsigned)i + 200);
		char *want = malloc(2 * len + 3);
		assert_non_null(want);
		memcpy(want, "log", 3);
		memcpy(want + 3, buf, len);
		memcpy(want + 3 + len, buf, len);
		put_ok(s->sd, buf, len, id);
		store_dir_file(s, "append", path);
		write_file(path, "log", 3);
		int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		assert_true(fd >= 0);
		assert_int_equal(statusdir_get_fd(s->sd, id, fd, 0, NULL), 0);
		assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, 0, NULL), 0);
		assert_int_equal(close(fd), 0);
		assert_file_equals(path, want, 2 * len + 3);
		free(want);
		free(buf);
	}
}

/* An older version, by id, once it lives in old/. */
static void test_by_id_from_history(void **state)
{
	struct store *s = *state;
	char first[STATUSDIR_ID_SIZE];
	size_t len = 300 * KiB;
	void *buf = pattern_alloc(len, 42);
	put_ok(s->sd, buf, len, first);
	put_numbered(s->sd, STATUSDIR_HEAD + 2, NULL);
	assert_true(store_has(s, "old", first));
	to_pipe(s, first, buf, len, first);
	free(buf);
}

/* A closed reader: the write error comes back as it is. */
static void test_closed_pipe_gives_epipe(void **state)
{
	struct store *s = *state;
	static const size_t lens[] = { 10, 256 * KiB };
	for (size_t i = 0; i < 2; i++) {
		int p[2];
		void *buf = pattern_alloc(lens[i], 7);
		put_ok(s->sd, buf, lens[i], NULL);
		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		close(p[0]);
		assert_int_equal(statusdir_get_fd(s->sd, NULL, p[1], 0, NULL), -EPIPE);
		close(p[1]);
		free(buf);
	}
}

static void test_rejects_bad_arguments(void **state)
{
	struct store *s = *state;
	put_ok(s->sd, "x", 1, NULL);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, -1, 0, NULL), -EINVAL);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, null_fd(), 1u << 7, NULL), -EINVAL);
	assert_int_equal(statusdir_get_fd(NULL, NULL, null_fd(), 0, NULL), -EINVAL);
	assert_int_equal(statusdir_get_fd(s->sd, "x", null_fd(), 0, NULL), -EINVAL);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_to_pipe),
		T(test_to_regular_file_at_offset),
		T(test_to_append_file),
		T(test_by_id_from_history),
		T(test_closed_pipe_gives_epipe),
		T(test_rejects_bad_arguments),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("get_fd", tests, NULL, NULL);
}
