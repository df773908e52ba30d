/* SPDX-License-Identifier: MIT */
/* open.c - opening, creating and configuring a store. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Format 2 has no old/: the first two alone. */
static const char *const folders[] = { "tmp", "cur", "old" };

static size_t folder_count(int format)
{
	return format == 2 ? 2 : 3;
}

/* The folder mode for a recorded file mode: x wherever r is. */
static mode_t dir_mode_for(unsigned mode)
{
	return (mode_t)(mode | ((mode & 0444) >> 2));
}

static int open_root(const char *path, int flags)
{
	/* the store path itself may be a symlink: no O_NOFOLLOW here */
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
	return fd >= 0 ? fd : -errno;
}

static int refuse_entry(void *arg, int dirfd, const char *name, bool is_reg)
{
	(void)arg;
	(void)dirfd;
	(void)name;
	(void)is_reg;
	return -ENOTEMPTY;
}

/* 1 if folder name of root_fd has no entries, 0 if it has, or -errno. */
static int folder_is_empty(int root_fd, const char *name)
{
	int fd = statusdir__open_dir_at(root_fd, name);
	if (fd < 0)
		return fd;
	int r = statusdir__scan(fd, refuse_entry, NULL);
	statusdir__close(fd);
	return r == 0 ? 1 : r == -ENOTEMPTY ? 0 : r;
}

/* An entry of a directory that is to become a store: ENOTEMPTY unless it
 * is what an interrupted create leaves (tmp/, cur/ and old/, empty,
 * .format.* temporaries, and format 2's low and hint). */
static int allowed_in_new_store(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct stat st;
	(void)arg;
	if (is_reg && (strncmp(name, ".format.", 8) == 0 || strcmp(name, "low") == 0 ||
	               strcmp(name, "hint") == 0))
		return 0; /* format 2's are made before the format file */
	if (strcmp(name, "tmp") != 0 && strcmp(name, "cur") != 0 && strcmp(name, "old") != 0)
		return -ENOTEMPTY;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
		return -ENOTEMPTY;
	int r = folder_is_empty(dirfd, name);
	return r == 1 ? 0 : r == 0 ? -ENOTEMPTY : r;
}

/* 1 if the directory can become a store, 0 if it holds other things. */
static int is_unfinished_store(int root_fd)
{
	int r = statusdir__scan(root_fd, allowed_in_new_store, NULL);
	return r == 0 ? 1 : r == -ENOTEMPTY ? 0 : r;
}

static int make_folder(int root_fd, const char *name, const struct statusdir_config *cfg)
{
	mode_t mode = cfg->mode ? dir_mode_for(cfg->mode) : 0777;
	if (mkdirat(root_fd, name, mode) != 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Applies the recorded mode and group to a folder (root, tmp, cur, old). */
static int apply_folder_settings(int fd, const struct statusdir_config *cfg)
{
	if (cfg->gid >= 0 && fchown(fd, (uid_t)-1, (gid_t)cfg->gid) != 0)
		return -errno;
	if (cfg->mode || cfg->gid >= 0) {
		struct stat st;
		if (fstat(fd, &st) != 0)
			return -errno;
		mode_t mode = cfg->mode ? dir_mode_for(cfg->mode) : (st.st_mode & 0777);
		if (cfg->gid >= 0)
			mode |= S_ISGID;
		if (fchmod(fd, mode) != 0)
			return -errno;
	}
	return 0;
}

static int apply_all_folders(int root_fd, int format, const struct statusdir_config *cfg)
{
	int r = apply_folder_settings(root_fd, cfg);
	for (size_t i = 0; r == 0 && i < folder_count(format); i++) {
		int fd = statusdir__open_dir_at(root_fd, folders[i]);
		if (fd < 0)
			return fd;
		r = apply_folder_settings(fd, cfg);
		statusdir__close(fd);
	}
	return r;
}

/* Format 2 keeps each version's size, checksum and time in a user
 * extended attribute: a store is not made where tmp/ cannot take one. */
static int probe_xattr(int root_fd)
{
	int fd = statusdir__open_dir_at(root_fd, "tmp");
	if (fd < 0)
		return fd;
	int r = statusdir__meta_probe(fd);
	statusdir__close(fd);
	return r;
}

/* Creates the folders (and format 2's low and hint), then the format file
 * last: a store exists once its format file does, so an interrupted create
 * is simply done again. */
static int create_store(int root_fd, int format, const struct statusdir_config *cfg)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < folder_count(format); i++)
		r = make_folder(root_fd, folders[i], cfg);
	if (r == 0)
		r = apply_all_folders(root_fd, format, cfg);
	for (size_t i = 0; r == 0 && i < folder_count(format); i++) {
		int fd = statusdir__open_dir_at(root_fd, folders[i]);
		if (fd < 0)
			return fd;
		r = statusdir__fsync(fd);
		statusdir__close(fd);
	}
	if (r == 0 && format == 2)
		r = probe_xattr(root_fd);
	if (r == 0 && format == 2)
		r = statusdir__low_hint_create(root_fd, cfg);
	if (r == 0)
		r = statusdir__format_write(root_fd, format, cfg); /* fsyncs root_fd */
	return r;
}

/* fsyncs the directory that holds path, so that a new store's name lasts. */
static int fsync_parent(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	char *slash = strrchr(copy, '/');
	while (slash && slash > copy && slash[1] == '\0') { /* "a/b/" */
		*slash = '\0';
		slash = strrchr(copy, '/');
	}
	const char *parent = !slash ? "." : slash == copy ? "/" : (*slash = '\0', copy);
	int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = fd < 0 ? -errno : statusdir__fsync(fd);
	statusdir__close(fd);
	free(copy);
	return r;
}

static int create_root(const char *path, const struct statusdir_config *cfg, int *root_fd)
{
	mode_t mode = cfg->mode ? dir_mode_for(cfg->mode) : 0777;
	if (mkdir(path, mode) != 0 && errno != EEXIST)
		return -errno;
	int fd = open_root(path, 0);
	if (fd < 0)
		return fd;
	int r = fsync_parent(path);
	if (r < 0) {
		statusdir__close(fd);
		return r;
	}
	*root_fd = fd;
	return 0;
}

/* Opens sd's root as a store, creating it when asked and possible.  The
 * format file is read once, into sd->cfg, and kept open to notice a change
 * (format.c). */
static int open_or_create(statusdir *sd, unsigned flags,
                          const struct statusdir_config *cfg)
{
	int r = statusdir__format_refresh(sd);
	if (r != -EMEDIUMTYPE || !(flags & STATUSDIR_CREATE))
		return r;
	r = is_unfinished_store(sd->root_fd);
	if (r <= 0)
		return r == 0 ? -ENOTEMPTY : r;
	r = create_store(sd->root_fd, flags & STATUSDIR_FORMAT2 ? 2 : 1, cfg);
	return r < 0 ? r : statusdir__format_refresh(sd);
}

static int open_folders(statusdir *sd)
{
	int *fds[] = { &sd->tmp_fd, &sd->cur_fd, &sd->old_fd };
	for (size_t i = 0; i < folder_count(sd->format); i++) {
		int fd = statusdir__open_dir_at(sd->root_fd, folders[i]);
		if (fd < 0)
			return fd == -ENOENT ? -EMEDIUMTYPE : fd;
		*fds[i] = fd;
	}
	return sd->format == 2 ? statusdir__low_hint_open(sd) : 0;
}

int statusdir_open(const char *path, unsigned flags,
                   const struct statusdir_config *cfg, statusdir **out)
{
	struct statusdir_config defaults;
	int root_fd = -1, r;
	if (!path || !*path || !out)
		return -EINVAL;
	if (!cfg) {
		statusdir_config_init(&defaults);
		cfg = &defaults;
	}
	if (statusdir__config_check(cfg) < 0)
		return -EINVAL;
	if ((flags & STATUSDIR_CREATE) && (flags & STATUSDIR_READONLY))
		return -EINVAL;
	if (flags & ~(unsigned)(STATUSDIR_CREATE | STATUSDIR_READONLY | STATUSDIR_FORMAT2))
		return -EINVAL;
	root_fd = open_root(path, 0);
	if (root_fd == -ENOENT && (flags & STATUSDIR_CREATE))
		r = create_root(path, cfg, &root_fd);
	else
		r = root_fd < 0 ? root_fd : 0;
	if (r < 0)
		return r;

	statusdir *sd = calloc(1, sizeof(*sd));
	if (!sd || !(sd->path = strdup(path))) {
		free(sd);
		statusdir__close(root_fd);
		return -ENOMEM;
	}
	sd->root_fd = root_fd;
	sd->tmp_fd = sd->cur_fd = sd->old_fd = sd->watch_fd = sd->format_fd = -1;
	sd->low_fd = sd->hint_fd = -1;
	sd->readonly = flags & STATUSDIR_READONLY;
	sd->tmp_sweep_every = STATUSDIR__TMP_SWEEP_EVERY;
	statusdir__fork_guard_init(sd);
	r = open_or_create(sd, flags, cfg);
	if (r == 0)
		r = open_folders(sd);
	if (r < 0) {
		statusdir_close(sd);
		return r;
	}
	statusdir__identity_load(&sd->me);
	/* a power cut may have left holes below numbers that survived:
	 * sealed before this handle's first claim (recover.c) */
	if (sd->format == 2 && !sd->readonly && (r = statusdir__recover(sd)) < 0) {
		statusdir_close(sd);
		return r;
	}
	*out = sd;
	return 0;
}

void statusdir_close(statusdir *sd)
{
	if (!sd)
		return;
	statusdir__close(sd->tmp_fd);
	statusdir__close(sd->cur_fd);
	statusdir__close(sd->old_fd);
	statusdir__close(sd->low_fd);
	statusdir__close(sd->hint_fd);
	statusdir__close(sd->root_fd);
	statusdir__close(sd->watch_fd);
	statusdir__close(sd->format_fd);
	statusdir__scan_close(sd);
	statusdir__fork_guard_free(sd);
	free(sd->path);
	free(sd);
}

int statusdir_config_get(const statusdir *sd, struct statusdir_config *cfg)
{
	if (!sd || !cfg)
		return -EINVAL;
	*cfg = sd->cfg;
	return 0;
}

int statusdir_format(const statusdir *sd)
{
	return sd ? sd->format : -EINVAL;
}

int statusdir__writable(const statusdir *sd)
{
	return sd->readonly ? -EROFS : 0;
}

int statusdir_config_set(statusdir *sd, const struct statusdir_config *cfg)
{
	if (!sd || !cfg || statusdir__config_check(cfg) < 0)
		return -EINVAL;
	int r = statusdir__writable(sd);
	/* the keys as the file has them now: an upgrade's from-1 stays, and a
	 * store upgraded since the open is not written back as format 1 */
	if (r == 0 && (r = statusdir__format_refresh(sd)) == -ESTALE)
		r = 0;
	if (r == 0)
		r = apply_all_folders(sd->root_fd, sd->format, cfg);
	if (r == 0) {
		struct format_keys k = {
			.version = sd->format, .upgraded = sd->upgraded, .from1 = sd->from1,
		};
		r = statusdir__format_write_keys(sd->root_fd, &k, cfg);
	}
	if (r == 0)
		sd->cfg = *cfg;
	return r;
}
