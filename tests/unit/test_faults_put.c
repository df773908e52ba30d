/* SPDX-License-Identifier: MIT */
/* test_faults_put.c - put under injected faults (fault.h).
 *
 * Retryable faults (EINTR, short writes and reads, EINVAL or ENOSYS from
 * renameat2, an id that exists) end in success with the exact bytes.  Hard
 * faults before the move (ENOSPC, EDQUOT, EIO on write, fsync or close,
 * EMFILE) return the error, leave nothing in tmp/ or cur/, and the
 * previous newest reads back byte for byte.  A failed fsync of cur/ after
 * the move returns -EIO and takes the new version away again. */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define KiB 1024
#define MiB (1024 * 1024)

/* The flags of the puts under test; the one-flush tests set it. */
static unsigned put_flags;

/* Every test starts with some history and a previous newest to protect. */
static int setup(void **state)
{
	fault_reset();
	put_flags = 0;
	if (store_setup(state) != 0)
		return -1;
	struct store *s = *state;
	void *prev = pattern_alloc(70 * KiB, 1000);
	put_numbered(s->sd, STATUSDIR_HEAD + 1, NULL);
	put_ok(s->sd, prev, 70 * KiB, NULL);
	free(prev);
	return 0;
}

static int teardown(void **state)
{
	fault_reset();
	return store_teardown(state);
}

/* Puts len bytes with fault f armed on call c; returns the put's result and
 * checks that the fault happened. */
static int put_with(struct store *s, enum fault_call c, const struct fault *f,
                    const void *buf, size_t len, char *id)
{
	fault_arm(c, f);
	int r = statusdir_put(s->sd, buf, len, put_flags, id);
	unsigned hits = fault_hits(c);
	fault_reset();
	if (hits == 0)
		fail_msg("the fault was never injected");
	return r;
}

/* A retryable fault: the put succeeds and the version is exact. */
static void check_retryable(struct store *s, enum fault_call c, const struct fault *f,
                            size_t len)
{
	char id[STATUSDIR_ID_SIZE];
	void *buf = pattern_alloc(len, 1);
	int r = put_with(s, c, f, buf, len, id);
	if (r != 0)
		fail_msg("put: %s", statusdir_strerror(r));
	assert_version(s->sd, NULL, buf, len, id);
	assert_int_equal(store_count(s, "tmp"), 0);
	free(buf);
}

/* A hard fault: the error comes back and the store is as it was. */
static void check_hard(struct store *s, enum fault_call c, const struct fault *f,
                       size_t len, int want)
{
	struct store_snapshot snap;
	char id[STATUSDIR_ID_SIZE] = "untouched";
	void *buf = pattern_alloc(len, 2);
	store_snapshot(s, &snap);
	int r = put_with(s, c, f, buf, len, id);
	if (r != want)
		fail_msg("put: got %d (%s), want %d (%s)", r, statusdir_strerror(r), want,
		         statusdir_strerror(want));
	assert_string_equal(id, "untouched"); /* written only on success */
	assert_store_unchanged(s, &snap);
	store_snapshot_free(&snap);
	/* and the next put works */
	put_ok(s->sd, buf, len, id);
	assert_version(s->sd, NULL, buf, len, id);
	free(buf);
}

static void test_write_eintr(void **state)
{
	check_retryable(*state, FAULT_WRITE,
	                &(struct fault){ .times = 1, .err = EINTR, .fd_kind = S_IFREG }, 100);
	check_retryable(*state, FAULT_WRITE,
	                &(struct fault){ .times = 5, .err = EINTR, .fd_kind = S_IFREG },
	                200 * KiB);
}

static void test_short_writes(void **state)
{
	check_retryable(*state, FAULT_WRITE,
	                &(struct fault){ .times = FAULT_ALWAYS, .short_max = 1,
	                                 .fd_kind = S_IFREG },
	                333);
	check_retryable(*state, FAULT_WRITE,
	                &(struct fault){ .times = FAULT_ALWAYS, .short_max = 4093,
	                                 .fd_kind = S_IFREG },
	                300 * KiB + 1);
}

static void test_short_writes_with_eintr(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	void *buf = pattern_alloc(50 * KiB, 3);
	/* the first writes are short, then one sees EINTR */
	fault_arm(FAULT_WRITE, &(struct fault){ .times = 3, .short_max = 1000,
	                                        .fd_kind = S_IFREG });
	statusdir_txn *t;
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_write(t, buf, 20 * KiB), 0);
	assert_int_equal(fault_hits(FAULT_WRITE), 3);
	fault_arm(FAULT_WRITE, &(struct fault){ .times = 1, .err = EINTR, .fd_kind = S_IFREG });
	assert_int_equal(statusdir_put_write(t, (char *)buf + 20 * KiB, 30 * KiB), 0);
	assert_int_equal(fault_hits(FAULT_WRITE), 1);
	fault_reset();
	assert_int_equal(statusdir_put_commit(t, id), 0);
	assert_version(s->sd, NULL, buf, 50 * KiB, id);
	free(buf);
}

/* put_fd: EINTR and short reads from the source. */
static void check_put_fd_retryable(struct store *s, const struct fault *f)
{
	char id[STATUSDIR_ID_SIZE];
	size_t len = 3 * MiB + 7;
	void *buf = pattern_alloc(len, 4);
	int fd;
	pid_t pid = feed_pipe(buf, len, &fd);
	fault_arm(FAULT_READ, f);
	int r = statusdir_put_fd(s->sd, fd, 0, id);
	unsigned hits = fault_hits(FAULT_READ);
	fault_reset();
	close(fd);
	wait_child(pid);
	assert_true(hits > 0);
	assert_int_equal(r, 0);
	assert_version(s->sd, NULL, buf, len, id);
	assert_int_equal(store_count(s, "tmp"), 0);
	free(buf);
}

static void test_put_fd_read_eintr(void **state)
{
	check_put_fd_retryable(*state, &(struct fault){ .times = 1, .err = EINTR,
	                                                .fd_kind = S_IFIFO });
	check_put_fd_retryable(*state, &(struct fault){ .skip = 3, .times = 4, .err = EINTR,
	                                                .fd_kind = S_IFIFO });
}

static void test_put_fd_short_reads(void **state)
{
	check_put_fd_retryable(*state, &(struct fault){ .times = FAULT_ALWAYS,
	                                                .short_max = 777,
	                                                .fd_kind = S_IFIFO });
}

/* A filesystem without RENAME_NOREPLACE: link(2) and unlink instead. */
static void test_renameat2_einval_falls_back_to_link(void **state)
{
	struct store *s = *state;
	check_retryable(s, FAULT_RENAMEAT2,
	                &(struct fault){ .times = FAULT_ALWAYS, .err = EINVAL }, 1000);
	check_retryable(s, FAULT_RENAMEAT2,
	                &(struct fault){ .times = FAULT_ALWAYS, .err = ENOSYS }, 0);
	/* the link was made and the tmp name removed */
	char id[STATUSDIR_ID_SIZE];
	fault_arm(FAULT_RENAMEAT2, &(struct fault){ .times = FAULT_ALWAYS, .err = EINVAL });
	put_ok(s->sd, "linked", 6, id);
	assert_int_equal(fault_calls(FAULT_LINKAT), 1);
	fault_reset();
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_version(s->sd, NULL, "linked", 6, id);
}

/* The fallback commits even if the tmp name cannot be removed: the put
 * succeeds and the leftover is a cleaner's business. */
static void test_link_fallback_with_unlink_failure(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	fault_arm(FAULT_RENAMEAT2, &(struct fault){ .times = FAULT_ALWAYS, .err = EINVAL });
	fault_arm(FAULT_UNLINKAT, &(struct fault){ .times = 1, .err = EIO });
	assert_int_equal(statusdir_put(s->sd, "kept", 4, 0, id), 0);
	assert_int_equal(fault_hits(FAULT_UNLINKAT), 1);
	fault_reset();
	assert_version(s->sd, NULL, "kept", 4, id);
	assert_int_equal(store_count(s, "tmp"), 1);
}

/* An id that exists already is never replaced: a fresh unique part is
 * drawn, with either way of moving. */
static void test_existing_id_is_retried(void **state)
{
	struct store *s = *state;
	check_retryable(s, FAULT_RENAMEAT2, &(struct fault){ .times = 2, .err = EEXIST }, 10);
	char id[STATUSDIR_ID_SIZE];
	fault_arm(FAULT_RENAMEAT2, &(struct fault){ .times = FAULT_ALWAYS, .err = EINVAL });
	fault_arm(FAULT_LINKAT, &(struct fault){ .times = 1, .err = EEXIST });
	assert_int_equal(statusdir_put(s->sd, "again", 5, 0, id), 0);
	assert_int_equal(fault_calls(FAULT_LINKAT), 2);
	fault_reset();
	assert_version(s->sd, NULL, "again", 5, id);
	assert_int_equal(store_count(s, "tmp"), 0);
}

/* A real collision: just before the move, another file takes the very
 * name being published.  It is never replaced, and the put commits under
 * a fresh unique part with the same time. */
struct squatter {
	struct store *s;
	char id[STATUSDIR_ID_SIZE];
};

static void take_the_name(void *arg)
{
	struct squatter *q = arg;
	char rel[PATH_MAX], path[PATH_MAX];
	snprintf(q->id, sizeof(q->id), "%s", fault_target());
	snprintf(rel, sizeof(rel), "cur/%s", q->id);
	store_file(q->s, rel, path);
	write_file(path, "squatter", 8);
}

static void check_collision(struct store *s, enum fault_call c)
{
	struct squatter q = { .s = s };
	char id[STATUSDIR_ID_SIZE], rel[PATH_MAX], path[PATH_MAX];
	struct statusdir_version a, b;
	if (c == FAULT_LINKAT)
		fault_arm(FAULT_RENAMEAT2, &(struct fault){ .times = FAULT_ALWAYS, .err = EINVAL });
	fault_arm(c, &(struct fault){ .times = 1, .hook = take_the_name, .hook_arg = &q });
	assert_int_equal(statusdir_put(s->sd, "mine", 4, 0, id), 0);
	assert_int_equal(fault_hits(c), 1);
	assert_int_equal(fault_calls(c), 2);
	fault_reset();
	assert_string_not_equal(id, q.id);
	assert_int_equal(statusdir_id_parse(id, &a), 0);
	assert_int_equal(statusdir_id_parse(q.id, &b), 0);
	assert_true(a.time_ns == b.time_ns);
	snprintf(rel, sizeof(rel), "cur/%s", q.id);
	store_file(s, rel, path);
	assert_file_equals(path, "squatter", 8);
	assert_version(s->sd, id, "mine", 4, id);
	assert_int_equal(store_count(s, "tmp"), 0);
}

static void test_real_collision_is_never_replaced(void **state)
{
	check_collision(*state, FAULT_RENAMEAT2);
	check_collision(*state, FAULT_LINKAT);
}

static void test_existing_id_forever_fails(void **state)
{
	check_hard(*state, FAULT_RENAMEAT2,
	           &(struct fault){ .times = FAULT_ALWAYS, .err = EEXIST }, 10, -EEXIST);
}

static void test_write_enospc(void **state)
{
	check_hard(*state, FAULT_WRITE, &(struct fault){ .times = 1, .err = ENOSPC,
	                                                 .fd_kind = S_IFREG },
	           100, -ENOSPC);
}

static void test_write_eio(void **state)
{
	check_hard(*state, FAULT_WRITE, &(struct fault){ .times = 1, .err = EIO,
	                                                 .fd_kind = S_IFREG },
	           100 * KiB, -EIO);
}

static void test_write_edquot(void **state)
{
	check_hard(*state, FAULT_WRITE, &(struct fault){ .times = 1, .err = EDQUOT,
	                                                 .fd_kind = S_IFREG },
	           1, -EDQUOT);
}

/* Some writes went through (short), then the disk is full. */
static void test_write_enospc_after_progress(void **state)
{
	check_hard(*state, FAULT_WRITE, &(struct fault){ .skip = 3, .times = 1, .err = ENOSPC,
	                                                 .short_max = 1000, .fd_kind = S_IFREG },
	           10 * KiB, -ENOSPC);
}

static void test_fsync_of_file_eio(void **state)
{
	check_hard(*state, FAULT_FSYNC, &(struct fault){ .times = 1, .err = EIO,
	                                                 .fd_kind = S_IFREG },
	           100, -EIO);
}

static void test_fsync_of_file_edquot(void **state)
{
	check_hard(*state, FAULT_FSYNC, &(struct fault){ .times = 1, .err = EDQUOT,
	                                                 .fd_kind = S_IFREG },
	           100, -EDQUOT);
}

/* NFS reports write errors at close. */
static void test_close_of_file_eio(void **state)
{
	check_hard(*state, FAULT_CLOSE, &(struct fault){ .times = 1, .err = EIO,
	                                                 .fd_kind = S_IFREG },
	           100, -EIO);
}

static void test_renameat2_eio(void **state)
{
	check_hard(*state, FAULT_RENAMEAT2, &(struct fault){ .times = 1, .err = EIO }, 100,
	           -EIO);
}

static void test_openat_emfile(void **state)
{
	check_hard(*state, FAULT_OPENAT, &(struct fault){ .times = 1, .err = EMFILE }, 100,
	           -EMFILE);
}

/* A network filesystem that retransmits a create it already did answers
 * EEXIST: the hook makes the file, as the first transmission did, and the
 * call then fails.  The put draws another name, commits, and leaves no
 * file behind in tmp/. */
static void create_then_fail(void *arg)
{
	const struct store *s = arg;
	char path[PATH_MAX + NAME_MAX + 8];
	snprintf(path, sizeof(path), "%s/tmp/%s", s->path, fault_target());
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static bool is_tmp_name(const char *name)
{
	return strchr(name, '.') && strcmp(name, "has-versions") != 0 &&
	       strncmp(name, ".format", 7) != 0;
}

static void test_tmp_create_answered_eexist(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	for (unsigned times = 1; times < 4; times++) {
		fault_arm(FAULT_OPENAT, &(struct fault){ .times = times, .err = EEXIST,
		                                         .match = is_tmp_name,
		                                         .hook = create_then_fail, .hook_arg = s });
		put_ok(s->sd, "retransmitted", 13, id);
		assert_int_equal(fault_hits(FAULT_OPENAT), times);
		fault_reset();
		assert_version(s->sd, NULL, "retransmitted", 13, id);
		assert_int_equal(store_count(s, "tmp"), 0);
	}
	/* every try answered so: the put fails with EEXIST, leaving nothing */
	struct store_snapshot snap;
	store_snapshot(s, &snap);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EEXIST,
	                                         .match = is_tmp_name,
	                                         .hook = create_then_fail, .hook_arg = s });
	assert_int_equal(statusdir_put(s->sd, "lost", 4, 0, id), -EEXIST);
	fault_reset();
	assert_store_unchanged(s, &snap);
	store_snapshot_free(&snap);
}

/* After the move: the new version is taken away again and -EIO returned. */
static void test_fsync_of_cur_eio(void **state)
{
	struct store *s = *state;
	check_hard(s, FAULT_FSYNC, &(struct fault){ .times = 1, .err = EIO,
	                                            .fd_kind = S_IFDIR },
	           100, -EIO);
	/* the version was in cur/ when the fsync failed */
	check_hard(s, FAULT_FSYNC, &(struct fault){ .times = 1, .err = EIO,
	                                            .fd_kind = S_IFDIR },
	           0, -EIO);
}

/* The first put of a store leaves STORE/has-versions; when that fails the
 * put fails as if the fsync of cur/ had, and the store is still empty. */
static void test_marker_failure_fails_first_put(void **state)
{
	struct store *s = *state;
	statusdir *fresh;
	struct statusdir_version *v;
	char path[PATH_MAX], id[STATUSDIR_ID_SIZE] = "untouched", buf[8];
	size_t len, n;
	store_dir_file(s, "fresh", path);
	assert_int_equal(statusdir_open(path, STATUSDIR_CREATE, NULL, &fresh), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = 1, .err = EIO,
	                                         .name = "has-versions" });
	assert_int_equal(statusdir_put(fresh, "first", 5, 0, id), -EIO);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
	fault_reset();
	assert_string_equal(id, "untouched");
	assert_int_equal(statusdir_get(fresh, NULL, buf, sizeof(buf), &len, NULL), -ENOENT);
	assert_int_equal(statusdir_list(fresh, &v, &n), 0);
	assert_int_equal(n, 0);
	put_ok(fresh, "first", 5, id);
	assert_version(fresh, NULL, "first", 5, id);
	statusdir_close(fresh);
}

/* What another client of a network filesystem does at the same moment:
 * it creates the name (this create then answers EEXIST, as MooseFS's
 * does), and the file is then the other client's, 0644. */
static void create_elsewhere(void *path)
{
	assert_int_equal(mknod(path, S_IFREG | 0644, 0), 0);
}

/* Several writers' first puts create STORE/has-versions at once; through
 * two MooseFS clients the loser's O_CREAT answers EEXIST.  The put
 * commits, the marker is there, and it was fsync'd. */
static void test_marker_created_elsewhere_at_once(void **state)
{
	struct store *s = *state;
	statusdir *fresh;
	char path[PATH_MAX], marker[PATH_MAX], id[STATUSDIR_ID_SIZE];
	struct stat st;
	store_dir_file(s, "fresh", path);
	store_dir_file(s, "fresh/has-versions", marker);
	assert_int_equal(statusdir_open(path, STATUSDIR_CREATE, NULL, &fresh), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = 1, .err = EEXIST,
	                                         .name = "has-versions",
	                                         .hook = create_elsewhere, .hook_arg = marker });
	unsigned fsyncs = fault_calls(FAULT_FSYNC);
	put_ok(fresh, "first", 5, id);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
	/* the file, cur/, the marker and the store's folder */
	assert_int_equal(fault_calls(FAULT_FSYNC) - fsyncs, 4);
	fault_reset();
	assert_version(fresh, NULL, "first", 5, id);
	assert_int_equal(stat(marker, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	statusdir_close(fresh);
}

/* EEXIST, and the file gone again before it could be opened (removed by
 * whoever made it): created again.  EEXIST every time: the put fails and
 * leaves nothing. */
static void test_marker_eexist_without_a_file(void **state)
{
	struct store *s = *state;
	statusdir *fresh;
	char path[PATH_MAX], id[STATUSDIR_ID_SIZE] = "untouched";
	store_dir_file(s, "fresh", path);
	assert_int_equal(statusdir_open(path, STATUSDIR_CREATE, NULL, &fresh), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = 1, .err = EEXIST,
	                                         .name = "has-versions" });
	put_ok(fresh, "first", 5, id);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
	fault_reset();
	store_dir_file(s, "fresh/has-versions", path);
	assert_int_equal(access(path, F_OK), 0);
	statusdir_close(fresh);

	store_dir_file(s, "fresh2", path);
	assert_int_equal(statusdir_open(path, STATUSDIR_CREATE, NULL, &fresh), 0);
	strcpy(id, "untouched");
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EEXIST,
	                                         .name = "has-versions" });
	assert_int_equal(statusdir_put(fresh, "first", 5, 0, id), -EEXIST);
	assert_int_equal(fault_hits(FAULT_OPENAT), 2);
	fault_reset();
	assert_string_equal(id, "untouched");
	struct statusdir_version *v;
	size_t n;
	assert_int_equal(statusdir_list(fresh, &v, &n), 0);
	assert_int_equal(n, 0);
	statusdir_close(fresh);
}

static unsigned fsyncs_at_move;

static void note_fsyncs(void *arg)
{
	(void)arg;
	fsyncs_at_move = fault_calls(FAULT_FSYNC);
}

/* Durable by default: the file is fsync'd before the move, cur/ after it.
 * With STATUSDIR_NOSYNC neither. */
static void test_fsync_order_and_nosync(void **state)
{
	struct store *s = *state;
	fault_arm(FAULT_RENAMEAT2, &(struct fault){ .times = 1, .hook = note_fsyncs });
	fault_arm(FAULT_FSYNC, &(struct fault){ .times = FAULT_ALWAYS, .fd_kind = S_IFREG });
	put_ok(s->sd, "durable", 7, NULL);
	assert_int_equal(fault_hits(FAULT_RENAMEAT2), 1);
	assert_int_equal(fsyncs_at_move, 1);
	assert_int_equal(fault_hits(FAULT_FSYNC), 1); /* the file */
	assert_int_equal(fault_calls(FAULT_FSYNC), 2); /* and cur/ */
	fault_reset();
	assert_int_equal(statusdir_put(s->sd, "fast", 4, STATUSDIR_NOSYNC, NULL), 0);
	assert_int_equal(fault_calls(FAULT_FSYNC), 0);
	assert_int_equal(fault_calls(FAULT_WRITE), 1);
}

/* With STATUSDIR_ONE_FLUSH the file is fsync'd once, after the move,
 * and cur/ not at all. */
static void test_one_flush_order(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	fault_arm(FAULT_RENAMEAT2, &(struct fault){ .times = 1, .hook = note_fsyncs });
	fault_arm(FAULT_FSYNC, &(struct fault){ .times = FAULT_ALWAYS, .fd_kind = S_IFREG });
	assert_int_equal(statusdir_put(s->sd, "one", 3, STATUSDIR_ONE_FLUSH, id), 0);
	assert_int_equal(fault_hits(FAULT_RENAMEAT2), 1);
	assert_int_equal(fsyncs_at_move, 0);
	assert_int_equal(fault_hits(FAULT_FSYNC), 1); /* the file */
	assert_int_equal(fault_calls(FAULT_FSYNC), 1); /* nothing else */
	fault_reset();
	assert_version(s->sd, NULL, "one", 3, id);
	/* with STATUSDIR_NOSYNC too: no fsync at all */
	assert_int_equal(statusdir_put(s->sd, "none", 4,
	                               STATUSDIR_ONE_FLUSH | STATUSDIR_NOSYNC, id), 0);
	assert_int_equal(fault_calls(FAULT_FSYNC), 0);
	assert_version(s->sd, NULL, "none", 4, id);
}

/* The one fsync fails after the move: the put returns the error and takes
 * the version away again, like a failed fsync of cur/ in the default way;
 * the previous newest is untouched.  Errors before the move leave nothing. */
static void test_one_flush_failures(void **state)
{
	struct store *s = *state;
	put_flags = STATUSDIR_ONE_FLUSH;
	check_hard(s, FAULT_FSYNC, &(struct fault){ .times = 1, .err = EIO,
	                                            .fd_kind = S_IFREG },
	           100, -EIO);
	check_hard(s, FAULT_FSYNC, &(struct fault){ .times = 1, .err = ENOSPC,
	                                            .fd_kind = S_IFREG },
	           5000, -ENOSPC);
	check_hard(s, FAULT_WRITE, &(struct fault){ .times = 1, .err = ENOSPC,
	                                            .fd_kind = S_IFREG },
	           100, -ENOSPC);
	check_hard(s, FAULT_RENAMEAT2, &(struct fault){ .times = 1, .err = EIO }, 100, -EIO);
	put_flags = 0;
}

/* A read error from put_fd's source fails the put and leaves nothing. */
static void test_put_fd_source_eio(void **state)
{
	struct store *s = *state;
	struct store_snapshot snap;
	size_t len = MiB;
	void *buf = pattern_alloc(len, 5);
	int fd;
	store_snapshot(s, &snap);
	pid_t pid = feed_pipe(buf, len, &fd);
	fault_arm(FAULT_READ, &(struct fault){ .skip = 2, .times = 1, .err = EIO,
	                                       .fd_kind = S_IFIFO });
	int r = statusdir_put_fd(s->sd, fd, 0, NULL);
	assert_int_equal(fault_hits(FAULT_READ), 1);
	fault_reset();
	close(fd);
	(void)waitpid(pid, NULL, 0); /* the feeder may die of SIGPIPE */
	assert_int_equal(r, -EIO);
	assert_store_unchanged(s, &snap);
	store_snapshot_free(&snap);
	free(buf);
}

/* A write error during put_fd's stream, in the middle of a large payload. */
static void test_put_fd_enospc_midway(void **state)
{
	struct store *s = *state;
	struct store_snapshot snap;
	size_t len = 3 * MiB;
	void *buf = pattern_alloc(len, 6);
	int fd;
	store_snapshot(s, &snap);
	pid_t pid = feed_pipe(buf, len, &fd);
	fault_arm(FAULT_WRITE, &(struct fault){ .skip = 5, .times = 1, .err = ENOSPC,
	                                        .fd_kind = S_IFREG });
	int r = statusdir_put_fd(s->sd, fd, 0, NULL);
	assert_int_equal(fault_hits(FAULT_WRITE), 1);
	fault_reset();
	close(fd);
	(void)waitpid(pid, NULL, 0);
	assert_int_equal(r, -ENOSPC);
	assert_store_unchanged(s, &snap);
	store_snapshot_free(&snap);
	free(buf);
}

/* In steps: a failed write sticks; commit returns it and cleans up. */
static void test_txn_write_error_sticks(void **state)
{
	struct store *s = *state;
	struct store_snapshot snap;
	statusdir_txn *t;
	store_snapshot(s, &snap);
	snap.fds = count_fds();
	assert_int_equal(statusdir_put_begin(s->sd, 0, &t), 0);
	assert_int_equal(statusdir_put_write(t, "good ", 5), 0);
	fault_arm(FAULT_WRITE, &(struct fault){ .times = 1, .err = ENOSPC, .fd_kind = S_IFREG });
	assert_int_equal(statusdir_put_write(t, "bad", 3), -ENOSPC);
	assert_int_equal(statusdir_put_write(t, "more", 4), -ENOSPC);
	assert_int_equal(fault_calls(FAULT_WRITE), 1); /* not tried again */
	fault_reset();
	assert_int_equal(statusdir_put_commit(t, NULL), -ENOSPC);
	assert_store_unchanged(s, &snap);
	store_snapshot_free(&snap);
}

/* Moving old versions out of the head is best effort: a failure there does
 * not fail the put, and the next put finishes the move. */
static void test_head_move_failure_does_not_fail_put(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	fault_arm(FAULT_RENAMEAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EIO });
	assert_int_equal(statusdir_put(s->sd, "new", 3, 0, id), 0);
	assert_int_equal(fault_hits(FAULT_RENAMEAT), 1);
	fault_reset();
	assert_version(s->sd, NULL, "new", 3, id);
	assert_int_equal(store_count(s, "cur"), STATUSDIR_HEAD + 1);
	put_ok(s->sd, "next", 4, id);
	assert_int_equal(store_count(s, "cur"), STATUSDIR_HEAD);
}

/* Every system call of a put, failed in turn with EIO: each one either
 * fails the put and leaves the store as it was, or (after the commit) is
 * not needed for it.  Retryable ones are skipped. */
static void test_each_call_failing_in_turn(void **state)
{
	static const enum fault_call calls[] = { FAULT_OPENAT, FAULT_WRITE, FAULT_FSYNC,
	                                         FAULT_CLOSE, FAULT_RENAMEAT2 };
	struct store *s = *state;
	void *buf = pattern_alloc(100 * KiB, 7);
	for (size_t c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
		unsigned failed = 0;
		for (unsigned skip = 0;; skip++) {
			struct store_snapshot snap;
			char id[STATUSDIR_ID_SIZE];
			store_snapshot(s, &snap);
			fault_arm(calls[c], &(struct fault){ .skip = skip, .times = 1, .err = EIO });
			int r = statusdir_put(s->sd, buf, 100 * KiB, 0, id);
			unsigned hits = fault_hits(calls[c]);
			fault_reset();
			if (hits == 0) {
				assert_int_equal(r, 0);
				assert_version(s->sd, NULL, buf, 100 * KiB, id);
				store_snapshot_free(&snap);
				break;
			}
			if (r != -EIO)
				fail_msg("call %zu failing at %u: got %s", c, skip, statusdir_strerror(r));
			assert_store_unchanged(s, &snap);
			store_snapshot_free(&snap);
			failed++;
		}
		assert_true(failed >= 1);
	}
	free(buf);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_write_eintr),
		T(test_short_writes),
		T(test_short_writes_with_eintr),
		T(test_put_fd_read_eintr),
		T(test_put_fd_short_reads),
		T(test_renameat2_einval_falls_back_to_link),
		T(test_link_fallback_with_unlink_failure),
		T(test_existing_id_is_retried),
		T(test_real_collision_is_never_replaced),
		T(test_existing_id_forever_fails),
		T(test_write_enospc),
		T(test_write_eio),
		T(test_write_edquot),
		T(test_write_enospc_after_progress),
		T(test_fsync_of_file_eio),
		T(test_fsync_of_file_edquot),
		T(test_close_of_file_eio),
		T(test_renameat2_eio),
		T(test_openat_emfile),
		T(test_tmp_create_answered_eexist),
		T(test_fsync_of_cur_eio),
		T(test_marker_failure_fails_first_put),
		T(test_marker_created_elsewhere_at_once),
		T(test_marker_eexist_without_a_file),
		T(test_fsync_order_and_nosync),
		T(test_one_flush_order),
		T(test_one_flush_failures),
		T(test_put_fd_source_eio),
		T(test_put_fd_enospc_midway),
		T(test_txn_write_error_sticks),
		T(test_head_move_failure_does_not_fail_put),
		T(test_each_call_failing_in_turn),
	};
	return cmocka_run_group_tests_name("faults_put", tests, NULL, NULL);
}
