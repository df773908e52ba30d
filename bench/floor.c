/* SPDX-License-Identifier: MIT */
/* floor.c - the raw protocol floor (see floor.h). */
#include "config.h"

#include "floor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int floor_open_sub(const char *dir, const char *sub)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return -errno;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

int floor_open(struct floor *f, const char *dir)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return -errno;
	f->tmp_fd = floor_open_sub(dir, "tmp");
	if (f->tmp_fd < 0)
		return f->tmp_fd;
	f->cur_fd = floor_open_sub(dir, "cur");
	if (f->cur_fd < 0) {
		close(f->tmp_fd);
		return f->cur_fd;
	}
	f->pid = getpid();
	f->seq = 0;
	return 0;
}

void floor_close(struct floor *f)
{
	close(f->tmp_fd);
	close(f->cur_fd);
}

int floor_create(struct floor *f, char name[FLOOR_NAME_SIZE])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, FLOOR_NAME_SIZE, "%019lld.%ld.%lu",
	         (long long)ts.tv_sec * 1000000000 + ts.tv_nsec, (long)f->pid, f->seq++);
	int fd = openat(f->tmp_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	return fd >= 0 ? fd : -errno;
}

static int publish(struct floor *f, const char *name)
{
	if (renameat2(f->tmp_fd, name, f->cur_fd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (linkat(f->tmp_fd, name, f->cur_fd, name, 0) != 0)
		return -errno;
	unlinkat(f->tmp_fd, name, 0);
	return 0;
}

int floor_commit(struct floor *f, int fd, const char *name, bool sync)
{
	int r = sync && fsync(fd) != 0 ? -errno : 0;
	if (close(fd) != 0 && r == 0)
		r = -errno;
	if (r == 0)
		r = publish(f, name);
	if (r == 0 && sync && fsync(f->cur_fd) != 0)
		r = -errno;
	if (r < 0)
		unlinkat(f->tmp_fd, name, 0);
	return r;
}

int floor_put(struct floor *f, const void *buf, size_t len, bool sync,
              char name[FLOOR_NAME_SIZE])
{
	int fd = floor_create(f, name);
	if (fd < 0)
		return fd;
	int r = write_all(fd, buf, len);
	if (r < 0) {
		close(fd);
		unlinkat(f->tmp_fd, name, 0);
		return r;
	}
	return floor_commit(f, fd, name, sync);
}

int floor_newest(DIR *d, char name[FLOOR_NAME_SIZE])
{
	struct dirent *de;
	name[0] = '\0';
	rewinddir(d);
	while ((errno = 0, de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] != '.' && len < FLOOR_NAME_SIZE &&
		    strcmp(de->d_name, name) > 0)
			memcpy(name, de->d_name, len + 1);
	}
	if (errno != 0)
		return -errno;
	return name[0] ? 0 : -ENOENT;
}
