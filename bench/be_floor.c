/* SPDX-License-Identifier: MIT */
/* be_floor.c - the raw protocol floor as a backend: durable, without
 * fsync, with a keep-100 retention done the cheapest way (remember the
 * names put, unlink the one that falls out), and with statusdir's head
 * move done the cheapest way (list cur/ as a put must to order its id,
 * rename the name that falls out of the newest HEAD to old/), and with
 * that move alone, without the listing: the least that any store whose
 * history leaves the head's folder adds to a put. */
#include "config.h"

#include "bench.h"
#include "floor.h"

#include <errno.h>
#include <fcntl.h>
#include <statusdir.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { FLOOR_SYNC, FLOOR_NOSYNC, FLOOR_KEEP, FLOOR_HEAD, FLOOR_MOVE };

struct floor_state {
	struct floor f;
	DIR *cur;            /* cur/, listed by get */
	const void *buf;
	size_t len;
	bool sync;
	bool list;           /* head: list cur/ before each put */
	char (*ring)[FLOOR_NAME_SIZE]; /* keep: the last KEEP_VERSIONS names;
	                                  head, move: the last STATUSDIR_HEAD */
	size_t ring_n, ring_pos, ring_cap;
	int old_fd; /* head, move: old/ */
	char *out;
	size_t cap;
};

static int floor_be_open(void **stp, const struct bench_ctx *c, int variant)
{
	struct floor_state *s = xcalloc(1, sizeof(*s));
	int r = floor_open(&s->f, c->data_dir);
	if (r < 0) {
		free(s);
		return r;
	}
	s->cur = fdopendir(dup(s->f.cur_fd));
	if (!s->cur)
		die("fdopendir: out of descriptors");
	s->buf = c->payload;
	s->len = c->len;
	s->sync = variant != FLOOR_NOSYNC;
	s->list = variant == FLOOR_HEAD;
	s->old_fd = -1;
	bool moves = variant == FLOOR_HEAD || variant == FLOOR_MOVE;
	s->ring_cap = variant == FLOOR_KEEP ? KEEP_VERSIONS
	              : moves ? STATUSDIR_HEAD : 0;
	if (s->ring_cap)
		s->ring = xcalloc(s->ring_cap, FLOOR_NAME_SIZE);
	if (moves) {
		s->old_fd = floor_open_sub(c->data_dir, "old");
		if (s->old_fd < 0)
			die("%s/old: %s", c->data_dir, strerror(-s->old_fd));
	}
	s->cap = c->len + 1;
	s->out = xmalloc(s->cap);
	*stp = s;
	return 0;
}

/* Retention: once ring_cap names are there, each put removes the oldest
 * (keep) or moves it to old/ (head). */
static int forget_oldest(struct floor_state *s, const char *name)
{
	char *slot = s->ring[s->ring_pos];
	int r = 0;
	if (s->ring_n == s->ring_cap) {
		r = s->old_fd >= 0 ? renameat(s->f.cur_fd, slot, s->old_fd, slot)
		                   : unlinkat(s->f.cur_fd, slot, 0);
		r = r != 0 ? -errno : 0;
	} else {
		s->ring_n++;
	}
	memcpy(slot, name, FLOOR_NAME_SIZE);
	s->ring_pos = (s->ring_pos + 1) % s->ring_cap;
	return r;
}

static int put_one(struct floor_state *s, bool sync)
{
	char name[FLOOR_NAME_SIZE];
	if (s->list) { /* a put lists cur/ to order its id after all */
		int r = floor_newest(s->cur, name);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	int r = floor_put(&s->f, s->buf, s->len, sync, name);
	if (r == 0 && s->ring)
		r = forget_oldest(s, name);
	return r;
}

static int floor_be_fill(void *st, uint64_t n)
{
	int r = 0;
	for (uint64_t i = 0; i < n && r == 0; i++)
		r = put_one(st, false);
	return r;
}

static int floor_be_put(void *st)
{
	struct floor_state *s = st;
	return put_one(s, s->sync);
}

/* The newest: list cur/, open the greatest name, read to end of file. */
static int floor_be_get(void *st, size_t *len)
{
	struct floor_state *s = st;
	char name[FLOOR_NAME_SIZE];
	int r = floor_newest(s->cur, name);
	if (r < 0)
		return r;
	int fd = openat(s->f.cur_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, s->out + got, s->cap - got)) > 0)
		got += (size_t)n;
	r = n < 0 ? -errno : 0;
	close(fd);
	*len = got;
	return r;
}

static void floor_be_close(void *st)
{
	struct floor_state *s = st;
	closedir(s->cur);
	if (s->old_fd >= 0)
		close(s->old_fd);
	floor_close(&s->f);
	free(s->ring);
	free(s->out);
	free(s);
}

#define FLOOR_BACKEND(k, pl, gl, v)                                           \
	{                                                                     \
		.key = k, .put_label = pl, .get_label = gl, .variant = v,     \
		.open = floor_be_open, .fill = floor_be_fill,                 \
		.put = floor_be_put, .get = floor_be_get,                     \
		.close = floor_be_close,                                      \
	}

const struct backend be_floor = FLOOR_BACKEND("floor",
	"raw floor: tmp, fsync, renameat2, fsync cur/",
	"raw floor: list cur/, read the greatest", FLOOR_SYNC);
const struct backend be_floor_nosync = FLOOR_BACKEND("floor-nosync",
	"raw floor without fsync", NULL, FLOOR_NOSYNC);
const struct backend be_floor_keep = FLOOR_BACKEND("floor-keep100",
	"raw floor + unlink of the 101st newest", NULL, FLOOR_KEEP);
const struct backend be_floor_head = FLOOR_BACKEND("floor-head",
	"raw floor + list cur/ + move 9th newest to old/", NULL, FLOOR_HEAD);
const struct backend be_floor_move = FLOOR_BACKEND("floor-move",
	"raw floor + move 9th newest to old/ (no listing)", NULL, FLOOR_MOVE);
