/* SPDX-License-Identifier: MIT */
/* tmpsweep.c - finding what crashed writers left in tmp/.
 *
 * A tmp/ file is stale when its ctime is older than the age limit (36 h by
 * default; ctime because atime lies under noatime/relatime), or when its
 * name shows that its writer is gone (tmpname.c).  Only regular files are
 * considered; anything else in tmp/ is left alone, and so is a file with
 * two links or more (PENDING_CLAIM).  The sweep a put runs
 * (TMP_SWEEP_GONE) uses the second rule alone: age is prune's to judge
 * (spec/protocol.md, section 7). */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* In a format-2 store a tmp/ file with a second link is a claim whose
 * check is pending (spec/format2.md, section 6.1): never stale, whatever
 * its age or writer.  Retention (or prune, for a writer known gone)
 * validates it, or, once its name in cur/ is gone, it has one link and is
 * judged as any other.  In format 1 a second link is a commit by link(2)
 * whose writer died before removing its tmp/ name (filesystems without
 * RENAME_NOREPLACE, FUSE among them): the version is committed, and the
 * tmp/ name is judged as any other file, as ever. */
#define PENDING_CLAIM 2

struct sweep {
	const struct writer_identity *me;
	bool claims;        /* format 2: two links are a pending claim */
	int64_t cutoff_ns;  /* ctime before this is stale */
	enum tmp_sweep_mode mode;
	const struct statusdir_prune_policy *p;
	struct statusdir_counts *counts;
	int err;
};

/* 1 stale, 0 not (a live writer's, or one that cannot be judged yet),
 * PENDING_CLAIM, -ENOENT gone, -EISDIR not a regular file, or the -errno
 * of fstatat; *size (may be NULL) is the file's size. */
static int tmp_state(const struct sweep *s, int dirfd, const char *name, uint64_t *size)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EISDIR;
	if (size)
		*size = (uint64_t)st.st_size;
	if (s->claims && st.st_nlink >= 2)
		return PENDING_CLAIM;
	int64_t ctime_ns = (int64_t)st.st_ctim.tv_sec * NS_PER_SEC + st.st_ctim.tv_nsec;
	bool by_age = s->mode != TMP_SWEEP_GONE && ctime_ns < s->cutoff_ns;
	return by_age || statusdir__tmp_writer_gone(s->me, name);
}

static int sweep_one(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct sweep *s = arg;
	struct statusdir_counts none = { 0 }, *c = s->counts ? s->counts : &none;
	if (!is_reg)
		return 0;
	int state = tmp_state(s, dirfd, name, NULL);
	if (state != 1) {
		if (s->mode == TMP_SWEEP_REPORT) {
			c->tmp_busy++;
			statusdir__report(s->p, STATUSDIR_EV_TMP_BUSY, "tmp", name,
			                  state == PENDING_CLAIM ? "claimed, check pending"
			                                         : "being written");
		}
		return 0;
	}
	if (s->mode == TMP_SWEEP_REPORT) {
		c->tmp_stale++;
		statusdir__report(s->p, STATUSDIR_EV_TMP_STALE, "tmp", name, "stale");
		return 0;
	}
	if (s->mode != TMP_SWEEP_DRY_RUN && unlinkat(dirfd, name, 0) != 0) {
		if (errno != ENOENT && !s->err)
			s->err = -errno; /* go on with the rest, report the first error */
		return 0;
	}
	c->tmp_removed++;
	statusdir__report(s->p, STATUSDIR_EV_TMP_REMOVED, "tmp", name, "stale");
	return 0;
}

/* A ".format.*" file in the store is what an interrupted format write left
 * (format.c); its writer has no identity in the name, so age alone decides. */
static int sweep_format_tmp(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct sweep *s = arg;
	struct stat st;
	if (!is_reg || strncmp(name, ".format.", 8) != 0 ||
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    (int64_t)st.st_ctim.tv_sec * NS_PER_SEC + st.st_ctim.tv_nsec >= s->cutoff_ns)
		return 0;
	if (s->mode == TMP_SWEEP_REMOVE && unlinkat(dirfd, name, 0) != 0 && errno != ENOENT) {
		if (!s->err)
			s->err = -errno;
		return 0;
	}
	statusdir__report(s->p, STATUSDIR_EV_TMP_REMOVED, ".", name, "stale");
	return 0;
}

/* The ctime before which a tmp/ file is stale, whoever wrote it. */
static int64_t stale_before(int64_t tmp_age_ns)
{
	return statusdir__now_ns() - (tmp_age_ns > 0 ? tmp_age_ns : STATUSDIR_TMP_AGE_NS);
}

int statusdir__tmp_sweep(statusdir *sd, int64_t tmp_age_ns,
                         enum tmp_sweep_mode mode,
                         const struct statusdir_prune_policy *p,
                         struct statusdir_counts *counts)
{
	statusdir__identity_refresh(&sd->me, statusdir__pid(sd));
	struct sweep s = {
		.me = &sd->me,
		.claims = sd->format == 2,
		.cutoff_ns = stale_before(tmp_age_ns),
		.mode = mode,
		.p = p,
		.counts = counts,
	};
	int r = statusdir__scan(sd->tmp_fd, sweep_one, &s);
	if (r == 0 && (mode == TMP_SWEEP_REMOVE || mode == TMP_SWEEP_DRY_RUN))
		r = statusdir__scan(sd->root_fd, sweep_format_tmp, &s);
	return r < 0 ? r : s.err;
}

struct usage_scan {
	struct sweep sweep;
	struct statusdir_tmp_usage *u;
	int err;
};

static int count_one(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct usage_scan *us = arg;
	uint64_t size = 0;
	if (!is_reg)
		return 0;
	int r = tmp_state(&us->sweep, dirfd, name, &size);
	if (r == 1) {
		us->u->stale++;
		us->u->stale_bytes += size;
	} else if (r == 0 || r == PENDING_CLAIM) {
		us->u->busy++;
		us->u->busy_bytes += size;
	} else if (r != -ENOENT && r != -EISDIR && !us->err) {
		us->err = r; /* go on counting, report the first error */
	}
	return 0;
}

int statusdir_tmp_usage(statusdir *sd, int64_t tmp_age_ns, struct statusdir_tmp_usage *u)
{
	if (!sd || !u || tmp_age_ns < 0)
		return -EINVAL;
	memset(u, 0, sizeof(*u));
	statusdir__identity_refresh(&sd->me, statusdir__pid(sd));
	struct usage_scan us = {
		.sweep = {
			.me = &sd->me,
			.claims = sd->format == 2,
			.cutoff_ns = stale_before(tmp_age_ns),
		},
		.u = u,
	};
	int r = statusdir__scan(sd->tmp_fd, count_one, &us);
	return r < 0 ? r : us.err;
}
