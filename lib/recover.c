/* SPDX-License-Identifier: MIT */
/* recover.c - sealing the holes a power cut can leave in a format-2 store
 * (spec/format2.md, section 12).
 *
 * A put that is not durable when it returns (no-sync, one flush) can lose
 * its name in a power cut while a greater number survives: a hole.  A
 * writer would then claim the hole's number below a version that exists,
 * so the order of commits would no longer be the order of numbers.  So
 * before its first such claim in a boot, a writer leaves the marker
 * STORE/unsynced.HOST.BOOT (once per boot and store, made durable), and a
 * writable open that finds a marker of its own host from another boot
 * seals every hole below the greatest number with a tombstone, a symbolic
 * link to "lost", before anything else: symlinkat(2) is exclusive, like
 * the claim, so a number is a version or a tombstone, never both.  Then it
 * removes those markers.  Every step can be done twice. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MARKER_PREFIX "unsynced."
#define TOMBSTONE_TARGET "lost"

/* "unsynced.HOST." of this writer into out. */
static void marker_prefix(const statusdir *sd, char *out, size_t cap)
{
	snprintf(out, cap, MARKER_PREFIX "%s.", sd->me.host);
}

int statusdir__mark_unsynced(statusdir *sd)
{
	char name[NAME_MAX + 1];
	struct stat st;
	if (sd->unsynced_marked)
		return 0;
	marker_prefix(sd, name, sizeof(name));
	size_t len = strlen(name);
	snprintf(name + len, sizeof(name) - len, "%s", sd->me.boot_id);
	if (fstatat(sd->root_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			return -errno;
		int fd = statusdir__open_or_create(sd->root_fd, name, 0666);
		if (fd < 0)
			return fd;
		int r = statusdir__fsync(fd);
		int c = statusdir__close(fd);
		/* durable before the claim it announces */
		if (r == 0 && c == 0)
			r = statusdir__fsync(sd->root_fd);
		if (r || c)
			return r ? r : c;
	}
	sd->unsynced_marked = true;
	return 0;
}

/* The BOOT part of a marker of this host: 32 hex digits (tmpname.c); a
 * longer rest is another host whose name begins with ours and a dot. */
static bool is_boot_id(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return n == 32 && s[n] == '\0';
}

struct markers {
	const statusdir *sd;
	char prefix[NAME_MAX + 1];
	bool found; /* one of this host from another boot */
};

static int find_marker(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct markers *m = arg;
	size_t len = strlen(m->prefix);
	(void)dirfd;
	if (is_reg && strncmp(name, m->prefix, len) == 0 && is_boot_id(name + len) &&
	    strcmp(name + len, m->sd->me.boot_id) != 0)
		m->found = true;
	return 0;
}

static int unlink_marker(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct markers *m = arg;
	size_t len = strlen(m->prefix);
	if (is_reg && strncmp(name, m->prefix, len) == 0 && is_boot_id(name + len) &&
	    strcmp(name + len, m->sd->me.boot_id) != 0 && unlinkat(dirfd, name, 0) != 0 &&
	    errno != ENOENT)
		return -errno;
	return 0;
}

struct numbers {
	struct number_list list;
	uint64_t low;
};

static int collect_number(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct numbers *l = arg;
	uint64_t k;
	(void)dirfd;
	(void)is_reg; /* a tombstone counts: its number is taken */
	if (!statusdir__number_parse(name, &k) || k <= l->low)
		return 0;
	return statusdir__number_list_add(&l->list, k);
}

/* Every number above L and below the greatest listed without a name gets
 * a tombstone; 0 or -errno. */
static int seal_holes(statusdir *sd)
{
	struct numbers l = { 0 };
	int r = statusdir__low_read(sd, &l.low);
	if (r == 0)
		r = statusdir__scan(sd->cur_fd, collect_number, &l);
	const struct number_list *n = &l.list;
	if (r == 0 && n->n > 0) {
		statusdir__number_list_sort(&l.list);
		size_t i = 0;
		for (uint64_t k = l.low + 1; r == 0 && k < n->v[n->n - 1]; k++) {
			while (n->v[i] < k)
				i++;
			if (n->v[i] == k)
				continue;
			char name[STATUSDIR_ID_SIZE];
			statusdir__number_format(k, name);
			if (symlinkat(TOMBSTONE_TARGET, sd->cur_fd, name) != 0 && errno != EEXIST)
				r = -errno;
		}
	}
	statusdir__number_list_free(&l.list);
	return r == 0 ? statusdir__fsync(sd->cur_fd) : r;
}

int statusdir__recover(statusdir *sd)
{
	struct markers m = { .sd = sd };
	marker_prefix(sd, m.prefix, sizeof(m.prefix));
	int r = statusdir__scan(sd->root_fd, find_marker, &m);
	if (r < 0 || !m.found)
		return r;
	r = seal_holes(sd);
	if (r == 0)
		r = statusdir__scan(sd->root_fd, unlink_marker, &m);
	return r == 0 ? statusdir__fsync(sd->root_fd) : r;
}
