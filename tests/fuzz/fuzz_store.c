/* SPDX-License-Identifier: MIT */
/* fuzz_store.c - the library driven through random sequences of operations
 * on a store in $TMPDIR (a tmpfs under make fuzz-short), with the
 * invariants of spec/invariants.md checked after every step.
 *
 * The input is a program: each operation takes an opcode byte and a few
 * argument bytes.  Two read-write handles and one read-only handle share
 * the store; each read-write handle may hold a put transaction open across
 * other operations.  Besides the library's own operations the program can
 * plant what other processes leave: versions committed by another writer,
 * damaged versions, junk in cur/ and old/ (files that are not ids, and
 * symlinks, FIFOs and directories under valid ids), and files in tmp/ of
 * live, dead and unknown writers.
 *
 * A model of the store (every version that must exist, with its bytes)
 * predicts each result.  After every step:
 *   - the versions listed are exactly the model's, newest first, once each;
 *   - the greatest id is a regular file in cur/ (I4), never moved or pruned;
 *   - get of the newest returns the greatest id, or, if that is damaged, the
 *     newest intact version (STATUSDIR_HEALED); get by id returns exactly
 *     the bytes put under that id (I1, I2);
 *   - a put's id is greater than every id before it (I8);
 *   - prune removes only what its policy allows, never the greatest id nor
 *     the newest intact version, and never a live writer's tmp/ file under
 *     the default age (I11);
 *   - verify reports exactly the planted damage, junk and tmp/ files, and
 *     no damage otherwise;
 *   - no descriptor leaks (and LeakSanitizer checks memory).
 * With STATUSDIR_IF_CHANGED the newest stays the same when the bytes are
 * the same, and the put returns its id.
 *
 * FUZZ_TRACE=1 prints each operation as it runs, to read a crash input:
 *   FUZZ_TRACE=1 tests/fuzz/fuzz_store tests/fuzz/crashes/store-crash-... */
#include "internal.h"

#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXV 200          /* versions in the model */
#define MAX_OPS 64        /* operations per input */
#define BIG_MAX (256 * 1024)
#define BIG_TOTAL (1024 * 1024)

struct version {
	char id[STATUSDIR_ID_SIZE];
	uint8_t *data;   /* the file's bytes */
	size_t len;
	size_t idlen;    /* the size its id names */
	int damage;      /* 0 intact, 1 too short, 2 wrong checksum, 3 a byte
	                    more than its id names (which is right for the rest) */
};

struct txn_state {
	statusdir_txn *t;
	unsigned flags;
	uint8_t *buf;
	size_t len;
	bool orphan;     /* its tmp/ file was swept: commit must fail */
};

struct world {
	char store[PATH_MAX];
	statusdir *rw[2], *ro;
	struct txn_state txn[2];
	struct version v[MAXV];
	size_t n;
	char gone[8][STATUSDIR_ID_SIZE]; /* ids pruned: lookups give -ENOENT */
	size_t ngone;
	char junk_ids[8][STATUSDIR_ID_SIZE]; /* valid ids of junk entries */
	size_t njunk_ids;
	size_t junk;      /* junk entries in cur/ and old/ */
	size_t tmp_dead;  /* tmp/ files of a writer that is gone */
	size_t tmp_other; /* tmp/ files with names of no known writer */
	uint64_t keep;    /* the recorded retention */
	uint64_t hkeep[2]; /* what each handle read: at open, config and begin */
	size_t big;       /* bytes of big payloads so far */
	int out;          /* a memfd that get_fd writes to */
	unsigned plant_seq;
};

static char *base;
static struct writer_identity me;
static bool tracing; /* FUZZ_TRACE=1: print each operation (to reproduce one) */

static void trace(const struct world *w, const char *op, const char *arg, int r)
{
	if (tracing)
		fprintf(stderr, "  %-10s %s -> %d; model %zu versions, newest %s\n", op, arg, r,
		        w->n, w->n ? w->v[0].id : "none");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	base = fuzz_tmpdir("store");
	statusdir__identity_load(&me);
	signal(SIGPIPE, SIG_IGN);
	tracing = getenv("FUZZ_TRACE") != NULL;
	return 0;
}

/* ---- the model ---- */

static int cmp_version_desc(const void *a, const void *b)
{
	return strcmp(((const struct version *)b)->id, ((const struct version *)a)->id);
}

/* Sorted newest first after every change, so v[0] is the greatest id. */
static void model_sort(struct world *w)
{
	qsort(w->v, w->n, sizeof(w->v[0]), cmp_version_desc);
}

static struct version *model_find(struct world *w, const char *id)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i].id, id) == 0)
			return &w->v[i];
	return NULL;
}

static void model_add(struct world *w, const char *id, const void *data, size_t len,
                      int damage)
{
	FUZZ_CHECK(w->n < MAXV, "model full");
	FUZZ_CHECK(!model_find(w, id), "id %s committed twice", id);
	struct version *v = &w->v[w->n++];
	memcpy(v->id, id, strlen(id) + 1);
	v->data = malloc(len ? len : 1);
	if (!v->data)
		abort();
	if (len)
		memcpy(v->data, data, len);
	v->len = len;
	v->idlen = damage == 1 ? len + 1 : damage == 3 ? len - 1 : len;
	v->damage = damage;
	model_sort(w);
}

static void model_remove(struct world *w, size_t i)
{
	memcpy(w->gone[w->ngone++ % 8], w->v[i].id, STATUSDIR_ID_SIZE);
	free(w->v[i].data);
	w->v[i] = w->v[--w->n];
	model_sort(w);
}

static int64_t time_of(const char *id)
{
	struct statusdir_version v;
	FUZZ_CHECK(statusdir_id_parse(id, &v) == 0, "bad id '%s'", id);
	return v.time_ns;
}

/* A version a reader may hand out: intact, or, with GET_NOVERIFY, one whose
 * file has the size its id names (the checksum is skipped, the size is not). */
static bool readable(const struct version *v, unsigned flags)
{
	return v->damage == 0 || (v->damage == 2 && (flags & STATUSDIR_GET_NOVERIFY));
}

static size_t newest_intact(const struct world *w)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].damage == 0)
			return i;
	return w->n;
}

/* Retention as prune and every put apply it: beyond keep, never the
 * greatest id nor the newest intact version. */
static void model_keep(struct world *w, uint64_t keep)
{
	size_t intact = newest_intact(w);
	for (size_t i = w->n; keep && i-- > 1;)
		if (i >= keep && i != intact) {
			if (intact > i)
				intact--;
			model_remove(w, i);
		}
}

/* ---- the store on disk ---- */

static void path_in(const struct world *w, const char *dir, const char *name, char *out)
{
	int n = snprintf(out, PATH_MAX, "%s/%s/%s", w->store, dir, name);
	FUZZ_CHECK(n > 0 && n < PATH_MAX, "path too long");
}

/* Regular files in dir: all of them, and those whose names are valid ids;
 * greatest gets the greatest such id ("" if none). */
static void scan_dir(const struct world *w, const char *dir, size_t *files, size_t *ids,
                     char *greatest)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", w->store, dir);
	DIR *d = opendir(path);
	FUZZ_CHECK(d != NULL, "opendir %s", path);
	*files = *ids = 0;
	if (greatest)
		greatest[0] = '\0';
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		path_in(w, dir, de->d_name, path);
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		(*files)++;
		if (!statusdir__id_valid(de->d_name))
			continue;
		(*ids)++;
		if (greatest && strcmp(de->d_name, greatest) > 0)
			memcpy(greatest, de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* ---- reading back ---- */

static void reset_out(struct world *w, bool append)
{
	FUZZ_CHECK(ftruncate(w->out, 0) == 0 && lseek(w->out, 0, SEEK_SET) == 0, "reset out");
	int fl = fcntl(w->out, F_GETFL);
	FUZZ_CHECK(fl >= 0 && fcntl(w->out, F_SETFL, append ? fl | O_APPEND : fl & ~O_APPEND) == 0,
	           "fcntl");
}

/* A reader hands out the size its id names (NOVERIFY may hand out a
 * damaged version as it is). */
static void check_out(struct world *w, const struct version *v)
{
	struct stat st;
	FUZZ_CHECK(fstat(w->out, &st) == 0 && (size_t)st.st_size == v->idlen,
	           "get_fd of %s wrote %lld bytes, expected %zu", v->id, (long long)st.st_size,
	           v->idlen);
	uint8_t *buf = malloc(v->idlen + 1);
	if (!buf)
		abort();
	ssize_t n = pread(w->out, buf, v->idlen + 1, 0);
	FUZZ_CHECK(n == (ssize_t)v->idlen && memcmp(buf, v->data, v->idlen) == 0,
	           "get_fd of %s: other bytes", v->id);
	free(buf);
}

/* What a get of the newest must answer: 0 and the greatest id, HEALED and
 * the newest readable version below it, or -EBADMSG; -ENOENT if empty. */
static int expect_newest(const struct world *w, unsigned flags, size_t *which)
{
	if (w->n == 0)
		return -ENOENT;
	*which = 0;
	if (readable(&w->v[0], flags))
		return 0;
	if (flags & STATUSDIR_GET_STRICT)
		return -EBADMSG;
	for (size_t i = 1; i < w->n; i++)
		if (readable(&w->v[i], flags)) {
			*which = i;
			return STATUSDIR_HEALED;
		}
	return -EBADMSG;
}

static void check_get_newest(struct world *w, statusdir *sd, unsigned flags, bool append)
{
	struct statusdir_read rd = { .flags = flags };
	size_t which = 0;
	int want = expect_newest(w, flags, &which);
	reset_out(w, append);
	int r = statusdir_read_fd(sd, NULL, w->out, &rd);
	FUZZ_CHECK(r == want, "get newest (flags %u): %d (%s), expected %d", flags, r,
	           statusdir_strerror(r), want);
	if (r < 0) {
		FUZZ_CHECK(r != -EBADMSG || rd.id[0], "damage reported without an id");
		return;
	}
	FUZZ_CHECK(strcmp(rd.id, w->v[which].id) == 0, "get newest returned %s, expected %s",
	           rd.id, w->v[which].id);
	check_out(w, &w->v[which]);
	if (r == STATUSDIR_HEALED) {
		size_t damaged = 0;
		for (size_t i = 0; i < which; i++)
			damaged += !readable(&w->v[i], flags);
		FUZZ_CHECK(strcmp(rd.damaged, w->v[0].id) == 0 && rd.skipped == damaged,
		           "healed read reports %s and %u skipped, expected %s and %zu", rd.damaged,
		           rd.skipped, w->v[0].id, damaged);
	}
}

/* What statusdir_get() into cap bytes must answer, and the version it
 * names.  Two checks come before the bytes are read: the buffer against the
 * size in the id (-EMSGSIZE), and the file's size against it (damage);
 * either may come first (size_first), so both answers are accepted. */
static int expect_memory(const struct world *w, const char *id, size_t cap,
                         bool size_first, const struct version **named)
{
	*named = NULL;
	for (size_t i = 0; i < w->n; i++) {
		const struct version *v = &w->v[i];
		if (id && strcmp(v->id, id) != 0)
			continue;
		*named = v;
		bool wrong_size = v->damage == 1 || v->damage == 3;
		if (!(size_first && wrong_size) && v->idlen > cap)
			return -EMSGSIZE;
		if (v->damage == 0)
			return i == 0 || id ? 0 : STATUSDIR_HEALED;
		if (id)
			return -EBADMSG;
	}
	return w->n && !(id && !*named) ? -EBADMSG : -ENOENT;
}

/* statusdir_get() into memory, with a buffer that may be too small. */
static void check_get_memory(struct world *w, statusdir *sd, const char *id, size_t cap)
{
	char found[STATUSDIR_ID_SIZE] = "";
	size_t len = 12345;
	const struct version *v, *v2;
	uint8_t *buf = malloc(cap ? cap : 1);
	if (!buf)
		abort();
	int want = expect_memory(w, id, cap, false, &v);
	int want2 = expect_memory(w, id, cap, true, &v2);
	int r = statusdir_get(sd, id, buf, cap, &len, found);
	FUZZ_CHECK(r == want || r == want2, "get %s into %zu bytes: %d (%s), expected %d or %d",
	           id ? id : "newest", cap, r, statusdir_strerror(r), want, want2);
	if (r != want || (r == want2 && v2 && strcmp(found, v2->id) == 0))
		v = v2;
	if (r == -EMSGSIZE)
		FUZZ_CHECK(strcmp(found, v->id) == 0 && len == v->idlen,
		           "EMSGSIZE names %s and %zu bytes, expected %s", found, len, v->id);
	if (r >= 0)
		FUZZ_CHECK(strcmp(found, v->id) == 0 && len == v->len &&
		           memcmp(buf, v->data, len) == 0, "get %s: other bytes or id", v->id);
	free(buf);
}

static void check_get_by_id(struct world *w, statusdir *sd, const char *id, bool append)
{
	char found[STATUSDIR_ID_SIZE] = "";
	const struct version *v = model_find(w, id);
	int want = !v ? -ENOENT : v->damage ? -EBADMSG : 0;
	reset_out(w, append);
	int r = statusdir_get_fd(sd, id, w->out, 0, found);
	FUZZ_CHECK(r == want, "get %s: %d (%s), expected %d", id, r, statusdir_strerror(r), want);
	if (r == 0) {
		FUZZ_CHECK(strcmp(found, id) == 0, "get %s found %s", id, found);
		check_out(w, v);
	} else {
		struct stat st;
		FUZZ_CHECK(fstat(w->out, &st) == 0 && st.st_size == 0,
		           "a failed get wrote %lld bytes", (long long)st.st_size);
	}
}

/* ---- the invariants, after every step ---- */

static void check_list(struct world *w)
{
	struct statusdir_version *list = NULL;
	size_t n = 99;
	int r = statusdir_list(w->ro, &list, &n);
	FUZZ_CHECK(r == 0, "list: %d", r);
	FUZZ_CHECK(n == w->n, "list has %zu versions, the model %zu", n, w->n);
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(strcmp(list[i].id, w->v[i].id) == 0, "list[%zu] = %s, expected %s", i,
		           list[i].id, w->v[i].id);
	FUZZ_CHECK(n == 0 || list[0].in_head, "the newest %s is not in cur/", list[0].id);
	statusdir_list_free(list);
}

static void count_report(void *arg, const struct statusdir_event *ev)
{
	(void)ev;
	(*(size_t *)arg)++;
}

static size_t open_txns(const struct world *w)
{
	size_t n = 0;
	for (int h = 0; h < 2; h++)
		n += w->txn[h].t && !w->txn[h].orphan;
	return n;
}

static void check_verify(struct world *w)
{
	struct statusdir_counts c;
	size_t events = 0, damaged = 0;
	for (size_t i = 0; i < w->n; i++)
		damaged += w->v[i].damage != 0;
	int r = statusdir_verify(w->ro, count_report, &events, &c);
	FUZZ_CHECK(r == (damaged ? -EBADMSG : 0), "verify: %d (%s) with %zu damaged", r,
	           statusdir_strerror(r), damaged);
	FUZZ_CHECK(c.versions == w->n && c.damaged == damaged && c.junk == w->junk,
	           "verify counts %llu versions, %llu damaged, %llu junk; expected %zu, %zu, %zu",
	           (unsigned long long)c.versions, (unsigned long long)c.damaged,
	           (unsigned long long)c.junk, w->n, damaged, w->junk);
	FUZZ_CHECK(c.tmp_stale == w->tmp_dead && c.tmp_busy == w->tmp_other + open_txns(w),
	           "verify counts %llu stale and %llu busy tmp/ files; expected %zu and %zu",
	           (unsigned long long)c.tmp_stale, (unsigned long long)c.tmp_busy, w->tmp_dead,
	           w->tmp_other + open_txns(w));
	FUZZ_CHECK(events == damaged + c.junk + c.tmp_stale + c.tmp_busy,
	           "verify reported %zu events", events);
}

static void check_store(struct world *w)
{
	char greatest[STATUSDIR_ID_SIZE];
	size_t files, ids;
	check_list(w);
	scan_dir(w, "cur", &files, &ids, greatest);
	FUZZ_CHECK(w->n == 0 ? greatest[0] == '\0' : strcmp(greatest, w->v[0].id) == 0,
	           "greatest id in cur/ is '%s', expected '%s'", greatest,
	           w->n ? w->v[0].id : "");
	scan_dir(w, "tmp", &files, &ids, NULL);
	FUZZ_CHECK(files == w->tmp_dead + w->tmp_other + open_txns(w),
	           "tmp/ holds %zu files, expected %zu", files,
	           w->tmp_dead + w->tmp_other + open_txns(w));
	check_get_newest(w, w->ro, 0, false);
	for (size_t i = 0; i < w->n; i++)
		check_get_by_id(w, w->ro, w->v[i].id, false);
	check_verify(w);
}

/* ---- operations ---- */

static bool same_bytes(const void *a, const void *b, size_t len)
{
	return len == 0 || memcmp(a, b, len) == 0; /* a txn with no write has no buffer */
}

static void committed(struct world *w, int r, const char *id, const void *buf, size_t len,
                      unsigned flags, uint64_t keep)
{
	if (r == STATUSDIR_UNCHANGED) {
		FUZZ_CHECK(flags & STATUSDIR_IF_CHANGED, "UNCHANGED without IF_CHANGED");
		FUZZ_CHECK(w->n > 0 && strcmp(id, w->v[0].id) == 0 && w->v[0].damage == 0 &&
		           w->v[0].len == len && same_bytes(w->v[0].data, buf, len),
		           "UNCHANGED with %s, but the newest is %s", id, w->n ? w->v[0].id : "none");
		return;
	}
	FUZZ_CHECK(r == 0, "put: %d (%s)", r, statusdir_strerror(r));
	FUZZ_CHECK(statusdir__id_valid(id), "put returned id '%s'", id);
	FUZZ_CHECK(w->n == 0 || strcmp(id, w->v[0].id) > 0, "put id %s is not above %s", id,
	           w->v[0].id);
	struct statusdir_version v;
	statusdir_id_parse(id, &v);
	FUZZ_CHECK(v.size == len && v.checksum == statusdir__checksum(buf, len),
	           "id %s does not name the payload", id);
	model_add(w, id, buf, len, 0);
	model_keep(w, keep);
}

/* Would an IF_CHANGED put of these bytes commit nothing? */
static bool same_as_newest(const struct world *w, const void *buf, size_t len)
{
	return w->n > 0 && w->v[0].damage == 0 && w->v[0].len == len &&
	       same_bytes(w->v[0].data, buf, len);
}

static void op_put(struct world *w, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	int h = a & 1;
	unsigned flags = (a & 2 ? STATUSDIR_NOSYNC : 0) | (a & 4 ? STATUSDIR_IF_CHANGED : 0);
	size_t len;
	const uint8_t *buf = fuzz_bytes(in, 64, &len);
	if ((a & 8) && w->n > 0) { /* the newest's bytes again */
		buf = w->v[0].data;
		len = w->v[0].len;
	}
	char id[STATUSDIR_ID_SIZE] = "";
	if (a & 16) {
		int r = statusdir_put(w->ro, buf, len, flags, id);
		FUZZ_CHECK(r == -EROFS, "put on a read-only handle: %d", r);
		return;
	}
	bool unchanged = (flags & STATUSDIR_IF_CHANGED) && same_as_newest(w, buf, len);
	uint8_t *copy = malloc(len ? len : 1); /* buf may be the model's, which moves */
	if (!copy)
		abort();
	memcpy(copy, buf, len);
	int r = statusdir_put(w->rw[h], copy, len, flags, id);
	trace(w, "put", id, r);
	FUZZ_CHECK(unchanged == (r == STATUSDIR_UNCHANGED), "IF_CHANGED put: %d", r);
	w->hkeep[h] = w->keep; /* begin reads the format file again */
	committed(w, r, id, copy, len, flags, w->hkeep[h]);
	free(copy);
}

/* A big payload through statusdir_put_fd(): gets above 64 KiB take the
 * two-pass path and the kernel copies. */
static void op_put_big(struct world *w, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	size_t len = ((size_t)fuzz_u8(in) + 1) * 1024 + fuzz_u8(in);
	if (len > BIG_MAX || w->big + len > BIG_TOTAL)
		return;
	w->big += len;
	uint8_t *buf = malloc(len);
	if (!buf)
		abort();
	uint32_t x = a * 2654435761u + 1;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	int fd = memfd_create("payload", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0 && statusdir__write_all(fd, buf, len) == 0 &&
	           lseek(fd, 0, SEEK_SET) == 0, "memfd");
	char id[STATUSDIR_ID_SIZE] = "";
	unsigned flags = a & 4 ? STATUSDIR_IF_CHANGED : 0;
	bool unchanged = flags && same_as_newest(w, buf, len);
	int r = statusdir_put_fd(w->rw[a & 1], fd, flags, id);
	trace(w, "put_fd", id, r);
	close(fd);
	FUZZ_CHECK(unchanged == (r == STATUSDIR_UNCHANGED), "IF_CHANGED put_fd: %d", r);
	w->hkeep[a & 1] = w->keep;
	committed(w, r, id, buf, len, flags, w->hkeep[a & 1]);
	check_get_by_id(w, w->rw[a & 1], id, a & 8);
	free(buf);
}

static void op_txn(struct world *w, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	int h = a & 1;
	struct txn_state *t = &w->txn[h];
	if (!t->t) { /* begin */
		t->flags = (a & 2 ? STATUSDIR_NOSYNC : 0) | (a & 4 ? STATUSDIR_IF_CHANGED : 0);
		int r = statusdir_put_begin(w->rw[h], t->flags, &t->t);
		trace(w, "begin", h ? "handle 1" : "handle 0", r);
		FUZZ_CHECK(r == 0, "put_begin: %d", r);
		w->hkeep[h] = w->keep;
		t->len = 0;
		t->orphan = false;
		return;
	}
	switch ((a >> 3) & 3) {
	case 0:
	case 1: { /* write */
		size_t len;
		const uint8_t *buf = fuzz_bytes(in, 48, &len);
		uint8_t *nb = realloc(t->buf, t->len + len + 1);
		if (!nb)
			abort();
		t->buf = nb;
		memcpy(t->buf + t->len, buf, len);
		t->len += len;
		int r = statusdir_put_write(t->t, buf, len);
		FUZZ_CHECK(r == 0, "put_write: %d", r);
		break;
	}
	case 2: { /* commit */
		char id[STATUSDIR_ID_SIZE] = "";
		bool unchanged = (t->flags & STATUSDIR_IF_CHANGED) && !t->orphan &&
		                 same_as_newest(w, t->buf, t->len);
		int r = statusdir_put_commit(t->t, id);
		trace(w, "commit", id, r);
		t->t = NULL;
		if (t->orphan) {
			FUZZ_CHECK(r == -ENOENT, "commit of a swept tmp/ file: %d", r);
			break;
		}
		FUZZ_CHECK(unchanged == (r == STATUSDIR_UNCHANGED), "IF_CHANGED commit: %d", r);
		/* retention as the handle knows it now: a later begin on the
		 * same handle may have read new settings */
		committed(w, r, id, t->buf, t->len, t->flags, w->hkeep[h]);
		break;
	}
	default:
		trace(w, "abort", "", 0);
		statusdir_put_abort(t->t);
		t->t = NULL;
		break;
	}
}

static const char *pick_id(struct world *w, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	uint8_t i = fuzz_u8(in);
	if ((a & 3) == 1 && w->ngone > 0)
		return w->gone[i % (w->ngone < 8 ? w->ngone : 8)];
	if ((a & 3) == 2 && w->njunk_ids > 0)
		return w->junk_ids[i % w->njunk_ids];
	if ((a & 3) != 3 && w->n > 0)
		return w->v[i % w->n].id;
	/* a valid id that names nothing */
	return "0000000000000000001.00000000000000000000000000000000.0.2d06800538d394c2";
}

static void op_get(struct world *w, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	trace(w, "get", "", (a >> 2) & 3);
	statusdir *sd = a & 1 ? w->ro : w->rw[(a >> 1) & 1];
	switch ((a >> 2) & 3) {
	case 0: {
		unsigned flags = (a & 16 ? STATUSDIR_GET_STRICT : 0) |
		                 (a & 32 ? STATUSDIR_GET_NOVERIFY : 0);
		check_get_newest(w, sd, flags, a & 64);
		break;
	}
	case 1:
		check_get_memory(w, sd, NULL, fuzz_u8(in));
		break;
	case 2:
		check_get_memory(w, sd, pick_id(w, in), fuzz_u8(in));
		break;
	default:
		check_get_by_id(w, sd, pick_id(w, in), a & 64);
		break;
	}
}

/* The fate of each version under a prune, as far as timing allows: must
 * go (beyond keep, or older than max_age before the call), must stay (the
 * greatest id, the newest intact, or neither beyond keep nor old after the
 * call), or either. */
static void op_prune(struct world *w, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	struct statusdir_prune_policy p;
	struct statusdir_counts c;
	statusdir_prune_policy_init(&p);
	p.keep = a & 1 ? fuzz_u8(in) % 8 : 0;
	p.max_age_ns = a & 2 ? 1 + fuzz_u8(in) * 1000 : 0;
	p.tmp_age_ns = a & 4 ? 1 : 0;
	p.flags = a & 8 ? STATUSDIR_PRUNE_DRY_RUN : 0;
	bool dry = p.flags != 0;
	if (a & 16) {
		int r = statusdir_prune(w->ro, &p, &c);
		FUZZ_CHECK(r == (dry ? 0 : -EROFS), "prune on a read-only handle: %d", r);
		if (!dry)
			return;
	}
	size_t intact = newest_intact(w);
	int64_t before = statusdir__now_ns();
	int r = statusdir_prune(w->rw[(a >> 5) & 1], &p, &c);
	if (tracing) {
		char arg[96];
		snprintf(arg, sizeof(arg), "keep %llu age %lld tmp-age %lld%s",
		         (unsigned long long)p.keep, (long long)p.max_age_ns,
		         (long long)p.tmp_age_ns, dry ? " dry-run" : "");
		trace(w, "prune", arg, r);
	}
	int64_t after = statusdir__now_ns();
	FUZZ_CHECK(r == 0, "prune: %d (%s)", r, statusdir_strerror(r));
	struct statusdir_version *list;
	size_t n;
	FUZZ_CHECK(statusdir_list(w->ro, &list, &n) == 0, "list");
	size_t j = 0, removed = 0;
	for (size_t i = 0, k = w->n; i < k; i++) {
		const char *id = w->v[i].id;
		bool there = j < n && strcmp(list[j].id, id) == 0;
		j += there;
		int64_t t = time_of(id);
		bool beyond = p.keep && i >= p.keep;
		bool must_go = (beyond || (p.max_age_ns && t < before - p.max_age_ns)) &&
		               i != 0 && i != intact && !dry;
		bool may_go = (beyond || (p.max_age_ns && t < after - p.max_age_ns)) && i != 0 &&
		              i != intact;
		FUZZ_CHECK(!must_go || !there, "prune kept %s (rank %zu, keep %llu)", id, i,
		           (unsigned long long)p.keep);
		FUZZ_CHECK(may_go || there || dry, "prune removed %s (rank %zu)", id, i);
		FUZZ_CHECK(!dry || there, "dry-run prune removed %s", id);
		removed += !there;
	}
	FUZZ_CHECK(j == n, "prune: %zu versions listed that the model does not have", n - j);
	FUZZ_CHECK(dry || c.removed == removed, "prune counts %llu removed, saw %zu",
	           (unsigned long long)c.removed, removed);
	for (size_t i = w->n; i-- > 0;) { /* the model follows what happened */
		bool there = false;
		for (size_t k = 0; k < n && !there; k++)
			there = strcmp(list[k].id, w->v[i].id) == 0;
		if (!there)
			model_remove(w, i);
	}
	statusdir_list_free(list);
	if (!dry) {
		size_t files, ids;
		scan_dir(w, "cur", &files, &ids, NULL);
		FUZZ_CHECK(ids <= STATUSDIR_HEAD, "cur/ holds %zu versions after prune", ids);
		w->tmp_dead = 0; /* the writer is gone, whatever the age */
		if (p.tmp_age_ns == 1) {
			w->tmp_other = 0;
			for (int h = 0; h < 2; h++)
				w->txn[h].orphan = w->txn[h].orphan || w->txn[h].t;
		}
	}
}

static void op_rollback(struct world *w, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	const char *id = pick_id(w, in);
	char target[STATUSDIR_ID_SIZE], new_id[STATUSDIR_ID_SIZE] = "";
	memcpy(target, id, strlen(id) + 1);
	const struct version *v = model_find(w, target);
	unsigned flags = a & 2 ? STATUSDIR_IF_CHANGED : 0;
	int r = statusdir_rollback(w->rw[a & 1], target, flags, new_id);
	trace(w, "rollback", target, r);
	if (!v || v->damage) {
		FUZZ_CHECK(r == (v ? -EBADMSG : -ENOENT), "rollback to %s: %d", target, r);
		return;
	}
	size_t len = v->len;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		abort();
	memcpy(copy, v->data, len);
	bool unchanged = flags && same_as_newest(w, copy, len);
	FUZZ_CHECK(unchanged == (r == STATUSDIR_UNCHANGED), "IF_CHANGED rollback: %d", r);
	w->hkeep[a & 1] = w->keep;
	committed(w, r, new_id, copy, len, flags, w->hkeep[a & 1]);
	free(copy);
}

static void op_lookup(struct world *w, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	trace(w, "lookup", "", a & 3);
	char id[STATUSDIR_ID_SIZE] = "";
	switch (a & 3) {
	case 0: { /* resolve @N */
		char ref[32];
		size_t k = fuzz_u8(in) % (w->n + 2);
		snprintf(ref, sizeof(ref), "@%zu", k);
		int r = statusdir_resolve(w->ro, ref, id);
		FUZZ_CHECK(r == (k < w->n ? 0 : -ENOENT), "resolve %s: %d", ref, r);
		FUZZ_CHECK(r < 0 || strcmp(id, w->v[k].id) == 0, "resolve %s: %s", ref, id);
		break;
	}
	case 1: { /* path */
		const char *want = pick_id(w, in);
		char *path = NULL;
		const struct version *v = model_find(w, want);
		int r = statusdir_path(w->ro, want, &path);
		FUZZ_CHECK(r == (v ? 0 : -ENOENT), "path %s: %d", want, r);
		if (r == 0) {
			char cur[PATH_MAX], old[PATH_MAX];
			path_in(w, "cur", want, cur);
			path_in(w, "old", want, old);
			FUZZ_CHECK(strcmp(path, cur) == 0 || strcmp(path, old) == 0, "path %s", path);
			struct stat st;
			FUZZ_CHECK(stat(path, &st) == 0 && (size_t)st.st_size == v->len, "path %s", path);
		}
		free(path);
		break;
	}
	case 2: { /* list_since */
		const char *after = a & 4 ? pick_id(w, in) : NULL;
		struct statusdir_version *list;
		size_t n, k = 0;
		FUZZ_CHECK(statusdir_list_since(w->ro, after, &list, &n) == 0, "list_since");
		for (size_t i = w->n; i-- > 0;)
			if (!after || strcmp(w->v[i].id, after) > 0) {
				FUZZ_CHECK(k < n && strcmp(list[k].id, w->v[i].id) == 0,
				           "list_since %s misses %s", after ? after : "", w->v[i].id);
				k++;
			}
		FUZZ_CHECK(k == n, "list_since lists %zu extra", n - k);
		statusdir_list_free(list);
		break;
	}
	default: { /* wait, without waiting */
		const char *after = a & 4 ? pick_id(w, in) : NULL;
		int r = statusdir_wait(w->ro, after, 0, a & 8 ? 1000000 : 0, id);
		bool newer = w->n > 0 && (!after || strcmp(w->v[0].id, after) > 0);
		FUZZ_CHECK(r == (newer ? 0 : -ETIMEDOUT), "wait after %s: %d", after ? after : "", r);
		FUZZ_CHECK(r != 0 || strcmp(id, w->v[0].id) == 0, "wait found %s", id);
		break;
	}
	}
}

/* ---- what other processes leave ---- */

/* false if the name is taken (the input planted the same id twice) */
static bool plant_file(const struct world *w, const char *dir, const char *name,
                       const void *buf, size_t len)
{
	char path[PATH_MAX];
	path_in(w, dir, name, path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0 && errno == EEXIST)
		return false;
	FUZZ_CHECK(fd >= 0 && statusdir__write_all(fd, buf, len) == 0 && close(fd) == 0,
	           "plant %s", path);
	return true;
}

/* An id above every version (or, below, under every one), for bytes. */
static void plant_id(struct world *w, struct fuzz_in *in, bool below, const void *buf,
                     size_t len, int damage, char *id)
{
	struct id_parts p = { .size = len, .checksum = statusdir__checksum(buf, len) };
	uint8_t step = fuzz_u8(in);
	if (below)
		p.time_ns = w->n ? time_of(w->v[w->n - 1].id) - 1 - step : 1000;
	else if (w->n)
		p.time_ns = time_of(w->v[0].id) + 1 + (step & 128 ? (int64_t)step * NS_PER_SEC : step);
	else
		p.time_ns = statusdir__now_ns() + step;
	for (int i = 0; i < 16; i++)
		p.unique[i] = fuzz_u8(in);
	if (damage == 1)
		p.size++;
	if (damage == 2)
		p.checksum ^= 1;
	if (damage == 3) {
		p.size--;
		p.checksum = statusdir__checksum(buf, len - 1);
	}
	statusdir__id_format(&p, id);
}

static void op_plant(struct world *w, struct fuzz_in *in)
{
	static const char *const kinds[] = { "version", "size-damaged", "sum-damaged",
		"old", "junk-file", "junk-id", "tmp-other", "tmp-dead", "config" };
	uint8_t a = fuzz_u8(in);
	trace(w, "plant", kinds[a % 9], 0);
	size_t len;
	const uint8_t *buf = fuzz_bytes(in, 32, &len);
	char id[STATUSDIR_ID_SIZE], name[NAME_MAX + 1], path[PATH_MAX];
	switch (a % 9) {
	case 0: /* another writer's version, the newest */
	case 1: /* a damaged newest: too short, or a byte too long */
	case 2: { /* a damaged newest: wrong checksum */
		int damage = a % 9 == 1 && (a & 64) && len > 0 ? 3 : a % 9;
		plant_id(w, in, false, buf, len, damage, id);
		if (model_find(w, id) || !plant_file(w, "cur", id, buf, len))
			return;
		model_add(w, id, buf, len, damage);
		break;
	}
	case 3: { /* an old version in old/, below all others, where a head
	           * trim could have put it: at least STATUSDIR_HEAD above it in cur/ */
		size_t files, ids;
		scan_dir(w, "cur", &files, &ids, NULL);
		if (ids < STATUSDIR_HEAD || time_of(w->v[w->n - 1].id) < 300)
			return;
		plant_id(w, in, true, buf, len, 0, id);
		if (model_find(w, id) || !plant_file(w, "old", id, buf, len))
			return;
		model_add(w, id, buf, len, 0);
		break;
	}
	case 4: { /* a file in cur/ or old/ whose name is no id */
		snprintf(name, sizeof(name), "junk.%u.%02x", w->plant_seq++, len ? buf[0] : 0);
		if (plant_file(w, a & 16 ? "old" : "cur", name, buf, len))
			w->junk++;
		break;
	}
	case 5: /* a symlink, FIFO or directory under a valid id above all */
		if (w->njunk_ids == 8)
			return;
		plant_id(w, in, false, buf, len, 0, id);
		path_in(w, a & 16 ? "old" : "cur", id, path);
		struct stat st;
		if (lstat(path, &st) == 0)
			return; /* the same id planted twice */
		if (a & 32)
			FUZZ_CHECK(mkfifo(path, 0666) == 0, "mkfifo");
		else if (a & 64)
			FUZZ_CHECK(mkdir(path, 0777) == 0, "mkdir");
		else
			FUZZ_CHECK(symlink("../format", path) == 0, "symlink");
		memcpy(w->junk_ids[w->njunk_ids++], id, sizeof(id));
		w->junk++;
		break;
	case 6: /* a tmp/ file of no known writer */
		snprintf(name, sizeof(name), "junk-%u", w->plant_seq++);
		if (plant_file(w, "tmp", name, buf, len))
			w->tmp_other++;
		break;
	case 7: { /* a tmp/ file of a writer that is gone: this host, a dead pid */
		struct writer_identity dead = me;
		if (strspn(me.boot_id, "0") >= 32 || me.pid_ns == 0)
			return; /* no /proc: nothing is known gone */
		dead.pid = INT_MAX - (pid_t)(fuzz_u8(in));
		if (kill(dead.pid, 0) == 0 || errno != ESRCH)
			return;
		uint8_t u[16];
		for (int i = 0; i < 16; i++)
			u[i] = fuzz_u8(in);
		fuzz_tmp_name(&dead, u, name, sizeof(name));
		if (plant_file(w, "tmp", name, buf, len))
			w->tmp_dead++;
		break;
	}
	default: /* a retention setting recorded in the store: keep below 32,
	          * which every put applies (statusdir.h: every keep/16-th put,
	          * at least every put) */
		if (a & 16) {
			struct statusdir_config cfg;
			statusdir_config_init(&cfg);
			cfg.keep = fuzz_u8(in) % 6;
			int r = statusdir_config_set(w->rw[(a >> 5) & 1], &cfg);
			trace(w, "keep", cfg.keep ? "set" : "none", r);
			FUZZ_CHECK(r == 0, "config_set: %d", r);
			w->keep = w->hkeep[(a >> 5) & 1] = cfg.keep;
		} else {
			struct statusdir_config cfg;
			statusdir_config_init(&cfg);
			FUZZ_CHECK(statusdir_config_set(w->ro, &cfg) == -EROFS, "config_set read-only");
		}
		break;
	}
}

static void op_reopen(struct world *w, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	trace(w, "reopen", a & 2 ? "read-only" : a & 1 ? "handle 1" : "handle 0", 0);
	int h = a & 1;
	if (a & 2) {
		statusdir_close(w->ro);
		w->ro = NULL;
		FUZZ_CHECK(statusdir_open(w->store, STATUSDIR_READONLY, NULL, &w->ro) == 0, "reopen");
		return;
	}
	if (w->txn[h].t)
		return; /* a transaction must end before its handle closes */
	statusdir_close(w->rw[h]);
	w->rw[h] = NULL;
	FUZZ_CHECK(statusdir_open(w->store, 0, NULL, &w->rw[h]) == 0, "reopen");
	w->rw[h]->tmp_sweep_every = 0; /* see world_open */
	w->hkeep[h] = w->keep;
}

/* ---- one input ---- */

static void world_open(struct world *w)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->store, sizeof(w->store), "%s/store", base);
	fuzz_rm_rf(w->store);
	int r = statusdir_open(w->store, STATUSDIR_CREATE, NULL, &w->rw[0]);
	FUZZ_CHECK(r == 0, "create: %d", r);
	FUZZ_CHECK(statusdir_open(w->store, 0, NULL, &w->rw[1]) == 0, "open");
	FUZZ_CHECK(statusdir_open(w->store, STATUSDIR_READONLY, NULL, &w->ro) == 0, "open ro");
	/* the model's tmp/ is swept by prune alone: a put's sweep, on one put
	 * in K drawn at random, is not reproducible from the input (it is
	 * tested in tests/unit/test_tmp_sweep.c) */
	w->rw[0]->tmp_sweep_every = w->rw[1]->tmp_sweep_every = 0;
	w->out = memfd_create("out", MFD_CLOEXEC);
	FUZZ_CHECK(w->out >= 0, "memfd");
}

static void world_close(struct world *w)
{
	for (int h = 0; h < 2; h++) {
		statusdir_put_abort(w->txn[h].t);
		free(w->txn[h].buf);
		statusdir_close(w->rw[h]);
	}
	statusdir_close(w->ro);
	close(w->out);
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].data);
	fuzz_rm_rf(w->store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	struct fuzz_in in = { data, size };
	int fds = count_fds();
	world_open(&w);
	for (int i = 0; i < MAX_OPS && in.n > 0; i++) {
		switch (fuzz_u8(&in) % 12) {
		case 0:
		case 1:
			op_put(&w, &in);
			break;
		case 2:
			op_put_big(&w, &in);
			break;
		case 3:
		case 4:
			op_txn(&w, &in);
			break;
		case 5:
			op_get(&w, &in);
			break;
		case 6:
			op_prune(&w, &in);
			break;
		case 7:
			op_rollback(&w, &in);
			break;
		case 8:
			op_lookup(&w, &in);
			break;
		case 9:
		case 10:
			op_plant(&w, &in);
			break;
		default:
			op_reopen(&w, &in);
			break;
		}
		check_store(&w);
	}
	world_close(&w);
	FUZZ_CHECK(count_fds() == fds, "descriptors leaked: %d open, %d before", count_fds(), fds);
	return 0;
}
