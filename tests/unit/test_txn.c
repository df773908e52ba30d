/* SPDX-License-Identifier: MIT */
/* test_txn.c - a put in steps: put_begin, put_write, put_commit or
 * put_abort. */
#include "config.h"

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_pieces_make_one_version(void **state)
{
	struct store *s = *state;
	statusdir_txn *t;
	char id[STATUSDIR_ID_SIZE];
	size_t len = 1000 * 1000 + 3;
	char *buf = pattern_alloc(len, 5);
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(store_count(s, "tmp"), 1);
	for (size_t off = 0, step = 1; off < len; off += step, step = step * 3 + 1) {
		size_t n = step < len - off ? step : len - off;
		assert_int_equal(statusdir_put_write(t, buf + off, n), 0);
	}
	assert_int_equal(statusdir_put_write(t, NULL, 0), 0);
	assert_int_equal(store_count(s, "cur"), 0); /* nothing visible yet */
	assert_int_equal(statusdir_put_commit(t, id), 0);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_version(s->sd, NULL, buf, len, id);
	free(buf);
}

static void test_commit_without_writes_is_empty_version(void **state)
{
	struct store *s = *state;
	statusdir_txn *t;
	char id[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_commit(t, id), 0);
	assert_version(s->sd, NULL, "", 0, id);
}

static void test_abort_leaves_nothing(void **state)
{
	struct store *s = *state;
	statusdir_txn *t;
	char id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "before", 6, id);
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_write(t, "not this", 8), 0);
	assert_int_equal(store_count(s, "tmp"), 1);
	statusdir_put_abort(t);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 1);
	assert_version(s->sd, NULL, "before", 6, id);
	statusdir_put_abort(NULL);
}

/* Two transactions of one handle: the one committed last is the newest. */
static void test_interleaved_transactions(void **state)
{
	struct store *s = *state;
	statusdir_txn *a, *b;
	char ida[STATUSDIR_ID_SIZE], idb[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_put_begin(s->sd, 0, &a), 0);
	assert_int_equal(statusdir_put_begin(s->sd, STATUSDIR_NOSYNC, &b), 0);
	assert_int_equal(store_count(s, "tmp"), 2);
	assert_int_equal(statusdir_put_write(b, "bee", 3), 0);
	assert_int_equal(statusdir_put_write(a, "ay", 2), 0);
	assert_int_equal(statusdir_put_commit(b, idb), 0);
	assert_int_equal(statusdir_put_commit(a, ida), 0);
	assert_true(strcmp(idb, ida) < 0);
	assert_version(s->sd, NULL, "ay", 2, ida);
	assert_version(s->sd, idb, "bee", 3, idb);
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_commit_with_null_id(void **state)
{
	struct store *s = *state;
	statusdir_txn *t;
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_write(t, "z", 1), 0);
	assert_int_equal(statusdir_put_commit(t, NULL), 0);
	assert_version(s->sd, NULL, "z", 1, NULL);
}

/* The pid in the only tmp/ name (its third field), or -1. */
static long tmp_name_pid(const struct store *s)
{
	char path[4096], name[256] = "";
	store_file(s, "tmp", path);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	for (struct dirent *de; (de = readdir(d));)
		if (de->d_name[0] != '.')
			snprintf(name, sizeof(name), "%s", de->d_name);
	closedir(d);
	char *p = strchr(name, '.');
	p = p ? strchr(p + 1, '.') : NULL;
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/* A handle used before a fork names a child's tmp/ files with the child's
 * pid (the cleaner judges them by it), and both processes' listings of
 * cur/ stay right although the parent's directory stream came first. */
static void test_forked_child_writes_as_itself(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], child_id[STATUSDIR_ID_SIZE] = "";
	put_ok(s->sd, "parent", 6, id);
	assert_version(s->sd, NULL, "parent", 6, id);
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char got[16];
		size_t len = 0;
		statusdir_txn *t;
		int bad = 0;
		if (statusdir_get(s->sd, NULL, got, sizeof(got), &len, NULL) != 0 || len != 6)
			bad = 2;
		else if (statusdir_put_begin(s->sd, 0, &t) != 0)
			bad = 3;
		else if (tmp_name_pid(s) != (long)getpid())
			bad = 4;
		else if (statusdir_put_write(t, "child", 5) != 0 ||
		         statusdir_put_commit(t, child_id) != 0)
			bad = 5;
		else if (write(p[1], child_id, sizeof(child_id)) != sizeof(child_id))
			bad = 6;
		_exit(bad);
	}
	close(p[1]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* else the step that failed */
	assert_int_equal(read(p[0], child_id, sizeof(child_id)), sizeof(child_id));
	close(p[0]);
	assert_version(s->sd, NULL, "child", 5, child_id);
	statusdir_txn *t;
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(tmp_name_pid(s), (long)getpid());
	statusdir_put_abort(t);
}

static void test_bad_arguments(void **state)
{
	struct store *s = *state;
	statusdir_txn *t = (statusdir_txn *)&t;
	assert_int_equal(statusdir_put_begin(NULL, 0, &t), -EINVAL);
	assert_int_equal(statusdir_put_begin(s->sd, 0, NULL), -EINVAL);
	assert_int_equal(statusdir_put_begin(s->sd, 1u << 9, &t), -EINVAL);
	assert_ptr_equal(t, (statusdir_txn *)&t);
	assert_int_equal(statusdir_put_write(NULL, "x", 1), -EINVAL);
	assert_int_equal(statusdir_put_commit(NULL, NULL), -EINVAL);
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_write(t, NULL, 1), -EINVAL);
	statusdir_put_abort(t);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_pieces_make_one_version),
		T(test_commit_without_writes_is_empty_version),
		T(test_abort_leaves_nothing),
		T(test_interleaved_transactions),
		T(test_commit_with_null_id),
		T(test_forked_child_writes_as_itself),
		T(test_bad_arguments),
	};
	return cmocka_run_group_tests_name("txn", tests, NULL, NULL);
}
