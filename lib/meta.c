/* SPDX-License-Identifier: MIT */
/* meta.c - a format-2 version's size, checksum and time, kept in the
 * extended attribute user.statusdir (spec/format2.md, section 4):
 *
 *   SIZE SP SUM SP TIME [SP "id1=" ID1]
 *                            e.g. "3 54ea8356d941009d 1795720423123456789"
 *
 * The id1= suffix names the format-1 id of a version that an upgrade
 * numbered (upgrade.c): a re-run of the upgrade finds its work by it.
 * It is set on the file in tmp/ before the claim, so it belongs to the
 * inode from the moment the version is visible and moves with every link.
 * Readers parse it strictly: missing or malformed means damaged. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#define META_NAME "user.statusdir"
/* 57 bytes without the suffix; with it, 152 at most (two 20-digit sizes) */
#define META_MAX 160
#define ID1_KEY " id1="

int statusdir__meta_set_id1(int fd, const struct version_meta *m, const char *id1)
{
	char text[META_MAX];
	int n = snprintf(text, sizeof(text), "%" PRIu64 " %016" PRIx64 " %019" PRId64 "%s%s",
	                 m->size, m->checksum, m->time_ns, id1 ? ID1_KEY : "", id1 ? id1 : "");
	if (n < 0 || (size_t)n >= sizeof(text))
		return -EINVAL;
	if (fsetxattr(fd, META_NAME, text, (size_t)n, 0) != 0)
		return errno == ENOTSUP ? -EOPNOTSUPP : -errno;
	return 0;
}

int statusdir__meta_set(int fd, const struct version_meta *m)
{
	return statusdir__meta_set_id1(fd, m, NULL);
}

static bool parse_meta(const char *text, size_t len, struct version_meta *m,
                       char id1[STATUSDIR_ID_SIZE])
{
	const char *end = text + len;
	id1[0] = '\0';
	/* the text is not NUL-terminated: the parsers stop at a space, and
	 * each field's length is checked against end first */
	const char *sp1 = memchr(text, ' ', len);
	if (!sp1 || statusdir__parse_dec(text, UINT64_MAX, &m->size) != (size_t)(sp1 - text))
		return false;
	const char *sum = sp1 + 1;
	if (end - sum < 17 || sum[16] != ' ' || !statusdir__parse_hex(sum, 16, &m->checksum))
		return false;
	const char *time = sum + 17;
	uint64_t t = 0;
	if (end - time < ID_TIME_DIGITS)
		return false;
	const char *suffix = time + ID_TIME_DIGITS;
	size_t key = sizeof(ID1_KEY) - 1, rest = (size_t)(end - suffix);
	if (rest > 0) {
		/* only a format-1 id may follow, after " id1=" */
		if (rest <= key || rest - key > STATUSDIR_ID_MAX ||
		    memcmp(suffix, ID1_KEY, key) != 0)
			return false;
		memcpy(id1, suffix + key, rest - key);
		id1[rest - key] = '\0';
		if (!statusdir__id_valid(id1))
			return false;
		end = suffix;
	}
	if (end - time != ID_TIME_DIGITS || !statusdir__parse_time(time, &t))
		return false;
	m->time_ns = (int64_t)t;
	return true;
}

int statusdir__meta_get(int fd, struct version_meta *m)
{
	char id1[STATUSDIR_ID_SIZE];
	return statusdir__meta_get_id1(fd, m, id1);
}

int statusdir__meta_get_id1(int fd, struct version_meta *m, char id1[STATUSDIR_ID_SIZE])
{
	char text[META_MAX];
	ssize_t n = fgetxattr(fd, META_NAME, text, sizeof(text));
	if (n < 0) {
		/* none, or too long to be ours: the version is damaged */
		if (errno == ENODATA || errno == ERANGE)
			return -EBADMSG;
		return errno == ENOTSUP ? -EOPNOTSUPP : -errno;
	}
	return parse_meta(text, (size_t)n, m, id1) ? 0 : -EBADMSG;
}

bool statusdir__meta_missing(int fd)
{
	return fgetxattr(fd, META_NAME, NULL, 0) < 0 && errno == ENODATA;
}

int statusdir__meta_probe(int tmp_fd)
{
	char name[64];
	uint8_t u[16];
	char hex[33];
	statusdir__random16(u);
	statusdir__hex(u, sizeof(u), hex);
	snprintf(name, sizeof(name), ".xattr-probe.%s", hex);
	int fd = openat(tmp_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	struct version_meta m = { 0 };
	int r = statusdir__meta_set(fd, &m);
	statusdir__close(fd);
	(void)unlinkat(tmp_fd, name, 0); /* a leftover is swept with tmp/ */
	return r;
}
