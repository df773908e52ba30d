/* SPDX-License-Identifier: MIT */
/* rollback.c - committing an old version's bytes again as the newest.
 * History is never rewritten: the old version stays where it is, and the
 * new one is an ordinary put (same size and checksum, a new id). */
#include "internal.h"

#include <errno.h>

int statusdir_rollback(statusdir *sd, const char *id, unsigned flags, char *new_id)
{
	struct statusdir_version v;
	uint64_t file_size;
	int fd = -1;
	if (!sd || !id || !*id)
		return -EINVAL;
	int r = statusdir__open_version(sd, id, &fd, &v, &file_size);
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
