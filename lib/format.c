/* SPDX-License-Identifier: MIT */
/* format.c - the store's format file, STORE/format.
 *
 *   statusdir-format 1       (or 2: spec/format2.md; then "integrity xattr"
 *   checksum xxh3-64          follows, and a format-1 program refuses it)
 *   mode 0640            (optional lines follow, in any order)
 *   group 1000
 *   keep 100
 *   max-age-ns 604800000000000
 *   upgrading 1          (format 2 only: an upgrade from format 1 is under
 *   from-1 12             way; the store was upgraded, versions 1 to 12
 *                         carry format-1 ids: upgrade.c, ids1.c)
 *
 * It is replaced by rename-over, so readers see the old or the new file,
 * never a mix.  Unknown keys are ignored: a key that older readers must not
 * ignore comes with a new format number instead. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT_NAME "format"
#define FORMAT_MAX 4096

void statusdir_config_init(struct statusdir_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->gid = -1;
}

/* What the format file can record: the same bounds as its reader. */
int statusdir__config_check(const struct statusdir_config *cfg)
{
	if (cfg->mode > 0777 || cfg->gid < -1 || cfg->gid > INT32_MAX ||
	    cfg->max_age_ns < 0)
		return -EINVAL;
	return 0;
}

static bool parse_u64(const char *s, int base, uint64_t max, uint64_t *v)
{
	char *end;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long x = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0' || x > max)
		return false;
	*v = x;
	return true;
}

/* Applies one "key value" line; false if the line is malformed. */
static bool apply_line(char *line, struct statusdir_config *cfg, struct format_keys *k)
{
	char *value = strchr(line, ' ');
	uint64_t v;
	if (!value)
		return false;
	*value++ = '\0';
	if (strcmp(line, "checksum") == 0)
		return strcmp(value, "xxh3-64") == 0;
	/* format 2 keeps size and checksum in an attribute; "none" (no
	 * attributes) is not implemented: refused rather than misread */
	if (strcmp(line, "integrity") == 0)
		return strcmp(value, "xattr") == 0;
	if (strcmp(line, "upgrading") == 0)
		return (k->upgrading = strcmp(value, "1") == 0);
	if (strcmp(line, "from-1") == 0) {
		k->upgraded = parse_u64(value, 10, NUMBER_MAX, &k->from1);
		return k->upgraded;
	}
	if (strcmp(line, "mode") == 0) {
		if (!parse_u64(value, 8, 0777, &v) || v == 0)
			return false;
		cfg->mode = (unsigned)v;
	} else if (strcmp(line, "group") == 0) {
		if (!parse_u64(value, 10, INT32_MAX, &v))
			return false;
		cfg->gid = (int64_t)v;
	} else if (strcmp(line, "keep") == 0) {
		if (!parse_u64(value, 10, UINT64_MAX, &cfg->keep))
			return false;
	} else if (strcmp(line, "max-age-ns") == 0) {
		if (!parse_u64(value, 10, INT64_MAX, &v))
			return false;
		cfg->max_age_ns = (int64_t)v;
	}
	return true;
}

static int parse_format(char *text, struct statusdir_config *cfg, struct format_keys *k)
{
	static const char first[] = "statusdir-format ";
	bool have_checksum = false, have_integrity = false;
	statusdir_config_init(cfg);
	*k = (struct format_keys){ 0 };
	if (strncmp(text, first, sizeof(first) - 1) != 0)
		return -EPROTONOSUPPORT;
	char *line = text + sizeof(first) - 1;
	if ((line[0] != '1' && line[0] != '2') || line[1] != '\n')
		return -EPROTONOSUPPORT;
	k->version = line[0] - '0';
	line += 2;
	while (*line) {
		char *nl = strchr(line, '\n');
		if (!nl)
			return -EPROTONOSUPPORT; /* every line ends in a newline */
		*nl = '\0';
		if (strncmp(line, "checksum ", 9) == 0)
			have_checksum = true;
		if (strncmp(line, "integrity ", 10) == 0)
			have_integrity = true;
		if (!apply_line(line, cfg, k))
			return -EPROTONOSUPPORT;
		line = nl + 1;
	}
	/* the upgrade's keys belong to format 2, and never both at once */
	if (k->version == 1 && (k->upgrading || k->upgraded))
		return -EPROTONOSUPPORT;
	if (k->upgrading && k->upgraded)
		return -EPROTONOSUPPORT;
	/* format 2 says where each version's checksum lives; format 1 may not */
	if (!have_checksum || have_integrity != (k->version == 2))
		return -EPROTONOSUPPORT;
	return 0;
}

#define ESTALE_TRIES 3

/* Reads the format file into cfg.  With fd set, the file is left open in
 * *fd and its status in *st. */
static int format_load_once(int root_fd, struct statusdir_config *cfg,
                            struct format_keys *k, int *fd_out, struct stat *st)
{
	char text[FORMAT_MAX + 1];
	int fd = openat(root_fd, FORMAT_NAME, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -EMEDIUMTYPE : -errno;
	int r = fstat(fd, st) == 0 ? 0 : -errno;
	if (r == 0 && !S_ISREG(st->st_mode))
		r = -EPROTONOSUPPORT;
	ssize_t n = r < 0 ? r : statusdir__read_full(fd, text, sizeof(text));
	if (n >= 0 && ((size_t)n > FORMAT_MAX || memchr(text, '\0', (size_t)n)))
		n = -EPROTONOSUPPORT;
	if (n >= 0) {
		text[n] = '\0';
		r = parse_format(text, cfg, k);
	} else {
		r = (int)n;
	}
	if (r == 0 && fd_out)
		*fd_out = fd;
	else
		statusdir__close(fd);
	return r;
}

/* config replaces the file by rename; through another client of a network
 * filesystem the old name may still lead to the replaced file, and its
 * open, fstat or read answer ESTALE: a fresh lookup finds the new one. */
static int format_load(int root_fd, struct statusdir_config *cfg, struct format_keys *k,
                       int *fd_out, struct stat *st)
{
	int r = format_load_once(root_fd, cfg, k, fd_out, st);
	for (int tries = 1; r == -ESTALE && tries < ESTALE_TRIES; tries++)
		r = format_load_once(root_fd, cfg, k, fd_out, st);
	return r;
}

int statusdir__format_read(int root_fd, struct statusdir_config *cfg,
                           struct format_keys *k, struct stat *st)
{
	struct stat ignored;
	return format_load(root_fd, cfg, k, NULL, st ? st : &ignored);
}

/* The format file is replaced by rename, never rewritten in place, and the
 * handle keeps the one it read open.  Replacing or removing it takes a link
 * away, which changes its link count and its change time: an fstat of the
 * open file tells, without looking the name up (a path lookup per put). */
int statusdir__format_refresh(statusdir *sd)
{
	struct stat st = { 0 };
	/* a file without links is never the current one, even if it had none
	 * when read: it was replaced between the open and the fstat */
	if (sd->format_fd >= 0 && fstat(sd->format_fd, &st) == 0 && st.st_nlink > 0 &&
	    st.st_nlink == sd->format_nlink &&
	    st.st_ctim.tv_sec == sd->format_ctime.tv_sec &&
	    st.st_ctim.tv_nsec == sd->format_ctime.tv_nsec)
		return 0;
	/* changed, or the fstat failed (NFS: ESTALE once another host
	 * replaced it): read it again by name; gone: -EMEDIUMTYPE */
	struct statusdir_config cfg;
	struct format_keys k = { 0 };
	int fd = -1;
	int r = format_load(sd->root_fd, &cfg, &k, &fd, &st);
	/* an upgrade from format 1 under way: nobody uses the store until it
	 * is done (spec/format2.md, section 16); then, a store's format never
	 * changes under an open handle */
	if (r == 0 && (k.upgrading || (sd->format && k.version != sd->format))) {
		statusdir__close(fd);
		r = k.upgrading ? -EBUSY : -EPROTONOSUPPORT;
	}
	if (r < 0)
		return r;
	sd->format = k.version;
	sd->upgraded = k.upgraded;
	sd->from1 = k.from1;
	statusdir__close(sd->format_fd);
	sd->format_fd = fd;
	sd->cfg = cfg;
	sd->format_nlink = st.st_nlink;
	sd->format_ctime = st.st_ctim;
	return 0;
}

static int format_text(const struct format_keys *k, const struct statusdir_config *cfg,
                       char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "statusdir-format %d\nchecksum xxh3-64\n%s", k->version,
	                 k->version == 2 ? "integrity xattr\n" : "");
	if (k->upgrading)
		n += snprintf(buf + n, cap - (size_t)n, "upgrading 1\n");
	if (k->upgraded)
		n += snprintf(buf + n, cap - (size_t)n, "from-1 %" PRIu64 "\n", k->from1);
	if (cfg->mode)
		n += snprintf(buf + n, cap - (size_t)n, "mode %04o\n", cfg->mode);
	if (cfg->gid >= 0)
		n += snprintf(buf + n, cap - (size_t)n, "group %" PRId64 "\n", cfg->gid);
	if (cfg->keep)
		n += snprintf(buf + n, cap - (size_t)n, "keep %" PRIu64 "\n", cfg->keep);
	if (cfg->max_age_ns)
		n += snprintf(buf + n, cap - (size_t)n, "max-age-ns %" PRId64 "\n",
		              cfg->max_age_ns);
	return n;
}

/* Writes a temporary file beside the format file, fsyncs it, renames it
 * over the old one and fsyncs the store directory: the seed's pattern. */
int statusdir__format_write(int root_fd, int version, const struct statusdir_config *cfg)
{
	struct format_keys k = { .version = version };
	return statusdir__format_write_keys(root_fd, &k, cfg);
}

int statusdir__format_write_keys(int root_fd, const struct format_keys *k,
                                 const struct statusdir_config *cfg)
{
	char text[512], tmp[64], hex[33];
	uint8_t u[16];
	int n = format_text(k, cfg, text, sizeof(text));
	statusdir__random16(u);
	statusdir__hex(u, sizeof(u), hex);
	snprintf(tmp, sizeof(tmp), ".format.%s", hex);

	int fd = openat(root_fd, tmp,
	                O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	/* whoever may read the versions must be able to open the store */
	int r = cfg->mode && fchmod(fd, cfg->mode | 0600) != 0 ? -errno : 0;
	if (r == 0)
		r = statusdir__write_all(fd, text, (size_t)n);
	if (r == 0)
		r = statusdir__fsync(fd);
	int c = statusdir__close(fd);
	if (r == 0)
		r = c;
	if (r == 0 && renameat(root_fd, tmp, root_fd, FORMAT_NAME) != 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(root_fd, tmp, 0); /* best effort: r says what failed */
		return r;
	}
	return statusdir__fsync(root_fd);
}
