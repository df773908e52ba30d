/* SPDX-License-Identifier: MIT */
/* test_sweep.c - every system call of put, get, prune and verify fails in
 * turn, with every error the spec gives an outcome for (spec/protocol.md,
 * "Fault sweep").  As in SQLite's I/O error tests: count the calls of a
 * clean run, then fail the first, the second, ... and check the outcome:
 *
 *   retryable (EINTR, short transfers, EINVAL from renameat2, ENOENT on
 *   the newest's open): the operation succeeds, with exact bytes;
 *   hard (ENOSPC, EDQUOT, EIO, EMFILE, ...): the operation returns that
 *   error or succeeds (the call was best effort, e.g. the head move), and
 *   in every case the invariants hold: a failed put changed nothing, the
 *   newest reads back byte-exact, verify never calls an I/O error damage,
 *   prune never removes the greatest id, and no descriptor leaks. */
#include "internal.h" /* first: config.h; the handle's tmp_sweep_every */

#include "fault.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KiB 1024
#define BIG (200 * KiB) /* over 64 KiB: the two-pass get path */

enum op { OP_PUT, OP_PUT_FD, OP_GET, OP_GET_FD, OP_PRUNE, OP_VERIFY, OP_PUT_IF, N_OPS };

static const char *const op_names[N_OPS] = { "put", "put_fd", "get", "get_fd", "prune", "verify",
	                                     "put_if" };

static bool is_put(enum op op)
{
	return op == OP_PUT || op == OP_PUT_FD || op == OP_PUT_IF;
}

struct injection {
	enum fault_call call;
	int err;          /* 0: a short transfer */
	bool retryable;   /* the operation must succeed anyway */
};

/* The errors tried on each call.  Transfers also get EINTR and short
 * counts, which must be invisible to the caller. */
static const struct injection injections[] = {
	{ FAULT_WRITE, EINTR, true },   { FAULT_WRITE, 0, true },
	{ FAULT_WRITE, ENOSPC, false }, { FAULT_WRITE, EDQUOT, false },
	{ FAULT_WRITE, EIO, false },
	{ FAULT_READ, EINTR, true },    { FAULT_READ, 0, true },
	{ FAULT_READ, EIO, false },
	{ FAULT_PREAD, EINTR, true },   { FAULT_PREAD, 0, true },
	{ FAULT_PREAD, EIO, false },
	{ FAULT_COPY_FILE_RANGE, EINTR, true }, { FAULT_COPY_FILE_RANGE, 0, true },
	{ FAULT_COPY_FILE_RANGE, EXDEV, true }, { FAULT_COPY_FILE_RANGE, EIO, false },
	{ FAULT_SENDFILE, EINTR, true }, { FAULT_SENDFILE, 0, true },
	{ FAULT_SENDFILE, EINVAL, true }, { FAULT_SENDFILE, EIO, false },
	{ FAULT_FSYNC, EIO, false },    { FAULT_FSYNC, ENOSPC, false },
	{ FAULT_FSYNC, EDQUOT, false },
	{ FAULT_CLOSE, EIO, false },
	{ FAULT_OPENAT, EMFILE, false }, { FAULT_OPENAT, ENOENT, false },
	{ FAULT_OPENAT, EIO, false },
	{ FAULT_RENAMEAT2, EINVAL, true }, { FAULT_RENAMEAT2, EIO, false },
	{ FAULT_RENAMEAT2, ENOSPC, false },
	{ FAULT_RENAMEAT, EIO, false },  { FAULT_RENAMEAT, ENOENT, false },
	{ FAULT_LINKAT, EIO, false },
	{ FAULT_UNLINKAT, EIO, false },  { FAULT_UNLINKAT, ENOENT, false },
};

struct sweep {
	struct store *s;
	void *payload;      /* what put writes */
	char src[PATH_MAX]; /* the same bytes in a file, for put_fd */
	char out[PATH_MAX]; /* where get_fd writes */
	unsigned runs, failures;
};

/* Tops the store up to 12 versions (no fsync: setup, not under test), the
 * newest being the big payload, so every path has work to do (format 2's
 * puts are not pruned between runs: the newest may be a put's). */
static void refill(struct sweep *w)
{
	struct statusdir_version *v;
	size_t n;
	assert_int_equal(statusdir_list(w->s->sd, &v, &n), 0);
	bool big_newest = n > 0 && v[0].size == BIG;
	statusdir_list_free(v);
	if (n >= 12 && big_newest)
		return;
	for (; n < 11; n++)
		assert_int_equal(statusdir_put(w->s->sd, "filler\n", 7, STATUSDIR_NOSYNC, NULL), 0);
	assert_int_equal(statusdir_put(w->s->sd, w->payload, BIG, STATUSDIR_NOSYNC, NULL), 0);
}

static int run_op(struct sweep *w, enum op op, const char *newest, char *id)
{
	statusdir *sd = w->s->sd;
	struct statusdir_prune_policy p;
	size_t len;
	int fd, r;
	switch (op) {
	case OP_PUT:
		return statusdir_put(sd, w->payload, 1000, 0, id);
	case OP_PUT_FD:
		fd = open(w->src, O_RDONLY | O_CLOEXEC);
		assert_true(fd >= 0);
		r = statusdir_put_fd(sd, fd, 0, id);
		close(fd);
		return r;
	case OP_GET: {
		char *buf = malloc(BIG);
		r = statusdir_get(sd, NULL, buf, BIG, &len, id);
		if (r == 0 && (len != BIG || memcmp(buf, w->payload, BIG) != 0))
			fail_msg("get returned other bytes");
		free(buf);
		return r;
	}
	case OP_GET_FD:
		fd = open(w->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		r = statusdir_get_fd(sd, NULL, fd, 0, id);
		close(fd);
		return r; /* the bytes are compared once the fault is off */
	case OP_PRUNE:
		statusdir_prune_policy_init(&p);
		p.keep = 3;
		return statusdir_prune(sd, &p, NULL);
	case OP_VERIFY:
		return statusdir_verify(sd, NULL, NULL, NULL);
	case OP_PUT_IF: /* on the newest: the sweep's single writer never conflicts */
		return statusdir_put_if(sd, newest, w->payload, 1000, 0, id);
	default:
		return -EINVAL;
	}
}

/* Format 2: a put whose check could not remove its tmp/ link has still
 * committed; the link (to the version itself, nothing else) stays for a
 * cleaner to remove.  Removed here, as a cleaner would. */
static void clear_checked_claim(const struct store *s, const char *id)
{
	char tmp[PATH_MAX], cur[PATH_MAX], rel[STATUSDIR_ID_SIZE + 8];
	struct stat v, t;
	snprintf(rel, sizeof(rel), "cur/%s", id);
	store_file(s, rel, cur);
	assert_int_equal(stat(cur, &v), 0);
	store_file(s, "tmp", tmp);
	DIR *d = opendir(tmp);
	assert_non_null(d);
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		assert_int_equal(fstatat(dirfd(d), e->d_name, &t, AT_SYMLINK_NOFOLLOW), 0);
		if (t.st_ino != v.st_ino || t.st_dev != v.st_dev)
			fail_msg("tmp/%s is not the claim of %s", e->d_name, id);
		assert_int_equal(unlinkat(dirfd(d), e->d_name, 0), 0);
	}
	closedir(d);
}

/* The invariants after any run, failed or not. */
static void check_after(struct sweep *w, enum op op, const struct injection *inj,
                        int r, const struct store_snapshot *before, const char *id)
{
	const char *what = op_names[op];
	if (inj->retryable && r != 0)
		fail_msg("%s with call %d failing (%s) is retryable but returned %s", what,
		         inj->call, inj->err ? strerror(inj->err) : "short", statusdir_strerror(r));
	if (r < 0 && r != -inj->err && r != -EIO)
		fail_msg("%s returned %s, not the injected %s", what, statusdir_strerror(r),
		         strerror(inj->err));
	if (op == OP_VERIFY && r == -EBADMSG)
		fail_msg("verify called an injected error damage");
	if (r == -ECANCELED)
		fail_msg("%s reported a failure as a conflict", what);
	size_t put_len = op == OP_PUT_FD ? BIG : 1000;
	/* format 2: a put that fails after its claim says so with the id;
	 * the version is committed and stays */
	if (is_put(op) && r < 0 && id[0])
		assert_version(w->s->sd, id, w->payload, put_len, id);
	else if (is_put(op) && r < 0)
		assert_store_unchanged(w->s, before);
	if (is_put(op) && r == 0) {
		assert_version(w->s->sd, NULL, w->payload, put_len, id);
		if (statusdir_format(w->s->sd) == 2)
			clear_checked_claim(w->s, id);
		assert_int_equal(store_count(w->s, "tmp"), 0);
	}
	if (op == OP_GET_FD && r == 0)
		assert_file_equals(w->out, w->payload, BIG);
	if (!is_put(op)) {
		/* the newest is still the one that was newest before */
		assert_version(w->s->sd, NULL, w->payload, BIG, before->newest);
		assert_int_equal(count_fds(), before->fds);
	}
}

static void sweep_one(struct sweep *w, enum op op, const struct injection *inj)
{
	for (unsigned skip = 0;; skip++) {
		struct store_snapshot before;
		char id[STATUSDIR_ID_SIZE] = "";
		if (!is_put(op))
			refill(w);
		store_snapshot(w->s, &before);
		struct fault f = { .skip = skip, .times = 1, .err = inj->err };
		if (!inj->err) /* short transfers: the first few calls are enough */
			f.short_max = 1000;
		if (!inj->err && skip == 3) {
			store_snapshot_free(&before);
			return;
		}
		if (getenv("SWEEP_TRACE"))
			fprintf(stderr, "%s call %d err %d skip %u\n", op_names[op], inj->call, inj->err, skip);
		fault_arm(inj->call, &f);
		int r = run_op(w, op, before.newest, id);
		unsigned hits = fault_hits(inj->call);
		fault_reset();
		if (hits == 0) { /* past the last call: the clean run */
			store_snapshot_free(&before);
			assert_int_equal(r, 0);
			return;
		}
		w->runs++;
		w->failures += r < 0;
		check_after(w, op, inj, r, &before, id);
		store_snapshot_free(&before);
		if (is_put(op) && statusdir_format(w->s->sd) == 1) /* keep the store small */
			statusdir_prune(w->s->sd, &(struct statusdir_prune_policy){ .keep = 4 }, NULL);
	}
}

static void sweep_ops(void **state, const enum op *ops, size_t n_ops)
{
	struct sweep w = { .s = *state };
	w.payload = pattern_alloc(BIG, 11);
	store_dir_file(w.s, "src", w.src);
	store_dir_file(w.s, "out", w.out);
	write_file(w.src, w.payload, BIG);
	for (size_t k = 0; k < n_ops; k++) {
		enum op op = ops[k];
		unsigned runs = w.runs;
		for (size_t i = 0; i < sizeof(injections) / sizeof(injections[0]); i++)
			sweep_one(&w, op, &injections[i]);
		printf("# %s: %u runs with one call failing\n", op_names[op], w.runs - runs);
		assert_true(w.runs > runs); /* the sweep reached this path */
	}
	printf("# %u runs in all, %u of them returned an error\n", w.runs, w.failures);
	assert_true(w.failures > 0);
	free(w.payload);
}

static void test_sweep_every_call(void **state)
{
	static const enum op ops[] = { OP_PUT, OP_PUT_FD, OP_GET, OP_GET_FD, OP_PRUNE, OP_VERIFY };
	sweep_ops(state, ops, sizeof(ops) / sizeof(ops[0]));
}

/* Format 2: the claim, the check and the conditional put fail call by
 * call too.  A failure is never a conflict, and one after the claim leaves
 * the version committed, named by the id the put returns. */
static void test_sweep_format2(void **state)
{
	static const enum op ops[] = { OP_PUT, OP_PUT_FD, OP_PUT_IF, OP_GET, OP_GET_FD, OP_PRUNE,
	                               OP_VERIFY };
	sweep_ops(state, ops, sizeof(ops) / sizeof(ops[0]));
}

static int sweep_setup(void **state, int r)
{
	if (r == 0) {
		statusdir *sd = ((struct store *)*state)->sd;
		sd->tmp_sweep_every = 1; /* every put sweeps tmp/: its calls fail in turn too */
		put_ok(sd, "first\n", 6, NULL);
	}
	return r;
}

static int setup(void **state)
{
	return sweep_setup(state, store_setup(state));
}

static int setup_format2(void **state)
{
	return sweep_setup(state, store_setup_format2(state));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sweep_every_call, setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_sweep_format2, setup_format2, store_teardown),
	};
	return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
