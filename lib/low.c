/* SPDX-License-Identifier: MIT */
/* low.c - the low-water mark L and the hint of format 2 (spec/format2.md,
 * sections 5 and 11).
 *
 * L is the size of STORE/low: every number at or below it has been freed
 * by retention, and no claim of such a number is ever valid.  It only
 * rises: a raise writes one byte at offset c - 1, and a write past the end
 * of a file makes its size max(size, c) under the inode's lock, an atomic
 * max-register that two cleaners can race on.  Nothing truncates it.
 *
 * STORE/hint is a hint of the greatest number, also as its size: writers
 * set it every HINT_EVERY numbers so that a fresh process starts its
 * search near the top.  A stale or out-of-order hint costs probes, never
 * correctness (search.c checks presence and L). */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOW_NAME "low"
#define HINT_NAME "hint"

/* The size of an open file, asked of the filesystem itself: on NFS and
 * FUSE AT_STATX_FORCE_SYNC bypasses the attribute cache, so a check never
 * reads an old L (spec/format2.md, section 14). */
static int fresh_size(int fd, uint64_t *size)
{
#if defined(HAVE_STATX) && defined(AT_STATX_FORCE_SYNC)
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC, STATX_SIZE, &stx) == 0) {
		*size = stx.stx_size;
		return 0;
	}
	if (errno != ENOSYS && errno != EINVAL)
		return -errno;
#endif
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	*size = (uint64_t)st.st_size;
	return 0;
}

int statusdir__low_read(statusdir *sd, uint64_t *low)
{
	return fresh_size(sd->low_fd, low);
}

/* One MiB of low's bytes: a raise into a new one frees the blocks below,
 * so the file does not keep a byte per freed number. */
#define LOW_PUNCH_UNIT (UINT64_C(1) << 20)

int statusdir__low_raise(statusdir *sd, uint64_t cut)
{
	if (cut == 0)
		return 0;
	if (cut > NUMBER_MAX)
		return -EFBIG;
	/* O_DSYNC: durable before the unlinks it permits (R3 before R4) */
	int fd = openat(sd->root_fd, LOW_NAME, O_WRONLY | O_DSYNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	uint64_t before = 0;
	int r = fresh_size(fd, &before);
	if (r == 0 && before < cut) {
		static const char zero = 0;
		ssize_t n;
		do
			n = pwrite(fd, &zero, 1, (off_t)(cut - 1));
		while (n < 0 && errno == EINTR);
		r = n == 1 ? 0 : n < 0 ? -errno : -EIO;
	}
#if defined(FALLOC_FL_PUNCH_HOLE) && defined(FALLOC_FL_KEEP_SIZE)
	uint64_t unit = (cut - 1) / LOW_PUNCH_UNIT * LOW_PUNCH_UNIT;
	if (r == 0 && unit > 0 && before <= unit)
		(void)fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
		                (off_t)unit); /* space only: EOPNOTSUPP keeps it */
#endif
	int c = statusdir__close(fd);
	return r ? r : c;
}

uint64_t statusdir__hint_read(statusdir *sd)
{
	uint64_t hint = 0;
	return sd->hint_fd >= 0 && fresh_size(sd->hint_fd, &hint) == 0 ? hint : 0;
}

void statusdir__hint_set(statusdir *sd, uint64_t n)
{
	/* best effort: a hint that stays old only costs a later search */
	if (sd->hint_fd >= 0 && n <= NUMBER_MAX)
		(void)ftruncate(sd->hint_fd, (off_t)n);
}

int statusdir__low_hint_open(statusdir *sd)
{
	sd->low_fd = openat(sd->root_fd, LOW_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (sd->low_fd < 0)
		return errno == ENOENT ? -EMEDIUMTYPE : -errno;
	/* a reader, or a writer that may not write the hint, reads it only */
	sd->hint_fd = sd->readonly ? -1
	              : openat(sd->root_fd, HINT_NAME, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (sd->hint_fd < 0)
		sd->hint_fd = openat(sd->root_fd, HINT_NAME, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return 0; /* no hint: searches start from L */
}

int statusdir__low_hint_create(int root_fd, const struct statusdir_config *cfg)
{
	const char *names[] = { LOW_NAME, HINT_NAME };
	for (size_t i = 0; i < 2; i++) {
		/* two inits of one store at once may both come here */
		int fd = statusdir__open_or_create(root_fd, names[i], 0666);
		if (fd < 0)
			return fd;
		/* writers raise L and set the hint: whoever may write versions */
		int r = cfg->mode && fchmod(fd, cfg->mode | 0600) != 0 ? -errno : 0;
		if (r == 0)
			r = statusdir__fsync(fd);
		int c = statusdir__close(fd);
		if (r || c)
			return r ? r : c;
	}
	return 0;
}
