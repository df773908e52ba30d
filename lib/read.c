/* SPDX-License-Identifier: MIT */
/* read.c - opening a version for reading (spec/protocol.md, "get").
 *
 * The newest is the greatest valid id in cur/.  It is opened relative to
 * cur/'s descriptor with O_NOFOLLOW (no symlink is followed) and O_NONBLOCK
 * (a FIFO planted under a valid name cannot block us), then fstat'd: only a
 * regular file is a version.  Once open, the file stays readable even if a
 * cleaner unlinks it.  If the name vanished between listing and opening, a
 * newer version pushed it to old/ or a cleaner removed it: look again. */
#include "internal.h"

#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Losing the race this many times in a row means writers outpace us
 * without pause; the caller gets -EAGAIN rather than a hang. */
#define NEWEST_TRIES 1000

/* A name removed through another client of a network filesystem may look
 * up as ESTALE (NFS, GlusterFS) rather than ENOENT: to a reader both mean
 * the version is gone, moved or pruned while it looked. */
static int gone_or(int e)
{
	return e == ESTALE ? -ENOENT : -e;
}

static int open_in(int dirfd, const char *id, int *fd, uint64_t *size)
{
	struct stat st;
	int f = openat(dirfd, id, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		return errno == ELOOP ? -ENOENT : gone_or(errno); /* a symlink is not a version */
	if (fstat(f, &st) != 0) {
		int e = gone_or(errno);
		statusdir__close(f);
		return e;
	}
	if (!S_ISREG(st.st_mode)) {
		statusdir__close(f);
		return -ENOENT;
	}
	*fd = f;
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Version by id: cur/ first, then old/.  Moves only go from cur/ to old/,
 * so this order cannot miss a version that exists. */
static int open_by_id(statusdir *sd, const char *id, int *fd, uint64_t *size)
{
	int r = open_in(sd->cur_fd, id, fd, size);
	if (r == -ENOENT)
		r = open_in(sd->old_fd, id, fd, size);
	return r;
}

/* An empty listing of cur/ is believed only if no put ever returned: btrfs
 * (seen on 6.18) can list a directory as empty for milliseconds while
 * renames move entries out of it.  A store that had a version holds the
 * marker file, and never becomes empty again (prune keeps the greatest). */
static int confirm_empty(statusdir *sd, int attempt)
{
	struct stat st;
	if (fstatat(sd->root_fd, STATUSDIR__MARKER, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? -ENOENT : -errno;
	if (attempt > 0) {
		struct timespec pause = { 0, 1000000 }; /* 1 ms: let the listing settle */
		nanosleep(&pause, NULL);
	}
	return 0; /* not empty: look again */
}

static int open_newest(statusdir *sd, int *fd, char id[STATUSDIR_ID_SIZE], uint64_t *size)
{
	int empty_listings = 0;
	for (int i = 0; i < NEWEST_TRIES; i++) {
		int r = statusdir__greatest_in_cur(sd, id);
		if (r == -ENOENT)
			r = confirm_empty(sd, empty_listings++);
		if (r < 0)
			return r; /* -ENOENT: the store is empty */
		if (!id[0])
			continue;
		r = open_in(sd->cur_fd, id, fd, size);
		if (r != -ENOENT)
			return r;
	}
	return -EAGAIN;
}

int statusdir__open_version(statusdir *sd, const char *id, int *fd,
                            struct statusdir_version *v, uint64_t *file_size)
{
	char newest[STATUSDIR_ID_SIZE];
	uint64_t ignored;
	int r;
	if (!file_size)
		file_size = &ignored;
	if (id && *id) {
		r = statusdir_id_parse(id, v);
		if (r == 0)
			r = open_by_id(sd, id, fd, file_size);
		return r;
	}
	r = open_newest(sd, fd, newest, file_size);
	if (r == 0)
		r = statusdir_id_parse(newest, v);
	return r;
}

/* Reads the whole file and compares size and checksum with the id.  Used
 * where the bytes must be known good before any is handed out. */
int statusdir__check_version(int fd, const struct statusdir_version *v,
                            uint64_t file_size)
{
	enum { CHUNK = 64 * 1024 };
	if (file_size != v->size)
		return -EBADMSG;
	char *buf = malloc(CHUNK);
	XXH3_state_t *sum = statusdir__sum_new();
	if (!buf || !sum) {
		free(buf);
		statusdir__sum_free(sum);
		return -ENOMEM;
	}
	uint64_t off = 0;
	int r = 0;
	while (r == 0 && off <= v->size) {
		ssize_t n = pread(fd, buf, CHUNK, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		else if (n == 0)
			break;
		else {
			statusdir__sum_update(sum, buf, (size_t)n);
			off += (uint64_t)n;
		}
	}
	if (r == 0 && (off != v->size || statusdir__sum_digest(sum) != v->checksum))
		r = -EBADMSG;
	free(buf);
	statusdir__sum_free(sum);
	return r;
}
