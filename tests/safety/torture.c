/* SPDX-License-Identifier: MIT */
/* torture.c - many writers, readers and cleaners on one store at once,
 * each in its own process, checking the guarantees of spec/invariants.md
 * as they run and at the end.
 *
 *   torture [-w W] [-r R] [-c C] [-d SECONDS] [-k KEEP] [-S] [-W 0|1] STORE
 *   torture --crash ROUNDS [-w W] [-c C] [-k KEEP] STORE
 *   torture ... -B STORE2 [-H HOST] STORE
 *   torture -2 ...
 *
 * -B names the same store reached another way, e.g. through a second
 * mount of a network filesystem (tests/multihost/): the second, fourth, ...
 * writer, reader and cleaner and the watcher use it.  With -H (root),
 * those processes also get a UTS and a pid namespace of their own, with
 * host name HOST: to the store they are another host.
 *
 * Checks: every read is a complete, valid payload (payload.h); no reader
 * sees an empty store after the first acknowledged put; a put that began
 * after another returned gets a greater id; a get that began after a put
 * returned gets that version or a newer one; every acknowledged id is still
 * there unless KEEP greater ids were acknowledged (the only policy the
 * cleaners run); at the end the newest is the greatest acknowledged id,
 * verify finds no damage and a final prune leaves tmp/ empty.  A watcher
 * (unless -W 0) keeps a watermark, waits with statusdir_wait() and lists
 * with statusdir_list_since(): the ids it sees must be strictly increasing,
 * and it must skip none above its watermark (see watcher_checks()).  With
 * --crash, writers and cleaners are killed with SIGKILL at random points,
 * ROUNDS times, and the same end checks run after every round.  With -2
 * the store is made in format 2 (spec/format2.md), and the watcher's check
 * is exact: numbers are dense, so every number it passes without handing
 * it out must have been freed (at or below L when it looked, as L stands
 * after the listing); any other is a miss (see watcher2()).  Prints its
 * counts; exits 1 on any violation. */
#include "config.h"
#include "payload.h"
#include "statusdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_INOTIFY_H
#include <sys/inotify.h>
#endif

#define MAX_PROCS 64
#define BUF_CAP (256 * 1024)

struct shared {
	pthread_mutex_t lock;
	char max_acked[STATUSDIR_ID_SIZE]; /* greatest acknowledged id */
	int first_ack;
	int stop;
	uint64_t puts, gets, gets_by_id, prunes, verifies, violations;
	int writers_done; /* the watcher's next scan is its last */
	uint64_t watch_seen, watch_scans, watch_waits, watch_late, watch_pruned, watch_unknown;
};

struct options {
	int writers, readers, cleaners, seconds, crash_rounds, watchers;
	uint64_t keep;
	unsigned put_flags;
	bool format2;        /* -2 */
	const char *store;
	const char *store_b; /* -B: the odd-numbered workers and the watcher */
	const char *host_b;  /* -H: their host name, in namespaces of their own */
	char acks[4096]; /* folder of the writers' acknowledgement logs */
};

static struct shared *sh;

__attribute__((format(printf, 1, 2))) static void violation(const char *fmt, ...);
static void violation(const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# VIOLATION (pid %ld): %s\n", (long)getpid(), msg);
	__atomic_add_fetch(&sh->violations, 1, __ATOMIC_SEQ_CST);
}

static void count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

static void snapshot_max(char out[STATUSDIR_ID_SIZE])
{
	pthread_mutex_lock(&sh->lock);
	memcpy(out, sh->max_acked, STATUSDIR_ID_SIZE);
	pthread_mutex_unlock(&sh->lock);
}

static bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST);
}

static size_t random_len(unsigned *seed)
{
	unsigned r = (unsigned)rand_r(seed);
	if (r % 50 == 0)
		return 70000 + r % 100000; /* the streaming path of get */
	return r % 4096;
}

static int writer(const struct options *o, unsigned w)
{
	char path[4200], before[STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE];
	char *buf = malloc(BUF_CAP);
	unsigned seed = (unsigned)getpid();
	statusdir *sd;
	snprintf(path, sizeof(path), "%s/w%u", o->acks, w);
	int log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (!buf || log < 0 || statusdir_open(o->store, 0, NULL, &sd) < 0) {
		violation("writer %u cannot start", w);
		return 1;
	}
	for (uint64_t seq = 0; !stopping(); seq++) {
		size_t n = payload_make(buf, BUF_CAP, w, seq, random_len(&seed));
		snapshot_max(before);
		int r = statusdir_put(sd, buf, n, o->put_flags, id);
		if (r < 0) {
			violation("put: %s", statusdir_strerror(r));
			continue;
		}
		/* logged first: after a SIGKILL here the id counts as acked; with
		 * the watcher's scans done by now: it was committed before the
		 * next one ended (see watcher_checks()) */
		char line[STATUSDIR_ID_SIZE + 32];
		int len = snprintf(line, sizeof(line), "%s %" PRIu64 "\n", id,
		                   __atomic_load_n(&sh->watch_scans, __ATOMIC_SEQ_CST));
		if (write(log, line, (size_t)len) != len)
			violation("cannot log an acknowledged id");
		if (strcmp(id, before) <= 0)
			violation("put returned %s, not greater than %s acknowledged before it began", id, before);
		pthread_mutex_lock(&sh->lock);
		if (strcmp(id, sh->max_acked) > 0)
			memcpy(sh->max_acked, id, STATUSDIR_ID_SIZE);
		sh->first_ack = 1;
		pthread_mutex_unlock(&sh->lock);
		count(&sh->puts);
	}
	statusdir_close(sd);
	free(buf);
	close(log);
	return 0;
}

static void check_read(const char *what, const char *buf, size_t len)
{
	unsigned w;
	uint64_t seq;
	const char *why;
	if (payload_check(buf, len, &w, &seq, &why) < 0)
		violation("%s returned a bad payload (%zu bytes): %s", what, len, why);
}

static int reader(const struct options *o)
{
	char before[STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE];
	char *buf = malloc(BUF_CAP);
	statusdir *sd;
	if (!buf || statusdir_open(o->store, STATUSDIR_READONLY, NULL, &sd) < 0) {
		violation("reader cannot start");
		return 1;
	}
	for (unsigned i = 0; !stopping(); i++) {
		size_t len;
		int acked = __atomic_load_n(&sh->first_ack, __ATOMIC_SEQ_CST);
		snapshot_max(before);
		int r = statusdir_get(sd, NULL, buf, BUF_CAP, &len, found);
		count(&sh->gets);
		if (r == -ENOENT && acked) {
			struct statusdir_version *v;
			size_t nv = 0, head = 0;
			if (statusdir_list(sd, &v, &nv) == 0) {
				for (size_t k = 0; k < nv; k++)
					head += (size_t)v[k].in_head;
				statusdir_list_free(v);
			}
			violation("get found the store empty after a put was acknowledged"
			          " (%zu versions listed right after, %zu in cur/; greatest acked %s)",
			          nv, head, before);
		}
		else if (r < 0 && r != -ENOENT)
			violation("get: %s", statusdir_strerror(r));
		else if (r == 0) {
			check_read("get", buf, len);
			if (strcmp(found, before) < 0)
				violation("get returned %s, older than %s acknowledged before it began", found, before);
		}
		if (i % 4 == 0 && before[0]) { /* by id: may have been pruned meanwhile */
			r = statusdir_get(sd, before, buf, BUF_CAP, &len, NULL);
			count(&sh->gets_by_id);
			if (r == 0)
				check_read("get by id", buf, len);
			else if (r != -ENOENT)
				violation("get %s: %s", before, statusdir_strerror(r));
		}
	}
	statusdir_close(sd);
	free(buf);
	return 0;
}

static int cleaner(const struct options *o)
{
	statusdir *sd;
	struct statusdir_prune_policy p;
	if (statusdir_open(o->store, 0, NULL, &sd) < 0) {
		violation("cleaner cannot start");
		return 1;
	}
	statusdir_prune_policy_init(&p);
	p.keep = o->keep;
	for (unsigned i = 0; !stopping(); i++) {
		int r = statusdir_prune(sd, &p, NULL);
		count(&sh->prunes);
		if (r < 0)
			violation("prune: %s", statusdir_strerror(r));
		if (i % 8 == 0) {
			r = statusdir_verify(sd, NULL, NULL, NULL);
			count(&sh->verifies);
			if (r < 0)
				violation("verify: %s", statusdir_strerror(r));
		}
		usleep(1000);
	}
	statusdir_close(sd);
	return 0;
}

struct seen_list;
static char **read_acks(const struct options *o, size_t *n, struct seen_list *times);
static int cmp_id_desc(const void *key, const void *elem);

/* ---- The watcher -------------------------------------------------------------
 *
 * It keeps a watermark W, as statusdir watch does: the newest id when it
 * starts, then the last id it saw.  Between scans it waits for a newer
 * version with statusdir_wait() and a short timeout; a scan is
 * statusdir_list_since(W).  Live checks: every id a scan returns is above
 * W and greater than the one before it, and a scan after a wait that
 * reported a newer id returns something (the greatest id is never removed).
 *
 * At the end, every acknowledged id above the starting watermark must have
 * been seen, with two excuses.  To judge them the watcher reads the commits
 * into cur/ (IN_MOVED_TO, IN_CREATE) from an inotify descriptor of its own,
 * right before and right after each listing: a commit read before scan k
 * happened before scan k listed; one read right after it happened before
 * scan k ended.
 *   - late: a writer whose id commits below the watermark is not seen (ids
 *     are chosen before the move into cur/, so commits come out of order).
 *     A missed id is late if its commit was not read before the scan that
 *     passed it (returned a greater id) began to list.
 *   - pruned: a cleaner removes an id only when keep greater ones are in
 *     its listing, so they were committed before the removal.  A missed id
 *     is excused if keep greater ids were committed before the scan that
 *     passed it ended.
 * Anything else is a skip: an id that was there, above the watermark, and
 * not returned.  Most skips are caught at once: after each scan, an id
 * committed before it listed, between the old and the new watermark, not
 * returned, and still in cur/ or old/ now (removal is for ever) was there
 * all along.  Without inotify, or after its queue overflowed, a missed id
 * whose commit was not read cannot be judged and is counted as unknown.
 */

struct seen {
	char id[STATUSDIR_ID_SIZE];
	uint64_t when; /* seen: the scan that returned it; commits: 2k if read
	                  before scan k listed, 2k + 1 if read right after */
};

static int cmp_seen(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : x->when < y->when ? -1 : x->when > y->when;
}

struct seen_list {
	struct seen *v;
	size_t n, cap;
};

static bool seen_add(struct seen_list *l, const char *id, uint64_t when)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4096;
		struct seen *p = realloc(l->v, cap * sizeof(*p));
		if (!p)
			return false;
		l->v = p;
		l->cap = cap;
	}
	snprintf(l->v[l->n].id, sizeof(l->v[l->n].id), "%s", id);
	l->v[l->n++].when = when;
	return true;
}

/* Notes the commits inotify reported since the last call with when.
 * Returns false after a queue overflow. */
static bool read_commits(int ifd, uint64_t when, struct seen_list *commits)
{
	bool ok = true;
#ifdef HAVE_SYS_INOTIFY_H
	char buf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	while ((n = read(ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				ok = false;
			else if (ev->len && statusdir_id_parse(ev->name, NULL) == 0 &&
			         !seen_add(commits, ev->name, when))
				ok = false;
			p += sizeof(*ev) + ev->len;
		}
	}
#else
	(void)ifd;
	(void)when;
	(void)commits;
#endif
	return ok;
}

/* Index of the first entry of l (ascending by id) greater than id, or n. */
static size_t first_above(const struct seen_list *l, const char *id)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(l->v[mid].id, id) > 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* How many ids above id were committed by when (up to keep). */
static uint64_t committed_above(const struct seen_list *commits, const char *id,
                                uint64_t when, uint64_t keep)
{
	uint64_t n = 0;
	for (size_t i = first_above(commits, id); i < commits->n && n < keep; i++)
		if (commits->v[i].when <= when &&
		    (i == 0 || strcmp(commits->v[i - 1].id, commits->v[i].id) != 0))
			n++;
	return n;
}

static void watcher_checks(const struct options *o, const char *start,
                           const struct seen_list *seen, struct seen_list *commits,
                           struct seen_list *skips)
{
	size_t nacks;
	/* The commits for the pruned excuse: those inotify reported, and every
	 * acknowledged one by the scan it ended before (from the writers'
	 * logs).  inotify reports only the commits made through this mount:
	 * with -B, the other mount's come from the logs alone. */
	struct seen_list done = { 0 };
	char **acks = read_acks(o, &nacks, &done); /* greatest first */
	for (size_t i = 0; i < commits->n; i++)
		if (!seen_add(&done, commits->v[i].id, commits->v[i].when))
			violation("watcher: out of memory");
	if (done.n > 1)
		qsort(done.v, done.n, sizeof(*done.v), cmp_seen);
	/* every id seen was acknowledged: no phantom */
	for (size_t i = 0; i < seen->n; i++) {
		struct statusdir_version key;
		memcpy(key.id, seen->v[i].id, STATUSDIR_ID_SIZE);
		if (!bsearch(&key, acks, nacks, sizeof(*acks), cmp_id_desc))
			violation("watcher saw %s, which no writer acknowledged", seen->v[i].id);
	}
	/* by id, the first report of each commit first */
	if (commits->n > 1) /* qsort(NULL, 0, ...) is undefined: an empty list has no array */
		qsort(commits->v, commits->n, sizeof(*commits->v), cmp_seen);
	if (skips->n > 1)
		qsort(skips->v, skips->n, sizeof(*skips->v), cmp_seen);
	uint64_t late = 0, pruned = 0, unknown = 0;
	for (size_t i = 0; i < nacks && strcmp(acks[i], start) > 0; i++) {
		size_t j = first_above(seen, acks[i]);
		if (j > 0 && strcmp(seen->v[j - 1].id, acks[i]) == 0)
			continue; /* seen */
		size_t d = first_above(skips, acks[i]);
		if (d > 0 && strcmp(skips->v[d - 1].id, acks[i]) == 0)
			continue; /* reported when it happened */
		if (j == seen->n) {
			violation("watcher never got past acknowledged %s (it saw up to %s)", acks[i],
			          seen->n ? seen->v[seen->n - 1].id : start);
			continue;
		}
		uint64_t k = seen->v[j].when; /* the scan that passed it */
		size_t c = first_above(commits, acks[i]);
		if (c == 0 || strcmp(commits->v[c - 1].id, acks[i]) != 0) {
			unknown++;
			continue;
		}
		while (c > 1 && strcmp(commits->v[c - 2].id, acks[i]) == 0)
			c--; /* the first report */
		if (commits->v[c - 1].when > 2 * k) {
			late++;
			continue;
		}
		/* committed before scan k listed, not returned, and gone now */
		uint64_t above = committed_above(&done, acks[i], 2 * k + 1, o->keep);
		if (above >= o->keep)
			pruned++;
		else
			violation("watcher skipped %s, committed before scan %" PRIu64 " listed, which "
			          "returned %s next; only %" PRIu64 " greater ids were committed by the "
			          "end of that scan (keep %" PRIu64 ")",
			          acks[i], k, seen->v[j].id, above, o->keep);
	}
	__atomic_add_fetch(&sh->watch_late, late, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sh->watch_pruned, pruned, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sh->watch_unknown, unknown, __ATOMIC_SEQ_CST);
	for (size_t i = 0; i < nacks; i++)
		free(acks[i]);
	free(acks);
	free(done.v);
}

/* "cur" or "old" if version id is there now, else NULL.  Moves go from
 * cur/ to old/ only, so looking in that order misses no version. */
static const char *where_now(int cur_fd, int old_fd, const char *id)
{
	struct stat st;
	if (fstatat(cur_fd, id, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return "cur";
	if (fstatat(old_fd, id, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return "old";
	return NULL;
}

static int cmp_version_id(const void *key, const void *elem)
{
	return strcmp(key, ((const struct statusdir_version *)elem)->id);
}

/* Whether a fresh listing of folder fd holds name: a second opinion where
 * a lookup may be answered from a network filesystem's cache. */
static bool listed_now(int fd, const char *name)
{
	bool found = false;
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	for (struct dirent *de; d && !found && (de = readdir(d));)
		found = strcmp(de->d_name, name) == 0;
	if (d)
		closedir(d);
	else if (dfd >= 0)
		close(dfd);
	return found;
}

static bool on_btrfs(int fd)
{
	struct statfs sf;
	return fstatfs(fd, &sf) == 0 && (unsigned long)sf.f_type == 0x9123683eUL;
}

/* After scan k, which moved the watermark from before to mark and returned
 * v[0..n): judges the pending commits (ids above before, oldest commit
 * first) that it passed.  One read before the scan listed that was not
 * returned but is still there was skipped. */
static void judge_pending(struct seen_list *pending, struct seen_list *skips, uint64_t k,
                          const char *mark, const struct statusdir_version *v, size_t n,
                          int cur_fd, int old_fd)
{
	size_t kept = 0;
	for (size_t i = 0; i < pending->n; i++) {
		const struct seen *e = &pending->v[i];
		if (strcmp(e->id, mark) > 0) {
			pending->v[kept++] = *e; /* not passed yet */
			continue;
		}
		if (e->when > 2 * k || bsearch(e->id, v, n, sizeof(*v), cmp_version_id))
			continue; /* late (or during the listing), or returned */
		const char *where = where_now(cur_fd, old_fd, e->id);
		/* gone: judged at the end.  A lookup through one client of a
		 * network filesystem can still find a version that another
		 * client moved or removed (MooseFS, spec/filesystems.md): only
		 * a fresh listing of its folder shows that it is still there
		 * (but on btrfs a listing can miss it: see below). */
		if (!where || (!on_btrfs(cur_fd) &&
		               !listed_now(strcmp(where, "cur") == 0 ? cur_fd : old_fd, e->id)))
			continue;
		if (!seen_add(skips, e->id, k))
			violation("watcher: out of memory");
		if (on_btrfs(cur_fd)) {
			/* a known limit (spec/filesystems.md): btrfs's readdir can
			 * miss entries renamed in moments before; counted, shown */
			printf("# btrfs: watcher's listing missed %s (still in %s/)\n", e->id, where);
			continue;
		}
		violation("watcher skipped %s: committed before scan %" PRIu64 " listed, still "
		          "in %s/, not returned, and the watermark went past it to %s",
		          e->id, k, where, mark);
	}
	pending->n = kept;
}

/* A watcher's starting watermark: the newest now, or "" for an empty
 * store, in start and mark. */
static void watch_from_newest(statusdir *sd, char start[STATUSDIR_ID_SIZE],
                              char mark[STATUSDIR_ID_SIZE])
{
	int r = statusdir_resolve(sd, "@0", start);
	if (r < 0 && r != -ENOENT)
		violation("watcher: resolve @0: %s", statusdir_strerror(r));
	if (r < 0)
		start[0] = '\0';
	memcpy(mark, start, STATUSDIR_ID_SIZE);
}

static int watcher(const struct options *o)
{
	char start[STATUSDIR_ID_SIZE] = "", mark[STATUSDIR_ID_SIZE], newer[STATUSDIR_ID_SIZE];
	struct seen_list seen = { 0 }, commits = { 0 }, pending = { 0 }, skips = { 0 };
	statusdir *sd;
	int ifd = -1;
	char cur[4200], old[4200];
	snprintf(cur, sizeof(cur), "%s/cur", o->store);
	snprintf(old, sizeof(old), "%s/old", o->store);
	int cur_fd = open(cur, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int old_fd = open(old, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur_fd < 0 || old_fd < 0 || statusdir_open(o->store, STATUSDIR_READONLY, NULL, &sd) < 0) {
		violation("watcher cannot start");
		return 1;
	}
#ifdef HAVE_SYS_INOTIFY_H
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd >= 0 && inotify_add_watch(ifd, cur, IN_MOVED_TO | IN_CREATE | IN_ONLYDIR) < 0) {
		close(ifd);
		ifd = -1;
	}
#endif
	bool commits_ok = ifd >= 0;
	/* the starting watermark: the newest now (commits from here on are
	 * reported, so an id above it has its commit read) */
	watch_from_newest(sd, start, mark);
	int r;
	uint64_t k = 0;
	for (bool last = false; !last;) {
		last = __atomic_load_n(&sh->writers_done, __ATOMIC_SEQ_CST);
		int w = 1;
		if (!last) {
			w = statusdir_wait(sd, mark, 20 * 1000000, 0, newer);
			count(&sh->watch_waits);
			if (w == 0 && strcmp(newer, mark) <= 0)
				violation("wait after %s reported %s, not newer", mark, newer);
			else if (w < 0 && w != -ETIMEDOUT)
				violation("wait: %s", statusdir_strerror(w));
		}
		k++;
		size_t from = commits.n;
		if (ifd >= 0 && !read_commits(ifd, 2 * k, &commits))
			commits_ok = false;
		struct statusdir_version *v;
		size_t n;
		r = statusdir_list_since(sd, mark, &v, &n);
		if (ifd >= 0 && !read_commits(ifd, 2 * k + 1, &commits))
			commits_ok = false;
		for (size_t i = from; i < commits.n; i++) /* the ids yet to be passed */
			if (strcmp(commits.v[i].id, mark) > 0 &&
			    !seen_add(&pending, commits.v[i].id, commits.v[i].when))
				violation("watcher: out of memory");
		__atomic_add_fetch(&sh->watch_scans, 1, __ATOMIC_SEQ_CST);
		if (r < 0) {
			violation("list_since(%s): %s", mark, statusdir_strerror(r));
			continue;
		}
		if (w == 0 && n == 0 && on_btrfs(cur_fd))
			printf("# btrfs: list_since missed what wait saw (%s)\n", newer);
		else if (w == 0 && n == 0)
			violation("wait reported %s newer than %s, but list_since found nothing",
			          newer, mark);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(v[i].id, mark) <= 0) {
				violation("watcher: list_since returned %s after %s: not increasing",
				          v[i].id, mark);
				continue;
			}
			if (!seen_add(&seen, v[i].id, k)) {
				violation("watcher: out of memory");
				return 1;
			}
			memcpy(mark, v[i].id, sizeof(mark));
		}
		judge_pending(&pending, &skips, k, mark, v, n, cur_fd, old_fd);
		statusdir_list_free(v);
	}
	if (!commits_ok)
		fprintf(stderr, "# watcher: commits not fully reported (no inotify, or its queue "
		                "overflowed): missed ids may be counted as unknown\n");
	__atomic_add_fetch(&sh->watch_seen, seen.n, __ATOMIC_SEQ_CST);
	watcher_checks(o, start, &seen, &commits, &skips);
	if (ifd >= 0)
		close(ifd);
	close(cur_fd);
	close(old_fd);
	statusdir_close(sd);
	free(seen.v);
	free(commits.v);
	free(pending.v);
	free(skips.v);
	return 0;
}

/* The number of a format-2 id, 0 for "" (nothing yet). */
static uint64_t id_number(const char *id)
{
	return *id ? strtoull(id, NULL, 10) : 0;
}

/* L, the size of STORE/low (spec/format2.md, section 5). */
static uint64_t low_now(int root_fd)
{
	struct stat st;
	if (fstatat(root_fd, "low", &st, 0) != 0) {
		violation("watcher: cannot read L: %s", strerror(errno));
		return 0;
	}
	return (uint64_t)st.st_size;
}

/* Format 2's watcher: wait, list since the watermark, and account for every
 * number passed.  A number passed without being handed out must have been
 * freed by retention: at or below L read after the listing (L only rises).
 * At the end every acknowledged number is at or below the last one. */
static int watcher2(const struct options *o)
{
	char start[STATUSDIR_ID_SIZE] = "", mark[STATUSDIR_ID_SIZE], newer[STATUSDIR_ID_SIZE];
	statusdir *sd;
	int root_fd = open(o->store, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 || statusdir_open(o->store, STATUSDIR_READONLY, NULL, &sd) < 0) {
		violation("watcher cannot start");
		return 1;
	}
	watch_from_newest(sd, start, mark);
	int r;
	uint64_t last = id_number(start), seen = 0, freed = 0, missed = 0;
	for (bool done = false; !done;) {
		done = __atomic_load_n(&sh->writers_done, __ATOMIC_SEQ_CST);
		if (!done) {
			int w = statusdir_wait(sd, mark, 20 * 1000000, 0, newer);
			count(&sh->watch_waits);
			if (w < 0 && w != -ETIMEDOUT)
				violation("wait: %s", statusdir_strerror(w));
		}
		struct statusdir_version *v;
		size_t n;
		r = statusdir_list_since(sd, mark, &v, &n);
		uint64_t low = low_now(root_fd);
		__atomic_add_fetch(&sh->watch_scans, 1, __ATOMIC_SEQ_CST);
		if (r < 0) {
			violation("list_since(%s): %s", mark, statusdir_strerror(r));
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t k = id_number(v[i].id);
			if (k <= last) {
				violation("watcher: list_since returned %s after %s: not increasing",
				          v[i].id, mark);
				continue;
			}
			for (uint64_t j = last + 1; j < k; j++) {
				if (j <= low) {
					freed++;
				} else {
					missed++;
					violation("watcher skipped number %" PRIu64 ", which was not freed"
					          " (L %" PRIu64 ")", j, low);
				}
			}
			seen++;
			last = k;
			memcpy(mark, v[i].id, sizeof(mark));
		}
		statusdir_list_free(v);
	}
	size_t nacks;
	char **acks = read_acks(o, &nacks, NULL);
	if (nacks && id_number(acks[0]) > last)
		violation("watcher never got past acknowledged %s (it saw up to %" PRIu64 ")",
		          acks[0], last);
	for (size_t i = 0; i < nacks; i++)
		free(acks[i]);
	free(acks);
	__atomic_add_fetch(&sh->watch_seen, seen, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sh->watch_pruned, freed, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&sh->watch_late, missed, __ATOMIC_SEQ_CST);
	close(root_fd);
	statusdir_close(sd);
	return 0;
}

/* In a child on the B side with a host name: a UTS and a pid namespace of
 * its own.  The worker runs in a grandchild (the first process of the new
 * pid namespace), killed if this child dies; this child passes on how it
 * ended.  Returns only in the grandchild. */
static void become_host_b(const struct options *o)
{
	int status;
	if (unshare(CLONE_NEWUTS | CLONE_NEWPID) != 0 ||
	    sethostname(o->host_b, strlen(o->host_b)) != 0) {
		violation("cannot become host %s: %s", o->host_b, strerror(errno));
		_exit(1);
	}
	pid_t pid = fork();
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1)
			_exit(1);
		return;
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0)
		_exit(1);
	if (WIFSIGNALED(status))
		raise(WTERMSIG(status));
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

/* side_b: the worker uses the store as -B names it (if given). */
static pid_t spawn(int (*fn)(const struct options *, unsigned), const struct options *o,
                   unsigned arg, bool side_b)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct options ob = *o;
		if (side_b && o->store_b) {
			ob.store = o->store_b;
			if (o->host_b)
				become_host_b(o);
		}
		_exit(fn(&ob, arg));
	}
	return pid;
}

static int run_reader(const struct options *o, unsigned arg)
{
	(void)arg;
	return reader(o);
}

static int run_cleaner(const struct options *o, unsigned arg)
{
	(void)arg;
	return cleaner(o);
}

static int run_watcher(const struct options *o, unsigned arg)
{
	if (o->format2) {
		(void)arg;
		return watcher2(o);
	}
	(void)arg;
	return watcher(o);
}

static int cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* Every acknowledged id, from the writers' logs, greatest first. */
static char **read_acks(const struct options *o, size_t *n, struct seen_list *times)
{
	size_t cap = 1024;
	char **ids = malloc(cap * sizeof(*ids));
	*n = 0;
	for (int w = 0; w < o->writers; w++) {
		char path[4200], line[256];
		snprintf(path, sizeof(path), "%s/w%d", o->acks, w);
		FILE *f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			size_t end = strcspn(line, " \n");
			uint64_t scans = strtoull(line + end, NULL, 10);
			line[end] = '\0';
			if (statusdir_id_parse(line, NULL) != 0)
				continue; /* a line torn by SIGKILL was never acknowledged */
			if (times && !seen_add(times, line, 2 * (scans + 1) + 1))
				violation("out of memory");
			if (*n == cap)
				ids = realloc(ids, (cap *= 2) * sizeof(*ids));
			ids[(*n)++] = strdup(line);
		}
		if (f)
			fclose(f);
	}
	qsort(ids, *n, sizeof(*ids), cmp_desc);
	return ids;
}

/* bsearch in the acks (greatest first) for a listed version's id */
static int cmp_id_desc(const void *key, const void *elem)
{
	const struct statusdir_version *v = key;
	return strcmp(*(char *const *)elem, v->id);
}

static bool listed(const struct statusdir_version *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return true;
	return false;
}

static size_t count_tmp(const char *store)
{
	char path[4200];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/tmp", store);
	DIR *d = opendir(path);
	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* The checks after writers and cleaners have stopped (or were killed). */
static void final_checks(const struct options *o)
{
	statusdir *sd;
	struct statusdir_version *v;
	struct statusdir_prune_policy p;
	char *buf = malloc(BUF_CAP), found[STATUSDIR_ID_SIZE];
	size_t n, nacks, len;
	if (statusdir_open(o->store, 0, NULL, &sd) < 0 || !buf) {
		violation("cannot open the store for the final checks");
		return;
	}
	int r = statusdir_verify(sd, NULL, NULL, NULL);
	if (r < 0)
		violation("final verify: %s", statusdir_strerror(r));
	statusdir_prune_policy_init(&p); /* sweeps the tmp/ files of dead writers */
	if ((r = statusdir_prune(sd, &p, NULL)) < 0)
		violation("final prune: %s", statusdir_strerror(r));
	if (count_tmp(o->store) != 0)
		violation("%zu files left in tmp/ after the final prune", count_tmp(o->store));
	char **acks = read_acks(o, &nacks, NULL);
	if (statusdir_list(sd, &v, &n) < 0)
		violation("final list failed");
	/* A version is removed only when keep greater ones exist; those are
	 * still listed, or were acknowledged (a put killed after its commit
	 * but before its acknowledgement is listed, or removed by the same
	 * rule).  So a missing acknowledged id needs keep greater ids among
	 * the listed and the acknowledged ones. */
	for (size_t i = 0; i < nacks; i++) {
		if (listed(v, n, acks[i]))
			continue;
		uint64_t greater = i;
		for (size_t j = 0; j < n; j++)
			if (strcmp(v[j].id, acks[i]) > 0 && !bsearch(&v[j], acks, i, sizeof(*acks), cmp_id_desc))
				greater++;
		if (greater < o->keep)
			violation("acknowledged %s is gone, but only %" PRIu64 " greater versions exist", acks[i], greater);
	}
	/* the newest may be a put killed between its commit and its log line */
	r = statusdir_get(sd, NULL, buf, BUF_CAP, &len, found);
	if (nacks && (r < 0 || strcmp(found, acks[0]) < 0))
		violation("the newest is %s, older than the greatest acknowledged %s",
		          r < 0 ? "missing" : found, acks[0]);
	if (r == 0)
		check_read("final get", buf, len);
	statusdir_list_free(v);
	for (size_t i = 0; i < nacks; i++)
		free(acks[i]);
	free(acks);
	free(buf);
	statusdir_close(sd);
}

static pid_t pids[MAX_PROCS];
static int npids;
static pid_t watcher_pid;

static void start_all(const struct options *o, bool with_readers)
{
	npids = 0;
	sh->stop = 0;
	watcher_pid = 0;
	if (with_readers && o->watchers) /* first, so that it sees the first puts */
		watcher_pid = spawn(run_watcher, o, 0, true);
	for (int i = 0; i < o->writers; i++)
		pids[npids++] = spawn((int (*)(const struct options *, unsigned))writer, o, (unsigned)i,
		                      i % 2);
	for (int i = 0; with_readers && i < o->readers; i++)
		pids[npids++] = spawn(run_reader, o, 0, i % 2);
	for (int i = 0; i < o->cleaners; i++)
		pids[npids++] = spawn(run_cleaner, o, 0, i % 2);
}

static void wait_one(pid_t pid)
{
	int status;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		violation("a worker exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		violation("a worker was killed by signal %d", WTERMSIG(status));
}

/* The watcher last: its final scan comes after every put has returned. */
static void wait_all(void)
{
	for (int i = 0; i < npids; i++)
		wait_one(pids[i]);
	__atomic_store_n(&sh->writers_done, 1, __ATOMIC_SEQ_CST);
	if (watcher_pid > 0)
		wait_one(watcher_pid);
}

static void crash_rounds(const struct options *o)
{
	unsigned seed = (unsigned)time(NULL);
	for (int round = 0; round < o->crash_rounds; round++) {
		start_all(o, false);
		usleep(5000 + (unsigned)rand_r(&seed) % 60000);
		for (int i = 0; i < npids; i++)
			kill(pids[i], SIGKILL);
		for (int i = 0; i < npids; i++)
			waitpid(pids[i], NULL, 0);
		final_checks(o);
	}
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = { { "crash", required_argument, NULL, 'C' },
		                                  { NULL, 0, NULL, 0 } };
	*o = (struct options){ .writers = 4, .readers = 3, .cleaners = 2, .seconds = 3, .keep = 20,
		               .watchers = 1 };
	for (int c; (c = getopt_long(argc, argv, "w:r:c:d:k:SW:B:H:2", longopts, NULL)) != -1;) {
		switch (c) {
		case 'w': o->writers = atoi(optarg); break;
		case 'r': o->readers = atoi(optarg); break;
		case 'c': o->cleaners = atoi(optarg); break;
		case 'd': o->seconds = atoi(optarg); break;
		case 'k': o->keep = strtoull(optarg, NULL, 10); break;
		case 'S': o->put_flags = STATUSDIR_NOSYNC; break;
		case 'W': o->watchers = atoi(optarg); break;
		case 'C': o->crash_rounds = atoi(optarg); break;
		case 'B': o->store_b = optarg; break;
		case 'H': o->host_b = optarg; break;
		case '2': o->format2 = true; break;
		default: return -1;
		}
	}
	if (optind != argc - 1 || o->keep == 0 || o->watchers < 0 || o->watchers > 1 ||
	    o->writers + o->readers + o->cleaners > MAX_PROCS ||
	    (o->host_b && (!o->store_b || o->crash_rounds))) /* a kill would miss the grandchild */
		return -1;
	if (o->crash_rounds)
		o->watchers = 0; /* killed writers leave no complete record */
	o->store = argv[optind];
	snprintf(o->acks, sizeof(o->acks), "%s.acks", o->store);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	statusdir *sd;
	pthread_mutexattr_t ma;
	if (parse_options(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: torture [-2] [-w W] [-r R] [-c C] [-d SECONDS] [-k KEEP] [-S] [-W 0|1] [--crash ROUNDS] [-B STORE2 [-H HOST]] STORE\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || mkdir(o.acks, 0755) != 0 ||
	    statusdir_open(o.store, STATUSDIR_CREATE | (o.format2 ? STATUSDIR_FORMAT2 : 0), NULL,
	                   &sd) < 0) {
		perror("torture: setting up");
		return 2;
	}
	statusdir_close(sd);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->lock, &ma);
	if (o.crash_rounds) {
		crash_rounds(&o);
	} else {
		start_all(&o, true);
		sleep((unsigned)o.seconds);
		__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
		wait_all();
		final_checks(&o);
	}
	printf("# torture: %" PRIu64 " puts, %" PRIu64 " gets, %" PRIu64 " gets by id, %" PRIu64
	       " prunes, %" PRIu64 " verifies, %s%d rounds, %" PRIu64 " violations\n",
	       sh->puts, sh->gets, sh->gets_by_id, sh->prunes, sh->verifies,
	       o.crash_rounds ? "crash " : "", o.crash_rounds ? o.crash_rounds : 1, sh->violations);
	if (o.watchers)
		printf("# torture watcher: %" PRIu64 " ids seen in %" PRIu64 " scans after %" PRIu64
		       " waits; not seen: %" PRIu64 " committed behind its watermark, %" PRIu64
		       " pruned before it looked, %" PRIu64 " unknown\n",
		       sh->watch_seen, sh->watch_scans, sh->watch_waits, sh->watch_late,
		       sh->watch_pruned, sh->watch_unknown);
	return sh->violations ? 1 : 0;
}
