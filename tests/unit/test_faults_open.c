/* SPDX-License-Identifier: MIT */
/* test_faults_open.c - open, create and config_set under injected faults
 * (fault.h): the error comes back, *out is untouched, no descriptor leaks,
 * and an interrupted create is finished by the next one. */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int setup(void **state)
{
	fault_reset();
	return store_setup_dir(state);
}

static int teardown(void **state)
{
	fault_reset();
	return store_teardown(state);
}

/* Opens with call c failing with err at each of its calls in turn, until
 * the open succeeds without the fault; before_each() prepares the store for
 * each round.  Every failure must fail the open, except that a failed
 * close() of a descriptor that was only read (or a directory's) may be
 * shrugged off: Linux has released it anyway.  Returns how many rounds
 * failed the open. */
static unsigned open_failing_in_turn(struct store *s, enum fault_call c, int err,
                                     unsigned flags, void (*before_each)(struct store *))
{
	unsigned failed = 0;
	for (unsigned skip = 0;; skip++) {
		statusdir *sd = (statusdir *)&sd;
		before_each(s);
		int fds = count_fds();
		fault_arm(c, &(struct fault){ .skip = skip, .times = 1, .err = err });
		int r = statusdir_open(s->path, flags, NULL, &sd);
		unsigned hits = fault_hits(c);
		fault_reset();
		if (hits == 0) {
			assert_int_equal(r, 0);
			statusdir_close(sd);
			assert_int_equal(count_fds(), fds);
			return failed;
		}
		if (r == 0 && c == FAULT_CLOSE) {
			statusdir_close(sd);
			continue;
		}
		if (r != -err)
			fail_msg("call %d failing at %u: got %s", (int)c, skip, statusdir_strerror(r));
		assert_ptr_equal(sd, (statusdir *)&sd);
		assert_int_equal(count_fds(), fds);
		/* whatever was left, the next create finishes it */
		assert_int_equal(statusdir_open(s->path, STATUSDIR_CREATE, NULL, &sd), 0);
		put_ok(sd, "works", 5, NULL);
		statusdir_close(sd);
		assert_int_equal(store_count_prefix(s, ".", ".format."), 0);
		failed++;
	}
}

static void existing_store(struct store *s)
{
	statusdir *sd;
	struct stat st;
	if (lstat(s->path, &st) == 0)
		return;
	assert_int_equal(statusdir_open(s->path, STATUSDIR_CREATE, NULL, &sd), 0);
	statusdir_close(sd);
}

static void no_store(struct store *s)
{
	rm_rf(s->path);
}

static void test_open_emfile_in_turn(void **state)
{
	assert_true(open_failing_in_turn(*state, FAULT_OPENAT, EMFILE, 0, existing_store) >= 4);
	assert_true(open_failing_in_turn(*state, FAULT_OPENAT, EMFILE, STATUSDIR_READONLY,
	                                 existing_store) >= 4);
}

/* The format file cannot be read. */
static void test_open_read_eio(void **state)
{
	struct store *s = *state;
	statusdir *sd = (statusdir *)&sd;
	existing_store(s);
	int fds = count_fds();
	fault_arm(FAULT_READ, &(struct fault){ .times = 1, .err = EIO });
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd), -EIO);
	assert_int_equal(fault_hits(FAULT_READ), 1);
	fault_reset();
	assert_ptr_equal(sd, (statusdir *)&sd);
	assert_int_equal(count_fds(), fds);
}

static void test_create_failing_in_turn(void **state)
{
	static const enum fault_call calls[] = { FAULT_OPENAT, FAULT_FSYNC, FAULT_WRITE,
	                                         FAULT_CLOSE, FAULT_RENAMEAT };
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		assert_true(open_failing_in_turn(*state, calls[i], EIO, STATUSDIR_CREATE,
		                                 no_store) >= 1);
}

/* A failed config_set leaves the recorded settings as they were. */
static void test_config_set_failing(void **state)
{
	struct store *s = *state;
	static const enum fault_call calls[] = { FAULT_OPENAT, FAULT_WRITE, FAULT_FSYNC,
	                                         FAULT_CLOSE, FAULT_RENAMEAT };
	statusdir *sd, *other;
	struct statusdir_config cfg, got;
	statusdir_config_init(&cfg);
	cfg.keep = 7;
	assert_int_equal(statusdir_open(s->path, STATUSDIR_CREATE, &cfg, &sd), 0);
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct statusdir_config next = cfg;
		next.keep = 100 + i;
		fault_arm(calls[i], &(struct fault){ .times = 1, .err = EIO,
		                                     .fd_kind = calls[i] == FAULT_OPENAT ||
		                                                        calls[i] == FAULT_RENAMEAT
		                                                    ? 0
		                                                    : S_IFREG });
		assert_int_equal(statusdir_config_set(sd, &next), -EIO);
		assert_int_equal(fault_hits(calls[i]), 1);
		fault_reset();
		assert_int_equal(statusdir_config_get(sd, &got), 0);
		assert_int_equal(got.keep, 7);
		assert_int_equal(statusdir_open(s->path, 0, NULL, &other), 0);
		assert_int_equal(statusdir_config_get(other, &got), 0);
		assert_int_equal(got.keep, 7);
		statusdir_close(other);
		assert_int_equal(store_count_prefix(s, ".", ".format."), 0);
	}
	statusdir_close(sd);
}

/* config replaces the format file by rename; through another client of a
 * network filesystem the name may answer ESTALE for a moment.  A writer's
 * next put looks again and applies the new settings. */
static void test_format_estale_looks_again(void **state)
{
	struct store *s = *state;
	statusdir *writer, *other;
	struct statusdir_config cfg, got;
	char id[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_open(s->path, STATUSDIR_CREATE, NULL, &writer), 0);
	assert_int_equal(statusdir_open(s->path, 0, NULL, &other), 0);
	statusdir_config_init(&cfg);
	cfg.keep = 3;
	assert_int_equal(statusdir_config_set(other, &cfg), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = 2, .err = ESTALE, .name = "format" });
	assert_int_equal(statusdir_put(writer, "x", 1, 0, id), 0);
	assert_int_equal(fault_hits(FAULT_OPENAT), 2);
	fault_reset();
	assert_int_equal(statusdir_config_get(writer, &got), 0);
	assert_int_equal(got.keep, 3);
	/* still stale after every try: the put keeps the settings it had, and
	 * the next one reads the new file */
	cfg.keep = 5;
	assert_int_equal(statusdir_config_set(other, &cfg), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = ESTALE,
	                                         .name = "format" });
	assert_int_equal(statusdir_put(writer, "y", 1, 0, id), 0);
	fault_reset();
	assert_int_equal(statusdir_config_get(writer, &got), 0);
	assert_int_equal(got.keep, 3);
	assert_int_equal(statusdir_put(writer, "z", 1, 0, id), 0);
	assert_int_equal(statusdir_config_get(writer, &got), 0);
	assert_int_equal(got.keep, 5);
	statusdir_close(other);
	statusdir_close(writer);
}

/* The folders whose fsync a create made, by device and inode. */
struct synced {
	struct stat dirs[16];
	unsigned n;
};

static void note_synced(void *arg)
{
	struct synced *seen = arg;
	struct stat st;
	if (seen->n < 16 && fstat(fault_fd(), &st) == 0)
		seen->dirs[seen->n++] = st;
}

static bool was_synced(const struct synced *seen, const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	for (unsigned i = 0; i < seen->n; i++)
		if (seen->dirs[i].st_dev == st.st_dev && seen->dirs[i].st_ino == st.st_ino)
			return true;
	return false;
}

/* A create makes the new store's name durable: it fsyncs the folder that
 * holds the store, as well as the store and its folders.  A power cut
 * cannot show this on ext4, xfs or btrfs, whose later fsyncs of the store
 * carry its name along (spec/testing.md), so it is checked here. */
static void test_create_fsyncs_the_parent(void **state)
{
	struct store *s = *state;
	struct synced seen = { .n = 0 };
	statusdir *sd;
	char path[PATH_MAX + 8];
	fault_arm(FAULT_FSYNC, &(struct fault){ .times = FAULT_ALWAYS, .fd_kind = S_IFDIR,
	                                        .hook = note_synced, .hook_arg = &seen });
	assert_int_equal(statusdir_open(s->path, STATUSDIR_CREATE, NULL, &sd), 0);
	fault_reset();
	statusdir_close(sd);
	assert_true(was_synced(&seen, s->dir));
	assert_true(was_synced(&seen, s->path));
	for (const char *const *f = (const char *const[]){ "tmp", "cur", "old", NULL }; *f; f++) {
		snprintf(path, sizeof(path), "%s/%s", s->path, *f);
		assert_true(was_synced(&seen, path));
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_emfile_in_turn),
		T(test_open_read_eio),
		T(test_create_failing_in_turn),
		T(test_config_set_failing),
		T(test_create_fsyncs_the_parent),
		T(test_format_estale_looks_again),
	};
	return cmocka_run_group_tests_name("faults_open", tests, NULL, NULL);
}
