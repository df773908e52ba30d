/* SPDX-License-Identifier: MIT */
/* test_history.c - the history features of the library: self-healing
 * reads (a damaged newest gives the newest intact version), put with
 * STATUSDIR_IF_CHANGED, retention recorded in the store and applied by
 * every put, statusdir_list_since(), statusdir_wait() and the watch fd, and
 * relative references (statusdir_resolve()).  The clock is wrapped
 * (fault.h) so that versions can be made old. */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MS INT64_C(1000000)
#define SEC INT64_C(1000000000)
#define HOUR (3600 * SEC)
#define BIG (200 * 1024) /* over the 64 KiB of the one-pass read */

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * SEC + ts.tv_nsec;
}

/* ---- Helpers ---------------------------------------------------------------- */

/* The file of version id, wherever it is now. */
static void version_file(statusdir *sd, const char *id, char *out)
{
	char *p = NULL;
	assert_int_equal(statusdir_path(sd, id, &p), 0);
	assert_true(strlen(p) < PATH_MAX);
	memcpy(out, p, strlen(p) + 1);
	free(p);
}

/* Damage by content: flips one byte in the middle, the size stays. */
static void damage_content(statusdir *sd, const char *id)
{
	char path[PATH_MAX];
	struct stat st;
	unsigned char c;
	version_file(sd, id, path);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_size > 0);
	off_t at = st.st_size / 2;
	assert_int_equal(pread(fd, &c, 1, at), 1);
	c ^= 0x5a;
	assert_int_equal(pwrite(fd, &c, 1, at), 1);
	assert_int_equal(close(fd), 0);
}

/* Damage by size: delta < 0 cuts bytes off the end, delta > 0 appends. */
static void damage_size(statusdir *sd, const char *id, off_t delta)
{
	char path[PATH_MAX];
	struct stat st;
	version_file(sd, id, path);
	assert_int_equal(stat(path, &st), 0);
	assert_true(st.st_size + delta >= 0);
	assert_int_equal(truncate(path, st.st_size + delta), 0);
}

/* A fresh output file in the test's directory, opened for writing. */
static int out_open(const struct store *s, const char *name, char *path)
{
	store_dir_file(s, name, path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	return fd;
}

static void assert_file_empty(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
}

/* Versions listed now (cur/ and old/). */
static size_t listed(statusdir *sd)
{
	struct statusdir_version *v;
	size_t n;
	assert_int_equal(statusdir_list(sd, &v, &n), 0);
	statusdir_list_free(v);
	return n;
}

/* The ids listed now, newest first, must be want[n-1], ..., want[0]. */
static void assert_listed_newest(statusdir *sd, char (*want)[STATUSDIR_ID_SIZE], size_t n)
{
	struct statusdir_version *v;
	size_t got;
	assert_int_equal(statusdir_list(sd, &v, &got), 0);
	assert_int_equal(got, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i].id, want[n - 1 - i]);
	statusdir_list_free(v);
}

static void set_retention(statusdir *sd, uint64_t keep, int64_t max_age_ns)
{
	struct statusdir_config cfg;
	assert_int_equal(statusdir_config_get(sd, &cfg), 0);
	cfg.keep = keep;
	cfg.max_age_ns = max_age_ns;
	int r = statusdir_config_set(sd, &cfg);
	if (r != 0)
		fail_msg("statusdir_config_set: %s", statusdir_strerror(r));
}

/* ---- Self-healing reads ------------------------------------------------------- */

/* Two versions, the newest damaged by damage(); every read of the newest
 * gives the older one and says so. */
static void check_healed(struct store *s, const void *a, size_t alen, const char *a_id,
                         const char *b_id)
{
	char found[STATUSDIR_ID_SIZE] = "", path[PATH_MAX];
	size_t len = 0;
	char *buf = malloc(alen + BIG);
	assert_non_null(buf);

	/* into memory */
	assert_int_equal(statusdir_get(s->sd, NULL, buf, alen + BIG, &len, found),
	                 STATUSDIR_HEALED);
	assert_int_equal(len, alen);
	assert_memory_equal(buf, a, alen);
	assert_string_equal(found, a_id);
	free(buf);

	/* to a descriptor */
	int fd = out_open(s, "get_fd.out", path);
	memset(found, 0, sizeof(found));
	assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, 0, found), STATUSDIR_HEALED);
	assert_int_equal(close(fd), 0);
	assert_string_equal(found, a_id);
	assert_file_equals(path, a, alen);

	/* with the report */
	fd = out_open(s, "read_fd.out", path);
	struct statusdir_read rd = { .flags = 0 };
	memset(rd.id, 'x', sizeof(rd.id) - 1);
	rd.skipped = 77;
	assert_int_equal(statusdir_read_fd(s->sd, NULL, fd, &rd), STATUSDIR_HEALED);
	assert_int_equal(close(fd), 0);
	assert_string_equal(rd.id, a_id);
	assert_string_equal(rd.damaged, b_id);
	assert_int_equal(rd.skipped, 1);
	assert_file_equals(path, a, alen);

	/* "" is the newest too */
	fd = out_open(s, "read_fd2.out", path);
	rd = (struct statusdir_read){ .flags = 0 };
	assert_int_equal(statusdir_read_fd(s->sd, "", fd, &rd), STATUSDIR_HEALED);
	assert_int_equal(close(fd), 0);
	assert_string_equal(rd.id, a_id);
	assert_file_equals(path, a, alen);

	/* reads never remove, move or repair anything */
	assert_int_equal(store_has(s, "cur", b_id), 1);
	assert_int_equal(store_has(s, "cur", a_id), 1);
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void heal_case(struct store *s, size_t size, int how)
{
	char a_id[STATUSDIR_ID_SIZE], b_id[STATUSDIR_ID_SIZE];
	void *a = pattern_alloc(size, 1), *b = pattern_alloc(size, 2);
	put_ok(s->sd, a, size, a_id);
	put_ok(s->sd, b, size, b_id);
	if (how == 0)
		damage_content(s->sd, b_id);
	else
		damage_size(s->sd, b_id, how);
	check_healed(s, a, size, a_id, b_id);
	free(a);
	free(b);
}

static void test_heal_damaged_content(void **state)
{
	heal_case(*state, 100, 0);
}

static void test_heal_damaged_content_large(void **state)
{
	heal_case(*state, BIG, 0);
}

static void test_heal_truncated(void **state)
{
	heal_case(*state, 100, -1);
}

static void test_heal_truncated_large(void **state)
{
	heal_case(*state, BIG, -7);
}

static void test_heal_emptied(void **state)
{
	heal_case(*state, 100, -100);
}

static void test_heal_too_long(void **state)
{
	heal_case(*state, 100, 1);
}

static void test_heal_too_long_large(void **state)
{
	heal_case(*state, BIG, 4096);
}

/* The healthy case reports nothing. */
static void test_read_fd_intact_reports_nothing(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], path[PATH_MAX];
	put_ok(s->sd, "one\n", 4, NULL);
	put_ok(s->sd, "two\n", 4, id);
	int fd = out_open(s, "out", path);
	struct statusdir_read rd = { .flags = 0 };
	memset(rd.damaged, 'x', sizeof(rd.damaged) - 1);
	rd.skipped = 5;
	assert_int_equal(statusdir_read_fd(s->sd, NULL, fd, &rd), 0);
	close(fd);
	assert_string_equal(rd.id, id);
	assert_string_equal(rd.damaged, "");
	assert_int_equal(rd.skipped, 0);
	assert_file_equals(path, "two\n", 4);
	struct statusdir_read bad = { .flags = 1u << 7 };
	fd = out_open(s, "out2", path);
	assert_int_equal(statusdir_read_fd(s->sd, NULL, fd, &bad), -EINVAL);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, 1u << 7, NULL), -EINVAL);
	close(fd);
	assert_file_empty(path);
}

static void strict_case(struct store *s, size_t size)
{
	char a_id[STATUSDIR_ID_SIZE], b_id[STATUSDIR_ID_SIZE], path[PATH_MAX];
	void *a = pattern_alloc(size, 3), *b = pattern_alloc(size, 4);
	put_ok(s->sd, a, size, a_id);
	put_ok(s->sd, b, size, b_id);
	damage_content(s->sd, b_id);
	int fd = out_open(s, "strict.out", path);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, STATUSDIR_GET_STRICT, NULL), -EBADMSG);
	struct statusdir_read rd = { .flags = STATUSDIR_GET_STRICT };
	assert_int_equal(statusdir_read_fd(s->sd, NULL, fd, &rd), -EBADMSG);
	assert_int_equal(close(fd), 0);
	assert_file_empty(path);
	free(a);
	free(b);
}

static void test_strict_damaged_newest(void **state)
{
	strict_case(*state, 64);
}

static void test_strict_damaged_newest_large(void **state)
{
	strict_case(*state, BIG);
}

/* Two damaged versions on top of an intact one: the intact one comes back,
 * both are counted, the damaged newest is named. */
static void test_heal_two_damaged(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE], path[PATH_MAX], buf[64];
	size_t len;
	put_numbered(s->sd, 3, ids);
	damage_content(s->sd, ids[2]);
	damage_size(s->sd, ids[1], -2);
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, found),
	                 STATUSDIR_HEALED);
	assert_string_equal(found, ids[0]);
	assert_int_equal(len, strlen("version 0\n"));
	assert_memory_equal(buf, "version 0\n", len);
	int fd = out_open(s, "out", path);
	struct statusdir_read rd = { .flags = 0 };
	assert_int_equal(statusdir_read_fd(s->sd, NULL, fd, &rd), STATUSDIR_HEALED);
	close(fd);
	assert_string_equal(rd.id, ids[0]);
	assert_string_equal(rd.damaged, ids[2]);
	assert_int_equal(rd.skipped, 2);
	assert_file_equals(path, "version 0\n", 10);
	fd = out_open(s, "out2", path);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, 0, found), STATUSDIR_HEALED);
	close(fd);
	assert_string_equal(found, ids[0]);
	assert_file_equals(path, "version 0\n", 10);
}

/* The fallback reaches into old/: twelve versions, the ten newest damaged. */
static void test_heal_from_old(void **state)
{
	struct store *s = *state;
	char ids[12][STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE], buf[64];
	size_t len;
	put_numbered(s->sd, 12, ids);
	for (int i = 2; i < 12; i++)
		damage_content(s->sd, ids[i]);
	assert_int_equal(store_has(s, "old", ids[1]), 1);
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, found),
	                 STATUSDIR_HEALED);
	assert_string_equal(found, ids[1]);
	assert_memory_equal(buf, "version 1\n", 10);
	struct statusdir_read rd = { .flags = 0 };
	assert_int_equal(statusdir_read_fd(s->sd, NULL, null_fd(), &rd), STATUSDIR_HEALED);
	assert_int_equal(rd.skipped, 10);
	assert_string_equal(rd.damaged, ids[11]);
}

/* No intact version at all: -EBADMSG and not a byte written. */
static void test_none_intact(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE], path[PATH_MAX], buf[64];
	size_t len;
	put_numbered(s->sd, 3, ids);
	damage_content(s->sd, ids[0]);
	damage_size(s->sd, ids[1], 3);
	damage_content(s->sd, ids[2]);
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, NULL), -EBADMSG);
	int fd = out_open(s, "out", path);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, 0, NULL), -EBADMSG);
	struct statusdir_read rd = { .flags = 0 };
	assert_int_equal(statusdir_read_fd(s->sd, NULL, fd, &rd), -EBADMSG);
	assert_int_equal(rd.skipped, 3);
	assert_string_equal(rd.damaged, ids[2]);
	close(fd);
	assert_file_empty(path);
}

/* A single version, damaged: nothing to fall back to. */
static void test_only_version_damaged(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], path[PATH_MAX];
	put_ok(s->sd, "lonely\n", 7, id);
	damage_content(s->sd, id);
	int fd = out_open(s, "out", path);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, 0, NULL), -EBADMSG);
	close(fd);
	assert_file_empty(path);
}

/* A version asked for by id is that version or nothing. */
static void test_by_id_damaged(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE], path[PATH_MAX], buf[64];
	size_t len;
	put_numbered(s->sd, 3, ids);
	damage_content(s->sd, ids[1]);
	damage_size(s->sd, ids[2], -1);
	for (int i = 1; i < 3; i++) {
		assert_int_equal(statusdir_get(s->sd, ids[i], buf, sizeof(buf), &len, NULL), -EBADMSG);
		int fd = out_open(s, "out", path);
		assert_int_equal(statusdir_get_fd(s->sd, ids[i], fd, 0, NULL), -EBADMSG);
		struct statusdir_read rd = { .flags = 0 };
		assert_int_equal(statusdir_read_fd(s->sd, ids[i], fd, &rd), -EBADMSG);
		assert_string_equal(rd.damaged, "");
		close(fd);
		assert_file_empty(path);
	}
	assert_version(s->sd, ids[0], "version 0\n", 10, ids[0]);
}

/* NOVERIFY skips the checksum: a damaged newest of the right size goes out
 * as it is, and nothing is reported. */
static void noverify_case(struct store *s, size_t size)
{
	char a_id[STATUSDIR_ID_SIZE], b_id[STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE];
	char vpath[PATH_MAX], path[PATH_MAX];
	size_t dlen;
	void *a = pattern_alloc(size, 5), *b = pattern_alloc(size, 6);
	put_ok(s->sd, a, size, a_id);
	put_ok(s->sd, b, size, b_id);
	damage_content(s->sd, b_id);
	version_file(s->sd, b_id, vpath);
	void *damaged = read_file(vpath, &dlen);
	assert_int_equal(dlen, size);
	assert_memory_not_equal(damaged, b, size);

	int fd = out_open(s, "out", path);
	assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, STATUSDIR_GET_NOVERIFY, found), 0);
	close(fd);
	assert_string_equal(found, b_id);
	assert_file_equals(path, damaged, size);

	fd = out_open(s, "out2", path);
	struct statusdir_read rd = { .flags = STATUSDIR_GET_NOVERIFY };
	assert_int_equal(statusdir_read_fd(s->sd, NULL, fd, &rd), 0);
	close(fd);
	assert_string_equal(rd.id, b_id);
	assert_string_equal(rd.damaged, "");
	assert_int_equal(rd.skipped, 0);
	assert_file_equals(path, damaged, size);

	/* by id as well */
	fd = out_open(s, "out3", path);
	assert_int_equal(statusdir_get_fd(s->sd, b_id, fd,
	                                  STATUSDIR_GET_NOVERIFY | STATUSDIR_GET_STRICT, NULL), 0);
	close(fd);
	assert_file_equals(path, damaged, size);
	free(damaged);
	free(a);
	free(b);
}

static void test_noverify_small(void **state)
{
	noverify_case(*state, 300);
}

static void test_noverify_large(void **state)
{
	noverify_case(*state, BIG);
}

/* NOVERIFY still compares the size: a newest that is too short or too
 * long is damaged, and the older version comes back. */
static void noverify_size_case(struct store *s, size_t size, off_t delta)
{
	char a_id[STATUSDIR_ID_SIZE], b_id[STATUSDIR_ID_SIZE], path[PATH_MAX];
	void *a = pattern_alloc(size, 7), *b = pattern_alloc(size + 1, 8);
	put_ok(s->sd, a, size, a_id);
	put_ok(s->sd, b, size + 1, b_id);
	damage_size(s->sd, b_id, delta);
	int fd = out_open(s, "out", path);
	struct statusdir_read rd = { .flags = STATUSDIR_GET_NOVERIFY };
	int r = statusdir_read_fd(s->sd, NULL, fd, &rd);
	close(fd);
	if (r != STATUSDIR_HEALED)
		fail_msg("NOVERIFY read of a newest of %zu bytes, %+lld: %d (%s), wanted "
		         "STATUSDIR_HEALED (the size is still compared)", size + 1,
		         (long long)delta, r, statusdir_strerror(r));
	assert_string_equal(rd.id, a_id);
	assert_string_equal(rd.damaged, b_id);
	assert_file_equals(path, a, size);
	fd = out_open(s, "out2", path);
	rd = (struct statusdir_read){ .flags = STATUSDIR_GET_NOVERIFY | STATUSDIR_GET_STRICT };
	assert_int_equal(statusdir_read_fd(s->sd, NULL, fd, &rd), -EBADMSG);
	close(fd);
	assert_file_empty(path);
	free(a);
	free(b);
}

static void test_noverify_short_is_damaged(void **state)
{
	noverify_size_case(*state, 14, -3);
}

static void test_noverify_long_is_damaged(void **state)
{
	noverify_size_case(*state, 14, 5);
}

static void test_noverify_short_is_damaged_large(void **state)
{
	noverify_size_case(*state, BIG, -3);
}

static void test_noverify_long_is_damaged_large(void **state)
{
	noverify_size_case(*state, BIG, 5);
}

/* verify names every damaged version; prune keeps the newest intact one. */
static void count_damaged(void *arg, const struct statusdir_event *ev)
{
	if (ev->kind == STATUSDIR_EV_DAMAGED)
		(*(unsigned *)arg)++;
}

static void test_verify_and_prune_with_damage(void **state)
{
	struct store *s = *state;
	char ids[5][STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE], buf[64];
	unsigned damaged = 0;
	size_t len;
	put_numbered(s->sd, 5, ids);
	damage_content(s->sd, ids[4]);
	damage_content(s->sd, ids[3]);
	assert_int_equal(statusdir_verify(s->sd, count_damaged, &damaged, NULL), -EBADMSG);
	assert_int_equal(damaged, 2);
	struct statusdir_prune_policy p;
	statusdir_prune_policy_init(&p);
	p.keep = 1;
	assert_int_equal(statusdir_prune(s->sd, &p, NULL), 0);
	assert_int_equal(store_has(s, "cur", ids[4]), 1); /* the greatest id */
	assert_int_equal(store_has(s, "cur", ids[2]), 1); /* the newest intact */
	assert_int_equal(listed(s->sd), 2);
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, found),
	                 STATUSDIR_HEALED);
	assert_string_equal(found, ids[2]);
}

/* ---- put with STATUSDIR_IF_CHANGED ------------------------------------------------- */

static void test_if_changed_same_bytes(void **state)
{
	struct store *s = *state;
	char first[STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "old\n", 4, NULL);
	put_ok(s->sd, "status: ok\n", 11, first);
	size_t cur = store_count(s, "cur"), old = store_count(s, "old");
	memset(id, 0, sizeof(id));
	assert_int_equal(statusdir_put(s->sd, "status: ok\n", 11, STATUSDIR_IF_CHANGED, id),
	                 STATUSDIR_UNCHANGED);
	assert_string_equal(id, first);
	assert_int_equal(statusdir_put(s->sd, "status: ok\n", 11,
	                               STATUSDIR_IF_CHANGED | STATUSDIR_NOSYNC, id),
	                 STATUSDIR_UNCHANGED);
	assert_string_equal(id, first);
	assert_int_equal(statusdir_put(s->sd, "status: ok\n", 11, STATUSDIR_IF_CHANGED, NULL),
	                 STATUSDIR_UNCHANGED);
	assert_int_equal(store_count(s, "cur"), cur);
	assert_int_equal(store_count(s, "old"), old);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(listed(s->sd), 2);
	assert_version(s->sd, NULL, "status: ok\n", 11, first);
}

static void test_if_changed_different_bytes_same_size(void **state)
{
	struct store *s = *state;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "status: ok\n", 11, a);
	assert_int_equal(statusdir_put(s->sd, "status: KO\n", 11, STATUSDIR_IF_CHANGED, b), 0);
	assert_string_not_equal(a, b);
	assert_true(strcmp(b, a) > 0);
	assert_int_equal(listed(s->sd), 2);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_version(s->sd, NULL, "status: KO\n", 11, b);
	/* only the newest counts: going back to the first bytes commits */
	assert_int_equal(statusdir_put(s->sd, "status: ok\n", 11, STATUSDIR_IF_CHANGED, a), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(listed(s->sd), 3);
	/* a different size */
	assert_int_equal(statusdir_put(s->sd, "status: ok!\n", 12, STATUSDIR_IF_CHANGED, b), 0);
	assert_int_equal(listed(s->sd), 4);
}

static void test_if_changed_empty_payload(void **state)
{
	struct store *s = *state;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE];
	/* an empty store: always committed */
	assert_int_equal(statusdir_put(s->sd, "", 0, STATUSDIR_IF_CHANGED, a), 0);
	assert_int_equal(statusdir_put(s->sd, "", 0, STATUSDIR_IF_CHANGED, b), STATUSDIR_UNCHANGED);
	assert_string_equal(a, b);
	assert_int_equal(statusdir_put(s->sd, NULL, 0, STATUSDIR_IF_CHANGED, b), STATUSDIR_UNCHANGED);
	assert_string_equal(a, b);
	assert_int_equal(listed(s->sd), 1);
	assert_int_equal(statusdir_put(s->sd, "x", 1, STATUSDIR_IF_CHANGED, b), 0);
	assert_int_equal(statusdir_put(s->sd, "", 0, STATUSDIR_IF_CHANGED, a), 0);
	assert_true(strcmp(a, b) > 0);
	assert_int_equal(listed(s->sd), 3);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_version(s->sd, NULL, "", 0, a);
}

/* Size and checksum only decide cheaply; the bytes confirm.  A newest whose
 * bytes were changed in place still claims the old size and checksum: the
 * same payload put again must be committed. */
static void test_if_changed_confirms_bytes(void **state)
{
	struct store *s = *state;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "the real status\n", 16, a);
	damage_content(s->sd, a);
	assert_int_equal(statusdir_put(s->sd, "the real status\n", 16, STATUSDIR_IF_CHANGED, b), 0);
	assert_string_not_equal(a, b);
	assert_version(s->sd, NULL, "the real status\n", 16, b);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* A newest version longer than its id says (bytes appended in place) still
 * begins with the bytes its size and checksum name; it is damaged, and a
 * get heals past it, so the same payload put again must be committed. */
static void test_if_changed_longer_newest(void **state)
{
	struct store *s = *state;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "old\n", 4, NULL);
	put_ok(s->sd, "the real status\n", 16, a);
	damage_size(s->sd, a, 5);
	memset(b, 0, sizeof(b));
	assert_int_equal(statusdir_put(s->sd, "the real status\n", 16, STATUSDIR_IF_CHANGED, b), 0);
	assert_string_not_equal(a, b);
	assert_true(strcmp(b, a) > 0);
	assert_int_equal(listed(s->sd), 3);
	assert_version(s->sd, NULL, "the real status\n", 16, b);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* The streaming ways of putting honour the flag too, with large payloads. */
static void test_if_changed_fd_and_txn(void **state)
{
	struct store *s = *state;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE], path[PATH_MAX];
	char *big = pattern_alloc(3 * BIG, 9);
	put_ok(s->sd, big, 3 * BIG, a);
	store_dir_file(s, "payload", path);
	write_file(path, big, 3 * BIG);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(statusdir_put_fd(s->sd, fd, STATUSDIR_IF_CHANGED, b), STATUSDIR_UNCHANGED);
	close(fd);
	assert_string_equal(a, b);

	statusdir_txn *t;
	assert_int_equal(statusdir_put_begin(s->sd, STATUSDIR_IF_CHANGED, &t), 0);
	assert_int_equal(statusdir_put_write(t, big, BIG), 0);
	assert_int_equal(statusdir_put_write(t, big + BIG, 2 * BIG), 0);
	assert_int_equal(statusdir_put_commit(t, b), STATUSDIR_UNCHANGED);
	assert_string_equal(a, b);
	assert_int_equal(listed(s->sd), 1);
	assert_int_equal(store_count(s, "tmp"), 0);

	/* the last byte differs */
	big[3 * BIG - 1] ^= 1;
	write_file(path, big, 3 * BIG);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(statusdir_put_fd(s->sd, fd, STATUSDIR_IF_CHANGED, b), 0);
	close(fd);
	assert_string_not_equal(a, b);
	assert_int_equal(listed(s->sd), 2);
	assert_int_equal(store_count(s, "tmp"), 0);
	free(big);
}

/* ---- Retention recorded in the store ----------------------------------------------- */

static void test_keep_applied_by_put(void **state)
{
	struct store *s = *state;
	enum { N = 5 };
	char ids[3 * N][STATUSDIR_ID_SIZE];
	struct statusdir_config cfg;
	set_retention(s->sd, N, 0);
	assert_int_equal(statusdir_config_get(s->sd, &cfg), 0);
	assert_int_equal(cfg.keep, N);
	put_numbered(s->sd, 3 * N, ids);
	assert_listed_newest(s->sd, ids + 2 * N, N);
	assert_int_equal(store_count(s, "cur") + store_count(s, "old"), N);

	/* recorded: a handle opened now sees it */
	statusdir *sd2;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd2), 0);
	assert_int_equal(statusdir_config_get(sd2, &cfg), 0);
	assert_int_equal(cfg.keep, N);
	statusdir_close(sd2);
}

/* A keep larger than the head, so that old/ is pruned as well. */
static void test_keep_beyond_head(void **state)
{
	struct store *s = *state;
	enum { N = 12 };
	char ids[3 * N][STATUSDIR_ID_SIZE];
	set_retention(s->sd, N, 0);
	put_numbered_flags(s->sd, 3 * N, STATUSDIR_NOSYNC, ids);
	assert_listed_newest(s->sd, ids + 2 * N, N);
	assert_int_equal(store_count(s, "cur"), STATUSDIR_HEAD);
	assert_int_equal(store_count(s, "old"), N - STATUSDIR_HEAD);
}

/* keep 1: only the newest is left after every put. */
static void test_keep_one(void **state)
{
	struct store *s = *state;
	char ids[4][STATUSDIR_ID_SIZE];
	set_retention(s->sd, 1, 0);
	for (int i = 0; i < 4; i++) {
		put_numbered(s->sd, 1, ids + i);
		assert_listed_newest(s->sd, ids + i, 1);
	}
}

/* config_set records; the next put applies.  Reads never prune. */
static void test_config_set_does_not_prune(void **state)
{
	struct store *s = *state;
	char ids[10][STATUSDIR_ID_SIZE], buf[64];
	size_t len;
	put_numbered(s->sd, 10, ids);
	set_retention(s->sd, 3, 0);
	assert_int_equal(listed(s->sd), 10);
	assert_int_equal(statusdir_get(s->sd, NULL, buf, sizeof(buf), &len, NULL), 0);
	assert_int_equal(statusdir_get_fd(s->sd, ids[0], null_fd(), 0, NULL), 0);
	assert_int_equal(listed(s->sd), 10);
	char id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "eleven\n", 7, id);
	memcpy(ids[0], ids[8], STATUSDIR_ID_SIZE);
	memcpy(ids[1], ids[9], STATUSDIR_ID_SIZE);
	memcpy(ids[2], id, STATUSDIR_ID_SIZE);
	assert_listed_newest(s->sd, ids, 3);
	/* no limit any more: nothing else goes */
	set_retention(s->sd, 0, 0);
	put_ok(s->sd, "twelve\n", 7, NULL);
	assert_int_equal(listed(s->sd), 4);
}

/* An age limit alone: a handle's first put applies it (then every 16th,
 * see below), as does every one-put process such as the CLI. */
static void test_max_age_applied_by_put(void **state)
{
	struct store *s = *state;
	char ids[8][STATUSDIR_ID_SIZE];
	statusdir *sd2;
	put_numbered(s->sd, 3, ids);
	fault_clock_offset(2 * HOUR);
	put_numbered(s->sd, 3, ids + 3);
	set_retention(s->sd, 0, HOUR);
	assert_int_equal(listed(s->sd), 6); /* not yet */
	put_ok(s->sd, "new\n", 4, ids[6]);
	assert_listed_newest(s->sd, ids + 3, 4); /* the three from 2h ago went */
	/* an hour and a half later all of those are too old: the first put of
	 * another handle leaves only itself */
	fault_clock_offset(2 * HOUR + HOUR + HOUR / 2);
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd2), 0);
	put_ok(sd2, "newer\n", 6, ids[7]);
	assert_listed_newest(s->sd, ids + 7, 1);
	statusdir_close(sd2);
}

/* A long-lived handle applies an age limit at least every 16th put. */
static void test_max_age_amortised(void **state)
{
	struct store *s = *state;
	char ids[20][STATUSDIR_ID_SIZE];
	set_retention(s->sd, 0, HOUR);
	put_numbered(s->sd, 2, ids);
	assert_int_equal(listed(s->sd), 2);
	fault_clock_offset(2 * HOUR);
	put_numbered_flags(s->sd, 16, STATUSDIR_NOSYNC, ids + 2);
	/* the two from 2h ago are gone, none of the young ones */
	assert_listed_newest(s->sd, ids + 2, 16);
}

/* With a large keep a long-lived handle cleans up every keep/16-th put
 * (64 at most): never more than keep + keep/16 versions, and a put by a
 * fresh handle leaves exactly keep. */
static void test_keep_amortised(void **state)
{
	struct store *s = *state;
	enum { N = 64, PUTS = 3 * N + 5 };
	char (*ids)[STATUSDIR_ID_SIZE] = calloc(PUTS + 1, sizeof(*ids));
	assert_non_null(ids);
	set_retention(s->sd, N, 0);
	for (size_t i = 0; i < PUTS; i++) {
		put_numbered_flags(s->sd, 1, STATUSDIR_NOSYNC, ids + i);
		size_t n = listed(s->sd);
		if (n > N + N / 16 || n < (i + 1 < N ? i + 1 : N))
			fail_msg("after put %zu: %zu versions listed with keep %d", i + 1, n, N);
	}
	statusdir *sd2;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd2), 0);
	put_ok(sd2, "last\n", 5, ids[PUTS]);
	statusdir_close(sd2);
	assert_listed_newest(s->sd, ids + PUTS + 1 - N, N);
	free(ids);
}

/* Both limits: beyond N or older than the age. */
static void test_keep_and_max_age(void **state)
{
	struct store *s = *state;
	char ids[8][STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 4, ids);
	fault_clock_offset(2 * HOUR);
	set_retention(s->sd, 3, HOUR);
	put_numbered(s->sd, 2, ids + 4);
	assert_listed_newest(s->sd, ids + 4, 2);
	put_numbered(s->sd, 2, ids + 6);
	assert_listed_newest(s->sd, ids + 5, 3);
}

/* A handle opened before config_set picks the policy up at its next put. */
static void test_other_handle_picks_up_policy(void **state)
{
	struct store *s = *state;
	char ids[12][STATUSDIR_ID_SIZE];
	statusdir *sd2;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd2), 0);
	put_numbered(sd2, 6, ids);
	set_retention(s->sd, 4, 0);
	put_numbered(sd2, 2, ids + 6);
	assert_listed_newest(s->sd, ids + 4, 4);
	struct statusdir_config cfg;
	assert_int_equal(statusdir_config_get(sd2, &cfg), 0);
	assert_int_equal(cfg.keep, 4);
	/* and a change back to no limit */
	set_retention(s->sd, 0, 0);
	put_numbered(sd2, 3, ids + 8);
	assert_int_equal(listed(s->sd), 7);
	statusdir_close(sd2);
}

/* Two changes while the other handle is idle: it must end up with the
 * second, whatever inode numbers the format files happen to get. */
static void test_other_handle_two_changes(void **state)
{
	struct store *s = *state;
	statusdir *sd2;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd2), 0);
	put_numbered(sd2, 6, NULL);
	for (int round = 0; round < 4; round++) {
		set_retention(s->sd, 5, 0);
		set_retention(s->sd, 2 + (uint64_t)round % 2, 0);
		put_numbered(sd2, 1, NULL);
		struct statusdir_config cfg;
		assert_int_equal(statusdir_config_get(sd2, &cfg), 0);
		if (cfg.keep != 2 + (uint64_t)round % 2)
			fail_msg("round %d: a handle opened earlier has keep %llu after its put, "
			         "wanted %llu (an inode number reused by the new format file?)", round,
			         (unsigned long long)cfg.keep, 2 + (unsigned long long)round % 2);
		assert_int_equal(listed(s->sd), 2 + (size_t)round % 2);
		set_retention(s->sd, 0, 0);
		put_numbered(sd2, 6, NULL);
	}
	statusdir_close(sd2);
}

/* The other handle records keep = 3 just after this one opened the format
 * file to read keep = 5 and before it fstats it: the file it read has no
 * link left.  Its next put must read the format file again, not take the
 * unlinked file for the current one for good. */
static statusdir *racing_handle;

static void replace_format_now(void *arg)
{
	(void)arg;
	set_retention(racing_handle, 3, 0);
}

static void test_other_handle_change_while_reading(void **state)
{
	struct store *s = *state;
	statusdir *sd2;
	struct statusdir_config cfg;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd2), 0);
	set_retention(s->sd, 5, 0);
	racing_handle = s->sd;
	/* sd2's put: fstat of the format file it holds (changed), then the
	 * open and fstat of the new one, where the hook runs */
	fault_arm(FAULT_FSTAT, &(struct fault){ .skip = 1, .times = 1,
	                                        .hook = replace_format_now });
	put_numbered(sd2, 1, NULL);
	assert_int_equal(fault_hits(FAULT_FSTAT), 1);
	fault_reset();
	put_numbered(sd2, 10, NULL);
	assert_int_equal(statusdir_config_get(sd2, &cfg), 0);
	if (cfg.keep != 3)
		fail_msg("the handle still uses keep %llu after the format file "
		         "records keep 3", (unsigned long long)cfg.keep);
	assert_int_equal(listed(s->sd), 3);
	statusdir_close(sd2);
}

/* A forked process's put applies the policy as well. */
static void test_keep_other_process(void **state)
{
	struct store *s = *state;
	set_retention(s->sd, 3, 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		statusdir *sd;
		int ok = statusdir_open(s->path, 0, NULL, &sd) == 0;
		for (int i = 0; ok && i < 10; i++)
			ok = statusdir_put(sd, "x", 1, 0, NULL) == 0;
		_exit(ok ? 0 : 1);
	}
	wait_child(pid);
	assert_int_equal(listed(s->sd), 3);
}

/* ---- statusdir_list_since ------------------------------------------------------ */

static void assert_since(statusdir *sd, const char *after, char (*want)[STATUSDIR_ID_SIZE],
                         size_t n)
{
	struct statusdir_version *v = (void *)1;
	size_t got = 99;
	assert_int_equal(statusdir_list_since(sd, after, &v, &got), 0);
	assert_int_equal(got, n);
	if (n == 0)
		assert_null(v);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].id, want[i]);
		struct statusdir_version p;
		assert_int_equal(statusdir_id_parse(want[i], &p), 0);
		assert_int_equal(v[i].time_ns, p.time_ns);
		assert_int_equal(v[i].size, p.size);
		assert_int_equal(v[i].checksum, p.checksum);
	}
	statusdir_list_free(v);
}

static void test_list_since_ascending(void **state)
{
	struct store *s = *state;
	char ids[5][STATUSDIR_ID_SIZE];
	assert_since(s->sd, NULL, NULL, 0);
	assert_since(s->sd, "", NULL, 0);
	put_numbered(s->sd, 5, ids);
	assert_since(s->sd, NULL, ids, 5);
	assert_since(s->sd, "", ids, 5);
	assert_since(s->sd, ids[0], ids + 1, 4);
	assert_since(s->sd, ids[1], ids + 2, 3);
	assert_since(s->sd, ids[3], ids + 4, 1);
	assert_since(s->sd, ids[4], NULL, 0);
}

/* After 20 puts the head holds 8; a watermark that fell behind gets the
 * versions moved to old/ as well, each once, oldest first. */
static void test_list_since_reaches_old(void **state)
{
	struct store *s = *state;
	char ids[20][STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 20, ids);
	assert_int_equal(store_count(s, "cur"), STATUSDIR_HEAD);
	assert_int_equal(store_has(s, "old", ids[3]), 1);
	assert_since(s->sd, ids[2], ids + 3, 17);
	assert_since(s->sd, NULL, ids, 20);
	assert_since(s->sd, ids[10], ids + 11, 9);
	assert_since(s->sd, ids[11], ids + 12, 8);
	assert_since(s->sd, ids[12], ids + 13, 7);
	struct statusdir_version *v;
	size_t n;
	assert_int_equal(statusdir_list_since(s->sd, ids[2], &v, &n), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(v[i].in_head, i + 3 >= 20 - STATUSDIR_HEAD);
	statusdir_list_free(v);
}

/* A run of damaged versions keeps the newest intact one: after 10 puts with
 * the 8 newest damaged, ids[1] is in old/, and prune --keep 1 leaves it
 * there beside the greatest id, alone in cur/.  cur/ then holds fewer than
 * STATUSDIR_HEAD ids, so a version above the watermark can be in old/. */
static void test_list_since_damaged_run(void **state)
{
	struct store *s = *state;
	char ids[10][STATUSDIR_ID_SIZE], want[2][STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 10, ids);
	for (size_t i = 2; i < 10; i++)
		damage_content(s->sd, ids[i]);
	assert_int_equal(store_has(s, "old", ids[1]), 1);
	struct statusdir_prune_policy p;
	statusdir_prune_policy_init(&p);
	p.keep = 1;
	assert_int_equal(statusdir_prune(s->sd, &p, NULL), 0);
	assert_int_equal(store_count(s, "cur"), 1);
	assert_int_equal(store_has(s, "old", ids[1]), 1);
	assert_int_equal(listed(s->sd), 2);
	memcpy(want[0], ids[1], sizeof(want[0]));
	memcpy(want[1], ids[9], sizeof(want[1]));
	assert_since(s->sd, ids[0], want, 2);
	assert_since(s->sd, NULL, want, 2);
	assert_since(s->sd, ids[1], want + 1, 1);
	assert_since(s->sd, ids[9], NULL, 0);
}

/* A watermark that is not (or no longer) in the store works as well. */
static void test_list_since_absent_watermark(void **state)
{
	struct store *s = *state;
	char ids[12][STATUSDIR_ID_SIZE], w[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 12, ids);
	struct statusdir_prune_policy p;
	statusdir_prune_policy_init(&p);
	p.keep = 6;
	assert_int_equal(statusdir_prune(s->sd, &p, NULL), 0);
	assert_since(s->sd, ids[1], ids + 6, 6); /* pruned */
	/* between ids[7] and ids[8], by time: ids[8] with its time less 1 */
	struct statusdir_version v8;
	assert_int_equal(statusdir_id_parse(ids[8], &v8), 0);
	snprintf(w, sizeof(w), "%019lld%s", (long long)v8.time_ns - 1, strchr(ids[8], '.'));
	assert_int_equal(statusdir_id_parse(w, NULL), 0);
	assert_true(strcmp(w, ids[7]) > 0 && strcmp(w, ids[8]) < 0);
	assert_since(s->sd, w, ids + 8, 4);
	/* beyond everything */
	snprintf(w, sizeof(w), "9000000000000000000%s", strchr(ids[8], '.'));
	assert_since(s->sd, w, NULL, 0);
}

/* A slow writer's id can commit below the head (ids are chosen before the
 * move into cur/): cur/ then holds an id at or below the watermark while
 * ids above it were already moved to old/.  They must still be listed. */
static void test_list_since_late_commit_in_cur(void **state)
{
	struct store *s = *state;
	char ids[20][STATUSDIR_ID_SIZE], from[PATH_MAX], to[PATH_MAX], rel[PATH_MAX];
	put_numbered(s->sd, 20, ids);
	assert_int_equal(store_has(s, "old", ids[4]), 1);
	snprintf(rel, sizeof(rel), "old/%s", ids[4]);
	store_file(s, rel, from);
	snprintf(rel, sizeof(rel), "cur/%s", ids[4]);
	store_file(s, rel, to);
	assert_int_equal(rename(from, to), 0);
	struct statusdir_version *v;
	size_t n;
	assert_int_equal(statusdir_list_since(s->sd, ids[5], &v, &n), 0);
	statusdir_list_free(v);
	if (n != 14)
		fail_msg("list_since returned %zu ids, wanted 14: with an id at or below the "
		         "watermark in cur/, the ids above it in old/ must still be listed", n);
	assert_since(s->sd, ids[5], ids + 6, 14);
	assert_since(s->sd, ids[3], ids + 4, 16);
}

static void test_list_since_bad_watermark(void **state)
{
	struct store *s = *state;
	static const char *bad[] = { "junk", "@0", "1", "1.2.3.4", "../cur", "-1" };
	struct statusdir_version *v = NULL;
	size_t n = 0;
	put_numbered(s->sd, 2, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(statusdir_list_since(s->sd, bad[i], &v, &n), -EINVAL);
	assert_int_equal(statusdir_list_since(NULL, NULL, &v, &n), -EINVAL);
	assert_int_equal(statusdir_list_since(s->sd, NULL, NULL, &n), -EINVAL);
	assert_int_equal(statusdir_list_since(s->sd, NULL, &v, NULL), -EINVAL);
}

/* ---- statusdir_wait and the watch fd ------------------------------------------------ */

static void test_wait_returns_at_once(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE], newer[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 3, ids);
	int64_t t0 = mono_ns();
	assert_int_equal(statusdir_wait(s->sd, ids[0], 10 * SEC, 0, newer), 0);
	assert_string_equal(newer, ids[2]);
	assert_int_equal(statusdir_wait(s->sd, ids[1], -1, 0, newer), 0);
	assert_string_equal(newer, ids[2]);
	assert_int_equal(statusdir_wait(s->sd, NULL, 10 * SEC, 0, newer), 0);
	assert_string_equal(newer, ids[2]);
	assert_int_equal(statusdir_wait(s->sd, "", 10 * SEC, 50 * MS, NULL), 0);
	assert_int_equal(statusdir_wait(s->sd, ids[0], 0, 0, NULL), 0);
	assert_true(mono_ns() - t0 < 2 * SEC);
}

static void test_wait_times_out(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], newer[STATUSDIR_ID_SIZE];
	int64_t polls[] = { 0, 30 * MS, 500 * MS };
	/* an empty store: nothing is newer than nothing */
	assert_int_equal(statusdir_wait(s->sd, NULL, 50 * MS, 0, NULL), -ETIMEDOUT);
	put_ok(s->sd, "x\n", 2, id);
	for (size_t i = 0; i < sizeof(polls) / sizeof(polls[0]); i++) {
		int64_t t0 = mono_ns();
		assert_int_equal(statusdir_wait(s->sd, id, 150 * MS, polls[i], newer), -ETIMEDOUT);
		int64_t took = mono_ns() - t0;
		assert_true(took >= 140 * MS);
		assert_true(took < 3 * SEC);
	}
	int64_t t0 = mono_ns();
	assert_int_equal(statusdir_wait(s->sd, id, 0, 0, NULL), -ETIMEDOUT);
	assert_true(mono_ns() - t0 < SEC);
}

/* A wait that should time out after 300 ms while the wall clock steps by
 * step_ns just after the wait reads it first: the timeout is on the
 * monotonic clock, so the wait takes 300 ms all the same.  A wall-clock
 * deadline would end at once on a forward step, and wait for hours on a
 * backward one: the wait runs in a child that an alarm ends after 5 s. */
static void wait_across_clock_step(struct store *s, int64_t step_ns, int64_t poll_ns)
{
	char id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "x\n", 2, id);
	int64_t t0 = mono_ns();
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(5);
		fault_clock_step(1, step_ns);
		_exit(statusdir_wait(s->sd, id, 300 * MS, poll_ns, NULL) == -ETIMEDOUT ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	int64_t took = mono_ns() - t0;
	if (WIFSIGNALED(status))
		fail_msg("the wait did not end within 5 s (signal %d)", WTERMSIG(status));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	if (took < 290 * MS)
		fail_msg("the wait timed out after %lld ms, not 300", (long long)(took / MS));
	assert_true(took < 3 * SEC);
}

static void test_wait_clock_steps_back(void **state)
{
	wait_across_clock_step(*state, -2 * HOUR, 0);
	wait_across_clock_step(*state, -2 * HOUR, 20 * MS);
}

static void test_wait_clock_steps_forward(void **state)
{
	wait_across_clock_step(*state, 2 * HOUR, 0);
	wait_across_clock_step(*state, 2 * HOUR, 20 * MS);
}

static void test_wait_bad_arguments(void **state)
{
	struct store *s = *state;
	put_ok(s->sd, "x\n", 2, NULL);
	assert_int_equal(statusdir_wait(s->sd, "junk", 10 * MS, 0, NULL), -EINVAL);
	assert_int_equal(statusdir_wait(s->sd, "@0", 10 * MS, 0, NULL), -EINVAL);
	assert_int_equal(statusdir_wait(s->sd, NULL, 10 * MS, -1, NULL), -EINVAL);
	assert_int_equal(statusdir_wait(NULL, NULL, 10 * MS, 0, NULL), -EINVAL);
}

/* Another process puts while we wait: the wait ends soon after. */
static void wait_for_child_put(struct store *s, int64_t poll_ns, bool empty)
{
	char before[STATUSDIR_ID_SIZE] = "", newer[STATUSDIR_ID_SIZE] = "";
	char child_id[STATUSDIR_ID_SIZE];
	if (!empty)
		put_ok(s->sd, "before\n", 7, before);
	/* the child reports its id through a pipe once its put has returned */
	int p[2];
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		statusdir *sd;
		char id[STATUSDIR_ID_SIZE] = { 0 };
		close(p[0]);
		usleep(300 * 1000);
		if (statusdir_open(s->path, 0, NULL, &sd) != 0 ||
		    statusdir_put(sd, "from the child\n", 15, 0, id) != 0)
			_exit(1);
		statusdir_close(sd);
		_exit(write(p[1], id, sizeof(id)) == (ssize_t)sizeof(id) ? 0 : 1);
	}
	close(p[1]);
	int64_t t0 = mono_ns();
	int r = statusdir_wait(s->sd, empty ? NULL : before, 20 * SEC, poll_ns, newer);
	int64_t took = mono_ns() - t0;
	assert_int_equal(read(p[0], child_id, sizeof(child_id)), sizeof(child_id));
	close(p[0]);
	wait_child(pid);
	assert_int_equal(r, 0);
	assert_string_equal(newer, child_id);
	assert_true(took >= 250 * MS);
	assert_true(took < 5 * SEC);
	assert_version(s->sd, NULL, "from the child\n", 15, child_id);
}

static void test_wait_wakes_inotify(void **state)
{
	wait_for_child_put(*state, 0, false);
}

static void test_wait_wakes_inotify_empty_store(void **state)
{
	wait_for_child_put(*state, 0, true);
}

static void test_wait_wakes_poll(void **state)
{
	wait_for_child_put(*state, 20 * MS, false);
}

static void test_wait_wakes_poll_empty_store(void **state)
{
	wait_for_child_put(*state, 20 * MS, true);
}

static int readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, 0);
	assert_true(n >= 0);
	return n > 0 && (p.revents & POLLIN);
}

static void test_watch_fd(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 1, ids);
	int fd = statusdir_watch_fd(s->sd);
	if (fd == -ENOSYS) {
		printf("# no inotify here: the watch fd is not tested\n");
		return;
	}
	assert_true(fd >= 0);
	assert_int_equal(statusdir_watch_fd(s->sd), fd); /* owned, the same */
	assert_int_equal(readable(fd), 0);
	/* a put by another handle, then by a forked process */
	statusdir *sd2;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd2), 0);
	put_ok(sd2, "two\n", 4, ids[1]);
	assert_int_equal(readable(fd), 1);
	assert_int_equal(statusdir_watch_ack(s->sd), 0);
	assert_int_equal(readable(fd), 0);
	assert_since(s->sd, ids[0], ids + 1, 1);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(statusdir_put(sd2, "three\n", 6, 0, NULL) == 0 ? 0 : 1);
	wait_child(pid);
	assert_int_equal(readable(fd), 1);
	assert_int_equal(statusdir_watch_ack(s->sd), 0);
	assert_int_equal(readable(fd), 0);
	statusdir_close(sd2);
	/* the handle's own puts count too */
	put_ok(s->sd, "four\n", 5, NULL);
	assert_int_equal(readable(fd), 1);
	assert_int_equal(statusdir_watch_ack(s->sd), 0);
	assert_int_equal(listed(s->sd), 4);
}

static void test_watch_ack_without_fd(void **state)
{
	struct store *s = *state;
	assert_int_equal(statusdir_watch_ack(s->sd), -EINVAL);
	assert_int_equal(statusdir_watch_fd(NULL), -EINVAL);
}

/* ---- statusdir_rollback ------------------------------------------------------ */

static void test_rollback(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE], big_id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 3, ids);
	assert_int_equal(statusdir_rollback(s->sd, ids[0], 0, id), 0);
	assert_true(strcmp(id, ids[2]) > 0);
	assert_version(s->sd, NULL, "version 0\n", 10, id);
	/* the old ones are as they were */
	for (int i = 0; i < 3; i++) {
		char text[16];
		snprintf(text, sizeof(text), "version %d\n", i);
		assert_version(s->sd, ids[i], text, 10, ids[i]);
	}
	assert_int_equal(listed(s->sd), 4);
	/* a large one, and with IF_CHANGED on the newest itself */
	char *big = pattern_alloc(3 * BIG, 11);
	put_ok(s->sd, big, 3 * BIG, big_id);
	put_ok(s->sd, "x", 1, NULL);
	assert_int_equal(statusdir_rollback(s->sd, big_id, STATUSDIR_NOSYNC, id), 0);
	assert_version(s->sd, NULL, big, 3 * BIG, id);
	char again[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_rollback(s->sd, big_id, STATUSDIR_IF_CHANGED, again),
	                 STATUSDIR_UNCHANGED);
	assert_string_equal(again, id);
	assert_int_equal(store_count(s, "tmp"), 0);
	free(big);
}

static void test_rollback_errors(void **state)
{
	struct store *s = *state;
	char ids[2][STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE], gone[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 2, ids);
	snprintf(gone, sizeof(gone), "0000000000000000001%s", strchr(ids[0], '.'));
	assert_int_equal(statusdir_rollback(s->sd, gone, 0, id), -ENOENT);
	assert_int_equal(statusdir_rollback(s->sd, "junk", 0, id), -EINVAL);
	assert_int_equal(statusdir_rollback(s->sd, "", 0, id), -EINVAL);
	assert_int_equal(statusdir_rollback(s->sd, NULL, 0, id), -EINVAL);
	damage_content(s->sd, ids[0]);
	assert_int_equal(statusdir_rollback(s->sd, ids[0], 0, id), -EBADMSG);
	damage_size(s->sd, ids[1], -1);
	assert_int_equal(statusdir_rollback(s->sd, ids[1], 0, id), -EBADMSG);
	assert_int_equal(listed(s->sd), 2);
	assert_int_equal(store_count(s, "tmp"), 0);
	statusdir *ro;
	assert_int_equal(statusdir_open(s->path, STATUSDIR_READONLY, NULL, &ro), 0);
	put_ok(s->sd, "ok\n", 3, ids[0]);
	assert_int_equal(statusdir_rollback(ro, ids[0], 0, id), -EROFS);
	statusdir_close(ro);
	assert_int_equal(listed(s->sd), 3);
}

/* Retention applies to a rollback as to any put. */
static void test_rollback_applies_retention(void **state)
{
	struct store *s = *state;
	char ids[5][STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 5, ids);
	set_retention(s->sd, 2, 0);
	assert_int_equal(statusdir_rollback(s->sd, ids[0], 0, id), 0);
	memcpy(ids[0], ids[4], sizeof(ids[0]));
	memcpy(ids[1], id, sizeof(ids[1]));
	assert_listed_newest(s->sd, ids, 2);
	assert_version(s->sd, NULL, "version 0\n", 10, id);
}

/* ---- statusdir_resolve ------------------------------------------------------ */

static void test_resolve(void **state)
{
	struct store *s = *state;
	char ids[20][STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE], ref[32];
	assert_int_equal(statusdir_resolve(s->sd, "@0", id), -ENOENT);
	put_numbered(s->sd, 20, ids);
	for (int n = 0; n < 20; n++) {
		snprintf(ref, sizeof(ref), "@%d", n);
		memset(id, 0, sizeof(id));
		assert_int_equal(statusdir_resolve(s->sd, ref, id), 0);
		assert_string_equal(id, ids[19 - n]);
	}
	assert_int_equal(statusdir_resolve(s->sd, "@20", id), -ENOENT);
	assert_int_equal(statusdir_resolve(s->sd, "@21", id), -ENOENT);
	assert_int_equal(statusdir_resolve(s->sd, "@1000", id), -ENOENT);
	assert_int_equal(statusdir_resolve(s->sd, "@007", id), 0); /* decimal */
	assert_string_equal(id, ids[12]);
	assert_int_equal(statusdir_resolve(s->sd, ids[3], id), 0);
	assert_string_equal(id, ids[3]);
	assert_int_equal(statusdir_resolve(s->sd, ids[19], id), 0);
	assert_string_equal(id, ids[19]);
}

static void test_resolve_junk(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	static const char *bad[] = { "", "@", "@-1", "@+1", "@x", "@1x", "@ 1", "@1 ",
	                             "@0x10", "@1.5", "@@0", "0", "junk", "newest", "../x",
	                             "1.2.3.4" };
	put_numbered(s->sd, 3, NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = statusdir_resolve(s->sd, bad[i], id);
		if (r != -EINVAL)
			fail_msg("statusdir_resolve(\"%s\") returned %d, wanted -EINVAL", bad[i], r);
	}
	assert_int_equal(statusdir_resolve(NULL, "@0", id), -EINVAL);
	assert_int_equal(statusdir_resolve(s->sd, NULL, id), -EINVAL);
	assert_int_equal(statusdir_resolve(s->sd, "@0", NULL), -EINVAL);
}

/* A damaged version still counts: @N is about history, not health. */
static void test_resolve_counts_damaged(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 3, ids);
	damage_content(s->sd, ids[2]);
	assert_int_equal(statusdir_resolve(s->sd, "@0", id), 0);
	assert_string_equal(id, ids[2]);
	assert_int_equal(statusdir_resolve(s->sd, "@1", id), 0);
	assert_string_equal(id, ids[1]);
}

#define T(f) cmocka_unit_test_setup_teardown(f, fault_store_setup, fault_store_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_heal_damaged_content),
		T(test_heal_damaged_content_large),
		T(test_heal_truncated),
		T(test_heal_truncated_large),
		T(test_heal_emptied),
		T(test_heal_too_long),
		T(test_heal_too_long_large),
		T(test_read_fd_intact_reports_nothing),
		T(test_strict_damaged_newest),
		T(test_strict_damaged_newest_large),
		T(test_heal_two_damaged),
		T(test_heal_from_old),
		T(test_none_intact),
		T(test_only_version_damaged),
		T(test_by_id_damaged),
		T(test_noverify_small),
		T(test_noverify_large),
		T(test_noverify_short_is_damaged),
		T(test_noverify_long_is_damaged),
		T(test_noverify_short_is_damaged_large),
		T(test_noverify_long_is_damaged_large),
		T(test_verify_and_prune_with_damage),
		T(test_if_changed_same_bytes),
		T(test_if_changed_different_bytes_same_size),
		T(test_if_changed_empty_payload),
		T(test_if_changed_confirms_bytes),
		T(test_if_changed_longer_newest),
		T(test_if_changed_fd_and_txn),
		T(test_keep_applied_by_put),
		T(test_keep_beyond_head),
		T(test_keep_one),
		T(test_config_set_does_not_prune),
		T(test_max_age_applied_by_put),
		T(test_max_age_amortised),
		T(test_keep_amortised),
		T(test_keep_and_max_age),
		T(test_other_handle_picks_up_policy),
		T(test_other_handle_two_changes),
		T(test_other_handle_change_while_reading),
		T(test_keep_other_process),
		T(test_list_since_ascending),
		T(test_list_since_reaches_old),
		T(test_list_since_damaged_run),
		T(test_list_since_absent_watermark),
		T(test_list_since_late_commit_in_cur),
		T(test_list_since_bad_watermark),
		T(test_wait_returns_at_once),
		T(test_wait_times_out),
		T(test_wait_clock_steps_back),
		T(test_wait_clock_steps_forward),
		T(test_wait_bad_arguments),
		T(test_wait_wakes_inotify),
		T(test_wait_wakes_inotify_empty_store),
		T(test_wait_wakes_poll),
		T(test_wait_wakes_poll_empty_store),
		T(test_watch_fd),
		T(test_watch_ack_without_fd),
		T(test_rollback),
		T(test_rollback_errors),
		T(test_rollback_applies_retention),
		T(test_resolve),
		T(test_resolve_junk),
		T(test_resolve_counts_damaged),
	};
	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
