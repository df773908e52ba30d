/* SPDX-License-Identifier: MIT */
/* be_plain.c - reading one known file: open, read to end of file, close.
 * The yardstick of every in-process get. */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

struct plain_state {
	int dir_fd;
	char *out;
	size_t cap;
};

static int plain_open(void **stp, const struct bench_ctx *c, int variant)
{
	(void)variant;
	int r = make_dir(c->dir);
	char *path = xasprintf("%s/file", c->dir);
	if (r == 0)
		r = write_file(path, c->payload, c->len);
	free(path);
	if (r < 0)
		return r;
	struct plain_state *s = xcalloc(1, sizeof(*s));
	s->dir_fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir_fd < 0) {
		r = -errno;
		free(s);
		return r;
	}
	s->cap = c->len + 1;
	s->out = xmalloc(s->cap);
	*stp = s;
	return 0;
}

static int plain_get(void *st, size_t *len)
{
	struct plain_state *s = st;
	int fd = openat(s->dir_fd, "file", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, s->out + got, s->cap - got)) > 0)
		got += (size_t)n;
	int r = n < 0 ? -errno : 0;
	close(fd);
	*len = got;
	return r;
}

static void plain_close(void *st)
{
	struct plain_state *s = st;
	close(s->dir_fd);
	free(s->out);
	free(s);
}

const struct backend be_plain = {
	.key = "plain",
	.get_label = "plain open+read+close of one file",
	.open = plain_open,
	.get = plain_get,
	.close = plain_close,
};
