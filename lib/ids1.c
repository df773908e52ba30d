/* SPDX-License-Identifier: MIT */
/* ids1.c - the format-1 ids of an upgraded store and their numbers
 * (spec/format2.md, section 16).
 *
 *   STORE/ids-1       one line per version numbered by the upgrade, sorted
 *   STORE/ids-1.late  one line per late version adopted after it, appended
 *
 * Every line has the same width, so that line k starts at byte 112 * k
 * and a lookup is a binary search of O(log M) preads:
 *
 *   ID1, padded with spaces to 90 bytes, SP, NUMBER (20 digits), LF
 *
 * Padding does not change the order: no format-1 id is a prefix of
 * another (each ends in "." and 16 hex digits after its size). */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IDS1_NAME "ids-1"
#define IDS1_LATE_NAME "ids-1.late"
#define LINE_SIZE (STATUSDIR_ID_MAX + 1 + NUMBER_DIGITS + 1)

static void format_line(const char *id1, uint64_t n, char line[LINE_SIZE + 1])
{
	snprintf(line, LINE_SIZE + 1, "%-*s %0*" PRIu64 "\n", STATUSDIR_ID_MAX, id1,
	         NUMBER_DIGITS, n);
}

/* The id of a line into id1 (its padding cut) and its number into *n;
 * false if the line is malformed. */
static bool parse_line(const char *line, char id1[STATUSDIR_ID_SIZE], uint64_t *n)
{
	char number[NUMBER_DIGITS + 1];
	size_t len = STATUSDIR_ID_MAX;
	while (len > 0 && line[len - 1] == ' ')
		len--;
	if (line[STATUSDIR_ID_MAX] != ' ' || line[LINE_SIZE - 1] != '\n')
		return false;
	memcpy(id1, line, len);
	id1[len] = '\0';
	memcpy(number, line + STATUSDIR_ID_MAX + 1, NUMBER_DIGITS);
	number[NUMBER_DIGITS] = '\0';
	return statusdir__number_parse(number, n);
}

static int entry_cmp(const void *a, const void *b)
{
	return statusdir__id_cmp(((const struct ids1_entry *)a)->id1,
	                         ((const struct ids1_entry *)b)->id1);
}

/* A new file beside the store's files, readable as the format file is. */
static int create_file(int root_fd, const char *name, int flags,
                       const struct statusdir_config *cfg)
{
	int fd = openat(root_fd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | flags, 0666);
	if (fd < 0)
		return -errno;
	if (cfg->mode && fchmod(fd, cfg->mode | 0600) != 0) {
		int e = -errno;
		statusdir__close(fd);
		return e;
	}
	return fd;
}

int statusdir__ids1_write(int root_fd, struct ids1_entry *e, size_t n,
                          const struct statusdir_config *cfg)
{
	char tmp[64], hex[33], line[LINE_SIZE + 1];
	uint8_t u[16];
	if (n > 1)
		qsort(e, n, sizeof(*e), entry_cmp);
	statusdir__random16(u);
	statusdir__hex(u, sizeof(u), hex);
	snprintf(tmp, sizeof(tmp), "." IDS1_NAME ".%s", hex);
	int fd = create_file(root_fd, tmp, O_EXCL, cfg);
	if (fd < 0)
		return fd;
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++) {
		format_line(e[i].id1, e[i].number, line);
		r = statusdir__write_all(fd, line, LINE_SIZE);
	}
	if (r == 0)
		r = statusdir__fsync(fd);
	int c = statusdir__close(fd);
	if (r == 0)
		r = c;
	/* replaced whole: a lookup reads the old file or the new one */
	if (r == 0 && renameat(root_fd, tmp, root_fd, IDS1_NAME) != 0)
		r = -errno;
	if (r < 0)
		(void)unlinkat(root_fd, tmp, 0); /* best effort: r says what failed */
	return r;
}

int statusdir__ids1_append_late(int root_fd, const char *id1, uint64_t n,
                                const struct statusdir_config *cfg)
{
	char line[LINE_SIZE + 1];
	struct stat st;
	bool made = fstatat(root_fd, IDS1_LATE_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0;
	int fd = create_file(root_fd, IDS1_LATE_NAME, O_APPEND, cfg);
	if (fd < 0)
		return fd;
	format_line(id1, n, line);
	int r = statusdir__write_all(fd, line, LINE_SIZE);
	if (r == 0)
		r = statusdir__fsync(fd);
	int c = statusdir__close(fd);
	if (r == 0)
		r = c;
	if (r == 0 && made) /* its name too */
		r = statusdir__fsync(root_fd);
	return r;
}

/* Line k of fd into line: 0, -EBADMSG (short or malformed), -errno. */
static int read_line(int fd, uint64_t k, char id1[STATUSDIR_ID_SIZE], uint64_t *n)
{
	char line[LINE_SIZE];
	ssize_t got;
	do
		got = pread(fd, line, LINE_SIZE, (off_t)(k * LINE_SIZE));
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	if (got != LINE_SIZE || !parse_line(line, id1, n))
		return -EBADMSG;
	return 0;
}

/* The lines of a file: 0 and their count, -ENOENT (no file), -EBADMSG. */
static int open_lines(statusdir *sd, const char *name, int *fd, uint64_t *lines)
{
	struct stat st = { 0 };
	int f = openat(sd->root_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (f < 0)
		return -errno;
	int r = fstat(f, &st) != 0 ? -errno
	        : !S_ISREG(st.st_mode) || st.st_size % LINE_SIZE != 0 ? -EBADMSG : 0;
	if (r < 0) {
		statusdir__close(f);
		return r;
	}
	*fd = f;
	*lines = (uint64_t)st.st_size / LINE_SIZE;
	return 0;
}

static int search_sorted(statusdir *sd, const char *id1, uint64_t *n)
{
	char found[STATUSDIR_ID_SIZE];
	uint64_t lo = 0, hi = 0, k = 0;
	int fd = -1, r = open_lines(sd, IDS1_NAME, &fd, &hi);
	if (r < 0)
		return r;
	r = -ENOENT;
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		int e = read_line(fd, mid, found, &k);
		if (e < 0) {
			r = e;
			break;
		}
		int c = statusdir__id_cmp(id1, found);
		if (c == 0) {
			*n = k;
			r = 0;
			break;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	statusdir__close(fd);
	return r;
}

/* ids-1.late is short (late versions are few) and in adoption order. */
static int search_late(statusdir *sd, const char *id1, uint64_t *n)
{
	char found[STATUSDIR_ID_SIZE];
	uint64_t lines = 0, k = 0;
	int fd = -1, r = open_lines(sd, IDS1_LATE_NAME, &fd, &lines);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (uint64_t i = 0; i < lines && r == -ENOENT; i++) {
		int e = read_line(fd, i, found, &k);
		if (e < 0)
			r = e;
		else if (strcmp(found, id1) == 0) {
			*n = k;
			r = 0;
		}
	}
	statusdir__close(fd);
	return r;
}

int statusdir__id_from_v1(statusdir *sd, const char *id1, uint64_t *n)
{
	if (!sd->upgraded || !statusdir__id_valid(id1))
		return -ENOENT;
	int r = search_sorted(sd, id1, n);
	if (r == -ENOENT)
		r = search_late(sd, id1, n);
	return r;
}
