/* SPDX-License-Identifier: MIT */
/* mkdirs.c - init's "mkdir -p": the missing directories above a new store.
 *
 * The walk goes one name at a time, each looked up, made and flushed
 * relative to the directory opened before it, never by a path that could
 * lead elsewhere by the time it is used.  An existing directory is
 * opened as mkdir -p would follow it (a symbolic link to a directory will
 * do); one made here is reopened with O_NOFOLLOW and made durable before
 * the walk goes on: first itself, then its entry in its parent, so that a
 * power cut never leaves an entry to an inode that was not written. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Only looked through, never read or flushed: O_PATH needs no read
 * permission, as path lookup needs none. */
#ifdef O_PATH
#define WALK_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define WALK_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif
#define SYNC_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)

static void close_walk_fd(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* fsyncs directory name of dirfd, opened afresh with flags added (walk
 * fds may be O_PATH, which fsync refuses): 0 or -errno. */
static int sync_at(int dirfd, const char *name, int flags)
{
	int fd = openat(dirfd, name, SYNC_FLAGS | flags);
	if (fd < 0)
		return -errno;
	int r = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return r;
}

/* The directory name of dirfd, made first if it is missing: a walk fd, or
 * -errno. */
static int open_or_make(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, WALK_FLAGS);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return -errno;
	int nofollow = O_NOFOLLOW; /* made here: it must be what is opened */
	if (mkdirat(dirfd, name, 0777) != 0) {
		if (errno != EEXIST)
			return -errno;
		/* another process made it at the same moment (it may not be
		 * durable yet), or it is a symbolic link that leads nowhere */
		nofollow = 0;
	}
	int r = sync_at(dirfd, name, nofollow);
	if (r == 0)
		r = sync_at(dirfd, ".", 0);
	if (r < 0)
		return r == -ENOENT && !nofollow ? -EEXIST : r; /* as mkdir -p says */
	fd = openat(dirfd, name, WALK_FLAGS | nofollow);
	if (fd < 0)
		return -errno;
	return fd;
}

/* Walks the directories of path[0..end) (path is a writable copy), making
 * the missing ones: 0, or -errno with *failed_at set to the length of the
 * prefix that names the directory that could not be made. */
static int walk(char *path, size_t end, size_t *failed_at)
{
	int fd = path[0] == '/' ? open("/", WALK_FLAGS) : AT_FDCWD;
	if (fd == -1) {
		*failed_at = 1;
		return -errno;
	}
	for (size_t i = 0, j; i < end; i = j + 1) {
		while (i < end && path[i] == '/')
			i++;
		if (i == end)
			break;
		for (j = i; j < end && path[j] != '/'; j++)
			;
		path[j] = '\0';
		int next = open_or_make(fd, path + i);
		close_walk_fd(fd);
		if (next < 0) {
			*failed_at = j;
			return next;
		}
		fd = next;
	}
	close_walk_fd(fd);
	return 0;
}

int make_parents(const char *store)
{
	size_t end = strlen(store), failed_at = 0;
	while (end > 1 && store[end - 1] == '/') /* "a/b/" names a/b */
		end--;
	while (end > 0 && store[end - 1] != '/')
		end--;
	if (end == 0) /* in the current directory */
		return 0;
	char *copy = strdup(store);
	if (!copy) {
		error_msg(store, "cannot create its parent directories: %s", strerror(ENOMEM));
		return EXIT_FAILED;
	}
	int r = walk(copy, end, &failed_at);
	free(copy);
	if (r == 0)
		return 0;
	error_msg(store, "cannot create %.*s: %s", (int)failed_at, store, strerror(-r));
	return EXIT_FAILED;
}
