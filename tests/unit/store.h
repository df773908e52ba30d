/* SPDX-License-Identifier: MIT */
/* store.h - the fixture every store test uses, and small helpers.
 *
 * store_setup() makes a fresh temporary directory (mkdtemp under $TMPDIR,
 * or /tmp) and creates a store in it; store_teardown() closes the handle
 * and removes the whole directory.  Helpers assert with cmocka, so a
 * failing helper fails the test that called it. */
#ifndef STATUSDIR_TEST_STORE_H
#define STATUSDIR_TEST_STORE_H

#include <limits.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "statusdir.h"

struct store {
	char dir[PATH_MAX];  /* the test's own temporary directory */
	char path[PATH_MAX]; /* dir/store */
	statusdir *sd;       /* open on path */
};

/* cmocka fixtures: a created, open store; or only the directory.  The
 * fixture's handle never sweeps tmp/ in a put (tmp_sweep_every = 0), so
 * that every put makes the same calls; tests of that sweep set it. */
int store_setup(void **state);
int store_setup_dir(void **state);
int store_teardown(void **state);
/* store_setup() of a format-2 store (spec/format2.md). */
int store_setup_format2(void **state);

/* dir/rel or path/rel into out (PATH_MAX bytes). */
void store_dir_file(const struct store *s, const char *rel, char *out);
void store_file(const struct store *s, const char *rel, char *out);

/* Entries of path/folder other than "." and "..". */
size_t store_count(const struct store *s, const char *folder);
/* Entries of path/folder whose names start with prefix. */
size_t store_count_prefix(const struct store *s, const char *folder, const char *prefix);
/* 1 if path/folder/name exists (even as a dangling symlink), else 0. */
int store_has(const struct store *s, const char *folder, const char *name);

/* A deterministic byte pattern, different for each seed. */
void fill_pattern(void *buf, size_t len, unsigned seed);
void *pattern_alloc(size_t len, unsigned seed);

/* statusdir_put() that must succeed; id may be NULL. */
void put_ok(statusdir *sd, const void *buf, size_t len, char *id);
/* Puts n versions, payload "version I\n" for I = 0..n-1, ids into ids[I]
 * (may be NULL). */
void put_numbered(statusdir *sd, size_t n, char (*ids)[STATUSDIR_ID_SIZE]);
/* The same with put flags. */
void put_numbered_flags(statusdir *sd, size_t n, unsigned flags,
                        char (*ids)[STATUSDIR_ID_SIZE]);
/* Asserts that the version id (NULL: the newest) holds exactly buf[0..len)
 * and, if want_id is not NULL, that it is the version want_id. */
void assert_version(statusdir *sd, const char *id, const void *buf, size_t len,
                    const char *want_id);

/* Damages version id in place: flips bits of its middle byte, so its
 * checksum no longer matches (the version must not be empty). */
void damage_version(statusdir *sd, const char *id);

/* Whole files, asserting success. */
void write_file(const char *path, const void *buf, size_t len);
void *read_file(const char *path, size_t *len);
void assert_file_equals(const char *path, const void *buf, size_t len);

/* Children that feed a pipe or drain one into a file, using raw system
 * calls (no --wrap reaches them).  feed_pipe() returns the child's pid and
 * the read end in *fd; drain_pipe() the write end.  The caller closes its
 * end, then wait_child() asserts the child exited 0. */
pid_t feed_pipe(const void *buf, size_t len, int *fd);
pid_t drain_pipe(const char *path, int *fd);
void wait_child(pid_t pid);

/* What a failed put must leave as it was: the newest version (its id and
 * bytes), the number of entries in cur/ and old/, an empty tmp/, and the
 * number of open descriptors. */
struct store_snapshot {
	char newest[STATUSDIR_ID_SIZE];
	void *payload;
	size_t len;
	size_t cur, old;
	int fds;
};
void store_snapshot(const struct store *s, struct store_snapshot *snap);
void assert_store_unchanged(const struct store *s, const struct store_snapshot *snap);
void store_snapshot_free(struct store_snapshot *snap);

/* The name of a tmp/ file that this process would write now (a put is
 * begun and aborted to learn it), and the same with one of its fields
 * (0 boot id, 1 pid namespace, 2 pid, 3 start time, 4 random, 5 host)
 * replaced by value. */
void tmp_name_now(statusdir *sd, const struct store *s, char *out);
void tmp_name_edit(char *name, int field, const char *value);

/* A descriptor of /dev/null for output nobody reads (STDOUT carries the
 * TAP stream).  Opened once, by the fixtures, so leak counts stay put. */
int null_fd(void);

/* Open file descriptors of this process, to find leaks. */
int count_fds(void);

/* Format 2: the id of number n (20 digits; one of four buffers that take
 * turns, so a call may name a few at once), and L raised to cut as
 * retention raises it (one byte at cut - 1 of STORE/low). */
const char *store_number(uint64_t n);
void store_raise_low(const struct store *s, uint64_t cut);

/* Removes path and everything below it. */
void rm_rf(const char *path);

#endif
