/* SPDX-License-Identifier: MIT */
/* head.c - keeping cur/ small: versions beyond the STATUSDIR_HEAD newest
 * move to old/, so that finding the newest lists a handful of names however
 * long the history is.
 *
 * Why this never moves the newest: a version is moved only when the listing
 * held STATUSDIR_HEAD greater ids, and the greatest id is never moved nor
 * pruned, so a greater version always stays in cur/.  Moves go one way
 * (cur/ to old/) by rename(2), so a lookup by id that tries cur/ and then
 * old/ cannot miss a version that exists.  Moves need no fsync: a move lost
 * in a crash leaves the version in cur/, where the next put moves it again. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>

void statusdir__report(const struct statusdir_prune_policy *p,
                       enum statusdir_event_kind kind, const char *dir,
                       const char *name, const char *detail)
{
	if (!p || !p->report)
		return;
	struct statusdir_event ev = {
		.kind = kind,
		.dir = dir,
		.name = name,
		.dry_run = (p->flags & STATUSDIR_PRUNE_DRY_RUN) != 0,
		.detail = detail,
	};
	p->report(p->report_arg, &ev);
}

static int move_to_old(statusdir *sd, const char *id)
{
	if (renameat(sd->cur_fd, id, sd->old_fd, id) == 0)
		return 0;
	/* moved or pruned by someone else meanwhile: nothing left to do */
	return errno == ENOENT ? 1 : -errno;
}

int statusdir__head_trim(statusdir *sd, const struct name_list *cur,
                         const char *extra,
                         const struct statusdir_prune_policy *p,
                         struct statusdir_counts *counts)
{
	bool dry = p && (p->flags & STATUSDIR_PRUNE_DRY_RUN);
	/* the extra id is the version this process has just put, not in the
	 * listing: it counts as one of the greater ones for every listed id
	 * it sorts above (never for one it sorts below, which could move the
	 * newest) */
	size_t greater = 0;
	bool extra_counted = extra == NULL;
	int err = 0;
	for (size_t i = 0; i < cur->n; i++) {
		const char *id = cur->names[i];
		if (!extra_counted && statusdir__id_cmp(extra, id) > 0) {
			extra_counted = true;
			greater++;
		}
		if (greater++ < STATUSDIR_HEAD)
			continue;
		int r = dry ? 0 : move_to_old(sd, id);
		if (r < 0) {
			err = err ? err : r;
			continue;
		}
		if (r == 0) {
			statusdir__report(p, STATUSDIR_EV_MOVED, "cur", id, "beyond the head");
			if (counts)
				counts->moved++;
		}
	}
	return err;
}
