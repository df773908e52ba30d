/* SPDX-License-Identifier: MIT */
/* be_sqlite.c - SQLite in WAL mode, synchronous FULL or NORMAL, one INSERT
 * per transaction; the newest is the last row by rowid.  Statements are
 * prepared once, as a long-lived handle would. */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { SQ_FULL, SQ_NORMAL };

#ifdef BENCH_HAVE_SQLITE3
#include <sqlite3.h>

struct sq_state {
	sqlite3 *db;
	sqlite3_stmt *insert, *last;
	const void *buf;
	size_t len;
	char *out;
	size_t cap;
};

static int sq_fail(sqlite3 *db, const char *what)
{
	note("sqlite: %s: %s", what, sqlite3_errmsg(db));
	return -EIO;
}

static int sq_setup(struct sq_state *s, const char *dir, int variant)
{
	char *path = xasprintf("%s/db.sqlite", dir);
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	free(path);
	if (rc != SQLITE_OK)
		return sq_fail(s->db, "open");
	sqlite3_busy_timeout(s->db, 60000); /* concurrent writers wait their turn */
	char *sql = xasprintf("PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;"
	                      "CREATE TABLE IF NOT EXISTS v(id INTEGER PRIMARY KEY, data BLOB NOT NULL);",
	                      variant == SQ_FULL ? "FULL" : "NORMAL");
	rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return sq_fail(s->db, "setup");
	if (sqlite3_prepare_v2(s->db, "INSERT INTO v(data) VALUES (?)", -1, &s->insert, NULL) ||
	    sqlite3_prepare_v2(s->db, "SELECT data FROM v ORDER BY id DESC LIMIT 1", -1, &s->last, NULL))
		return sq_fail(s->db, "prepare");
	return 0;
}

static void sq_close(void *st)
{
	struct sq_state *s = st;
	sqlite3_finalize(s->insert);
	sqlite3_finalize(s->last);
	sqlite3_close(s->db);
	free(s->out);
	free(s);
}

static int sq_open(void **stp, const struct bench_ctx *c, int variant)
{
	int r = make_dir(c->data_dir);
	if (r < 0)
		return r;
	struct sq_state *s = xcalloc(1, sizeof(*s));
	r = sq_setup(s, c->data_dir, variant);
	if (r < 0) {
		sq_close(s);
		return r;
	}
	s->buf = c->payload;
	s->len = c->len;
	s->cap = c->len;
	s->out = xmalloc(s->cap);
	*stp = s;
	return 0;
}

static int sq_put(void *st)
{
	struct sq_state *s = st;
	sqlite3_bind_blob(s->insert, 1, s->buf, (int)s->len, SQLITE_STATIC);
	int rc = sqlite3_step(s->insert);
	sqlite3_reset(s->insert);
	return rc == SQLITE_DONE ? 0 : sq_fail(s->db, "insert");
}

static int sq_fill(void *st, uint64_t n)
{
	struct sq_state *s = st;
	int r = sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
	for (uint64_t i = 0; i < n && r == 0; i++)
		r = sq_put(s);
	if (r == 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		r = sq_fail(s->db, "commit");
	return r;
}

static int sq_get(void *st, size_t *len)
{
	struct sq_state *s = st;
	int rc = sqlite3_step(s->last);
	int r = 0;
	if (rc == SQLITE_ROW) {
		size_t n = (size_t)sqlite3_column_bytes(s->last, 0);
		r = n <= s->cap ? 0 : -EMSGSIZE;
		if (r == 0)
			memcpy(s->out, sqlite3_column_blob(s->last, 0), n);
		*len = n;
	} else {
		r = sq_fail(s->db, "select");
	}
	sqlite3_reset(s->last);
	return r;
}

static const char *sq_version(void)
{
	return sqlite3_libversion();
}
#else
static int sq_open(void **stp, const struct bench_ctx *c, int variant)
{
	(void)stp, (void)c, (void)variant;
	return -ENOTSUP;
}
#define sq_fill NULL
#define sq_put NULL
#define sq_get NULL
#define sq_close NULL
#define sq_version NULL
#endif

#define SQ_BACKEND(k, pl, gl, v)                                              \
	{                                                                     \
		.key = k, .put_label = pl, .get_label = gl, .variant = v,     \
		.open = sq_open, .fill = sq_fill, .put = sq_put,              \
		.get = sq_get, .close = sq_close, .version = sq_version,      \
	}

const struct backend be_sqlite_full = SQ_BACKEND("sqlite-full",
	"SQLite WAL, synchronous=FULL, 1 INSERT/txn",
	"SQLite last row (prepared SELECT)", SQ_FULL);
const struct backend be_sqlite_normal = SQ_BACKEND("sqlite-normal",
	"SQLite WAL, synchronous=NORMAL, 1 INSERT/txn", NULL, SQ_NORMAL);
