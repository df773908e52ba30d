/* SPDX-License-Identifier: MIT */
/* test_config.c - the settings in the format file, the mode applied to new
 * versions whatever the umask, and a read-only handle. */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void assert_config_equal(const struct statusdir_config *a,
                                const struct statusdir_config *b)
{
	assert_int_equal(a->mode, b->mode);
	assert_true(a->gid == b->gid);
	assert_true(a->keep == b->keep);
	assert_true(a->max_age_ns == b->max_age_ns);
}

static mode_t mode_of(const struct store *s, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;
	store_file(s, rel, p);
	assert_int_equal(lstat(p, &st), 0);
	return st.st_mode & 07777;
}

static mode_t version_mode(const struct store *s, const char *id)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "cur/%s", id);
	return mode_of(s, rel);
}

static void test_defaults(void **state)
{
	struct store *s = *state;
	struct statusdir_config cfg, want;
	memset(&want, 0x5a, sizeof(want));
	statusdir_config_init(&want);
	assert_int_equal(want.mode, 0);
	assert_true(want.gid == -1);
	assert_true(want.keep == 0);
	assert_true(want.max_age_ns == 0);
	assert_int_equal(statusdir_config_get(s->sd, &cfg), 0);
	assert_config_equal(&cfg, &want);
	assert_int_equal(statusdir_config_get(NULL, &cfg), -EINVAL);
	assert_int_equal(statusdir_config_get(s->sd, NULL), -EINVAL);
}

static void test_set_get_round_trip(void **state)
{
	struct store *s = *state;
	struct statusdir_config cfg, got;
	statusdir *other;
	statusdir_config_init(&cfg);
	cfg.mode = 0640;
	cfg.gid = (int64_t)getgid();
	cfg.keep = 12;
	cfg.max_age_ns = INT64_C(604800000000000);
	assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
	assert_int_equal(statusdir_config_get(s->sd, &got), 0);
	assert_config_equal(&got, &cfg);
	/* recorded in the store: another handle reads it back */
	assert_int_equal(statusdir_open(s->path, 0, NULL, &other), 0);
	assert_int_equal(statusdir_config_get(other, &got), 0);
	assert_config_equal(&got, &cfg);
	statusdir_close(other);
	/* and back to nothing recorded */
	statusdir_config_init(&cfg);
	assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
	assert_int_equal(statusdir_open(s->path, 0, NULL, &other), 0);
	assert_int_equal(statusdir_config_get(other, &got), 0);
	assert_config_equal(&got, &cfg);
	statusdir_close(other);
	/* the format file was replaced, no temporary is left beside it */
	assert_int_equal(store_count_prefix(s, ".", ".format."), 0);
}

static void test_format_file_text(void **state)
{
	struct store *s = *state;
	struct statusdir_config cfg;
	char p[PATH_MAX];
	statusdir_config_init(&cfg);
	store_file(s, "format", p);
	assert_file_equals(p, "statusdir-format 1\nchecksum xxh3-64\n", 36);
	cfg.mode = 0600;
	cfg.keep = 5;
	assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
	size_t len;
	char *text = read_file(p, &len);
	text[len] = '\0';
	assert_non_null(strstr(text, "\nmode 0600\n"));
	assert_non_null(strstr(text, "\nkeep 5\n"));
	assert_null(strstr(text, "group"));
	assert_null(strstr(text, "max-age-ns"));
	free(text);
}

static void test_create_with_config(void **state)
{
	struct store *s = *state;
	struct statusdir_config cfg, got;
	statusdir *sd;
	char path[PATH_MAX];
	statusdir_config_init(&cfg);
	cfg.mode = 0604;
	cfg.keep = 3;
	store_dir_file(s, "second", path);
	assert_int_equal(statusdir_open(path, STATUSDIR_CREATE, &cfg, &sd), 0);
	assert_int_equal(statusdir_config_get(sd, &got), 0);
	assert_config_equal(&got, &cfg);
	statusdir_close(sd);
	/* opening an existing store with another cfg keeps the recorded one */
	cfg.keep = 99;
	assert_int_equal(statusdir_open(path, STATUSDIR_CREATE, &cfg, &sd), 0);
	assert_int_equal(statusdir_config_get(sd, &got), 0);
	assert_int_equal(got.keep, 3);
	statusdir_close(sd);
}

static void test_bad_config_is_einval(void **state)
{
	struct store *s = *state;
	struct statusdir_config cfg, got;
	statusdir_config_init(&cfg);
	cfg.mode = 01000;
	assert_int_equal(statusdir_config_set(s->sd, &cfg), -EINVAL);
	statusdir_config_init(&cfg);
	cfg.max_age_ns = -1;
	assert_int_equal(statusdir_config_set(s->sd, &cfg), -EINVAL);
	statusdir_config_init(&cfg);
	cfg.gid = -2;
	assert_int_equal(statusdir_config_set(s->sd, &cfg), -EINVAL);
	assert_int_equal(statusdir_config_set(NULL, &cfg), -EINVAL);
	assert_int_equal(statusdir_config_set(s->sd, NULL), -EINVAL);
	statusdir_config_init(&cfg);
	assert_int_equal(statusdir_config_get(s->sd, &got), 0);
	assert_config_equal(&got, &cfg);
}

/* A recorded mode wins over the writer's umask, for every kind of put. */
static void test_mode_applies_whatever_the_umask(void **state)
{
	struct store *s = *state;
	static const mode_t umasks[] = { 0, 022, 077, 0777 };
	static const unsigned modes[] = { 0644, 0600, 0666, 0440 };
	struct statusdir_config cfg;
	mode_t saved = umask(0);
	for (size_t m = 0; m < 4; m++) {
		statusdir_config_init(&cfg);
		cfg.mode = modes[m];
		assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
		for (size_t u = 0; u < 4; u++) {
			char id[STATUSDIR_ID_SIZE];
			statusdir_txn *t;
			umask(umasks[u]);
			put_ok(s->sd, "m", 1, id);
			assert_int_equal(version_mode(s, id), modes[m]);
			assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
			assert_int_equal(statusdir_put_commit(t, id), 0);
			assert_int_equal(version_mode(s, id), modes[m]);
		}
	}
	umask(saved);
}

/* The folders get the mode with x where r is. */
static void test_mode_applies_to_folders(void **state)
{
	struct store *s = *state;
	struct statusdir_config cfg;
	statusdir_config_init(&cfg);
	cfg.mode = 0640;
	assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
	assert_int_equal(mode_of(s, "cur"), 0750);
	assert_int_equal(mode_of(s, "old"), 0750);
	assert_int_equal(mode_of(s, "tmp"), 0750);
	assert_int_equal(mode_of(s, "."), 0750);
	/* a recorded group makes them setgid, so versions inherit it */
	cfg.gid = (int64_t)getgid();
	assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
	assert_int_equal(mode_of(s, "cur"), 02750);
	assert_int_equal(mode_of(s, "tmp"), 02750);
}

/* Without a recorded mode, the umask decides (0666 minus the umask). */
static void test_no_mode_follows_umask(void **state)
{
	struct store *s = *state;
	static const mode_t umasks[] = { 0, 022, 027, 077 };
	mode_t saved = umask(0);
	for (size_t u = 0; u < 4; u++) {
		char id[STATUSDIR_ID_SIZE];
		umask(umasks[u]);
		put_ok(s->sd, "u", 1, id);
		assert_int_equal(version_mode(s, id), 0666 & ~umasks[u]);
	}
	umask(saved);
}

/* Versions written before a mode change keep their mode. */
static void test_old_versions_keep_their_mode(void **state)
{
	struct store *s = *state;
	struct statusdir_config cfg;
	char before[STATUSDIR_ID_SIZE], after[STATUSDIR_ID_SIZE];
	mode_t saved = umask(022);
	put_ok(s->sd, "b", 1, before);
	statusdir_config_init(&cfg);
	cfg.mode = 0600;
	assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
	put_ok(s->sd, "a", 1, after);
	umask(saved);
	assert_int_equal(version_mode(s, before), 0644);
	assert_int_equal(version_mode(s, after), 0600);
}

/* A read-only handle reads, and every write is refused with -EROFS without
 * touching the store. */
static void test_readonly_handle(void **state)
{
	struct store *s = *state;
	statusdir *ro;
	statusdir_txn *t;
	struct statusdir_config cfg;
	struct statusdir_prune_policy p;
	struct statusdir_version *v;
	size_t n;
	char id[STATUSDIR_ID_SIZE], p_tmp[PATH_MAX];
	put_numbered(s->sd, 3, NULL);
	put_ok(s->sd, "newest", 6, id);
	/* something a cleaner would remove */
	store_file(s, "tmp/leftover", p_tmp);
	write_file(p_tmp, "x", 1);
	assert_int_equal(statusdir_open(s->path, STATUSDIR_READONLY, NULL, &ro), 0);
	assert_int_equal(statusdir_put(ro, "no", 2, 0, NULL), -EROFS);
	assert_int_equal(statusdir_put_fd(ro, STDIN_FILENO, 0, NULL), -EROFS);
	assert_int_equal(statusdir_put_begin(ro, 0, &t), -EROFS);
	statusdir_config_init(&cfg);
	cfg.keep = 1;
	assert_int_equal(statusdir_config_set(ro, &cfg), -EROFS);
	statusdir_prune_policy_init(&p);
	p.keep = 1;
	p.tmp_age_ns = 1;
	assert_int_equal(statusdir_prune(ro, &p, NULL), -EROFS);
	/* reads work, a dry run too, and nothing changed */
	assert_version(ro, NULL, "newest", 6, id);
	assert_int_equal(statusdir_list(ro, &v, &n), 0);
	assert_int_equal(n, 4);
	statusdir_list_free(v);
	assert_int_equal(statusdir_verify(ro, NULL, NULL, NULL), 0);
	p.flags = STATUSDIR_PRUNE_DRY_RUN;
	assert_int_equal(statusdir_prune(ro, &p, NULL), 0);
	assert_int_equal(store_count(s, "cur"), 4);
	assert_int_equal(store_count(s, "tmp"), 1);
	assert_int_equal(statusdir_config_get(ro, &cfg), 0);
	assert_int_equal(cfg.keep, 0);
	statusdir_close(ro);
}

/* Another handle's config change reaches a put even when the format file
 * it read has a second name: replacing it leaves that inode alive, with
 * one link less and a new change time. */
static void test_change_seen_with_format_linked(void **state)
{
	struct store *s = *state;
	statusdir *sd2;
	char format[PATH_MAX], copy[PATH_MAX];
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd2), 0);
	store_file(s, "format", format);
	store_dir_file(s, "format-copy", copy);
	assert_int_equal(link(format, copy), 0);
	struct statusdir_config cfg;
	statusdir_config_init(&cfg);
	cfg.keep = 3;
	assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
	put_numbered(sd2, 5, NULL);
	assert_int_equal(statusdir_config_get(sd2, &cfg), 0);
	assert_true(cfg.keep == 3);
	assert_int_equal(store_count(s, "cur") + store_count(s, "old"), 3);
	statusdir_close(sd2);
}

static bool fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* Every descriptor a handle holds (folders, the format file, the listing
 * stream, the watch) is close-on-exec: a program that runs others must
 * not leak the store into them. */
static void test_handle_fds_close_on_exec(void **state)
{
	struct store *s = *state;
	enum { MAX_FD = 1024 };
	static bool before[MAX_FD];
	statusdir *sd2;
	char id[STATUSDIR_ID_SIZE], buf[8];
	size_t len;
	for (int fd = 0; fd < MAX_FD; fd++)
		before[fd] = fd_is_open(fd);
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd2), 0);
	put_ok(sd2, "one", 3, id);
	assert_int_equal(statusdir_get(sd2, NULL, buf, sizeof(buf), &len, NULL), 0);
	int watch = statusdir_watch_fd(sd2);
	assert_true(watch >= 0);
	int added = 0;
	for (int fd = 0; fd < MAX_FD; fd++) {
		if (before[fd] || !fd_is_open(fd))
			continue;
		added++;
		if (!(fcntl(fd, F_GETFD) & FD_CLOEXEC))
			fail_msg("descriptor %d of the handle is not close-on-exec", fd);
	}
	/* root, tmp/, cur/, old/, format, the cur/ stream, the watch */
	assert_true(added >= 7);
	statusdir_close(sd2);
	for (int fd = 0; fd < MAX_FD; fd++)
		if (!before[fd] && fd_is_open(fd))
			fail_msg("descriptor %d left open by statusdir_close", fd);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, store_setup, store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_set_get_round_trip),
		T(test_format_file_text),
		T(test_create_with_config),
		T(test_bad_config_is_einval),
		T(test_mode_applies_whatever_the_umask),
		T(test_mode_applies_to_folders),
		T(test_no_mode_follows_umask),
		T(test_old_versions_keep_their_mode),
		T(test_readonly_handle),
		T(test_change_seen_with_format_linked),
		T(test_handle_fds_close_on_exec),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
