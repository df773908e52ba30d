/* SPDX-License-Identifier: MIT */
/* skipfsync.c - planted bugs for statusdir-broken, the CLI linked with
 * --wrap=fsync, so that powerloss.sh can show its init round notices a
 * create that is not durable.
 *
 * PL_SKIP_FSYNC=holder:NAME leaves out every fsync of a directory that
 * holds an entry NAME at that moment:
 *   holder:store   the fsync of the new store's parent (lib/open.c,
 *                  create_root); the parents init makes above it are
 *                  flushed before the store exists, so they keep theirs
 *   holder:format  the fsync of the store's own directory once its format
 *                  file is in place (the last step of a create)
 * Without PL_SKIP_FSYNC every fsync is done. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int __real_fsync(int fd);
int __wrap_fsync(int fd);

int __wrap_fsync(int fd)
{
	const char *skip = getenv("PL_SKIP_FSYNC");
	struct stat st;
	if (skip && strncmp(skip, "holder:", 7) == 0 && fstat(fd, &st) == 0 &&
	    S_ISDIR(st.st_mode) && fstatat(fd, skip + 7, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	return __real_fsync(fd);
}
