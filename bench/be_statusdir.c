/* SPDX-License-Identifier: MIT */
/* be_statusdir.c - libstatusdir with one open handle: durable puts, puts
 * with STATUSDIR_NOSYNC or STATUSDIR_ONE_FLUSH, puts into a store that records keep = 100, and
 * newest-gets into the caller's buffer; the same in a format-2 store, and
 * format 2's conditional put on top of the version the handle put last. */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <statusdir.h>
#include <stdlib.h>

enum { SD_DURABLE, SD_NOSYNC, SD_KEEP, SD_ONE_FLUSH, SD_CAS };
/* added to a variant: the store is made in format 2 */
#define SD_FORMAT2 16

struct sd_state {
	statusdir *sd;
	const void *buf;
	size_t len;
	unsigned flags;
	bool cas;                       /* statusdir_put_if() on base */
	char base[STATUSDIR_ID_SIZE];   /* the last id put */
	char *out;
	size_t cap;
};

static int keep_versions(statusdir *sd)
{
	struct statusdir_config cfg;
	int r = statusdir_config_get(sd, &cfg);
	cfg.keep = KEEP_VERSIONS;
	return r < 0 ? r : statusdir_config_set(sd, &cfg);
}

static int sd_open(void **stp, const struct bench_ctx *c, int variant)
{
	struct sd_state *s = xcalloc(1, sizeof(*s));
	unsigned format2 = variant & SD_FORMAT2 ? STATUSDIR_FORMAT2 : 0;
	variant &= ~SD_FORMAT2;
	int r = statusdir_open(c->data_dir, STATUSDIR_CREATE | format2, NULL, &s->sd);
	if (r == 0 && variant == SD_KEEP)
		r = keep_versions(s->sd);
	if (r < 0) {
		statusdir_close(s->sd);
		free(s);
		return r;
	}
	s->buf = c->payload;
	s->len = c->len;
	s->flags = variant == SD_NOSYNC      ? STATUSDIR_NOSYNC
	           : variant == SD_ONE_FLUSH ? STATUSDIR_ONE_FLUSH
	                                     : 0;
	s->cas = variant == SD_CAS;
	/* the base is the newest: found once, then each put's own id */
	if (s->cas && statusdir_resolve(s->sd, "@0", s->base) < 0)
		s->base[0] = '\0';
	s->cap = c->len;
	s->out = xmalloc(s->cap);
	*stp = s;
	return 0;
}

static int sd_fill(void *st, uint64_t n)
{
	struct sd_state *s = st;
	int r = 0;
	for (uint64_t i = 0; i < n && r == 0; i++)
		r = statusdir_put(s->sd, s->buf, s->len, STATUSDIR_NOSYNC, s->base);
	return r;
}

static int sd_put(void *st)
{
	struct sd_state *s = st;
	if (s->cas)
		return statusdir_put_if(s->sd, s->base, s->buf, s->len, s->flags, s->base);
	return statusdir_put(s->sd, s->buf, s->len, s->flags, NULL);
}

static int sd_get(void *st, size_t *len)
{
	struct sd_state *s = st;
	int r = statusdir_get(s->sd, NULL, s->out, s->cap, len, NULL);
	return r > 0 ? -EBADMSG : r; /* healed: a damaged newest, not expected here */
}

static void sd_close(void *st)
{
	struct sd_state *s = st;
	statusdir_close(s->sd);
	free(s->out);
	free(s);
}

#define SD_BACKEND(k, pl, gl, v)                                              \
	{                                                                     \
		.key = k, .put_label = pl, .get_label = gl, .variant = v,     \
		.open = sd_open, .fill = sd_fill, .put = sd_put,              \
		.get = sd_get, .close = sd_close,                             \
	}

const struct backend be_statusdir = SD_BACKEND("statusdir", "statusdir_put",
	"statusdir_get, newest (open handle)", SD_DURABLE);
const struct backend be_statusdir_nosync = SD_BACKEND("statusdir-nosync",
	"statusdir_put, STATUSDIR_NOSYNC", NULL, SD_NOSYNC);
const struct backend be_statusdir_keep = SD_BACKEND("statusdir-keep100",
	"statusdir_put, keep = 100 recorded",
	"statusdir_get, newest, keep = 100 recorded", SD_KEEP);
const struct backend be_statusdir_one_flush = SD_BACKEND("statusdir-oneflush",
	"statusdir_put, STATUSDIR_ONE_FLUSH", NULL, SD_ONE_FLUSH);

const struct backend be_statusdir2 = SD_BACKEND("statusdir2", "statusdir_put, format 2",
	"statusdir_get, newest, format 2", SD_DURABLE | SD_FORMAT2);
const struct backend be_statusdir2_nosync = SD_BACKEND("statusdir2-nosync",
	"statusdir_put, format 2, STATUSDIR_NOSYNC", NULL, SD_NOSYNC | SD_FORMAT2);
const struct backend be_statusdir2_one_flush = SD_BACKEND("statusdir2-oneflush",
	"statusdir_put, format 2, STATUSDIR_ONE_FLUSH", NULL, SD_ONE_FLUSH | SD_FORMAT2);
const struct backend be_statusdir2_keep = SD_BACKEND("statusdir2-keep100",
	"statusdir_put, format 2, keep = 100 recorded",
	"statusdir_get, newest, format 2, keep = 100 recorded", SD_KEEP | SD_FORMAT2);
const struct backend be_statusdir2_cas = SD_BACKEND("statusdir2-cas",
	"statusdir_put_if, format 2, on its last id", NULL, SD_CAS | SD_FORMAT2);
