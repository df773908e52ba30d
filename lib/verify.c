/* SPDX-License-Identifier: MIT */
/* verify.c - reading every version back and checking it against its id;
 * reporting junk and leftovers apart from damage. */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
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
