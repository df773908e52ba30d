/* SPDX-License-Identifier: MIT */
/* test_claim.c - a put into a format-2 store claims the next number
 * (spec/format2.md, sections 6, 7 and 15): numbers in commit order, other
 * writers ahead, stale claims, slow real claims, compare-and-set. */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <xxhash.h>

/* fsetxattr(2) through the linker's --wrap: fails with ENOTSUP while
 * xattr_missing is set, as on a filesystem without user attributes. */
static bool xattr_missing;
int __real_fsetxattr(int fd, const char *name, const void *value, size_t size, int flags);
int __wrap_fsetxattr(int fd, const char *name, const void *value, size_t size, int flags);
int __wrap_fsetxattr(int fd, const char *name, const void *value, size_t size, int flags)
{
	if (xattr_missing) {
		errno = ENOTSUP;
		return -1;
	}
	return __real_fsetxattr(fd, name, value, size, flags);
}
static void remove_number(const struct store *s, uint64_t n)
{
	char path[PATH_MAX], rel[64];
	snprintf(rel, sizeof(rel), "cur/%s", store_number(n));
	store_file(s, rel, path);
	assert_int_equal(unlink(path), 0);
}

static statusdir *open_again(const struct store *s)
{
	statusdir *sd;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd), 0);
	return sd;
}

static void test_numbers_in_commit_order(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], path[PATH_MAX], rel[128], meta[128];
	assert_int_equal(statusdir_format(s->sd), 2);
	for (uint64_t i = 1; i <= 3; i++) {
		char payload[32];
		int len = snprintf(payload, sizeof(payload), "payload %" PRIu64 "\n", i);
		struct timespec before, after;
		clock_gettime(CLOCK_REALTIME, &before);
		put_ok(s->sd, payload, (size_t)len, id);
		clock_gettime(CLOCK_REALTIME, &after);
		assert_string_equal(id, store_number(i));
		/* the file in cur/ holds exactly the payload: cat STORE/cur/ID */
		snprintf(rel, sizeof(rel), "cur/%s", id);
		store_file(s, rel, path);
		assert_file_equals(path, payload, (size_t)len);
		/* and the attribute says its size, checksum and time */
		ssize_t m = getxattr(path, "user.statusdir", meta, sizeof(meta) - 1);
		assert_true(m > 0);
		meta[m] = '\0';
		uint64_t size, sum;
		int64_t t;
		assert_int_equal(sscanf(meta, "%" SCNu64 " %" SCNx64 " %" SCNd64, &size, &sum, &t), 3);
		assert_int_equal(size, (uint64_t)len);
		assert_int_equal(sum, XXH3_64bits(payload, (size_t)len));
		assert_true(t >= before.tv_sec * INT64_C(1000000000) + before.tv_nsec);
		assert_true(t <= after.tv_sec * INT64_C(1000000000) + after.tv_nsec);
	}
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 3);
	assert_version(s->sd, NULL, "payload 3\n", 10, store_number(3));
	assert_version(s->sd, store_number(2), "payload 2\n", 10, store_number(2));
}

/* Another handle put meanwhile: its numbers are taken, and a put of this
 * handle goes past them, without listing anything. */
static void test_other_writer_ahead(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	statusdir *other = open_again(s);
	put_ok(s->sd, "a", 1, id);
	assert_string_equal(id, store_number(1));
	for (uint64_t i = 2; i <= 6; i++) {
		put_ok(other, "b", 1, id);
		assert_string_equal(id, store_number(i));
	}
	put_ok(s->sd, "c", 1, id);
	assert_string_equal(id, store_number(7));
	put_ok(other, "d", 1, id);
	assert_string_equal(id, store_number(8));
	assert_version(s->sd, NULL, "d", 1, store_number(8));
	statusdir_close(other);
}

/* A fresh process starts from the hint, which writers set every 64. */
static void test_fresh_handle_uses_hint(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], path[PATH_MAX];
	struct stat st;
	put_numbered_flags(s->sd, 130, STATUSDIR_NOSYNC, NULL);
	store_file(s, "hint", path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 128);
	statusdir *fresh = open_again(s);
	put_ok(fresh, "x", 1, id);
	assert_string_equal(id, store_number(131));
	statusdir_close(fresh);
}

/* A writer whose idea of the greatest number is old claims a number that
 * retention freed: its check finds it at or below L, removes it, and
 * claims above L (spec/format2.md, section 7). */
static void test_stale_claim_goes_above_low(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	statusdir *other = open_again(s);
	put_numbered(s->sd, 2, NULL); /* this handle knows 2 */
	put_numbered(other, 3, NULL); /* 3, 4, 5 */
	store_raise_low(s, 4);
	for (uint64_t k = 1; k <= 4; k++)
		remove_number(s, k);
	put_ok(s->sd, "late", 4, id);
	assert_string_equal(id, store_number(6));
	assert_int_equal(store_has(s, "cur", store_number(3)), 0);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 2);
	assert_version(other, NULL, "late", 4, store_number(6));
	statusdir_close(other);
}

/* What a cleaner does between a slow writer's claim and its check: it sees
 * the claim with its tmp/ link, validates it (removes that link), raises L
 * past it and frees it.  The claim was real, and the put must say so. */
struct cleaner {
	struct store *s;
	uint64_t n;
	statusdir *other;
};

static void clean_after_claim(void *arg)
{
	struct cleaner *c = arg;
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;
	store_file(c->s, "tmp", path);
	assert_non_null(d = opendir(path));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.') {
			char f[PATH_MAX * 2];
			snprintf(f, sizeof(f), "%s/%s", path, e->d_name);
			assert_int_equal(unlink(f), 0); /* R2: validated */
		}
	closedir(d);
	put_ok(c->other, "newer", 5, NULL); /* the greatest is never freed */
	store_raise_low(c->s, c->n);              /* R3 */
	for (uint64_t k = 1; k <= c->n; k++) /* R4 */
		remove_number(c->s, k);
}

static void test_slow_real_claim_is_kept(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	struct cleaner c = { .s = s, .n = 3, .other = open_again(s) };
	put_numbered(s->sd, 2, NULL);
	fault_arm(FAULT_LINKAT, &(struct fault){ .times = 1, .after = clean_after_claim,
	                                         .hook_arg = &c });
	assert_int_equal(statusdir_put(s->sd, "slow", 4, 0, id), 0);
	assert_int_equal(fault_hits(FAULT_LINKAT), 1);
	/* not taken for stale and committed again higher: it was version 3 */
	assert_string_equal(id, store_number(3));
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 1);
	assert_version(s->sd, NULL, "newer", 5, store_number(4));
	statusdir_close(c.other);
}

/* The compare-and-set form: an update held between its claim and its check
 * while another updater loses to it and a cleaner validates and frees it.
 * Let go, it reports success, once: a caller that retried on a conflict
 * would apply the update twice. */
struct rival {
	struct cleaner c;
	int result;
	char id[STATUSDIR_ID_SIZE];
};

static void rival_then_clean(void *arg)
{
	struct rival *r = arg;
	/* the rival read version 2 too: its claim of 3 meets ours */
	r->result = statusdir_put_if(r->c.other, store_number(2), "rival", 5, 0, r->id);
	clean_after_claim(&r->c);
}

static void test_slow_conditional_put_counts_once(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	struct rival r = { .c = { .s = s, .n = 3, .other = open_again(s) } };
	put_numbered(s->sd, 2, NULL);
	fault_arm(FAULT_LINKAT, &(struct fault){ .times = 1, .after = rival_then_clean,
	                                         .hook_arg = &r });
	assert_int_equal(statusdir_put_if(s->sd, store_number(2), "mine", 4, 0, id), 0);
	assert_int_equal(fault_hits(FAULT_LINKAT), 1);
	assert_string_equal(id, store_number(3));
	assert_int_equal(r.result, -ECANCELED);
	assert_string_equal(r.id, store_number(3));
	assert_int_equal(store_count(s, "tmp"), 0);
	statusdir_close(r.c.other);
}

/* A network filesystem may answer EEXIST to a retransmitted link that did
 * succeed: the claim is ours, and the put neither claims again nor, when
 * conditional, reports a conflict. */
static void link_then_fail(void *arg)
{
	struct store *s = arg;
	char tmp[PATH_MAX], dst[PATH_MAX * 2], rel[64];
	DIR *d;
	struct dirent *e;
	store_file(s, "tmp", tmp);
	assert_non_null(d = opendir(tmp));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			break;
	assert_non_null(e);
	char from[PATH_MAX * 2];
	snprintf(from, sizeof(from), "%s/%s", tmp, e->d_name);
	snprintf(rel, sizeof(rel), "cur/%s", fault_target());
	store_file(s, rel, dst);
	assert_int_equal(__real_linkat(AT_FDCWD, from, AT_FDCWD, dst, 0), 0);
	closedir(d);
}

static void test_retransmitted_link_is_ours(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "one", 3, NULL);
	fault_arm(FAULT_LINKAT, &(struct fault){ .times = 1, .err = EEXIST,
	                                         .hook = link_then_fail, .hook_arg = s });
	assert_int_equal(statusdir_put(s->sd, "two", 3, 0, id), 0);
	assert_int_equal(fault_hits(FAULT_LINKAT), 1);
	assert_string_equal(id, store_number(2));
	fault_arm(FAULT_LINKAT, &(struct fault){ .times = 1, .err = EEXIST,
	                                         .hook = link_then_fail, .hook_arg = s });
	assert_int_equal(statusdir_put_if(s->sd, store_number(2), "three", 5, 0, id), 0);
	assert_string_equal(id, store_number(3));
	assert_int_equal(store_count(s, "cur"), 3);
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_link_failure_leaves_nothing(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE] = "untouched";
	put_ok(s->sd, "one", 3, NULL);
	fault_arm(FAULT_LINKAT, &(struct fault){ .times = 1, .err = EIO });
	assert_int_equal(statusdir_put(s->sd, "two", 3, 0, id), -EIO);
	assert_int_equal(store_count(s, "cur"), 1);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_version(s->sd, NULL, "one", 3, store_number(1));
	put_ok(s->sd, "two", 3, id); /* and the number was not lost */
	assert_string_equal(id, store_number(2));
}

/* Once claimed, a version stays, even if its flush fails: a reader may
 * have handed it out.  The put reports the error and the number. */
static void test_failed_flush_keeps_the_version(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE] = "";
	put_ok(s->sd, "one", 3, NULL);
	fault_arm(FAULT_FSYNC, &(struct fault){ .times = 1, .err = EIO, .fd_kind = S_IFDIR });
	assert_int_equal(statusdir_put(s->sd, "two", 3, 0, id), -EIO);
	assert_int_equal(fault_hits(FAULT_FSYNC), 1);
	assert_string_equal(id, store_number(2));
	assert_version(s->sd, NULL, "two", 3, store_number(2));
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_put_if_commits_on_its_base(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_put_if(s->sd, "", "first", 5, 0, id), 0);
	assert_string_equal(id, store_number(1));
	assert_int_equal(statusdir_put_if(s->sd, store_number(1), "second", 6, 0, id), 0);
	assert_string_equal(id, store_number(2));
	assert_version(s->sd, NULL, "second", 6, store_number(2));
}

/* The loop a caller writes: the id put returns is the next put's base, in
 * one buffer; and on a conflict the buffer names the newest to read. */
static void test_put_if_base_and_id_one_buffer(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE] = "";
	char big[2 * STATUSDIR_ID_SIZE];
	/* a base too long to be an id, in the buffer id is written to: refused,
	 * never read as "" once id is cleared */
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(statusdir_put_if(s->sd, big, "x", 1, 0, big), -EINVAL);
	assert_int_equal(store_count(s, "cur"), 0);
	assert_int_equal(store_count(s, "tmp"), 0);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(statusdir_put_if(s->sd, id, "x", 1, 0, id), 0);
		assert_string_equal(id, store_number((uint64_t)i));
	}
	statusdir_txn *txn;
	assert_int_equal(statusdir_put_begin(s->sd, 0, &txn), 0);
	assert_int_equal(statusdir_put_write(txn, "y", 1), 0);
	assert_int_equal(statusdir_put_commit_if(txn, id, id), 0);
	assert_string_equal(id, store_number(4));
	put_numbered(s->sd, 1, NULL); /* 5 */
	assert_int_equal(statusdir_put_if(s->sd, id, "z", 1, 0, id), -ECANCELED);
	assert_string_equal(id, store_number(5));
	assert_int_equal(statusdir_put_if(s->sd, id, "z", 1, 0, id), 0);
	assert_string_equal(id, store_number(6));
}

static void test_put_if_conflict_commits_nothing(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	statusdir *other = open_again(s);
	put_numbered(s->sd, 1, NULL);
	put_numbered(other, 2, NULL); /* 2 and 3 */
	assert_int_equal(statusdir_put_if(s->sd, store_number(1), "lost", 4, 0, id), -ECANCELED);
	assert_string_equal(id, store_number(3)); /* the newest when it looked */
	assert_int_equal(statusdir_put_if(s->sd, "", "lost", 4, 0, id), -ECANCELED);
	assert_string_equal(id, store_number(3));
	assert_int_equal(store_count(s, "cur"), 3);
	assert_int_equal(store_count(s, "tmp"), 0);
	/* the newest, named, wins */
	assert_int_equal(statusdir_put_if(s->sd, store_number(3), "won", 3, 0, id), 0);
	assert_string_equal(id, store_number(4));
	statusdir_close(other);
}

/* A base that retention removed is not the newest: a conflict, whether
 * the claim of base + 1 meets a name or a freed number. */
static void test_put_if_pruned_base_is_a_conflict(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 4, NULL);
	store_raise_low(s, 3);
	remove_number(s, 1);
	remove_number(s, 2); /* 3 is left over, at or below L */
	assert_int_equal(statusdir_put_if(s->sd, store_number(1), "x", 1, 0, id), -ECANCELED);
	assert_string_equal(id, store_number(4));
	/* base 3 is present but freed; its claim of 4 meets version 4 */
	assert_int_equal(statusdir_put_if(s->sd, store_number(3), "x", 1, 0, id), -ECANCELED);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 2);
}

/* base + 1 free but at or below L: the claim is stale, removed, and the
 * put a conflict. */
static void test_put_if_stale_claim_is_removed(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 4, NULL);
	store_raise_low(s, 3);
	remove_number(s, 2); /* 1 and 3 are left over */
	assert_int_equal(statusdir_put_if(s->sd, store_number(1), "x", 1, 0, id), -ECANCELED);
	assert_int_equal(store_has(s, "cur", store_number(2)), 0);
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_put_if_base_never_committed(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 1, NULL);
	assert_int_equal(statusdir_put_if(s->sd, store_number(5), "x", 1, 0, id), -ENOENT);
	assert_int_equal(statusdir_put_if(s->sd, "@0", "x", 1, 0, id), -EINVAL);
	assert_int_equal(statusdir_put_if(s->sd, "5", "x", 1, 0, id), -EINVAL);
	assert_int_equal(statusdir_put_if(s->sd, NULL, "x", 1, 0, id), -EINVAL);
	assert_int_equal(store_count(s, "cur"), 1);
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_put_commit_if_streams(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	statusdir_txn *t;
	put_numbered(s->sd, 1, NULL);
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_write(t, "str", 3), 0);
	assert_int_equal(statusdir_put_write(t, "eam", 3), 0);
	assert_int_equal(statusdir_put_commit_if(t, store_number(1), id), 0);
	assert_string_equal(id, store_number(2));
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_commit_if(t, store_number(1), id), -ECANCELED);
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_commit_if(t, NULL, id), -EINVAL);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_version(s->sd, NULL, "stream", 6, store_number(2));
}

static void test_if_changed_compares_with_the_newest(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	statusdir *other = open_again(s);
	put_ok(s->sd, "same", 4, NULL);
	put_ok(other, "other", 5, NULL);
	/* this handle knows 1, but the newest is 2: compared with 2 */
	assert_int_equal(statusdir_put(s->sd, "same", 4, STATUSDIR_IF_CHANGED, id), 0);
	assert_string_equal(id, store_number(3));
	assert_int_equal(statusdir_put(s->sd, "same", 4, STATUSDIR_IF_CHANGED, id),
	                 STATUSDIR_UNCHANGED);
	assert_string_equal(id, store_number(3));
	assert_int_equal(statusdir_put_if(s->sd, store_number(3), "same", 4, STATUSDIR_IF_CHANGED, id),
	                 STATUSDIR_UNCHANGED);
	assert_string_equal(id, store_number(3));
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 3);
	statusdir_close(other);
}

/* Bytes equal to the base's are "unchanged" only while the base is the
 * newest: after another commit they are a conflict. */
static void test_if_changed_base_no_longer_newest(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "same", 4, NULL);
	put_ok(s->sd, "other", 5, NULL);
	assert_int_equal(statusdir_put_if(s->sd, store_number(1), "same", 4, STATUSDIR_IF_CHANGED, id),
	                 -ECANCELED);
	assert_string_equal(id, store_number(2));
	assert_int_equal(store_count(s, "cur"), 2);
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_modes_without_two_flushes(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_put(s->sd, "n", 1, STATUSDIR_NOSYNC, id), 0);
	assert_string_equal(id, store_number(1));
	fault_arm(FAULT_FSYNC, &(struct fault){ .times = FAULT_ALWAYS });
	assert_int_equal(statusdir_put(s->sd, "o", 1, STATUSDIR_ONE_FLUSH, id), 0);
	assert_int_equal(fault_calls(FAULT_FSYNC), 1); /* the file, once named */
	assert_string_equal(id, store_number(2));
	assert_version(s->sd, NULL, "o", 1, store_number(2));
}

static void test_format1_has_no_put_if(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	uint64_t lost;
	assert_int_equal(statusdir_format(s->sd), 1);
	assert_int_equal(statusdir_put_if(s->sd, "", "x", 1, 0, id), -EOPNOTSUPP);
	/* nor numbers to tell a gap apart */
	assert_int_equal(statusdir_count_lost(s->sd, "", "00000000000000000002", &lost),
	                 -EOPNOTSUPP);
	assert_int_equal(store_count(s, "cur"), 0);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* Where user attributes are missing, no format-2 store is made (the
 * folders an interrupted create leaves are taken up by the next one), and
 * a put into one that lost them fails and leaves nothing. */
static void test_no_user_xattrs(void **state)
{
	struct store *s = *state;
	statusdir *sd = NULL;
	char id[STATUSDIR_ID_SIZE];
	xattr_missing = true;
	assert_int_equal(statusdir_open(s->path, STATUSDIR_CREATE | STATUSDIR_FORMAT2, NULL, &sd),
	                 -EOPNOTSUPP);
	assert_null(sd);
	xattr_missing = false;
	assert_int_equal(statusdir_open(s->path, STATUSDIR_CREATE | STATUSDIR_FORMAT2, NULL, &sd), 0);
	assert_int_equal(statusdir_format(sd), 2);
	s->sd = sd;
	put_ok(sd, "one", 3, NULL);
	xattr_missing = true;
	assert_int_equal(statusdir_put(sd, "two", 3, 0, id), -EOPNOTSUPP);
	xattr_missing = false;
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_version(sd, NULL, "one", 3, store_number(1));
}

static void test_number_ids_parse(void **state)
{
	(void)state;
	struct statusdir_version v;
	assert_int_equal(statusdir_id_parse("00000000000000000001", &v), 0);
	assert_string_equal(v.id, "00000000000000000001");
	assert_int_equal(statusdir_id_parse("09223372036854775807", NULL), 0);
	assert_int_equal(statusdir_id_parse("09223372036854775808", NULL), -EINVAL);
	assert_int_equal(statusdir_id_parse("00000000000000000000", NULL), -EINVAL);
	assert_int_equal(statusdir_id_parse("0000000000000000001", NULL), -EINVAL);
	assert_int_equal(statusdir_id_parse("000000000000000000001", NULL), -EINVAL);
	assert_int_equal(statusdir_id_parse("0000000000000000000x", NULL), -EINVAL);
}

int main(void)
{
#define T2(f) cmocka_unit_test_setup_teardown(f, fault_store_setup_format2, fault_store_teardown)
	const struct CMUnitTest tests[] = {
		T2(test_numbers_in_commit_order),
		T2(test_other_writer_ahead),
		T2(test_fresh_handle_uses_hint),
		T2(test_stale_claim_goes_above_low),
		T2(test_slow_real_claim_is_kept),
		T2(test_slow_conditional_put_counts_once),
		T2(test_retransmitted_link_is_ours),
		T2(test_link_failure_leaves_nothing),
		T2(test_failed_flush_keeps_the_version),
		T2(test_put_if_base_and_id_one_buffer),
		T2(test_put_if_commits_on_its_base),
		T2(test_put_if_conflict_commits_nothing),
		T2(test_put_if_pruned_base_is_a_conflict),
		T2(test_put_if_stale_claim_is_removed),
		T2(test_put_if_base_never_committed),
		T2(test_put_commit_if_streams),
		T2(test_if_changed_compares_with_the_newest),
		T2(test_if_changed_base_no_longer_newest),
		T2(test_modes_without_two_flushes),
		cmocka_unit_test_setup_teardown(test_format1_has_no_put_if, fault_store_setup,
		                                fault_store_teardown),
		cmocka_unit_test_setup_teardown(test_no_user_xattrs, store_setup_dir, store_teardown),
		cmocka_unit_test(test_number_ids_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
