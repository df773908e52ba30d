/* SPDX-License-Identifier: MIT */
/* scan.c - listing the folders of a store.
 * A fresh descriptor of the folder is opened for each listing, so listings
 * never share a directory offset and the handle's fds stay usable. */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool entry_is_reg(int dirfd, const struct dirent *de)
{
	struct stat st;
	if (de->d_type == DT_REG)
		return true;
	if (de->d_type != DT_UNKNOWN)
		return false; /* symlinks, folders, FIFOs, sockets, devices */
	if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return false; /* vanished: nothing to list */
	return S_ISREG(st.st_mode);
}

/* A stream of its own on dirfd's folder ("." opened again, so that it
 * never shares dirfd's offset): NULL with errno set on failure. */
static DIR *open_stream(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		statusdir__close(fd);
		errno = e;
	}
	return d;
}

/* Calls fn for every entry of d but "." and ".."; stops at its first error. */
static int scan_stream(DIR *d, int dirfd, scan_fn *fn, void *arg)
{
	for (;;) {
		errno = 0;
		struct dirent *de = readdir(d);
		if (!de)
			return errno ? -errno : 0;
		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		int r = fn(arg, dirfd, de->d_name, entry_is_reg(dirfd, de));
		if (r < 0)
			return r;
	}
}

int statusdir__scan(int dirfd, scan_fn *fn, void *arg)
{
	DIR *d = open_stream(dirfd);
	if (!d)
		return -errno;
	int r = scan_stream(d, dirfd, fn, arg);
	closedir(d);
	return r;
}

static int name_list_add(struct name_list *list, const char *name)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 16;
		void *p = realloc(list->names, cap * sizeof(*list->names));
		if (!p)
			return -ENOMEM;
		list->names = p;
		list->cap = cap;
	}
	memcpy(list->names[list->n++], name, strlen(name) + 1);
	return 0;
}

static int collect_id(void *arg, int dirfd, const char *name, bool is_reg)
{
	(void)dirfd;
	if (!is_reg || !statusdir__id_valid(name))
		return 0;
	return name_list_add(arg, name);
}

int statusdir__list_ids(int dirfd, struct name_list *list)
{
	return statusdir__scan(dirfd, collect_id, list);
}

static int keep_greatest(void *arg, int dirfd, const char *name, bool is_reg)
{
	char *best = arg;
	(void)dirfd;
	/* compare first: only a new maximum is worth parsing */
	if (!is_reg || (best[0] != '\0' && statusdir__id_cmp(name, best) <= 0))
		return 0;
	if (statusdir__id_valid(name))
		memcpy(best, name, strlen(name) + 1);
	return 0;
}

void statusdir__name_list_free(struct name_list *list)
{
	free(list->names);
	list->names = NULL;
	list->n = list->cap = 0;
}

static int cmp_desc(const void *a, const void *b)
{
	return statusdir__id_cmp(b, a);
}

void statusdir__name_list_sort_desc(struct name_list *list)
{
	if (list->n > 1)
		qsort(list->names, list->n, sizeof(*list->names), cmp_desc);
}

/* Keeps cur/'s directory stream open in the handle and rewinds it, which
 * saves an open, an fstat, a close and glibc's buffer allocation per get.
 * A forked child opens its own: the stream's offset would be shared. */
static DIR *cur_stream(statusdir *sd)
{
	DIR *d = sd->cur_dir;
	if (d && sd->cur_dir_pid == statusdir__pid(sd)) {
		rewinddir(d);
		return d;
	}
	if (d) /* a forked child: close its copy, the parent keeps its own */
		closedir(d);
	sd->cur_dir = NULL;
	d = open_stream(sd->cur_fd);
	if (!d)
		return NULL;
	sd->cur_dir = d;
	sd->cur_dir_pid = statusdir__pid(sd);
	return d;
}

int statusdir__scan_cur(statusdir *sd, scan_fn *fn, void *arg)
{
	DIR *d = cur_stream(sd);
	return d ? scan_stream(d, sd->cur_fd, fn, arg) : -errno;
}

int statusdir__greatest_in_cur(statusdir *sd, char out[STATUSDIR_ID_SIZE])
{
	out[0] = '\0';
	int r = statusdir__scan_cur(sd, keep_greatest, out);
	if (r < 0)
		return r;
	return out[0] ? 0 : -ENOENT;
}

int statusdir__list_cur(statusdir *sd, struct name_list *list)
{
	return statusdir__scan_cur(sd, collect_id, list);
}

/* For statusdir_close(). */
void statusdir__scan_close(statusdir *sd)
{
	if (sd->cur_dir)
		closedir(sd->cur_dir);
	sd->cur_dir = NULL;
}
