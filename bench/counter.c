/* SPDX-License-Identifier: MIT */
/* counter.c - five ways for processes to add one to a counter they share,
 * each a durable read-modify-write that must never lose an update:
 *
 *   flock       a plain file under flock(2): lock, read it, write a temp
 *               file, fsync, rename it over, fsync the folder, unlock
 *   statusdir   statusdir_get_alloc of the newest, then statusdir_put_if
 *               on its id; a conflict retries after the randomised
 *               back-off of statusdir update (cli/cmd_update.c)
 *   sqlite      BEGIN IMMEDIATE; UPDATE counter SET n = n + 1; COMMIT
 *               (WAL, synchronous=FULL, a busy timeout)
 *   flock-cmd   flock(1) LOCK sh -c '...' doing the flock way's steps
 *               with read, echo, sync(1) and mv(1): one process per update
 *   cli         statusdir update STORE --run sh -c 'read n; echo $((n+1))'
 *
 * The counter is a decimal number and a newline; it starts at 0. */
#include "config.h"

#include "bench.h"
#include "floor.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <statusdir.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef BENCH_HAVE_SQLITE3
#include <sqlite3.h>
#endif

extern char **environ;

const struct counter_way counter_ways[N_COUNTER_WAYS] = {
	[CW_FLOCK] = { "flock", "plain file under flock(2), in-process", false, -1 },
	[CW_STATUSDIR] = { "statusdir", "statusdir_get_alloc + statusdir_put_if",
	                   false, CW_FLOCK },
	[CW_SQLITE] = { "sqlite-full", "SQLite WAL FULL, BEGIN IMMEDIATE; UPDATE",
	                false, CW_FLOCK },
	[CW_FLOCK_CMD] = { "flock-cmd", "flock(1) LOCK sh -c (sync(1), mv(1))", true, -1 },
	[CW_CLI] = { "cli", "statusdir update --run sh -c (process)", true, CW_FLOCK_CMD },
};

/* statusdir update's back-off (cli/cmd_update.c): before attempt k + 1,
 * uniform in [0, min(100 ms, 2^k ms)]. */
#define BACKOFF_UNIT_NS 1000000LL
#define BACKOFF_MAX_NS 100000000LL

/* What flock(1)'s shell runs: $1 the counter file, $2 its folder. */
static const char flock_script[] =
	"read n < \"$1\"; echo $((n + 1)) > \"$1.tmp\" && sync \"$1.tmp\" && "
	"mv \"$1.tmp\" \"$1\" && sync \"$2\"";
/* What statusdir update runs; the printf counts the runs (fd 3, see
 * cli_open). */
static const char update_script[] = "printf . >&3; read n; echo $((${n:-0} + 1))";

struct counter {
	enum counter_way_id way;
	char *dir;
	uint64_t attempts;
	uint64_t rng;
	statusdir *sd;             /* statusdir */
	int dir_fd, lock_fd;       /* flock */
	int runs_fd;               /* cli: a byte per run of CMD */
	char *file, *lock;         /* flock-cmd, cli: paths */
	const struct tools *tools;
#ifdef BENCH_HAVE_SQLITE3
	sqlite3 *db;
	sqlite3_stmt *begin, *update, *commit;
#endif
};

/* ---- the counter's text ---- */

static int parse_value(const char *buf, size_t len, int64_t *v)
{
	char text[32];
	char *end;
	if (len == 0 || len >= sizeof(text))
		return -EBADMSG;
	memcpy(text, buf, len);
	text[len] = '\0';
	errno = 0;
	long long n = strtoll(text, &end, 10);
	if (errno || end == text || (*end != '\0' && strcmp(end, "\n") != 0))
		return -EBADMSG;
	*v = n;
	return 0;
}

static size_t format_value(char *buf, size_t cap, int64_t v)
{
	return (size_t)snprintf(buf, cap, "%" PRId64 "\n", v);
}

/* ---- a plain file under flock(2) ---- */

static int read_at(int dir_fd, const char *name, int64_t *v)
{
	char buf[32];
	size_t len = 0;
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len < sizeof(buf)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return parse_value(buf, len, v);
}

/* The file's new content, durably, under the lock. */
static int replace_at(int dir_fd, int64_t v)
{
	char buf[32];
	size_t len = format_value(buf, sizeof(buf), v);
	int fd = openat(dir_fd, "counter.tmp",
	                O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	int r = write_all(fd, buf, len);
	if (r == 0 && fsync(fd) != 0)
		r = -errno;
	if (close(fd) != 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(dir_fd, "counter.tmp", dir_fd, "counter") != 0)
		r = -errno;
	if (r == 0 && fsync(dir_fd) != 0)
		r = -errno;
	return r;
}

static int lock(int fd, int how)
{
	while (flock(fd, how) != 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int flock_add_one(struct counter *c)
{
	int64_t v;
	int r = lock(c->lock_fd, LOCK_EX);
	if (r < 0)
		return r;
	r = read_at(c->dir_fd, "counter", &v);
	if (r == 0)
		r = replace_at(c->dir_fd, v + 1);
	int u = lock(c->lock_fd, LOCK_UN);
	c->attempts++;
	return r < 0 ? r : u < 0 ? u : 1;
}

/* ---- statusdir_put_if ---- */

static void back_off(struct counter *c, unsigned attempt)
{
	int64_t cap = BACKOFF_UNIT_NS << (attempt < 7 ? attempt : 7);
	if (cap > BACKOFF_MAX_NS)
		cap = BACKOFF_MAX_NS;
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	int64_t ns = (int64_t)((double)(c->rng >> 11) / 9007199254740992.0 * (double)cap);
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int sd_add_one(struct counter *c)
{
	char base[STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE], out[32];
	for (unsigned attempt = 0;; attempt++) {
		void *buf;
		size_t len;
		int64_t v;
		int r = statusdir_get_alloc(c->sd, NULL, STATUSDIR_GET_STRICT, &buf, &len, base);
		if (r < 0)
			return r;
		r = parse_value(buf, len, &v);
		free(buf);
		if (r < 0)
			return r;
		c->attempts++;
		r = statusdir_put_if(c->sd, base, out, format_value(out, sizeof(out), v + 1), 0, id);
		if (r != -ECANCELED)
			return r < 0 ? r : 1;
		back_off(c, attempt);
	}
}

/* ---- SQLite ---- */

#ifdef BENCH_HAVE_SQLITE3
static int sq_fail(sqlite3 *db, const char *what)
{
	note("sqlite: %s: %s", what, sqlite3_errmsg(db));
	return -EIO;
}

static int sq_open(struct counter *c)
{
	char *path = xasprintf("%s/db.sqlite", c->dir);
	int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	free(path);
	if (rc != SQLITE_OK)
		return sq_fail(c->db, "open");
	sqlite3_busy_timeout(c->db, 60000); /* writers wait their turn */
	if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                        "CREATE TABLE IF NOT EXISTS counter(n INTEGER NOT NULL);",
	                 NULL, NULL, NULL) != SQLITE_OK)
		return sq_fail(c->db, "setup");
	if (sqlite3_prepare_v2(c->db, "BEGIN IMMEDIATE", -1, &c->begin, NULL) ||
	    sqlite3_prepare_v2(c->db, "UPDATE counter SET n = n + 1", -1, &c->update, NULL) ||
	    sqlite3_prepare_v2(c->db, "COMMIT", -1, &c->commit, NULL))
		return sq_fail(c->db, "prepare");
	return 0;
}

static int sq_step(struct counter *c, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : sq_fail(c->db, what);
}

static int sq_add_one(struct counter *c)
{
	int r = sq_step(c, c->begin, "begin");
	if (r == 0 && (r = sq_step(c, c->update, "update")) == 0)
		r = sq_step(c, c->commit, "commit");
	if (r < 0)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	c->attempts++;
	return r < 0 ? r : 1;
}

static int sq_setup(const char *dir)
{
	struct counter c = { .dir = (char *)dir };
	int r = sq_open(&c);
	if (r == 0 && sqlite3_exec(c.db, "INSERT INTO counter(n) VALUES (0)", NULL, NULL,
	                           NULL) != SQLITE_OK)
		r = sq_fail(c.db, "insert");
	sqlite3_finalize(c.begin);
	sqlite3_finalize(c.update);
	sqlite3_finalize(c.commit);
	sqlite3_close(c.db);
	return r;
}

static int sq_value(const char *dir, int64_t *v)
{
	struct counter c = { .dir = (char *)dir };
	sqlite3_stmt *st = NULL;
	int r = sq_open(&c);
	if (r == 0 && sqlite3_prepare_v2(c.db, "SELECT n, (SELECT count(*) FROM counter) FROM counter",
	                                 -1, &st, NULL) != SQLITE_OK)
		r = sq_fail(c.db, "prepare");
	if (r == 0 && sqlite3_step(st) != SQLITE_ROW)
		r = sq_fail(c.db, "select");
	if (r == 0 && sqlite3_column_int64(st, 1) != 1)
		r = -EBADMSG; /* one row, or the counter is not one counter */
	if (r == 0)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_finalize(c.begin);
	sqlite3_finalize(c.update);
	sqlite3_finalize(c.commit);
	sqlite3_close(c.db);
	return r;
}
#endif

/* ---- whole processes ---- */

/* Runs argv with stdin and stdout on /dev/null (stderr stays: a failure
 * says why), and fd 3 on runs_fd if that is not -1.  Its exit code, or
 * -errno. */
static int run_process(char *const argv[], int runs_fd)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	if (runs_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, runs_fd, 3);
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		note("cannot run %s: %s", argv[0], strerror(e));
		return -e;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status)) {
		note("%s killed by signal %d", argv[0], WTERMSIG(status));
		return -EINTR;
	}
	return WEXITSTATUS(status);
}

static int flock_cmd_add_one(struct counter *c)
{
	char *argv[] = { "flock", c->lock, "sh", "-c", (char *)flock_script, "sh", c->file,
	                 c->dir, NULL };
	int r = run_process(argv, -1);
	c->attempts++;
	if (r > 0)
		note("flock(1) exited with %d", r);
	return r < 0 ? r : r > 0 ? -EIO : 1;
}

/* 1 if it committed; 0 if it ran out of retries (exit 6: nothing
 * committed).  Its runs of CMD are counted in the runs file. */
static int cli_add_one(struct counter *c)
{
	char *argv[] = { (char *)c->tools->cli, "update", c->dir, "--run", "sh", "-c",
	                 (char *)update_script, NULL };
	int r = run_process(argv, c->runs_fd);
	if (r > 0 && r != 6)
		note("statusdir update exited with %d", r);
	return r < 0 ? r : r == 0 ? 1 : r == 6 ? 0 : -EIO;
}

/* ---- the interface ---- */

int counter_setup(enum counter_way_id way, const char *dir)
{
	char buf[32];
	size_t len = format_value(buf, sizeof(buf), 0);
	statusdir *sd;
	int r;
	switch (way) {
	case CW_STATUSDIR:
	case CW_CLI:
		r = statusdir_open(dir, STATUSDIR_CREATE | STATUSDIR_FORMAT2, NULL, &sd);
		if (r < 0)
			return r;
		r = statusdir_put(sd, buf, len, 0, NULL);
		statusdir_close(sd);
		return r;
	case CW_SQLITE:
#ifdef BENCH_HAVE_SQLITE3
		r = make_dir(dir);
		return r < 0 ? r : sq_setup(dir);
#else
		return -ENOTSUP;
#endif
	default: {
		r = make_dir(dir);
		char *file = xasprintf("%s/counter", dir), *lock = xasprintf("%s/lock", dir);
		if (r == 0)
			r = write_file(file, buf, len);
		if (r == 0)
			r = write_file(lock, "", 0);
		free(file);
		free(lock);
		return r;
	}
	}
}

int counter_open(enum counter_way_id way, const char *dir, const struct tools *tools,
                 struct counter **cp)
{
	struct counter *c = xcalloc(1, sizeof(*c));
	int r = 0;
	c->way = way;
	c->dir = xasprintf("%s", dir);
	c->file = xasprintf("%s/counter", dir);
	c->lock = xasprintf("%s/lock", dir);
	c->tools = tools;
	c->dir_fd = c->lock_fd = c->runs_fd = -1;
	c->rng = (uint64_t)now_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15u;
	switch (way) {
	case CW_FLOCK:
		c->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		c->lock_fd = open(c->lock, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (c->dir_fd < 0 || c->lock_fd < 0)
			r = -errno;
		break;
	case CW_STATUSDIR:
		r = statusdir_open(dir, 0, NULL, &c->sd);
		break;
	case CW_SQLITE:
#ifdef BENCH_HAVE_SQLITE3
		r = sq_open(c);
#else
		r = -ENOTSUP;
#endif
		break;
	case CW_CLI: {
		/* beside the store, not in it; only the descriptor is needed */
		char *runs = xasprintf("%s.runs-XXXXXX", dir);
		c->runs_fd = mkostemp(runs, O_APPEND | O_CLOEXEC);
		if (c->runs_fd < 0 || unlink(runs) != 0)
			r = -errno;
		free(runs);
		break;
	}
	default:
		break;
	}
	if (r < 0) {
		counter_close(c);
		return r;
	}
	*cp = c;
	return 0;
}

int counter_add_one(struct counter *c)
{
	switch (c->way) {
	case CW_FLOCK: return flock_add_one(c);
	case CW_STATUSDIR: return sd_add_one(c);
#ifdef BENCH_HAVE_SQLITE3
	case CW_SQLITE: return sq_add_one(c);
#endif
	case CW_FLOCK_CMD: return flock_cmd_add_one(c);
	case CW_CLI: return cli_add_one(c);
	default: return -ENOTSUP;
	}
}

uint64_t counter_attempts(struct counter *c)
{
	struct stat st;
	if (c->way == CW_CLI)
		return fstat(c->runs_fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return c->attempts;
}

void counter_close(struct counter *c)
{
	if (!c)
		return;
	statusdir_close(c->sd);
#ifdef BENCH_HAVE_SQLITE3
	sqlite3_finalize(c->begin);
	sqlite3_finalize(c->update);
	sqlite3_finalize(c->commit);
	sqlite3_close(c->db);
#endif
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	if (c->lock_fd >= 0)
		close(c->lock_fd);
	if (c->runs_fd >= 0)
		close(c->runs_fd);
	free(c->dir);
	free(c->file);
	free(c->lock);
	free(c);
}

int counter_value(enum counter_way_id way, const char *dir, int64_t *v)
{
	statusdir *sd;
	void *buf;
	size_t len;
	switch (way) {
	case CW_STATUSDIR:
	case CW_CLI: {
		int r = statusdir_open(dir, 0, NULL, &sd);
		if (r < 0)
			return r;
		r = statusdir_get_alloc(sd, NULL, STATUSDIR_GET_STRICT, &buf, &len, NULL);
		statusdir_close(sd);
		if (r < 0)
			return r;
		r = parse_value(buf, len, v);
		free(buf);
		return r;
	}
	case CW_SQLITE:
#ifdef BENCH_HAVE_SQLITE3
		return sq_value(dir, v);
#else
		return -ENOTSUP;
#endif
	default: {
		int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		int r = read_at(fd, "counter", v);
		close(fd);
		return r;
	}
	}
}
