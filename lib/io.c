/* SPDX-License-Identifier: MIT */
/* io.c - system calls wrapped once, so that EINTR, short transfers and
 * errno-to-return-value conversion are handled in one place. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_SYS_SENDFILE_H
#include <sys/sendfile.h>
#endif

/* Chunk for read/write copies: large enough to amortise syscalls, small
 * enough to keep memory flat whatever the payload size. */
#define COPY_CHUNK (64 * 1024)

int statusdir__write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len > SSIZE_MAX ? SSIZE_MAX : len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; /* a regular file never does this */
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t statusdir__read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;
	while (got < len) {
		size_t want = len - got;
		ssize_t n = read(fd, p + got, want > SSIZE_MAX ? SSIZE_MAX : want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/* Never retried on failure: Linux may already have dropped the dirty pages,
 * so a second fsync could report success for data that is gone. */
int statusdir__fsync(int fd)
{
	return fsync(fd) == 0 ? 0 : -errno;
}

/* Never retried: on Linux the fd is released even when close fails. */
int statusdir__close(int fd)
{
	if (fd < 0)
		return 0;
	if (close(fd) == 0 || errno == EINTR)
		return 0;
	return -errno;
}

/* Creates name if absent (mode less the umask) and opens it read-only:
 * enough for fsync and fchmod, and for a file another user made.  Through
 * two clients of a network filesystem (MooseFS: about one create in seven
 * of a name the other client creates at the same moment), O_CREAT without
 * O_EXCL answers EEXIST instead of opening the file the other made: then
 * it exists, and is opened as it is; removed in between, it is created
 * again.  An fd or -errno. */
int statusdir__open_or_create(int dirfd, const char *name, mode_t mode)
{
	enum { TRIES = 8 };
	int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
	for (int i = 0;; i++) {
		int fd = openat(dirfd, name, flags | O_CREAT, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
		fd = openat(dirfd, name, flags);
		if (fd >= 0 || errno != ENOENT || i + 1 == TRIES)
			return fd >= 0 ? fd : -errno;
	}
}

int statusdir__open_dir_at(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name,
	                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
	int e = errno;
	/* with O_DIRECTORY, Linux reports a symlink as ENOTDIR, not ELOOP */
	if (e == ENOTDIR && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode))
		return -ELOOP;
	return -e;
}

static int copy_by_read(int in_fd, uint64_t off, uint64_t size, int out_fd)
{
	char buf[COPY_CHUNK];
	while (off < size) {
		size_t want = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);
		ssize_t n = pread(in_fd, buf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EBADMSG; /* shorter than its id says */
		int r = statusdir__write_all(out_fd, buf, (size_t)n);
		if (r < 0)
			return r;
		off += (uint64_t)n;
	}
	return 0;
}

/* Errors that mean "this kernel path cannot do it", not "the copy failed". */
static bool try_another_way(int err)
{
	return err == EINVAL || err == EXDEV || err == ENOSYS ||
	       err == EOPNOTSUPP || err == EBADF || err == ETXTBSY;
}

typedef ssize_t kernel_copy_fn(int in_fd, off_t *off, int out_fd, size_t n);

#ifdef HAVE_COPY_FILE_RANGE
static ssize_t by_copy_file_range(int in_fd, off_t *off, int out_fd, size_t n)
{
	return copy_file_range(in_fd, off, out_fd, NULL, n, 0);
}
#endif

#ifdef HAVE_SYS_SENDFILE_H
static ssize_t by_sendfile(int in_fd, off_t *off, int out_fd, size_t n)
{
	return sendfile(out_fd, in_fd, off, n);
}
#endif

/* Copies with one in-kernel method from *off up to size: 0 when done or
 * when the method does not apply here (the caller goes on another way
 * from *off), else -errno. */
static int copy_in_kernel(kernel_copy_fn *copy, int in_fd, off_t *off, uint64_t size,
                          int out_fd)
{
	while ((uint64_t)*off < size) {
		uint64_t left = size - (uint64_t)*off;
		ssize_t n = copy(in_fd, off, out_fd, left > (1u << 30) ? (1u << 30) : (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return try_another_way(errno) ? 0 : -errno;
		if (n == 0)
			return -EBADMSG; /* shorter than its id says */
	}
	return 0;
}

/* Copies bytes [0, size) of in_fd to out_fd at its current position.  The
 * in-kernel copies are tried first; pipes, O_APPEND outputs and older
 * kernels fall back to pread/write. */
int statusdir__copy_range(int in_fd, uint64_t size, int out_fd)
{
	off_t off = 0;
	int r = 0;
#ifdef HAVE_COPY_FILE_RANGE
	r = copy_in_kernel(by_copy_file_range, in_fd, &off, size, out_fd);
#endif
#ifdef HAVE_SYS_SENDFILE_H
	if (r == 0)
		r = copy_in_kernel(by_sendfile, in_fd, &off, size, out_fd);
#endif
	return r < 0 ? r : copy_by_read(in_fd, (uint64_t)off, size, out_fd);
}

/* A name removed through another client of a network filesystem may look
 * up as ESTALE (NFS, GlusterFS) rather than ENOENT: to a reader both mean
 * the file is gone, moved or pruned while it looked. */
bool statusdir__gone(int e)
{
	return e == ENOENT || e == ESTALE;
}
