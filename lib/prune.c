/* SPDX-License-Identifier: MIT */
/* prune.c - removing old versions by policy (spec/protocol.md, "prune";
 * a format-2 store's retention is retire.c's).
 *
 * A version goes when it is beyond the keep newest or older than max_age,
 * but never the greatest id (so cur/ is never empty and ids keep growing)
 * nor the newest intact version (so a damaged newest never leaves readers
 * with nothing good).  Safe beside writers: it removes only what it listed,
 * and new versions are greater than everything listed.  Safe beside other
 * cleaners: a version already gone (ENOENT) is skipped. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void statusdir_prune_policy_init(struct statusdir_prune_policy *p)
{
	memset(p, 0, sizeof(*p));
}

static bool removable(const struct statusdir_prune_policy *p,
                      const struct statusdir_version *v, size_t rank,
                      int64_t now)
{
	if (rank == 0)
		return false; /* the greatest id */
	if (p->keep && rank >= p->keep)
		return true;
	return p->max_age_ns && v->time_ns < now - p->max_age_ns;
}

static bool intact(statusdir *sd, const struct statusdir_version *v)
{
	int fd;
	struct statusdir_version parsed;
	uint64_t file_size;
	if (statusdir__open_version(sd, v->id, &fd, &parsed, &file_size) < 0)
		return false;
	bool ok = statusdir__check_version(fd, &parsed, file_size) == 0;
	statusdir__close(fd);
	return ok;
}

/* Rank of the newest intact version among those ranked below first_gone;
 * n when one ranked before first_gone is intact (then nothing needs it).
 * known_intact (may be NULL) names a version known good without reading
 * it: the one the calling put has just written. */
static size_t newest_intact_to_keep(statusdir *sd, const struct statusdir_version *v,
                                    size_t n, size_t first_gone,
                                    const char *known_intact)
{
	for (size_t i = 0; i < n; i++)
		if ((known_intact && strcmp(v[i].id, known_intact) == 0) ||
		    intact(sd, &v[i]))
			return i < first_gone ? n : i;
	return n;
}

/* 0 removed, 1 already gone, or -errno.  The listing says where the
 * version was; a version listed in cur/ may have moved to old/ since
 * (moves are one-way), one listed in old/ stays there. */
static int remove_version(statusdir *sd, const struct statusdir_version *v)
{
	if (v->in_head) {
		if (unlinkat(sd->cur_fd, v->id, 0) == 0)
			return 0;
		if (errno != ENOENT)
			return -errno;
	}
	if (unlinkat(sd->old_fd, v->id, 0) == 0)
		return 0;
	return errno == ENOENT ? 1 : -errno;
}

static int prune_versions(statusdir *sd, const struct statusdir_prune_policy *p,
                          const char *known_intact, struct statusdir_counts *counts)
{
	struct statusdir_version *v;
	size_t n;
	int r = statusdir_list(sd, &v, &n);
	if (r < 0)
		return r;
	counts->versions = n;
	int64_t now = statusdir__now_ns();
	size_t first_gone = n;
	for (size_t i = 0; i < n && first_gone == n; i++)
		if (removable(p, &v[i], i, now))
			first_gone = i;
	size_t keep_intact = first_gone < n
	                         ? newest_intact_to_keep(sd, v, n, first_gone, known_intact)
	                         : n;
	bool dry = p->flags & STATUSDIR_PRUNE_DRY_RUN;
	for (size_t i = first_gone; i < n; i++) {
		if (i == keep_intact || !removable(p, &v[i], i, now))
			continue;
		int e = dry ? 0 : remove_version(sd, &v[i]);
		if (e < 0) {
			r = r ? r : e;
			continue;
		}
		if (e == 0) {
			counts->removed++;
			statusdir__report(p, STATUSDIR_EV_REMOVED, v[i].in_head ? "cur" : "old",
			                  v[i].id, p->keep && i >= p->keep ? "beyond keep" : "too old");
		}
	}
	statusdir_list_free(v);
	return r;
}

/* The retention recorded in the store, applied after a put commits. */
int statusdir__apply_retention(statusdir *sd, const char *known_intact)
{
	struct statusdir_prune_policy p;
	struct statusdir_counts counts = { 0 };
	uint64_t number = 0;
	if (!sd->cfg.keep && !sd->cfg.max_age_ns)
		return 0;
	statusdir_prune_policy_init(&p);
	p.keep = sd->cfg.keep;
	p.max_age_ns = sd->cfg.max_age_ns;
	if (sd->format == 2) {
		if (known_intact)
			(void)statusdir__number_parse(known_intact, &number);
		return statusdir__retire(sd, &p, number, &counts);
	}
	return prune_versions(sd, &p, known_intact, &counts);
}

static int trim_head(statusdir *sd, const struct statusdir_prune_policy *p,
                     struct statusdir_counts *counts)
{
	struct name_list cur = { 0 };
	int r = statusdir__list_ids(sd->cur_fd, &cur);
	if (r == 0) {
		statusdir__name_list_sort_desc(&cur);
		r = statusdir__head_trim(sd, &cur, NULL, p, counts);
	}
	statusdir__name_list_free(&cur);
	return r;
}

int statusdir_prune(statusdir *sd, const struct statusdir_prune_policy *p,
                    struct statusdir_counts *counts)
{
	struct statusdir_counts local;
	if (!sd || !p || p->max_age_ns < 0 || p->tmp_age_ns < 0 ||
	    (p->flags & ~(unsigned)STATUSDIR_PRUNE_DRY_RUN))
		return -EINVAL;
	bool dry = p->flags & STATUSDIR_PRUNE_DRY_RUN;
	if (!dry && statusdir__writable(sd) < 0)
		return -EROFS;
	if (!counts)
		counts = &local;
	memset(counts, 0, sizeof(*counts));
	/* every step runs even if an earlier one failed; the first error wins */
	if (sd->format == 2) {
		/* no head to trim: the listing counts the versions, validates
		 * the claims whose writers never checked them and takes what
		 * earlier runs freed (stale claims too, whose tmp/ files then
		 * have one link and go in the sweep), then retention frees a
		 * prefix */
		int r = statusdir__retire_leftovers(sd, p, counts);
		int e = statusdir__tmp_sweep(sd, p->tmp_age_ns,
		                             dry ? TMP_SWEEP_DRY_RUN : TMP_SWEEP_REMOVE, p, counts);
		r = r ? r : e;
		e = statusdir__retire(sd, p, 0, counts);
		return r ? r : e;
	}
	int r = statusdir__tmp_sweep(sd, p->tmp_age_ns,
	                             dry ? TMP_SWEEP_DRY_RUN : TMP_SWEEP_REMOVE, p, counts);
	int e = trim_head(sd, p, counts);
	r = r ? r : e;
	if (p->keep || p->max_age_ns) {
		e = prune_versions(sd, p, NULL, counts);
		r = r ? r : e;
	}
	return r;
}
