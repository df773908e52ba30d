/* SPDX-License-Identifier: MIT */
/* be_lmdb.c - LMDB with its default, durable commits: one put per write
 * transaction, keys counting up; the newest is the last key, read through
 * a reset-and-renewed read transaction and cursor (LMDB's fast path). */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef BENCH_HAVE_LMDB
#include <lmdb.h>

struct lm_state {
	MDB_env *env;
	MDB_dbi dbi;
	MDB_txn *rtxn;
	MDB_cursor *cursor;
	uint64_t seq;
	const void *buf;
	size_t len;
	char *out;
	size_t cap;
};

static int lm_fail(int rc, const char *what)
{
	note("lmdb: %s: %s", what, mdb_strerror(rc));
	return rc > 0 ? -rc : -EIO;
}

static int lm_setup(struct lm_state *s, const char *dir)
{
	MDB_txn *txn;
	int rc = mdb_env_create(&s->env);
	if (rc == 0)
		rc = mdb_env_set_mapsize(s->env, (size_t)16 << 30);
	if (rc == 0)
		rc = mdb_env_open(s->env, dir, 0, 0664);
	if (rc == 0)
		rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc == 0 && (rc = mdb_dbi_open(txn, NULL, 0, &s->dbi)) != 0)
		mdb_txn_abort(txn);
	if (rc == 0)
		rc = mdb_txn_commit(txn);
	return rc == 0 ? 0 : lm_fail(rc, dir);
}

static void lm_close(void *st)
{
	struct lm_state *s = st;
	if (s->cursor)
		mdb_cursor_close(s->cursor);
	if (s->rtxn)
		mdb_txn_abort(s->rtxn);
	mdb_env_close(s->env);
	free(s->out);
	free(s);
}

static int lm_open(void **stp, const struct bench_ctx *c, int variant)
{
	(void)variant;
	int r = make_dir(c->data_dir);
	if (r < 0)
		return r;
	struct lm_state *s = xcalloc(1, sizeof(*s));
	r = lm_setup(s, c->data_dir);
	if (r < 0) {
		lm_close(s);
		return r;
	}
	s->buf = c->payload;
	s->len = c->len;
	s->cap = c->len;
	s->out = xmalloc(s->cap);
	*stp = s;
	return 0;
}

/* Big-endian, so that byte order is put order. */
static void put_key(uint64_t n, unsigned char k[8])
{
	for (int i = 7; i >= 0; i--, n >>= 8)
		k[i] = (unsigned char)n;
}

static int lm_put_in(struct lm_state *s, MDB_txn *txn)
{
	unsigned char k[8];
	put_key(s->seq++, k);
	MDB_val key = { sizeof(k), k }, val = { s->len, (void *)s->buf };
	return mdb_put(txn, s->dbi, &key, &val, MDB_APPEND);
}

static int lm_write(struct lm_state *s, uint64_t n)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
	if (rc != 0)
		return lm_fail(rc, "begin");
	for (uint64_t i = 0; i < n && rc == 0; i++)
		rc = lm_put_in(s, txn);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return lm_fail(rc, "put");
	}
	rc = mdb_txn_commit(txn);
	return rc == 0 ? 0 : lm_fail(rc, "commit");
}

static int lm_fill(void *st, uint64_t n)
{
	return lm_write(st, n);
}

static int lm_put(void *st)
{
	return lm_write(st, 1);
}

static int lm_begin_read(struct lm_state *s)
{
	if (!s->rtxn) {
		int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &s->rtxn);
		if (rc == 0)
			rc = mdb_cursor_open(s->rtxn, s->dbi, &s->cursor);
		return rc;
	}
	int rc = mdb_txn_renew(s->rtxn);
	return rc == 0 ? mdb_cursor_renew(s->rtxn, s->cursor) : rc;
}

static int lm_get(void *st, size_t *len)
{
	struct lm_state *s = st;
	MDB_val key, val;
	int rc = lm_begin_read(s);
	if (rc == 0)
		rc = mdb_cursor_get(s->cursor, &key, &val, MDB_LAST);
	if (rc == 0 && val.mv_size > s->cap)
		rc = EMSGSIZE;
	if (rc == 0) {
		memcpy(s->out, val.mv_data, val.mv_size);
		*len = val.mv_size;
	}
	if (s->rtxn)
		mdb_txn_reset(s->rtxn);
	return rc == 0 ? 0 : lm_fail(rc, "get");
}

static const char *lm_version(void)
{
	static char v[32];
	int major, minor, patch;
	mdb_version(&major, &minor, &patch);
	snprintf(v, sizeof(v), "%d.%d.%d", major, minor, patch);
	return v;
}
#else
static int lm_open(void **stp, const struct bench_ctx *c, int variant)
{
	(void)stp, (void)c, (void)variant;
	return -ENOTSUP;
}
#define lm_fill NULL
#define lm_put NULL
#define lm_get NULL
#define lm_close NULL
#define lm_version NULL
#endif

const struct backend be_lmdb = {
	.key = "lmdb",
	.put_label = "LMDB, 1 put/txn, durable commit",
	.get_label = "LMDB last key (renewed read txn)",
	.open = lm_open,
	.fill = lm_fill,
	.put = lm_put,
	.get = lm_get,
	.close = lm_close,
	.version = lm_version,
};
