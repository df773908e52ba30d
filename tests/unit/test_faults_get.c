/* SPDX-License-Identifier: MIT */
/* test_faults_get.c - get, get_fd and list under injected faults (fault.h).
 *
 * EINTR and short transfers on every path (read, pread, copy_file_range,
 * sendfile, write to the output) end with the exact bytes; kernels and
 * outputs that cannot do the in-kernel copies fall back to read/write; a
 * version that vanishes between listing and open is looked for again and a
 * complete version is returned; hard errors come back without leaking
 * descriptors. */
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

#define KiB 1024
#define MiB (1024 * 1024)
#define SMALL (10 * KiB)
#define LARGE (2 * MiB + 3)

/* Every test has a small and a large version; the large one is newest. */
struct fixture {
	struct store *s;
	char small_id[STATUSDIR_ID_SIZE];
	char large_id[STATUSDIR_ID_SIZE];
	void *small;
	void *large;
};

static int setup(void **state)
{
	fault_reset();
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	if (store_setup((void **)&f->s) != 0)
		return -1;
	f->small = pattern_alloc(SMALL, 1);
	f->large = pattern_alloc(LARGE, 2);
	put_ok(f->s->sd, f->small, SMALL, f->small_id);
	put_ok(f->s->sd, f->large, LARGE, f->large_id);
	/* the handle keeps cur/'s directory stream open after its first read
	 * of the newest: open it now, so that descriptor counts compare */
	assert_int_equal(statusdir_get_fd(f->s->sd, NULL, null_fd(), 0, NULL), 0);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fault_reset();
	if (!f)
		return 0;
	void *s = f->s;
	store_teardown(&s);
	free(f->small);
	free(f->large);
	free(f);
	return 0;
}

/* get into a buffer with fault armed; exact bytes. */
static void get_with(struct fixture *f, enum fault_call c, const struct fault *fault,
                     const char *id, const void *want, size_t len)
{
	char found[STATUSDIR_ID_SIZE];
	size_t got = 0;
	char *buf = malloc(len + 1);
	assert_non_null(buf);
	fault_arm(c, fault);
	int r = statusdir_get(f->s->sd, id, buf, len + 1, &got, found);
	unsigned hits = fault_hits(c);
	fault_reset();
	assert_true(hits > 0);
	if (r != 0)
		fail_msg("get: %s", statusdir_strerror(r));
	assert_int_equal(got, len);
	assert_memory_equal(buf, want, len);
	assert_string_equal(found, id);
	free(buf);
}

/* get_fd to a fresh regular file (flags to open it with) with fault armed;
 * exact bytes. */
static void get_fd_with(struct fixture *f, enum fault_call c, const struct fault *fault,
                        const char *id, const void *want, size_t len, int oflags)
{
	char path[PATH_MAX];
	store_dir_file(f->s, "out", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | oflags, 0644);
	assert_true(fd >= 0);
	fault_arm(c, fault);
	int r = statusdir_get_fd(f->s->sd, id, fd, 0, NULL);
	unsigned hits = fault_hits(c);
	fault_reset();
	close(fd);
	assert_true(hits > 0);
	if (r != 0)
		fail_msg("get_fd: %s", statusdir_strerror(r));
	assert_file_equals(path, want, len);
}

/* get_fd to a pipe drained by a child, with fault armed; exact bytes. */
static void to_pipe(struct fixture *f, enum fault_call c, const struct fault *fault,
                    const char *id, const void *want, size_t len)
{
	char path[PATH_MAX];
	int fd;
	store_dir_file(f->s, "piped", path);
	pid_t pid = drain_pipe(path, &fd);
	fault_arm(c, fault);
	int r = statusdir_get_fd(f->s->sd, id, fd, 0, NULL);
	unsigned hits = fault_hits(c);
	fault_reset();
	close(fd);
	wait_child(pid);
	assert_true(hits > 0);
	if (r != 0)
		fail_msg("get_fd: %s", statusdir_strerror(r));
	assert_file_equals(path, want, len);
}

static void test_read_eintr(void **state)
{
	struct fixture *f = *state;
	get_with(f, FAULT_READ, &(struct fault){ .times = 1, .err = EINTR, .fd_kind = S_IFREG },
	         f->small_id, f->small, SMALL);
	get_with(f, FAULT_READ, &(struct fault){ .times = 3, .err = EINTR, .fd_kind = S_IFREG },
	         f->large_id, f->large, LARGE);
	get_fd_with(f, FAULT_READ,
	            &(struct fault){ .times = 2, .err = EINTR, .fd_kind = S_IFREG },
	            f->small_id, f->small, SMALL, 0);
}

static void test_short_reads(void **state)
{
	struct fixture *f = *state;
	get_with(f, FAULT_READ,
	         &(struct fault){ .times = FAULT_ALWAYS, .short_max = 999, .fd_kind = S_IFREG },
	         f->small_id, f->small, SMALL);
	get_fd_with(f, FAULT_READ,
	            &(struct fault){ .times = FAULT_ALWAYS, .short_max = 1, .fd_kind = S_IFREG },
	            f->small_id, f->small, SMALL, 0);
}

/* The large path: the check reads with pread. */
static void test_pread_eintr_and_short(void **state)
{
	struct fixture *f = *state;
	get_fd_with(f, FAULT_PREAD, &(struct fault){ .times = 2, .err = EINTR },
	            f->large_id, f->large, LARGE, 0);
	get_fd_with(f, FAULT_PREAD, &(struct fault){ .times = FAULT_ALWAYS, .short_max = 4097 },
	            f->large_id, f->large, LARGE, 0);
}

static void test_copy_file_range_eintr_and_short(void **state)
{
	struct fixture *f = *state;
	get_fd_with(f, FAULT_COPY_FILE_RANGE, &(struct fault){ .times = 1, .err = EINTR },
	            f->large_id, f->large, LARGE, 0);
	get_fd_with(f, FAULT_COPY_FILE_RANGE,
	            &(struct fault){ .times = FAULT_ALWAYS, .short_max = 65535 },
	            f->large_id, f->large, LARGE, 0);
}

/* A kernel without copy_file_range, or a copy it refuses, goes on with
 * sendfile from where it stopped. */
static void test_copy_file_range_unsupported(void **state)
{
	struct fixture *f = *state;
	static const int errs[] = { ENOSYS, EXDEV, EOPNOTSUPP, EINVAL };
	for (size_t i = 0; i < 4; i++) {
		get_fd_with(f, FAULT_COPY_FILE_RANGE,
		            &(struct fault){ .times = FAULT_ALWAYS, .err = errs[i] },
		            f->large_id, f->large, LARGE, 0);
		/* after a part was copied already */
		get_fd_with(f, FAULT_COPY_FILE_RANGE,
		            &(struct fault){ .skip = 1, .times = FAULT_ALWAYS, .err = errs[i],
		                             .short_max = 100 * KiB },
		            f->large_id, f->large, LARGE, 0);
	}
}

static void test_sendfile_eintr_and_short(void **state)
{
	struct fixture *f = *state;
	/* copy_file_range is not there; sendfile is interrupted, then short */
	fault_arm(FAULT_COPY_FILE_RANGE, &(struct fault){ .times = FAULT_ALWAYS, .err = ENOSYS });
	char path[PATH_MAX];
	store_dir_file(f->s, "out", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	fault_arm(FAULT_SENDFILE, &(struct fault){ .times = 1, .err = EINTR });
	assert_int_equal(statusdir_get_fd(f->s->sd, NULL, fd, 0, NULL), 0);
	assert_int_equal(fault_hits(FAULT_SENDFILE), 1);
	assert_true(fault_hits(FAULT_COPY_FILE_RANGE) > 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	fault_arm(FAULT_SENDFILE, &(struct fault){ .times = FAULT_ALWAYS, .short_max = 12345 });
	assert_int_equal(statusdir_get_fd(f->s->sd, NULL, fd, 0, NULL), 0);
	assert_true(fault_hits(FAULT_SENDFILE) > 1);
	fault_reset();
	close(fd);
	assert_file_equals(path, f->large, LARGE);
}

/* Neither in-kernel copy: read/write, with short writes to the output. */
static void test_read_write_fallback(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	store_dir_file(f->s, "out", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	fault_arm(FAULT_COPY_FILE_RANGE, &(struct fault){ .times = FAULT_ALWAYS, .err = EXDEV });
	fault_arm(FAULT_SENDFILE, &(struct fault){ .times = FAULT_ALWAYS, .err = EINVAL });
	fault_arm(FAULT_WRITE, &(struct fault){ .times = FAULT_ALWAYS, .short_max = 5000,
	                                        .fd_kind = S_IFREG });
	assert_int_equal(statusdir_get_fd(f->s->sd, NULL, fd, 0, NULL), 0);
	assert_true(fault_hits(FAULT_SENDFILE) > 0);
	assert_true(fault_hits(FAULT_WRITE) > LARGE / 5000);
	fault_reset();
	close(fd);
	assert_file_equals(path, f->large, LARGE);
}

/* Writing the output: EINTR and short writes on the small path, to a pipe
 * and to an O_APPEND file. */
static void test_output_write_eintr_and_short(void **state)
{
	struct fixture *f = *state;
	get_fd_with(f, FAULT_WRITE,
	            &(struct fault){ .times = 2, .err = EINTR, .fd_kind = S_IFREG },
	            f->small_id, f->small, SMALL, O_APPEND);
	get_fd_with(f, FAULT_WRITE,
	            &(struct fault){ .times = FAULT_ALWAYS, .short_max = 7, .fd_kind = S_IFREG },
	            f->small_id, f->small, SMALL, O_APPEND);
	get_fd_with(f, FAULT_WRITE,
	            &(struct fault){ .times = FAULT_ALWAYS, .short_max = 3333, .fd_kind = S_IFREG },
	            f->large_id, f->large, LARGE, O_APPEND);

	to_pipe(f, FAULT_WRITE, &(struct fault){ .times = 3, .err = EINTR, .fd_kind = S_IFIFO },
	        f->small_id, f->small, SMALL);
	to_pipe(f, FAULT_WRITE,
	        &(struct fault){ .times = FAULT_ALWAYS, .short_max = 100, .fd_kind = S_IFIFO },
	        f->small_id, f->small, SMALL);
	/* a large one goes to a pipe by sendfile */
	to_pipe(f, FAULT_SENDFILE, &(struct fault){ .times = 2, .err = EINTR, .fd_kind = S_IFIFO },
	        f->large_id, f->large, LARGE);
	to_pipe(f, FAULT_SENDFILE,
	        &(struct fault){ .times = FAULT_ALWAYS, .short_max = 1000, .fd_kind = S_IFIFO },
	        f->large_id, f->large, LARGE);
}

static void test_output_write_error_is_returned(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	store_dir_file(f->s, "out", path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	int fds = count_fds();
	fault_arm(FAULT_WRITE, &(struct fault){ .times = 1, .err = ENOSPC, .fd_kind = S_IFREG });
	assert_int_equal(statusdir_get_fd(f->s->sd, f->small_id, fd, 0, NULL), -ENOSPC);
	assert_int_equal(fault_hits(FAULT_WRITE), 1);
	fault_arm(FAULT_COPY_FILE_RANGE, &(struct fault){ .times = 1, .err = EIO });
	assert_int_equal(statusdir_get_fd(f->s->sd, f->large_id, fd, 0, NULL), -EIO);
	assert_int_equal(fault_hits(FAULT_COPY_FILE_RANGE), 1);
	fault_reset();
	assert_int_equal(count_fds(), fds);
	close(fd);
}

static void test_read_error_is_returned(void **state)
{
	struct fixture *f = *state;
	char buf[SMALL];
	size_t len;
	int fds = count_fds();
	fault_arm(FAULT_READ, &(struct fault){ .times = 1, .err = EIO, .fd_kind = S_IFREG });
	assert_int_equal(statusdir_get(f->s->sd, f->small_id, buf, sizeof(buf), &len, NULL),
	                 -EIO);
	assert_int_equal(fault_hits(FAULT_READ), 1);
	fault_arm(FAULT_PREAD, &(struct fault){ .skip = 3, .times = 1, .err = EIO });
	assert_int_equal(statusdir_get_fd(f->s->sd, NULL, null_fd(), 0, NULL), -EIO);
	assert_int_equal(fault_hits(FAULT_PREAD), 1);
	fault_reset();
	assert_int_equal(count_fds(), fds);
}

/* ---- a version vanishing between listing and open ---- */

struct vanish {
	struct store *s;
	const char *id;   /* the version that goes */
	bool put_newer;   /* a writer puts a newer one as it goes */
	char newer[STATUSDIR_ID_SIZE];
};

/* What a concurrent writer and its head move do: the named version leaves
 * cur/ for old/ (and a newer version arrives first). */
static void move_away(void *arg)
{
	struct vanish *v = arg;
	char from[PATH_MAX], to[PATH_MAX], rel[PATH_MAX];
	if (v->put_newer) {
		statusdir *w;
		assert_int_equal(statusdir_open(v->s->path, 0, NULL, &w), 0);
		put_ok(w, "newer", 5, v->newer);
		statusdir_close(w);
	}
	snprintf(rel, sizeof(rel), "cur/%s", v->id);
	store_file(v->s, rel, from);
	snprintf(rel, sizeof(rel), "old/%s", v->id);
	store_file(v->s, rel, to);
	assert_int_equal(rename(from, to), 0);
}

static void test_newest_moved_and_replaced_while_opening(void **state)
{
	struct fixture *f = *state;
	struct vanish v = { .s = f->s, .id = f->large_id, .put_newer = true };
	char buf[16], found[STATUSDIR_ID_SIZE];
	size_t len;
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = 1, .name = f->large_id,
	                                         .hook = move_away, .hook_arg = &v });
	int r = statusdir_get(f->s->sd, NULL, buf, sizeof(buf), &len, found);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
	fault_reset();
	assert_int_equal(r, 0);
	assert_string_equal(found, v.newer);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "newer", 5);
}

/* The listed newest is gone and nothing replaced it (say it was taken out
 * by hand): the next greatest in cur/ is returned, complete. */
static void test_newest_gone_while_opening(void **state)
{
	struct fixture *f = *state;
	struct vanish v = { .s = f->s, .id = f->large_id };
	char path[PATH_MAX], found[STATUSDIR_ID_SIZE];
	int fd;
	store_dir_file(f->s, "piped", path);
	pid_t pid = drain_pipe(path, &fd);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = 1, .name = f->large_id,
	                                         .hook = move_away, .hook_arg = &v });
	int r = statusdir_get_fd(f->s->sd, NULL, fd, 0, found);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
	fault_reset();
	close(fd);
	wait_child(pid);
	assert_int_equal(r, 0);
	assert_string_equal(found, f->small_id);
	assert_file_equals(path, f->small, SMALL);
}

/* By id: it left cur/ for old/ between the two lookups; found in old/. */
static void test_by_id_moved_to_old_while_opening(void **state)
{
	struct fixture *f = *state;
	struct vanish v = { .s = f->s, .id = f->small_id };
	get_with(f, FAULT_OPENAT,
	         &(struct fault){ .times = 1, .name = f->small_id, .hook = move_away,
	                          .hook_arg = &v },
	         f->small_id, f->small, SMALL);
	assert_true(store_has(f->s, "old", f->small_id));
}

static bool is_version_name(const char *name)
{
	return statusdir_id_parse(name, NULL) == 0;
}

/* A network filesystem may answer ESTALE for a name removed through
 * another client: a reader takes it as ENOENT, gone while it looked, and
 * looks again (the newest) or in old/ (by id), as for a prune or a move. */
static void test_estale_is_gone(void **state)
{
	struct fixture *f = *state;
	char buf[16], id[STATUSDIR_ID_SIZE];
	size_t len;
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = 1, .err = ESTALE,
	                                         .match = is_version_name });
	assert_true(statusdir_get_fd(f->s->sd, NULL, null_fd(), 0, id) >= 0);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = ESTALE,
	                                         .match = is_version_name });
	assert_int_equal(statusdir_get(f->s->sd, f->small_id, buf, sizeof(buf), &len, NULL),
	                 -ENOENT);
	assert_int_equal(fault_hits(FAULT_OPENAT), 2); /* cur/, then old/ */
	fault_reset();
}

/* Writers that always win the race: the reader gives up with -EAGAIN
 * rather than hang, and never says "empty". */
static void test_losing_every_race_is_eagain(void **state)
{
	struct fixture *f = *state;
	char buf[16];
	size_t len;
	int fds = count_fds();
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = ENOENT,
	                                         .match = is_version_name });
	assert_int_equal(statusdir_get(f->s->sd, NULL, buf, sizeof(buf), &len, NULL), -EAGAIN);
	assert_true(fault_hits(FAULT_OPENAT) > 1);
	/* by id, both places were looked at */
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = ENOENT,
	                                         .match = is_version_name });
	assert_int_equal(statusdir_get(f->s->sd, f->small_id, buf, sizeof(buf), &len, NULL),
	                 -ENOENT);
	assert_int_equal(fault_hits(FAULT_OPENAT), 2);
	fault_reset();
	assert_int_equal(count_fds(), fds);
}

/* EMFILE at each openat of a get, get_fd and list: returned as is, no
 * descriptor left open. */
static void test_openat_emfile_in_turn(void **state)
{
	struct fixture *f = *state;
	for (int op = 0; op < 3; op++) {
		unsigned failed = 0;
		for (unsigned skip = 0;; skip++) {
			char buf[SMALL];
			size_t len;
			struct statusdir_version *v = NULL;
			int fds = count_fds(), r;
			fault_arm(FAULT_OPENAT, &(struct fault){ .skip = skip, .times = 1,
			                                         .err = EMFILE });
			if (op == 0)
				r = statusdir_get(f->s->sd, f->small_id, buf, sizeof(buf), &len, NULL);
			else if (op == 1)
				r = statusdir_get_fd(f->s->sd, NULL, null_fd(), 0, NULL);
			else
				r = statusdir_list(f->s->sd, &v, &len);
			unsigned hits = fault_hits(FAULT_OPENAT);
			fault_reset();
			statusdir_list_free(v);
			assert_int_equal(count_fds(), fds);
			if (hits == 0) {
				assert_int_equal(r, 0);
				break;
			}
			assert_int_equal(r, -EMFILE);
			failed++;
		}
		assert_true(failed >= 1);
	}
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_read_eintr),
		T(test_short_reads),
		T(test_pread_eintr_and_short),
		T(test_copy_file_range_eintr_and_short),
		T(test_copy_file_range_unsupported),
		T(test_sendfile_eintr_and_short),
		T(test_read_write_fallback),
		T(test_output_write_eintr_and_short),
		T(test_output_write_error_is_returned),
		T(test_read_error_is_returned),
		T(test_newest_moved_and_replaced_while_opening),
		T(test_newest_gone_while_opening),
		T(test_by_id_moved_to_old_while_opening),
		T(test_losing_every_race_is_eagain),
		T(test_estale_is_gone),
		T(test_openat_emfile_in_turn),
	};
	return cmocka_run_group_tests_name("faults_get", tests, NULL, NULL);
}
