/* SPDX-License-Identifier: MIT */
/* be_glib.c - GLib's g_file_set_contents_full() with CONSISTENT|DURABLE,
 * each put to a fresh name (as a versioned store would). */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#ifdef BENCH_HAVE_GLIB
#include <glib.h>

struct glib_state {
	char *dir;
	const void *buf;
	size_t len;
	unsigned long seq;
	char path[4096];
};

static int glib_open(void **stp, const struct bench_ctx *c, int variant)
{
	(void)variant;
	int r = make_dir(c->dir);
	if (r < 0)
		return r;
	struct glib_state *s = xcalloc(1, sizeof(*s));
	s->dir = xasprintf("%s", c->dir);
	s->buf = c->payload;
	s->len = c->len;
	*stp = s;
	return 0;
}

static int glib_put(void *st)
{
	struct glib_state *s = st;
	GError *err = NULL;
	snprintf(s->path, sizeof(s->path), "%s/v.%lu", s->dir, s->seq++);
	if (g_file_set_contents_full(s->path, s->buf, (gssize)s->len,
	                             G_FILE_SET_CONTENTS_CONSISTENT |
	                                     G_FILE_SET_CONTENTS_DURABLE,
	                             0666, &err))
		return 0;
	note("glib: %s", err->message);
	g_error_free(err);
	return -EIO;
}

static void glib_close(void *st)
{
	struct glib_state *s = st;
	free(s->dir);
	free(s);
}

static const char *glib_version(void)
{
	static char v[32];
	snprintf(v, sizeof(v), "%u.%u.%u", glib_major_version, glib_minor_version,
	         glib_micro_version);
	return v;
}
#else
static int glib_open(void **stp, const struct bench_ctx *c, int variant)
{
	(void)stp, (void)c, (void)variant;
	return -ENOTSUP;
}
#define glib_put NULL
#define glib_close NULL
#define glib_version NULL
#endif

const struct backend be_glib = {
	.key = "glib",
	.put_label = "g_file_set_contents_full CONSISTENT|DURABLE",
	.open = glib_open,
	.put = glib_put,
	.close = glib_close,
	.version = glib_version,
};
