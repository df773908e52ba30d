/* SPDX-License-Identifier: MIT */
/* test_format2_read.c - reading a format-2 store by number
 * (spec/format2.md, sections 9 and 10): the full listing, the newest n,
 * "@N", the versions above a watermark, waiting, and healing a damaged
 * newest.  Numbers at or below L (the size of STORE/low), tombstones
 * (symlinks to "lost") and junk are never handed out; a version without a
 * valid attribute is listed as damaged.  That the newest n, a watcher and
 * healing never read cur/ as a folder is checked on a fresh handle, whose
 * first listing must open cur/'s "." (scan.c). */
#include "internal.h" /* first: config.h; the handle's fields */

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define PUTS 10

static int setup(void **state)
{
	fault_reset();
	int r = store_setup_dir(state);
	struct store *s = *state;
	if (r < 0)
		return r;
	r = statusdir_open(s->path, STATUSDIR_CREATE | STATUSDIR_FORMAT2, NULL, &s->sd);
	if (r < 0) {
		fprintf(stderr, "# statusdir_open(%s): %s\n", s->path, statusdir_strerror(r));
		return -1;
	}
	s->sd->tmp_sweep_every = 0;
	put_numbered_flags(s->sd, PUTS, STATUSDIR_NOSYNC, NULL);
	return 0;
}

static int teardown(void **state)
{
	fault_reset();
	return store_teardown(state);
}

static void id_of(uint64_t n, char id[STATUSDIR_ID_SIZE])
{
	snprintf(id, STATUSDIR_ID_SIZE, "%020llu", (unsigned long long)n);
}

static uint64_t number_of(const char *id)
{
	return strtoull(id, NULL, 10);
}

static void cur_path(const struct store *s, uint64_t n, char *out)
{
	char rel[STATUSDIR_ID_SIZE + 8], id[STATUSDIR_ID_SIZE];
	id_of(n, id);
	snprintf(rel, sizeof(rel), "cur/%s", id);
	store_file(s, rel, out);
}
/* Version n lost in a power cut and sealed: its name is a tombstone. */
static void tombstone(const struct store *s, uint64_t n)
{
	char p[PATH_MAX];
	cur_path(s, n, p);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("lost", p), 0);
}

static void drop_attribute(const struct store *s, uint64_t n)
{
	char p[PATH_MAX];
	cur_path(s, n, p);
	assert_int_equal(removexattr(p, "user.statusdir"), 0);
}

static void append_byte(const struct store *s, uint64_t n)
{
	char p[PATH_MAX];
	cur_path(s, n, p);
	int fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(close(fd), 0);
}

/* The payload put_numbered() gave version n (numbers count from 1). */
static size_t payload_of(uint64_t n, char *buf, size_t cap)
{
	return (size_t)snprintf(buf, cap, "version %llu\n", (unsigned long long)(n - 1));
}

static void assert_intact(const struct statusdir_version *v)
{
	char text[32];
	size_t len = payload_of(number_of(v->id), text, sizeof(text));
	assert_int_equal(v->size, len);
	assert_true(v->checksum == statusdir__checksum(text, len));
	assert_true(v->time_ns > 0);
	assert_int_equal(v->in_head, 1);
}

/* Asserts that list holds exactly the numbers want[0..n), in that order. */
static void assert_numbers(const struct statusdir_version *v, size_t n,
                           const uint64_t *want, size_t n_want)
{
	assert_int_equal(n, n_want);
	for (size_t i = 0; i < n; i++) {
		if (number_of(v[i].id) != want[i])
			fail_msg("entry %zu is %s, expected %llu", i, v[i].id,
			         (unsigned long long)want[i]);
	}
}

/* list_newest(k) is the first k of statusdir_list(), for every k. */
static void assert_newest_is_prefix(statusdir *sd, size_t upto)
{
	struct statusdir_version *all, *v;
	size_t n_all, n;
	assert_int_equal(statusdir_list(sd, &all, &n_all), 0);
	for (size_t want = 0; want <= upto; want++) {
		assert_int_equal(statusdir_list_newest(sd, want, &v, &n), 0);
		assert_int_equal(n, want < n_all ? want : n_all);
		if (n == 0)
			assert_null(v);
		for (size_t i = 0; i < n; i++) {
			assert_string_equal(v[i].id, all[i].id);
			assert_int_equal(v[i].size, all[i].size);
			assert_true(v[i].checksum == all[i].checksum);
			assert_true(v[i].time_ns == all[i].time_ns);
		}
		statusdir_list_free(v);
	}
	statusdir_list_free(all);
}

static void test_list_is_every_number_newest_first(void **state)
{
	struct store *s = *state;
	struct statusdir_version *v;
	size_t n;
	uint64_t want[PUTS];
	for (size_t i = 0; i < PUTS; i++)
		want[i] = PUTS - i;
	assert_int_equal(statusdir_list(s->sd, &v, &n), 0);
	assert_numbers(v, n, want, PUTS);
	for (size_t i = 0; i < n; i++) {
		assert_intact(&v[i]);
		if (i > 0)
			assert_true(v[i].time_ns <= v[i - 1].time_ns);
	}
	statusdir_list_free(v);
	assert_newest_is_prefix(s->sd, PUTS + 2);
}

/* Freed numbers still in cur/ (a cleaner between R3 and R4), a tombstone,
 * junk of every kind: none is a version. */
static void test_list_skips_freed_tombstones_and_junk(void **state)
{
	struct store *s = *state;
	struct statusdir_version *v;
	size_t n;
	char p[PATH_MAX];
	store_raise_low(s, 2);      /* 1 and 2 freed, left in cur/ */
	tombstone(s, 4);
	store_file(s, "cur/notes.txt", p);
	write_file(p, "junk", 4);
	store_file(s, "cur/00000000000000000042", p); /* a number, not a file */
	assert_int_equal(mkdir(p, 0755), 0);
	store_file(s, "cur/00000000000000000043", p);
	assert_int_equal(symlink("00000000000000000010", p), 0);
	const uint64_t want[] = { 10, 9, 8, 7, 6, 5, 3 };
	fault_reset(); /* counts from here */
	assert_int_equal(statusdir_list(s->sd, &v, &n), 0);
	assert_numbers(v, n, want, 7);
	/* cur/ and each version once: not the freed, the tombstone, the junk */
	assert_int_equal(fault_calls(FAULT_OPENAT), 1 + 7);
	for (size_t i = 0; i < n; i++)
		assert_intact(&v[i]);
	statusdir_list_free(v);
	assert_newest_is_prefix(s->sd, PUTS + 2);
	/* the newest is still 10: the junk above was not taken for it */
	assert_version(s->sd, NULL, "version 9\n", 10, "00000000000000000010");
}

/* A version without a valid attribute is listed, with time, size and
 * checksum 0; so is one whose attribute is malformed. */
static void test_list_shows_damaged(void **state)
{
	struct store *s = *state;
	struct statusdir_version *v;
	size_t n;
	char p[PATH_MAX];
	drop_attribute(s, 7);
	cur_path(s, 5, p);
	assert_int_equal(setxattr(p, "user.statusdir", "3 nothex 1", 10, 0), 0);
	assert_int_equal(statusdir_list(s->sd, &v, &n), 0);
	assert_int_equal(n, PUTS);
	for (size_t i = 0; i < n; i++) {
		uint64_t k = number_of(v[i].id);
		if (k == 7 || k == 5) {
			assert_int_equal(v[i].size, 0);
			assert_true(v[i].checksum == 0);
			assert_true(v[i].time_ns == 0);
			assert_int_equal(v[i].in_head, 1);
		} else {
			assert_intact(&v[i]);
		}
	}
	statusdir_list_free(v);
	assert_newest_is_prefix(s->sd, PUTS);
}

/* The newest n cost n opens, not the history: no listing of cur/, and at
 * most one open per version handed out or passed over. */
static void test_list_newest_walks_by_number(void **state)
{
	struct store *s = *state;
	struct statusdir_version *v;
	statusdir *fresh;
	size_t n;
	put_numbered_flags(s->sd, 190, STATUSDIR_NOSYNC, NULL);
	tombstone(s, 198);
	assert_int_equal(statusdir_open(s->path, STATUSDIR_READONLY, NULL, &fresh), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EIO, .name = "." });
	assert_int_equal(statusdir_list_newest(fresh, 3, &v, &n), 0);
	const uint64_t want[] = { 200, 199, 197 };
	assert_numbers(v, n, want, 3);
	assert_int_equal(fault_hits(FAULT_OPENAT), 0);
	assert_true(fault_calls(FAULT_OPENAT) <= 4);
	statusdir_list_free(v);
	/* the control: the full listing reads cur/, and the fault bites */
	assert_int_equal(statusdir_list(fresh, &v, &n), -EIO);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
	fault_reset();
	statusdir_close(fresh);
}

/* The walk stops at L: numbers at or below it are freed, even if their
 * names are still there; "@N" counts what is left. */
static void test_list_newest_stops_at_low(void **state)
{
	struct store *s = *state;
	struct statusdir_version *v;
	size_t n;
	char id[STATUSDIR_ID_SIZE];
	store_raise_low(s, 6);
	fault_reset(); /* counts from here */
	assert_int_equal(statusdir_list_newest(s->sd, 100, &v, &n), 0);
	const uint64_t want[] = { 10, 9, 8, 7 };
	assert_numbers(v, n, want, 4);
	assert_int_equal(fault_calls(FAULT_OPENAT), 4); /* nothing at or below L opened */
	statusdir_list_free(v);
	assert_int_equal(statusdir_resolve(s->sd, "@3", id), 0);
	assert_string_equal(id, "00000000000000000007");
	assert_int_equal(statusdir_resolve(s->sd, "@4", id), -ENOENT);
	assert_int_equal(statusdir_resolve(s->sd, "@99999999999", id), -ENOENT);
}

static void test_resolve_counts_by_number(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], buf[32];
	size_t len;
	tombstone(s, 9);
	assert_int_equal(statusdir_resolve(s->sd, "@0", id), 0);
	assert_string_equal(id, "00000000000000000010");
	assert_int_equal(statusdir_resolve(s->sd, "@1", id), 0);
	assert_string_equal(id, "00000000000000000008"); /* 9 was lost */
	assert_int_equal(statusdir_resolve(s->sd, "@8", id), 0);
	assert_string_equal(id, "00000000000000000001");
	assert_int_equal(statusdir_resolve(s->sd, "@9", id), -ENOENT);
	assert_int_equal(statusdir_get(s->sd, "@2", buf, sizeof(buf), &len, id), 0);
	assert_string_equal(id, "00000000000000000007");
	assert_memory_equal(buf, "version 6\n", len);
	/* by number: a tombstone and a freed number are no version */
	assert_int_equal(statusdir_get(s->sd, "00000000000000000009", buf, sizeof(buf), &len, id),
	                 -ENOENT);
	store_raise_low(s, 3);
	assert_int_equal(statusdir_get(s->sd, "00000000000000000003", buf, sizeof(buf), &len, id),
	                 -ENOENT);
	assert_int_equal(statusdir_resolve(s->sd, "@5", id), 0);
	assert_string_equal(id, "00000000000000000004");
	assert_int_equal(statusdir_resolve(s->sd, "@6", id), -ENOENT);
	char *path;
	assert_int_equal(statusdir_path(s->sd, "@0", &path), 0);
	char want[PATH_MAX];
	cur_path(s, 10, want);
	assert_string_equal(path, want);
	free(path);
}

static void since(statusdir *sd, const char *after, const uint64_t *want, size_t n_want)
{
	struct statusdir_version *v;
	size_t n;
	assert_int_equal(statusdir_list_since(sd, after, &v, &n), 0);
	assert_numbers(v, n, want, n_want);
	for (size_t i = 0; i < n; i++)
		if (v[i].size != 0)
			assert_intact(&v[i]);
	if (n == 0)
		assert_null(v);
	statusdir_list_free(v);
}

static void test_list_since_walks_up(void **state)
{
	struct store *s = *state;
	statusdir *fresh;
	struct statusdir_version *v;
	size_t n;
	const uint64_t all[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	since(s->sd, NULL, all, PUTS);
	since(s->sd, "", all, PUTS);
	since(s->sd, "00000000000000000005", all + 5, 5);
	since(s->sd, "00000000000000000010", NULL, 0);
	since(s->sd, "00000000000000000099", NULL, 0);
	/* a watermark is a number: a format-1 id places nothing here */
	assert_int_equal(statusdir_list_since(s->sd,
	                 "1795808023123456789.0f1e2d3c4b5a69788796a5b4c3d2e1f0.4096.1a2b3c4d5e6f7a8b",
	                 &v, &n), -EINVAL);
	assert_int_equal(statusdir_list_since(s->sd, "x", &v, &n), -EINVAL);
	/* by number, not by listing, on a handle that never listed */
	assert_int_equal(statusdir_open(s->path, STATUSDIR_READONLY, NULL, &fresh), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EIO, .name = "." });
	since(fresh, "00000000000000000008", all + 8, 2);
	assert_int_equal(fault_hits(FAULT_OPENAT), 0);
	fault_reset();
	statusdir_close(fresh);
}

/* L raised past the watermark: the walk goes on after L; tombstones are
 * passed over; a damaged version is handed out (as damaged). */
static void test_list_since_skips_what_low_freed(void **state)
{
	struct store *s = *state;
	char p[PATH_MAX];
	store_raise_low(s, 6);
	for (uint64_t k = 3; k <= 6; k++) { /* R4 unlinked these; 1 and 2 are left */
		cur_path(s, k, p);
		assert_int_equal(unlink(p), 0);
	}
	tombstone(s, 8);
	drop_attribute(s, 9);
	const uint64_t want[] = { 7, 9, 10 };
	since(s->sd, "00000000000000000002", want, 3);
	since(s->sd, "", want, 3);
	since(s->sd, "00000000000000000007", want + 1, 2);
	/* everything up to the newest freed but the newest itself */
	store_raise_low(s, 9);
	since(s->sd, "00000000000000000001", want + 2, 1);
	/* L beyond the newest name still present: nothing to hand out */
	store_raise_low(s, 10);
	since(s->sd, "00000000000000000001", NULL, 0);
}

static uint64_t lost_between(statusdir *sd, const char *after, const char *before)
{
	uint64_t lost = 99;
	assert_int_equal(statusdir_count_lost(sd, after, before, &lost), 0);
	return lost;
}

/* A watcher's gap told apart: tombstones above L are lost; at or below L
 * everything counts as freed, tombstones included. */
static void test_count_lost(void **state)
{
	struct store *s = *state;
	uint64_t lost;
	tombstone(s, 4);
	tombstone(s, 5);
	tombstone(s, 8);
	assert_int_equal(lost_between(s->sd, "00000000000000000003", "00000000000000000006"), 2);
	assert_int_equal(lost_between(s->sd, "", "00000000000000000010"), 3);
	assert_int_equal(lost_between(s->sd, NULL, "00000000000000000004"), 0);
	/* a range far past the newest: the walk stops at the first number
	 * never claimed, not at before */
	assert_int_equal(lost_between(s->sd, "", "09000000000000000000"), 3);
	assert_int_equal(lost_between(s->sd, "00000000000000000008", "00000000000000000009"), 0);
	store_raise_low(s, 4); /* 4 freed with the rest below it */
	assert_int_equal(lost_between(s->sd, "00000000000000000001", "00000000000000000006"), 1);
	assert_int_equal(lost_between(s->sd, "00000000000000000005", "00000000000000000010"), 1);
	/* refused: not numbers, an empty or reversed range */
	assert_int_equal(statusdir_count_lost(s->sd, "x", "00000000000000000006", &lost), -EINVAL);
	assert_int_equal(statusdir_count_lost(s->sd, "00000000000000000006",
	                                      "00000000000000000006", &lost), -EINVAL);
	assert_int_equal(statusdir_count_lost(s->sd, "00000000000000000007",
	                                      "00000000000000000006", &lost), -EINVAL);
	assert_int_equal(statusdir_count_lost(s->sd, "", NULL, &lost), -EINVAL);
	assert_int_equal(statusdir_count_lost(s->sd, "", "00000000000000000006", NULL), -EINVAL);
}

static void test_wait_by_number(void **state)
{
	struct store *s = *state;
	char newer[STATUSDIR_ID_SIZE] = "";
	assert_int_equal(statusdir_wait(s->sd, "00000000000000000010", 0, 0, newer), -ETIMEDOUT);
	assert_int_equal(statusdir_wait(s->sd, "00000000000000000004", 0, 0, newer), 0);
	assert_string_equal(newer, "00000000000000000010");
	assert_int_equal(statusdir_wait(s->sd, "", 0, 0, newer), 0);
	assert_string_equal(newer, "00000000000000000010");
	store_raise_low(s, 7);
	assert_int_equal(statusdir_wait(s->sd, "00000000000000000002", 0, 1000000, newer), 0);
	assert_string_equal(newer, "00000000000000000010");
	/* a put through another handle wakes the watcher: link(2) is an
	 * IN_CREATE */
	statusdir *writer;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &writer), 0);
	int fd = statusdir_watch_fd(s->sd);
	if (fd >= 0) {
		assert_int_equal(statusdir_watch_ack(s->sd), 0);
		put_ok(writer, "new", 3, NULL);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		assert_int_equal(poll(&p, 1, 5000), 1);
	} else {
		assert_int_equal(fd, -ENOSYS);
		put_ok(writer, "new", 3, NULL);
	}
	statusdir_close(writer);
	assert_int_equal(statusdir_wait(s->sd, "00000000000000000010", 0, 0, newer), 0);
	assert_string_equal(newer, "00000000000000000011");
}

/* A damaged newest heals to the newest intact one below it, by number:
 * damaged ones are counted, a tombstone and freed numbers passed over. */
static void test_heal_walks_down_by_number(void **state)
{
	struct store *s = *state;
	struct statusdir_read rd = { 0 };
	statusdir *fresh;
	append_byte(s, 10);
	drop_attribute(s, 9);
	tombstone(s, 8);
	assert_int_equal(statusdir_open(s->path, STATUSDIR_READONLY, NULL, &fresh), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EIO, .name = "." });
	assert_int_equal(statusdir_read_fd(fresh, NULL, null_fd(), &rd), STATUSDIR_HEALED);
	assert_int_equal(fault_hits(FAULT_OPENAT), 0);
	fault_reset();
	assert_string_equal(rd.id, "00000000000000000007");
	assert_string_equal(rd.damaged, "00000000000000000010");
	assert_int_equal(rd.skipped, 2);
	assert_version(fresh, "00000000000000000007", "version 6\n", 10, NULL);
	char buf[32], id[STATUSDIR_ID_SIZE];
	size_t len;
	assert_int_equal(statusdir_get(fresh, NULL, buf, sizeof(buf), &len, id), STATUSDIR_HEALED);
	assert_string_equal(id, "00000000000000000007");
	assert_memory_equal(buf, "version 6\n", len);
	rd.flags = STATUSDIR_GET_STRICT;
	assert_int_equal(statusdir_read_fd(fresh, NULL, null_fd(), &rd), -EBADMSG);
	assert_string_equal(rd.id, "00000000000000000010");
	/* "@0" names the damaged newest itself */
	assert_int_equal(statusdir_get(fresh, "@0", buf, sizeof(buf), &len, id), -EBADMSG);
	statusdir_close(fresh);
}

/* Healing stops at L: what is at or below it was freed, even if its name
 * is still in cur/; with nothing intact above L the read fails. */
static void test_heal_stops_at_low(void **state)
{
	struct store *s = *state;
	struct statusdir_read rd = { 0 };
	damage_version(s->sd, "00000000000000000010");
	damage_version(s->sd, "00000000000000000009");
	assert_int_equal(statusdir_read_fd(s->sd, NULL, null_fd(), &rd), STATUSDIR_HEALED);
	assert_string_equal(rd.id, "00000000000000000008");
	store_raise_low(s, 8);
	rd = (struct statusdir_read){ 0 };
	assert_int_equal(statusdir_read_fd(s->sd, NULL, null_fd(), &rd), -EBADMSG);
	assert_string_equal(rd.damaged, "00000000000000000010");
	assert_int_equal(rd.skipped, 2);
}

/* An empty format-2 store lists nothing. */
static void test_empty_store(void **state)
{
	struct store *s = *state;
	struct statusdir_version *v = (struct statusdir_version *)&v;
	size_t n = 99;
	char id[STATUSDIR_ID_SIZE];
	statusdir *empty;
	char p[PATH_MAX];
	store_dir_file(s, "empty", p);
	assert_int_equal(statusdir_open(p, STATUSDIR_CREATE | STATUSDIR_FORMAT2, NULL, &empty), 0);
	assert_int_equal(statusdir_list(empty, &v, &n), 0);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(statusdir_list_newest(empty, 5, &v, &n), 0);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(statusdir_list_since(empty, "", &v, &n), 0);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(statusdir_resolve(empty, "@0", id), -ENOENT);
	assert_int_equal(statusdir_wait(empty, "", 0, 0, id), -ETIMEDOUT);
	statusdir_close(empty);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_list_is_every_number_newest_first),
		T(test_list_skips_freed_tombstones_and_junk),
		T(test_count_lost),
		T(test_list_shows_damaged),
		T(test_list_newest_walks_by_number),
		T(test_list_newest_stops_at_low),
		T(test_resolve_counts_by_number),
		T(test_list_since_walks_up),
		T(test_list_since_skips_what_low_freed),
		T(test_wait_by_number),
		T(test_heal_walks_down_by_number),
		T(test_heal_stops_at_low),
		T(test_empty_store),
	};
	return cmocka_run_group_tests_name("format2_read", tests, NULL, NULL);
}
