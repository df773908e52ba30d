/* SPDX-License-Identifier: MIT */
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

static void copy_id(char *out, const char *id)
{
	if (out)
		memcpy(out, id, strlen(id) + 1);
}

/* Reads exactly v->size bytes into buf (the file's size was compared with
 * the id's when it was opened) and, unless told not to, checks them:
 * 0 or -EBADMSG (or a read error). */
static int read_checked(int fd, const struct statusdir_version *v, void *buf,
                        bool verify)
{
	ssize_t n = statusdir__read_full(fd, buf, (size_t)v->size);
	if (n < 0)
		return (int)n;
	if ((uint64_t)n != v->size || (verify && statusdir__checksum(buf, (size_t)n) != v->checksum))
		return -EBADMSG;
	return 0;
}

/* One version ready to hand out: open, and checked unless NOVERIFY.
 * Small payloads are already in buf; larger ones are copied from fd. */
struct staged {
	int fd;
	struct statusdir_version v;
	char *buf;       /* owned, or the caller's buffer (get into memory) */
	bool own_buf;
	bool to_memory;  /* statusdir_get(): read straight into user_buf */
	void *user_buf;
	size_t user_cap;
	bool whole;      /* statusdir_get_alloc(): into buf, whatever the size */
};

static void unstage(struct staged *st)
{
	statusdir__close(st->fd);
	st->fd = -1;
	if (st->own_buf)
		free(st->buf);
	st->buf = NULL;
	st->own_buf = false;
}

/* Opens version id (NULL: the newest) and checks it.  st->v names the
 * version even when this fails with -EBADMSG. */
static int stage(statusdir *sd, const char *id, unsigned flags, struct staged *st)
{
	bool verify = !(flags & STATUSDIR_GET_NOVERIFY);
	uint64_t file_size;
	int r = statusdir__open_version(sd, id, &st->fd, &st->v, &file_size);
	if (r < 0)
		return r;
	if (file_size != st->v.size)
		return -EBADMSG; /* shorter or longer than its id says */
	if (st->to_memory) {
		if (st->v.size > st->user_cap)
			return -EMSGSIZE;
		st->buf = st->user_buf;
		return read_checked(st->fd, &st->v, st->buf, verify);
	}
	if (st->v.size <= SMALL_PAYLOAD || st->whole) {
		if (st->v.size >= SIZE_MAX)
			return -ENOMEM; /* no room for it and its NUL */
		/* one byte more, a NUL: a text payload is a string, and an
		 * empty one still gets a buffer */
		st->buf = malloc((size_t)st->v.size + 1);
		if (!st->buf)
			return -ENOMEM;
		st->own_buf = true;
		st->buf[st->v.size] = '\0';
		return read_checked(st->fd, &st->v, st->buf, verify);
	}
	return verify ? statusdir__check_version(st->fd, &st->v, file_size) : 0;
}

/* Format 2: down by number from the damaged one to L + 1, no listing
 * (spec/format2.md, section 9, step 5).  Absent numbers and tombstones
 * are passed over; L is read again when one is, since once the walk is at
 * or below L every number left was freed. */
static int stage_older_number(statusdir *sd, unsigned flags, struct staged *st,
                              struct statusdir_read *rd)
{
	uint64_t k, low;
	char id[STATUSDIR_ID_SIZE];
	if (!statusdir__number_parse(rd->damaged, &k))
		return -EBADMSG;
	int r = statusdir__low_read(sd, &low);
	while (r == 0 && --k > low) {
		unstage(st);
		statusdir__number_format(k, id);
		r = stage(sd, id, flags, st);
		if (r == -EBADMSG) {
			rd->skipped++;
			r = 0;
		} else if (r == -ENOENT) {
			r = statusdir__low_read(sd, &low);
		} else {
			return r; /* intact (0), or an error */
		}
	}
	return r < 0 ? r : -EBADMSG;
}

/* The newest intact version older than the damaged one, for a reader that
 * asked for the newest: a damaged newest must not leave it with nothing. */
static int stage_older_intact(statusdir *sd, unsigned flags, struct staged *st,
                              struct statusdir_read *rd)
{
	struct statusdir_version *list;
	size_t n;
	if (sd->format == 2)
		return stage_older_number(sd, flags, st, rd);
	int r = statusdir_list(sd, &list, &n);
	if (r < 0)
		return r;
	r = -EBADMSG;
	for (size_t i = 0; i < n && r == -EBADMSG; i++) {
		if (statusdir__id_cmp(list[i].id, rd->damaged) >= 0)
			continue;
		unstage(st);
		r = stage(sd, list[i].id, flags, st);
		if (r == -EBADMSG)
			rd->skipped++;
		else if (r == -ENOENT)
			r = -EBADMSG; /* pruned meanwhile: try the next */
	}
	statusdir_list_free(list);
	return r;
}

/* Stages what the reader asked for (ref: NULL or "" for the newest, an id,
 * or "@N", read as the id it names); 0, STATUSDIR_HEALED or -errno. */
static int stage_request(statusdir *sd, const char *ref, struct statusdir_read *rd,
                         struct staged *st)
{
	char resolved[STATUSDIR_ID_SIZE];
	const char *id;
	rd->damaged[0] = '\0';
	rd->skipped = 0;
	int r = statusdir__ref_id(sd, ref, resolved, &id);
	if (r < 0)
		return r;
	bool newest = !id || !*id;
	r = stage(sd, id, rd->flags, st);
	if (r == -EBADMSG && newest && !(rd->flags & STATUSDIR_GET_STRICT)) {
		copy_id(rd->damaged, st->v.id);
		rd->skipped = 1;
		r = stage_older_intact(sd, rd->flags, st, rd);
		if (r == 0)
			r = STATUSDIR_HEALED;
	}
	if (r >= 0 || r == -EMSGSIZE || r == -EBADMSG)
		copy_id(rd->id, st->v.id);
	return r;
}

static bool flags_ok(unsigned flags)
{
	return !(flags & ~(unsigned)(STATUSDIR_GET_STRICT | STATUSDIR_GET_NOVERIFY));
}

int statusdir_get(statusdir *sd, const char *id, void *buf, size_t cap,
                  size_t *len, char *found_id)
{
	struct statusdir_read rd = { 0 };
	struct staged st = { .fd = -1, .to_memory = true, .user_buf = buf, .user_cap = cap };
	if (!sd || !len || (!buf && cap))
		return -EINVAL;
	int r = stage_request(sd, id, &rd, &st);
	if (r >= 0)
		*len = (size_t)st.v.size;
	else if (r == -EMSGSIZE)
		*len = st.v.size > SIZE_MAX ? SIZE_MAX : (size_t)st.v.size;
	if (r >= 0 || r == -EMSGSIZE)
		copy_id(found_id, rd.id);
	unstage(&st);
	return r;
}

/* The size to allocate is that of the file opened, and the bytes are read
 * from that same descriptor: a newer version committed meanwhile, or this
 * one moved to old/ or pruned, changes nothing, so no retry is needed (a
 * loop over statusdir_get() must retry on -EMSGSIZE instead). */
int statusdir_get_alloc(statusdir *sd, const char *id, unsigned flags, void **buf,
                        size_t *len, char *found_id)
{
	struct statusdir_read rd = { .flags = flags };
	struct staged st = { .fd = -1, .whole = true };
	if (!sd || !buf || !len || !flags_ok(flags))
		return -EINVAL;
	int r = stage_request(sd, id, &rd, &st);
	if (r >= 0) {
		*buf = st.buf;
		*len = (size_t)st.v.size;
		st.own_buf = false; /* the caller's now */
		copy_id(found_id, rd.id);
	}
	unstage(&st);
	return r;
}

int statusdir_read_fd(statusdir *sd, const char *id, int out_fd,
                      struct statusdir_read *rd)
{
	struct staged st = { .fd = -1 };
	if (!sd || out_fd < 0 || !rd || !flags_ok(rd->flags))
		return -EINVAL;
	int r = stage_request(sd, id, rd, &st);
	if (r >= 0) {
		int w = st.buf ? statusdir__write_all(out_fd, st.buf, (size_t)st.v.size)
		               : statusdir__copy_range(st.fd, st.v.size, out_fd);
		r = w < 0 ? w : r;
	}
	unstage(&st);
	return r;
}

int statusdir_get_fd(statusdir *sd, const char *id, int out_fd, unsigned flags,
                     char *found_id)
{
	struct statusdir_read rd = { .flags = flags };
	int r = statusdir_read_fd(sd, id, out_fd, &rd);
	if (r >= 0)
		copy_id(found_id, rd.id);
	return r;
}

int statusdir_path(statusdir *sd, const char *ref, char **path)
{
	struct statusdir_version v;
	char resolved[STATUSDIR_ID_SIZE];
	const char *id;
	int fd = -1;
	if (!sd || !path)
		return -EINVAL;
	int r = statusdir__ref_id(sd, ref, resolved, &id);
	if (r == 0)
		r = statusdir__open_version(sd, id, &fd, &v, NULL);
	if (r < 0)
		return r;
	/* where it was found: cur/ unless only old/ has it now (format 2
	 * numbers live in cur/ alone; a late format-1 name may be in old/) */
	struct stat st;
	const char *dir = (sd->format == 2 && statusdir__number_parse(v.id, NULL)) ||
	                  fstatat(sd->cur_fd, v.id, &st, AT_SYMLINK_NOFOLLOW) == 0
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
