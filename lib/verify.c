/* SPDX-License-Identifier: MIT */
/* verify.c - reading every version back and checking it against its id
 * (format 2: against its user.statusdir attribute); reporting junk and
 * leftovers apart from damage. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct junk_scan {
	const char *dir;
	const struct statusdir_prune_policy *p;
	struct statusdir_counts *counts;
};

static int note_junk(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct junk_scan *j = arg;
	(void)dirfd;
	if (is_reg && statusdir__id_valid(name))
		return 0;
	j->counts->junk++;
	statusdir__report(j->p, STATUSDIR_EV_JUNK, j->dir, name,
	                  is_reg ? "not a version id" : "not a regular file");
	return 0;
}

/* 1 damaged, 0 intact or gone meanwhile, <0 could not read. */
static int check_once(statusdir *sd, const struct statusdir_version *v,
                     char *detail, size_t cap)
{
	int fd;
	struct statusdir_version parsed;
	uint64_t file_size;
	int r = statusdir__open_version(sd, v->id, &fd, &parsed, &file_size);
	if (r < 0)
		return r == -ENOENT ? 0 : r; /* pruned while we looked */
	if (file_size != v->size) {
		snprintf(detail, cap, "size %" PRIu64 ", expected %" PRIu64, file_size, v->size);
		r = 1;
	} else {
		r = statusdir__check_version(fd, &parsed, file_size);
		if (r == -EBADMSG) {
			snprintf(detail, cap, "checksum mismatch");
			r = 1;
		}
	}
	statusdir__close(fd);
	return r;
}

/* A finding is confirmed by a second, fresh look before it is reported:
 * through another client of a network filesystem a version pruned under
 * the check can fail to read (ENOENT, ESTALE) or read as another, empty
 * file (a GlusterFS link-to file) for a moment.  A version that is really
 * damaged or unreadable is so again; one that was pruned is gone. */
static int check_one(statusdir *sd, const struct statusdir_version *v,
                     char *detail, size_t cap)
{
	int r = check_once(sd, v, detail, cap);
	return r == 0 ? 0 : check_once(sd, v, detail, cap);
}

/* An unreadable version is reported with its error and does not stop the
 * check: one bad sector must not hide damage in the versions after it. */
static void report_unreadable(const struct statusdir_prune_policy *p, const char *dir,
                              const char *id, int err)
{
	if (!p->report)
		return;
	struct statusdir_event ev = {
		.kind = STATUSDIR_EV_UNREADABLE,
		.dir = dir,
		.name = id,
		.detail = statusdir_strerror(err),
		.error = err,
	};
	p->report(p->report_arg, &ev);
}

/* 0, -EBADMSG (damage found) or the first read error. */
static int check_versions(statusdir *sd, const struct statusdir_prune_policy *p,
                          struct statusdir_counts *counts)
{
	struct statusdir_version *v;
	size_t n;
	char detail[96];
	int r = statusdir_list(sd, &v, &n);
	if (r < 0)
		return r;
	counts->versions = n;
	for (size_t i = 0; i < n; i++) {
		const char *dir = v[i].in_head ? "cur" : "old";
		int c = check_one(sd, &v[i], detail, sizeof(detail));
		if (c < 0) {
			counts->unreadable++;
			report_unreadable(p, dir, v[i].id, c);
			r = r ? r : c;
		} else if (c == 1) {
			counts->damaged++;
			statusdir__report(p, STATUSDIR_EV_DAMAGED, dir, v[i].id, detail);
		}
	}
	statusdir_list_free(v);
	return r;
}

/* ---- format 2 (spec/format2.md, sections 4, 8 and 12) ---- */

/* What a listing of a format-2 cur/ holds: versions above L, checked
 * afterwards; everything else is reported as it is met. */
struct number_scan {
	uint64_t low;
	const struct statusdir_prune_policy *p;
	struct statusdir_counts *counts;
	struct number_list numbers; /* regular files named by a number above L */
};

/* Junk as format 1 reports it, plus what only format 2 has: names at or
 * below L that retention freed and has not removed yet (a crash between
 * its raise and its unlinks, or a stale claim), and tombstones.  Neither
 * is damage: readers ignore both. */
static int note_number(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct number_scan *ns = arg;
	struct stat st;
	uint64_t k;
	const char *detail;
	if (!statusdir__number_parse(name, &k))
		detail = is_reg ? "not a version id" : "not a regular file";
	else if (k <= ns->low)
		detail = "freed, not yet removed";
	else if (is_reg)
		return statusdir__number_list_add(&ns->numbers, k);
	else if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		detail = "lost in a power cut";
	else
		detail = "not a regular file";
	ns->counts->junk++;
	statusdir__report(ns->p, STATUSDIR_EV_JUNK, "cur", name, detail);
	return 0;
}

/* As check_once(), for number k: 1 damaged, 0 intact or freed meanwhile,
 * <0 could not read. */
static int check_number_once(statusdir *sd, uint64_t k, char *detail, size_t cap)
{
	char name[STATUSDIR_ID_SIZE];
	struct stat st;
	struct version_meta m;
	uint64_t low = 0;
	statusdir__number_format(k, name);
	int fd = openat(sd->cur_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ESTALE || errno == ELOOP ? 0 : -errno;
	int r = fstat(fd, &st) == 0 ? 0 : -errno;
	/* L after the open: k at or below it was freed while we looked */
	if (r == 0 && S_ISREG(st.st_mode))
		r = statusdir__low_read(sd, &low);
	if (r < 0 || !S_ISREG(st.st_mode) || k <= low) {
		statusdir__close(fd);
		return r == -ENOENT || r == -ESTALE ? 0 : r;
	}
	r = statusdir__meta_get(fd, &m);
	if (r == -EBADMSG) {
		snprintf(detail, cap, "%s", statusdir__meta_missing(fd)
		                                ? "no user.statusdir attribute (copied without xattrs?)"
		                                : "malformed user.statusdir attribute");
		r = 1;
	} else if (r == 0 && (uint64_t)st.st_size != m.size) {
		snprintf(detail, cap, "size %" PRIu64 ", expected %" PRIu64,
		         (uint64_t)st.st_size, m.size);
		r = 1;
	} else if (r == 0) {
		struct statusdir_version v = { .size = m.size, .checksum = m.checksum };
		r = statusdir__check_version(fd, &v, (uint64_t)st.st_size);
		if (r == -EBADMSG) {
			snprintf(detail, cap, "checksum mismatch");
			r = 1;
		}
	}
	statusdir__close(fd);
	return r;
}

/* Lists cur/ once, reporting junk, leftovers and tombstones, then checks
 * every version above L, newest first; each finding looked at twice, as
 * check_one() does. */
static int check_numbers(statusdir *sd, const struct statusdir_prune_policy *p,
                         struct statusdir_counts *counts)
{
	struct number_scan ns = { .p = p, .counts = counts };
	char name[STATUSDIR_ID_SIZE], detail[96];
	int r = statusdir__low_read(sd, &ns.low);
	if (r == 0)
		r = statusdir__scan(sd->cur_fd, note_number, &ns);
	if (r < 0) {
		statusdir__number_list_free(&ns.numbers);
		return r;
	}
	statusdir__number_list_sort(&ns.numbers);
	counts->versions = ns.numbers.n;
	for (size_t i = ns.numbers.n; i-- > 0;) { /* newest first */
		uint64_t k = ns.numbers.v[i];
		int c = check_number_once(sd, k, detail, sizeof(detail));
		if (c != 0)
			c = check_number_once(sd, k, detail, sizeof(detail));
		statusdir__number_format(k, name);
		if (c < 0) {
			counts->unreadable++;
			report_unreadable(p, "cur", name, c);
			r = r ? r : c;
		} else if (c == 1) {
			counts->damaged++;
			statusdir__report(p, STATUSDIR_EV_DAMAGED, "cur", name, detail);
		}
	}
	statusdir__number_list_free(&ns.numbers);
	return r;
}

int statusdir_verify(statusdir *sd, statusdir_report_fn *report, void *arg,
                     struct statusdir_counts *counts)
{
	struct statusdir_counts local;
	struct statusdir_prune_policy p;
	if (!sd)
		return -EINVAL;
	statusdir_prune_policy_init(&p);
	p.report = report;
	p.report_arg = arg;
	if (!counts)
		counts = &local;
	memset(counts, 0, sizeof(*counts));
	if (sd->format == 2) {
		int r = statusdir__tmp_sweep(sd, 0, TMP_SWEEP_REPORT, &p, counts);
		int e = check_numbers(sd, &p, counts);
		r = r ? r : e;
		return r == 0 && counts->damaged ? -EBADMSG : r;
	}
	struct junk_scan cur = { "cur", &p, counts }, old = { "old", &p, counts };
	int r = statusdir__scan(sd->cur_fd, note_junk, &cur);
	int e = statusdir__scan(sd->old_fd, note_junk, &old);
	r = r ? r : e;
	e = statusdir__tmp_sweep(sd, 0, TMP_SWEEP_REPORT, &p, counts);
	r = r ? r : e;
	e = check_versions(sd, &p, counts);
	r = r ? r : e;
	if (r == 0 && counts->damaged)
		r = -EBADMSG;
	return r;
}
