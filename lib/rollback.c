/* SPDX-License-Identifier: MIT */
/* rollback.c - committing an old version's bytes again as the newest.
 * History is never rewritten: the old version stays where it is, and the
 * new one is an ordinary put (same size and checksum, a new id). */
#include "internal.h"

#include <errno.h>

int statusdir_rollback(statusdir *sd, const char *ref, unsigned flags, char *new_id)
{
	struct statusdir_version v;
	char resolved[STATUSDIR_ID_SIZE];
	const char *id;
	uint64_t file_size = 0;
	int fd = -1;
	if (!sd || !ref || !*ref)
		return -EINVAL; /* a rollback names its version: no "newest" */
	int r = statusdir__ref_id(sd, ref, resolved, &id);
	if (r == 0)
		r = statusdir__open_version(sd, id, &fd, &v, &file_size);
	if (r < 0)
		return r;
	/* never re-commit damage; the check reads by offset, so fd is still
	 * at the start, and a version's file never changes once committed */
	r = statusdir__check_version(fd, &v, file_size);
	if (r == 0)
		r = statusdir_put_fd(sd, fd, flags, new_id);
	statusdir__close(fd);
	return r;
}
