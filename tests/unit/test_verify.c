/* SPDX-License-Identifier: MIT */
/* test_verify.c - verify reads every version back: damage (wrong size or
 * checksum) gives -EBADMSG and is reported with where it is; junk and stale
 * tmp/ files are reported apart and do not count as damage.  A version that
 * cannot be read is reported and counted, and the check goes on with the
 * others (openat and pread fail on purpose, through fault.c).  Readers
 * refuse damaged versions the same way. */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_EVENTS 64

struct report {
	size_t n;
	struct {
		enum statusdir_event_kind kind;
		char dir[8];
		char name[NAME_MAX + 1];
		char detail[128];
		int error;
	} ev[MAX_EVENTS];
};

static void record(void *arg, const struct statusdir_event *ev)
{
	struct report *r = arg;
	assert_true(r->n < MAX_EVENTS);
	assert_int_equal(ev->dry_run, 0);
	r->ev[r->n].kind = ev->kind;
	snprintf(r->ev[r->n].dir, sizeof(r->ev[r->n].dir), "%s", ev->dir);
	snprintf(r->ev[r->n].name, sizeof(r->ev[r->n].name), "%s", ev->name);
	snprintf(r->ev[r->n].detail, sizeof(r->ev[r->n].detail), "%s", ev->detail);
	r->ev[r->n].error = ev->error;
	if (ev->kind != STATUSDIR_EV_UNREADABLE)
		assert_int_equal(ev->error, 0);
	r->n++;
}

/* The one event of that kind about name; fails if there is not exactly one. */
static const char *event_detail(const struct report *r, enum statusdir_event_kind kind,
                                const char *dir, const char *name)
{
	const char *found = NULL;
	for (size_t i = 0; i < r->n; i++)
		if (r->ev[i].kind == kind && strcmp(r->ev[i].name, name) == 0) {
			assert_null(found);
			assert_string_equal(r->ev[i].dir, dir);
			found = r->ev[i].detail;
		}
	if (!found)
		fail_msg("no event %d for %s/%s", (int)kind, dir, name);
	return found;
}

static unsigned count_kind(const struct report *r, enum statusdir_event_kind kind)
{
	unsigned n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->ev[i].kind == kind;
	return n;
}

static void version_file(const struct store *s, const char *folder, const char *id,
                         char *out)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "%s/%s", folder, id);
	store_file(s, rel, out);
}

static int verify(struct store *s, struct report *rep, struct statusdir_counts *c)
{
	memset(rep, 0, sizeof(*rep));
	return statusdir_verify(s->sd, record, rep, c);
}

static void test_clean_store_verifies(void **state)
{
	struct store *s = *state;
	struct report rep;
	struct statusdir_counts c;
	void *big = pattern_alloc(300 * 1024, 3);
	put_numbered(s->sd, 12, NULL);
	put_ok(s->sd, big, 300 * 1024, NULL);
	put_ok(s->sd, NULL, 0, NULL);
	assert_int_equal(verify(s, &rep, &c), 0);
	assert_int_equal(rep.n, 0);
	assert_int_equal(c.versions, 14);
	assert_int_equal(c.damaged, 0);
	assert_int_equal(c.junk, 0);
	assert_int_equal(statusdir_verify(s->sd, NULL, NULL, NULL), 0);
	assert_int_equal(statusdir_verify(NULL, NULL, NULL, NULL), -EINVAL);
	free(big);
}

static void test_empty_store_verifies(void **state)
{
	struct store *s = *state;
	struct report rep;
	struct statusdir_counts c;
	assert_int_equal(verify(s, &rep, &c), 0);
	assert_int_equal(c.versions, 0);
}

/* A file shorter or longer than its id says, in cur/ and in old/. */
static void test_damaged_by_size(void **state)
{
	struct store *s = *state;
	char ids[12][STATUSDIR_ID_SIZE], p[PATH_MAX];
	struct report rep;
	struct statusdir_counts c;
	put_numbered(s->sd, 12, ids);
	version_file(s, "cur", ids[11], p);
	assert_int_equal(truncate(p, 3), 0);
	version_file(s, "old", ids[0], p);
	assert_int_equal(truncate(p, 4096), 0);
	assert_int_equal(verify(s, &rep, &c), -EBADMSG);
	assert_int_equal(c.damaged, 2);
	assert_int_equal(c.versions, 12);
	assert_int_equal(count_kind(&rep, STATUSDIR_EV_DAMAGED), 2);
	assert_non_null(strstr(event_detail(&rep, STATUSDIR_EV_DAMAGED, "cur", ids[11]), "3"));
	assert_non_null(strstr(event_detail(&rep, STATUSDIR_EV_DAMAGED, "old", ids[0]), "4096"));
}

/* Same size, other bytes: only the checksum tells. */
static void test_damaged_by_content(void **state)
{
	struct store *s = *state;
	char ids[12][STATUSDIR_ID_SIZE], p[PATH_MAX];
	struct report rep;
	struct statusdir_counts c;
	size_t big = 200 * 1024;
	void *buf = pattern_alloc(big, 1);
	put_numbered(s->sd, 11, ids);
	put_ok(s->sd, buf, big, ids[11]);
	version_file(s, "old", ids[1], p);
	write_file(p, "Version 1\n", 10);
	/* a large one, damaged near its end */
	((char *)buf)[big - 2] ^= 1;
	version_file(s, "cur", ids[11], p);
	write_file(p, buf, big);
	assert_int_equal(verify(s, &rep, &c), -EBADMSG);
	assert_int_equal(c.damaged, 2);
	event_detail(&rep, STATUSDIR_EV_DAMAGED, "old", ids[1]);
	event_detail(&rep, STATUSDIR_EV_DAMAGED, "cur", ids[11]);
	free(buf);
}

/* Readers refuse a damaged version, and get_fd writes none of it. */
static void test_readers_refuse_damage(void **state)
{
	struct store *s = *state;
	static const size_t sizes[] = { 10, 64 * 1024, 64 * 1024 + 1, 1 << 20 };
	for (size_t i = 0; i < 4; i++) {
		char id[STATUSDIR_ID_SIZE], p[PATH_MAX], out[PATH_MAX];
		size_t len;
		char *buf = pattern_alloc(sizes[i], (unsigned)i);
		char *got = malloc(sizes[i] + 1);
		assert_non_null(got);
		put_ok(s->sd, buf, sizes[i], id);
		buf[sizes[i] / 2] ^= 0x40;
		version_file(s, "cur", id, p);
		write_file(p, buf, sizes[i]);
		assert_int_equal(statusdir_get(s->sd, NULL, got, sizes[i] + 1, &len, NULL),
		                 -EBADMSG);
		assert_int_equal(statusdir_get(s->sd, id, got, sizes[i] + 1, &len, NULL), -EBADMSG);
		store_dir_file(s, "out", out);
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		assert_int_equal(statusdir_get_fd(s->sd, NULL, fd, 0, NULL), -EBADMSG);
		close(fd);
		assert_file_equals(out, "", 0);
		/* one byte more than the id says */
		buf[sizes[i] / 2] ^= 0x40;
		write_file(p, buf, sizes[i]);
		int afd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);
		assert_true(afd >= 0);
		assert_int_equal(write(afd, "+", 1), 1);
		close(afd);
		assert_int_equal(statusdir_get(s->sd, NULL, got, sizes[i] + 1, &len, NULL),
		                 -EBADMSG);
		assert_int_equal(statusdir_get_fd(s->sd, NULL, null_fd(), 0, NULL), -EBADMSG);
		free(got);
		free(buf);
	}
}

/* Junk in cur/ and old/: reported, but not damage.  (Stale tmp/ files are
 * reported the same way; test_tmp_sweep checks that, it needs /proc.) */
static void test_junk_is_not_damage(void **state)
{
	struct store *s = *state;
	char p[PATH_MAX];
	struct report rep;
	struct statusdir_counts c;
	put_numbered(s->sd, 3, NULL);
	store_file(s, "cur/notes.txt", p);
	write_file(p, "junk", 4);
	store_file(s, "old/subdir", p);
	assert_int_equal(mkdir(p, 0755), 0);
	store_file(s, "cur/9000000000000000000.00000000000000000000000000000000.0.2d06800538d394c2",
	           p);
	assert_int_equal(mkfifo(p, 0644), 0);
	assert_int_equal(verify(s, &rep, &c), 0);
	assert_int_equal(c.versions, 3);
	assert_int_equal(c.damaged, 0);
	assert_int_equal(c.junk, 3);
	event_detail(&rep, STATUSDIR_EV_JUNK, "cur", "notes.txt");
	event_detail(&rep, STATUSDIR_EV_JUNK, "old", "subdir");
	event_detail(&rep, STATUSDIR_EV_JUNK, "cur",
	             "9000000000000000000.00000000000000000000000000000000.0.2d06800538d394c2");
	assert_int_equal(count_kind(&rep, STATUSDIR_EV_DAMAGED), 0);
	assert_int_equal(store_count(s, "cur"), 5); /* verify changes nothing */
}

/* Damage and junk together: -EBADMSG, and both reported. */
static void test_damage_and_junk_together(void **state)
{
	struct store *s = *state;
	char ids[2][STATUSDIR_ID_SIZE], p[PATH_MAX];
	struct report rep;
	struct statusdir_counts c;
	put_numbered(s->sd, 2, ids);
	version_file(s, "cur", ids[0], p);
	write_file(p, "", 0);
	store_file(s, "cur/x.swp", p);
	write_file(p, "junk", 4);
	assert_int_equal(verify(s, &rep, &c), -EBADMSG);
	assert_int_equal(c.damaged, 1);
	assert_int_equal(c.junk, 1);
	event_detail(&rep, STATUSDIR_EV_DAMAGED, "cur", ids[0]);
	event_detail(&rep, STATUSDIR_EV_JUNK, "cur", "x.swp");
}

/* The one event of that kind about name: its error. */
static int event_error(const struct report *r, enum statusdir_event_kind kind,
                       const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->ev[i].kind == kind && strcmp(r->ev[i].name, name) == 0)
			return r->ev[i].error;
	fail_msg("no event %d for %s", (int)kind, name);
	return 0;
}

/* Where version id is: "cur" or "old". */
static const char *folder_of(const struct store *s, const char *id)
{
	char p[PATH_MAX];
	version_file(s, "cur", id, p);
	return access(p, F_OK) == 0 ? "cur" : "old";
}

/* A read that fails once, as one through another client of a network
 * filesystem may while a cleaner prunes (ENOENT, ESTALE), is looked at
 * again before it is reported: the version reads intact, nothing is
 * reported. */
static void test_a_passing_read_error_is_looked_at_again(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE];
	struct report rep;
	struct statusdir_counts c;
	put_numbered(s->sd, 3, ids);
	for (int err = ENOENT; err; err = err == ENOENT ? ESTALE : 0) {
		fault_arm(FAULT_PREAD, &(struct fault){ .times = 1, .err = err });
		assert_int_equal(verify(s, &rep, &c), 0);
		assert_int_equal(fault_hits(FAULT_PREAD), 1);
		fault_reset();
		assert_int_equal(c.versions, 3);
		assert_int_equal(c.unreadable + c.damaged, 0);
		assert_int_equal(count_kind(&rep, STATUSDIR_EV_UNREADABLE), 0);
	}
}

/* One version cannot be opened (EACCES), one cannot be read (EIO), one is
 * damaged: verify checks all twelve, reports the two it could not read
 * with their errors and the damaged one, counts them, and returns the
 * first read error, which outranks -EBADMSG. */
static void test_unreadable_versions_do_not_stop_verify(void **state)
{
	struct store *s = *state;
	char ids[12][STATUSDIR_ID_SIZE], p[PATH_MAX];
	struct report rep;
	struct statusdir_counts c;
	put_numbered(s->sd, 12, ids);
	version_file(s, folder_of(s, ids[5]), ids[5], p);
	assert_int_equal(truncate(p, 2), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EACCES,
	                                         .name = ids[3] });
	/* versions are checked newest first: the first pread is the newest's,
	 * and a finding is looked at twice before it is reported */
	fault_arm(FAULT_PREAD, &(struct fault){ .times = 2, .err = EIO });
	assert_int_equal(verify(s, &rep, &c), -EIO);
	assert_true(fault_hits(FAULT_OPENAT) >= 1);
	assert_int_equal(fault_hits(FAULT_PREAD), 2);
	fault_reset();
	assert_int_equal(c.versions, 12);
	assert_int_equal(c.unreadable, 2);
	assert_int_equal(c.damaged, 1);
	assert_int_equal(count_kind(&rep, STATUSDIR_EV_UNREADABLE), 2);
	assert_string_equal(event_detail(&rep, STATUSDIR_EV_UNREADABLE, "cur", ids[11]),
	                    statusdir_strerror(-EIO));
	assert_int_equal(event_error(&rep, STATUSDIR_EV_UNREADABLE, ids[11]), -EIO);
	assert_string_equal(event_detail(&rep, STATUSDIR_EV_UNREADABLE, folder_of(s, ids[3]),
	                                 ids[3]),
	                    statusdir_strerror(-EACCES));
	assert_int_equal(event_error(&rep, STATUSDIR_EV_UNREADABLE, ids[3]), -EACCES);
	event_detail(&rep, STATUSDIR_EV_DAMAGED, folder_of(s, ids[5]), ids[5]);
	/* read again without faults: the damage alone */
	assert_int_equal(verify(s, &rep, &c), -EBADMSG);
	assert_int_equal(c.unreadable, 0);
	assert_int_equal(count_kind(&rep, STATUSDIR_EV_UNREADABLE), 0);
}

/* A read error alone is returned as it is, with nothing damaged. */
static void test_unreadable_without_damage(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE];
	struct report rep;
	struct statusdir_counts c;
	put_numbered(s->sd, 3, ids);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EACCES,
	                                         .name = ids[0] });
	assert_int_equal(verify(s, &rep, &c), -EACCES);
	fault_reset();
	assert_int_equal(c.versions, 3);
	assert_int_equal(c.unreadable, 1);
	assert_int_equal(c.damaged, 0);
	assert_int_equal(rep.n, 1);
	assert_int_equal(event_error(&rep, STATUSDIR_EV_UNREADABLE, ids[0]), -EACCES);
}

/* Verify works through a read-only handle. */
static void test_verify_read_only(void **state)
{
	struct store *s = *state;
	statusdir *ro;
	char ids[2][STATUSDIR_ID_SIZE], p[PATH_MAX];
	put_numbered(s->sd, 2, ids);
	assert_int_equal(statusdir_open(s->path, STATUSDIR_READONLY, NULL, &ro), 0);
	assert_int_equal(statusdir_verify(ro, NULL, NULL, NULL), 0);
	version_file(s, "cur", ids[1], p);
	write_file(p, "Version 1\n", 10);
	assert_int_equal(statusdir_verify(ro, NULL, NULL, NULL), -EBADMSG);
	statusdir_close(ro);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fault_store_setup, fault_store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_clean_store_verifies),
		T(test_empty_store_verifies),
		T(test_damaged_by_size),
		T(test_damaged_by_content),
		T(test_readers_refuse_damage),
		T(test_junk_is_not_damage),
		T(test_damage_and_junk_together),
		T(test_verify_read_only),
		T(test_unreadable_versions_do_not_stop_verify),
		T(test_a_passing_read_error_is_looked_at_again),
		T(test_unreadable_without_damage),
	};
	return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
