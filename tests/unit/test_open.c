/* SPDX-License-Identifier: MIT */
/* test_open.c - statusdir_open(): creating, opening, and every refusal the
 * header lists.  Each test starts from an empty temporary directory. */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* statusdir_open() must fail with want and leave *out untouched. */
static void assert_open_fails(const char *path, unsigned flags, int want)
{
	statusdir *sd = (statusdir *)&sd;
	int r = statusdir_open(path, flags, NULL, &sd);
	if (r != want)
		fail_msg("statusdir_open(%s): got %d (%s), want %d (%s)", path ? path : "NULL",
		         r, statusdir_strerror(r), want, statusdir_strerror(want));
	assert_ptr_equal(sd, (statusdir *)&sd);
}

static void open_ok(const char *path, unsigned flags, statusdir **sd)
{
	int r = statusdir_open(path, flags, NULL, sd);
	if (r != 0)
		fail_msg("statusdir_open(%s): %s", path, statusdir_strerror(r));
}

static void make_store_dirs(struct store *s)
{
	char p[PATH_MAX];
	assert_int_equal(mkdir(s->path, 0755), 0);
	store_file(s, "tmp", p);
	assert_int_equal(mkdir(p, 0755), 0);
	store_file(s, "cur", p);
	assert_int_equal(mkdir(p, 0755), 0);
	store_file(s, "old", p);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void write_format(struct store *s, const char *text, size_t len)
{
	char p[PATH_MAX];
	make_store_dirs(s);
	store_file(s, "format", p);
	write_file(p, text, len);
}

static void test_create_then_reopen(void **state)
{
	struct store *s = *state;
	statusdir *sd;
	char id[STATUSDIR_ID_SIZE];
	open_ok(s->path, STATUSDIR_CREATE, &sd);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 0);
	assert_int_equal(store_count(s, "old"), 0);
	put_ok(sd, "kept", 4, id);
	statusdir_close(sd);
	/* an existing store is opened as it is, with or without CREATE */
	open_ok(s->path, STATUSDIR_CREATE, &sd);
	assert_version(sd, NULL, "kept", 4, id);
	statusdir_close(sd);
	open_ok(s->path, 0, &sd);
	assert_version(sd, NULL, "kept", 4, id);
	statusdir_close(sd);
	open_ok(s->path, STATUSDIR_READONLY, &sd);
	assert_version(sd, NULL, "kept", 4, id);
	statusdir_close(sd);
	statusdir_close(NULL);
}

static void test_missing_path_is_enoent(void **state)
{
	struct store *s = *state;
	char p[PATH_MAX];
	assert_open_fails(s->path, 0, -ENOENT);
	assert_open_fails(s->path, STATUSDIR_READONLY, -ENOENT);
	store_dir_file(s, "no/such/parent", p);
	assert_open_fails(p, STATUSDIR_CREATE, -ENOENT);
}

static void test_file_is_enotdir(void **state)
{
	struct store *s = *state;
	write_file(s->path, "x", 1);
	assert_open_fails(s->path, 0, -ENOTDIR);
	assert_open_fails(s->path, STATUSDIR_CREATE, -ENOTDIR);
}

static void test_plain_dir_is_not_a_store(void **state)
{
	struct store *s = *state;
	statusdir *sd;
	assert_int_equal(mkdir(s->path, 0755), 0);
	assert_open_fails(s->path, 0, -EMEDIUMTYPE);
	assert_open_fails(s->path, STATUSDIR_READONLY, -EMEDIUMTYPE);
	/* an empty directory becomes a store when asked */
	open_ok(s->path, STATUSDIR_CREATE, &sd);
	put_ok(sd, "x", 1, NULL);
	statusdir_close(sd);
}

static void test_create_refuses_non_empty_dir(void **state)
{
	struct store *s = *state;
	char p[PATH_MAX];
	assert_int_equal(mkdir(s->path, 0755), 0);
	store_file(s, "precious", p);
	write_file(p, "data", 4);
	assert_open_fails(s->path, STATUSDIR_CREATE, -ENOTEMPTY);
	assert_file_equals(p, "data", 4);
	assert_int_equal(store_count(s, "."), 1);
}

/* Folders named like a store's but holding files are not a store either. */
static void test_create_refuses_dir_with_files_in_cur(void **state)
{
	struct store *s = *state;
	char p[PATH_MAX];
	make_store_dirs(s);
	store_file(s, "cur/mail", p);
	write_file(p, "data", 4);
	assert_open_fails(s->path, STATUSDIR_CREATE, -ENOTEMPTY);
	assert_file_equals(p, "data", 4);
}

/* What an interrupted create leaves (folders, a format temporary) is
 * finished by the next create. */
static void test_create_finishes_interrupted_create(void **state)
{
	struct store *s = *state;
	char p[PATH_MAX];
	statusdir *sd;
	make_store_dirs(s);
	store_file(s, ".format.0123", p);
	write_file(p, "statusdir-fo", 12);
	assert_open_fails(s->path, 0, -EMEDIUMTYPE);
	open_ok(s->path, STATUSDIR_CREATE, &sd);
	put_ok(sd, "x", 1, NULL);
	statusdir_close(sd);
	open_ok(s->path, 0, &sd);
	statusdir_close(sd);
}

static void test_unknown_format_version(void **state)
{
	struct store *s = *state;
	static const char text[] = "statusdir-format 3\nchecksum xxh3-64\n";
	write_format(s, text, sizeof(text) - 1);
	assert_open_fails(s->path, 0, -EPROTONOSUPPORT);
	assert_open_fails(s->path, STATUSDIR_CREATE, -EPROTONOSUPPORT);
	assert_open_fails(s->path, STATUSDIR_READONLY, -EPROTONOSUPPORT);
}

static void test_malformed_format_files(void **state)
{
	struct store *s = *state;
	static const char *const bad[] = {
		"",
		"\n",
		"statusdir-format 1\n",                         /* no checksum */
		"statusdir-format 1\nchecksum crc32\n",         /* unknown checksum */
		"statusdir-format 1\nchecksum xxh3-64",         /* no final newline */
		"statusdir-format 10\nchecksum xxh3-64\n",
		"statusdir-format 1 \nchecksum xxh3-64\n",
		"statusdir-format\nchecksum xxh3-64\n",
		"Statusdir-format 1\nchecksum xxh3-64\n",
		"checksum xxh3-64\nstatusdir-format 1\n",
		"statusdir-format 1\nchecksum xxh3-64\nmode 0\n",
		"statusdir-format 1\nchecksum xxh3-64\nmode 1777\n",
		"statusdir-format 1\nchecksum xxh3-64\nmode 0x1ff\n",
		"statusdir-format 1\nchecksum xxh3-64\nkeep -1\n",
		"statusdir-format 1\nchecksum xxh3-64\nkeep 18446744073709551616\n",
		"statusdir-format 1\nchecksum xxh3-64\nmax-age-ns 9223372036854775808\n",
		"statusdir-format 1\nchecksum xxh3-64\ngroup many\n",
		"statusdir-format 1\nchecksum xxh3-64\nnospace\n",
		"\xef\xbb\xbfstatusdir-format 1\nchecksum xxh3-64\n",
	};
	char p[PATH_MAX];
	make_store_dirs(s);
	store_file(s, "format", p);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(p, bad[i], strlen(bad[i]));
		assert_open_fails(s->path, 0, -EPROTONOSUPPORT);
	}
	/* a NUL inside, and a file too long to be a format file */
	write_file(p, "statusdir-format 1\nchecksum xxh3-64\0\n", 37);
	assert_open_fails(s->path, 0, -EPROTONOSUPPORT);
	size_t big = 8192;
	char *text = malloc(big);
	assert_non_null(text);
	memset(text, '\n', big);
	memcpy(text, "statusdir-format 1\nchecksum xxh3-64\n", 36);
	write_file(p, text, big);
	free(text);
	assert_open_fails(s->path, 0, -EPROTONOSUPPORT);
	/* a format "file" that is a folder */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_open_fails(s->path, 0, -EPROTONOSUPPORT);
}

/* Keys this version does not know are ignored; the store opens. */
static void test_unknown_keys_are_ignored(void **state)
{
	struct store *s = *state;
	static const char text[] =
		"statusdir-format 1\nchecksum xxh3-64\nfuture-key some value\nkeep 3\n";
	statusdir *sd;
	struct statusdir_config cfg;
	write_format(s, text, sizeof(text) - 1);
	open_ok(s->path, 0, &sd);
	assert_int_equal(statusdir_config_get(sd, &cfg), 0);
	assert_int_equal(cfg.keep, 3);
	statusdir_close(sd);
}

static void replace_with_symlink(struct store *s, const char *folder)
{
	char p[PATH_MAX], real[PATH_MAX];
	store_file(s, folder, p);
	store_dir_file(s, folder, real);
	assert_int_equal(rename(p, real), 0);
	assert_int_equal(symlink(real, p), 0);
}

static void test_symlinked_folder_is_eloop(void **state)
{
	struct store *s = *state;
	static const char *const folders[] = { "cur", "tmp", "old" };
	for (size_t i = 0; i < 3; i++) {
		statusdir *sd;
		char p[PATH_MAX];
		open_ok(s->path, STATUSDIR_CREATE, &sd);
		statusdir_close(sd);
		replace_with_symlink(s, folders[i]);
		assert_open_fails(s->path, 0, -ELOOP);
		assert_open_fails(s->path, STATUSDIR_READONLY, -ELOOP);
		assert_open_fails(s->path, STATUSDIR_CREATE, -ELOOP);
		rm_rf(s->path);
		store_dir_file(s, folders[i], p);
		rm_rf(p);
	}
}

static void test_missing_folder_is_not_a_store(void **state)
{
	struct store *s = *state;
	statusdir *sd;
	char p[PATH_MAX];
	open_ok(s->path, STATUSDIR_CREATE, &sd);
	statusdir_close(sd);
	store_file(s, "old", p);
	assert_int_equal(rmdir(p), 0);
	assert_open_fails(s->path, 0, -EMEDIUMTYPE);
}

/* The store path itself may be a symlink. */
static void test_store_path_may_be_a_symlink(void **state)
{
	struct store *s = *state;
	statusdir *sd;
	char link[PATH_MAX], id[STATUSDIR_ID_SIZE];
	open_ok(s->path, STATUSDIR_CREATE, &sd);
	statusdir_close(sd);
	store_dir_file(s, "link", link);
	assert_int_equal(symlink(s->path, link), 0);
	open_ok(link, 0, &sd);
	put_ok(sd, "via link", 8, id);
	assert_version(sd, NULL, "via link", 8, id);
	statusdir_close(sd);
	open_ok(s->path, 0, &sd);
	assert_version(sd, NULL, "via link", 8, id);
	statusdir_close(sd);
	/* and with CREATE it is opened, not replaced */
	open_ok(link, STATUSDIR_CREATE, &sd);
	assert_version(sd, NULL, "via link", 8, id);
	statusdir_close(sd);
}

static void test_bad_arguments(void **state)
{
	struct store *s = *state;
	statusdir *sd = (statusdir *)&sd;
	assert_open_fails(NULL, 0, -EINVAL);
	assert_open_fails("", 0, -EINVAL);
	assert_open_fails(s->path, STATUSDIR_CREATE | STATUSDIR_READONLY, -EINVAL);
	assert_int_equal(statusdir_open(s->path, STATUSDIR_CREATE, NULL, NULL), -EINVAL);
	assert_ptr_equal(sd, (statusdir *)&sd);
	struct stat st;
	assert_int_equal(lstat(s->path, &st), -1); /* nothing was created */
}

/* A relative path works, and create fsyncs its parent ("."). */
static void test_relative_path(void **state)
{
	struct store *s = *state;
	statusdir *sd;
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(s->dir), 0);
	int r = statusdir_open("store", STATUSDIR_CREATE, NULL, &sd);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(r, 0);
	statusdir_close(sd);
	open_ok(s->path, 0, &sd);
	statusdir_close(sd);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, store_setup_dir, store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_create_then_reopen),
		T(test_missing_path_is_enoent),
		T(test_file_is_enotdir),
		T(test_plain_dir_is_not_a_store),
		T(test_create_refuses_non_empty_dir),
		T(test_create_refuses_dir_with_files_in_cur),
		T(test_create_finishes_interrupted_create),
		T(test_unknown_format_version),
		T(test_malformed_format_files),
		T(test_unknown_keys_are_ignored),
		T(test_symlinked_folder_is_eloop),
		T(test_missing_folder_is_not_a_store),
		T(test_store_path_may_be_a_symlink),
		T(test_bad_arguments),
		T(test_relative_path),
	};
	return cmocka_run_group_tests_name("open", tests, NULL, NULL);
}
