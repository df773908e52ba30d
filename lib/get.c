/* get.c - handing a version's bytes to the caller. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Payloads up to this size are read once into memory, checked, then
 * written: one pass.  Larger ones are checked in a first pass over the page
 * cache and then copied by the kernel, so memory stays flat. */
#define SMALL_PAYLOAD (64 * 1024)

static void copy_id(char *out, const struct statusdir_version *v)
{
	if (out)
		memcpy(out, v->id, strlen(v->id) + 1);
}

static int read_checked(int fd, const struct statusdir_version *v, void *buf)
{
	ssize_t n = statusdir__read_full(fd, buf, (size_t)v->size);
	if (n < 0)
		return (int)n;
	if ((uint64_t)n != v->size || statusdir__checksum(buf, (size_t)n) != v->checksum)
		return -EBADMSG;
	/* a file longer than its id says is damaged too */
	char extra;
	n = statusdir__read_full(fd, &extra, 1);
	return n == 0 ? 0 : n < 0 ? (int)n : -EBADMSG;
}

int statusdir_get(statusdir *sd, const char *id, void *buf, size_t cap,
                  size_t *len, char *found_id)
{
	struct statusdir_version v;
	int fd = -1;
	if (!sd || !len || (!buf && cap))
		return -EINVAL;
	int r = statusdir__open_version(sd, id, &fd, &v);
	if (r < 0)
		return r;
	copy_id(found_id, &v);
	if (v.size > cap) {
		*len = v.size > SIZE_MAX ? SIZE_MAX : (size_t)v.size;
		r = -EMSGSIZE;
	} else {
		r = read_checked(fd, &v, buf);
		if (r == 0)
			*len = (size_t)v.size;
	}
	statusdir__close(fd);
	return r;
}

static int get_small(int fd, const struct statusdir_version *v, int out_fd)
{
	char *buf = malloc(v->size ? (size_t)v->size : 1);
	if (!buf)
		return -ENOMEM;
	int r = read_checked(fd, v, buf);
	if (r == 0)
		r = statusdir__write_all(out_fd, buf, (size_t)v->size);
	free(buf);
	return r;
}

int statusdir_get_fd(statusdir *sd, const char *id, int out_fd, unsigned flags,
                     char *found_id)
{
	struct statusdir_version v;
	int fd = -1;
	if (!sd || out_fd < 0 || flags)
		return -EINVAL;
	int r = statusdir__open_version(sd, id, &fd, &v);
	if (r < 0)
		return r;
	copy_id(found_id, &v);
	if (v.size <= SMALL_PAYLOAD)
		r = get_small(fd, &v, out_fd);
	else {
		r = statusdir__check_version(fd, &v);
		if (r == 0)
			r = statusdir__copy_range(fd, v.size, out_fd);
	}
	statusdir__close(fd);
	return r;
}

int statusdir_path(statusdir *sd, const char *id, char **path)
{
	struct statusdir_version v;
	int fd = -1;
	if (!sd || !path)
		return -EINVAL;
	int r = statusdir__open_version(sd, id, &fd, &v);
	if (r < 0)
		return r;
	/* where it was found: cur/ unless only old/ has it now */
	struct stat st;
	const char *dir = fstatat(sd->cur_fd, v.id, &st, AT_SYMLINK_NOFOLLOW) == 0
	                      ? "cur" : "old";
	statusdir__close(fd);
	size_t n = strlen(sd->path) + strlen(dir) + strlen(v.id) + 3;
	char *p = malloc(n);
	if (!p)
		return -ENOMEM;
	snprintf(p, n, "%s/%s/%s", sd->path, dir, v.id);
	*path = p;
	return 0;
}
