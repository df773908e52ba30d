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

/* -ENOENT for a name gone (statusdir__gone), else -e. */
static int gone_or(int e)
{
	return statusdir__gone(e) ? -ENOENT : -e;
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
int statusdir__confirm_empty(statusdir *sd, int attempt)
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
			r = statusdir__confirm_empty(sd, empty_listings++);
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

/* ---- format 2 (spec/format2.md, section 9) ---- */

/* Opens cur/NAME (n's name) as a version: 0 and fd and stat, -ENOENT
 * (absent), STATUSDIR__LOST (a tombstone, or not a file), or -errno. */
static int open_number_file(statusdir *sd, const char *name, int *fd, struct stat *st)
{
	int f = openat(sd->cur_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		/* a tombstone is a symlink: the number was lost in a power cut */
		return errno == ELOOP ? STATUSDIR__LOST : gone_or(errno);
	int r = fstat(f, st) == 0 ? 0 : gone_or(errno);
	if (r == 0 && !S_ISREG(st->st_mode))
		r = STATUSDIR__LOST; /* not a version: nothing to read under it */
	if (r != 0) {
		statusdir__close(f);
		return r;
	}
	*fd = f;
	return 0;
}

static void number_version(uint64_t n, struct statusdir_version *v)
{
	statusdir__number_format(n, v->id);
	v->time_ns = 0;
	v->size = v->checksum = 0;
	v->in_head = 1;
}

int statusdir__open_number(statusdir *sd, uint64_t n, int *fd,
                           struct statusdir_version *v, uint64_t *file_size)
{
	struct stat st = { 0 };
	struct version_meta m;
	uint64_t low = 0;
	int f = -1;
	number_version(n, v);
	int r = open_number_file(sd, v->id, &f, &st);
	if (r != 0)
		return r;
	/* L after the open: n above it means the real version n (lemma 3) */
	r = statusdir__low_read(sd, &low);
	if (r == 0 && n <= low)
		r = -ENOENT; /* freed by retention, or a stale claim */
	if (r == 0)
		r = statusdir__meta_get(f, &m);
	if (r != 0) {
		statusdir__close(f);
		return r;
	}
	v->time_ns = m.time_ns;
	v->size = m.size;
	v->checksum = m.checksum;
	*fd = f;
	*file_size = (uint64_t)st.st_size;
	return 0;
}

int statusdir__number_meta(statusdir *sd, uint64_t n, struct statusdir_version *v)
{
	struct stat st;
	struct version_meta m;
	int f;
	number_version(n, v);
	int r = open_number_file(sd, v->id, &f, &st);
	if (r != 0)
		return r;
	r = statusdir__meta_get(f, &m);
	statusdir__close(f);
	if (r == 0) {
		v->time_ns = m.time_ns;
		v->size = m.size;
		v->checksum = m.checksum;
	}
	return r;
}

/* The newest version: search for the greatest number from what the handle
 * knows (or the hint), open it, and check it against L.  A tombstone or a
 * non-file at the top means the one below; a number freed meanwhile means
 * searching again from L + 1. */
/* The common case, a handle that keeps up: the number after the last one
 * it saw is absent, and that one opens above L (read after the open), so it
 * is the newest (section 9, step 4, with the open as the probe of m): one
 * probe, no read of L before, no search.  1: not so, search. */
static int open_known_newest(statusdir *sd, int *fd, struct statusdir_version *v,
                             uint64_t *file_size)
{
	if (!sd->known)
		return 1;
	int r = statusdir__probe(sd, sd->known + 1);
	if (r != 0)
		return r < 0 ? r : 1; /* others put since: search */
	r = statusdir__open_number(sd, sd->known, fd, v, file_size);
	if (r == 0 || r == -EBADMSG)
		return r;
	return r == STATUSDIR__LOST || r == -ENOENT ? 1 : r;
}

static int open_newest_number(statusdir *sd, int *fd, struct statusdir_version *v,
                              uint64_t *file_size)
{
	int r = open_known_newest(sd, fd, v, file_size);
	if (r <= 0)
		return r;
	int empty_looks = 0;
	for (int i = 0; i < NEWEST_TRIES; i++) {
		uint64_t low, greatest;
		r = statusdir__search_newest(sd, &greatest, &low);
		if (r < 0)
			return r;
		if (greatest == 0) {
			/* nothing above L: an empty store, or retention ran while
			 * we looked (it never frees the greatest) */
			r = low == 0 ? statusdir__confirm_empty(sd, empty_looks++) : 0;
			if (r < 0)
				return r;
			continue;
		}
		for (uint64_t k = greatest; k > low; k--) {
			r = statusdir__open_number(sd, k, fd, v, file_size);
			if (r == STATUSDIR__LOST)
				continue;
			if (r == 0 || r == -EBADMSG) {
				if (greatest > sd->known)
					sd->known = greatest;
			}
			if (r != -ENOENT)
				return r;
			break; /* freed meanwhile: look again */
		}
	}
	return -EAGAIN;
}

/* A late format-1 name that no upgrade, prune or verify has adopted yet
 * (spec/format2.md, 16): still in cur/ under its format-1 id, or in old/
 * if its writer's head trim moved it there.  The id gives size and
 * checksum, as in format 1. */
static int open_late_v1(statusdir *sd, const char *id1, int *fd,
                        struct statusdir_version *v, uint64_t *file_size)
{
	int r = statusdir_id_parse(id1, v);
	if (r == 0)
		r = open_in(sd->cur_fd, id1, fd, file_size);
	if (r != -ENOENT)
		return r;
	int old_fd = statusdir__open_dir_at(sd->root_fd, "old");
	if (old_fd < 0)
		return gone_or(-old_fd);
	r = open_in(old_fd, id1, fd, file_size);
	statusdir__close(old_fd);
	return r;
}

/* A format-2 version by id: its number, or, for a format-1 id, the
 * number an upgrade gave it, or its late name (-ENOENT in a store made as
 * format 2). */
static int open_by_number(statusdir *sd, const char *id, int *fd,
                          struct statusdir_version *v, uint64_t *file_size)
{
	uint64_t n;
	if (statusdir_id_parse(id, NULL) < 0)
		return -EINVAL;
	/* upgrade hook: old ids through STORE/ids-1 (ids1.c) */
	if (!statusdir__number_parse(id, &n)) {
		int r = statusdir__id_from_v1(sd, id, &n);
		if (r == -ENOENT && sd->upgraded) {
			r = open_late_v1(sd, id, fd, v, file_size);
			if (r != -ENOENT)
				return r;
			/* adopted meanwhile: its mapping was written before its
			 * format-1 name went */
			r = statusdir__id_from_v1(sd, id, &n);
		}
		if (r < 0)
			return r;
	}
	int r = statusdir__open_number(sd, n, fd, v, file_size);
	return r == STATUSDIR__LOST ? -ENOENT : r;
}

int statusdir__open_version(statusdir *sd, const char *id, int *fd,
                            struct statusdir_version *v, uint64_t *file_size)
{
	char newest[STATUSDIR_ID_SIZE];
	uint64_t ignored;
	int r;
	if (!file_size)
		file_size = &ignored;
	if (sd->format == 2)
		return id && *id ? open_by_number(sd, id, fd, v, file_size)
		                 : open_newest_number(sd, fd, v, file_size);
	if (id && *id) {
		if (statusdir__number_parse(id, NULL))
			return -ENOENT; /* a format-2 id names nothing here */
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
	struct statusdir__sum *sum = statusdir__sum_new();
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
