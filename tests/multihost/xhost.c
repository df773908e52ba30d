/* SPDX-License-Identifier: MIT */
/* xhost.c - the two ends of the checks across hosts (tests/multihost/).
 *
 *   xhost now                            CLOCK_MONOTONIC in ns
 *   xhost put STORE N GAP_MS [TO FROM]   N puts, GAP_MS apart; prints
 *                                        "ID T" (T: monotonic ns when the
 *                                        put returned); with the fifos TO
 *                                        and FROM, sends that line to the
 *                                        other end, waits for its answer
 *                                        and prints it after it
 *   xhost get STORE FROM TO LIMIT_MS     the other end: for each "ID T",
 *                                        gets the newest until it is ID or
 *                                        newer; answers "STALE_NS FIRST_OLD"
 *                                        (STALE_NS: from T until the first
 *                                        get that was fresh began; 0 when
 *                                        the first one was)
 *   xhost order STORE FROM TO WAIT_MS    the other end: for each "ID T",
 *                                        waits WAIT_MS, opens the store
 *                                        afresh, puts; answers "1" if its
 *                                        id is greater than ID, else "0"
 *   xhost writer STORE GAP_MS SECONDS    one handle, a put every GAP_MS;
 *                                        prints "T ID VERSIONS" after each
 *   xhost getlat STORE N                 N gets of the newest on one
 *                                        handle; prints "p50 p99" in ns
 *   xhost lowmax FILE ROUNDS TO FROM     L as a max-register: each round,
 *                                        this end and the other raise FILE
 *                                        (STORE/low) at the same moment,
 *                                        then both read it; checks every
 *                                        read (cmd_lowmax); "# " summary
 *   xhost lowpeer FILE FROM TO           its other end
 *   xhost first DIR N TO FROM            N rounds: makes the store DIR/sI,
 *                                        then this end and the other put
 *                                        into it at the same moment (the
 *                                        first puts of a store); "# "
 *                                        summary, exit 1 if a put failed
 *   xhost firstpeer DIR FROM TO          its other end
 *   xhost probe DIR_A DIR_B              what the filesystem does across
 *                                        two mounts (spec/filesystems.md):
 *                                        "# name: result" lines
 *
 * The monotonic clock is the kernel's, shared by both "hosts" (they are
 * namespaces of one kernel), so times taken on both ends compare. */
#include "config.h"
#include "statusdir.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_INOTIFY_H
#include <sys/inotify.h>
#endif
#include <linux/fs.h>
#include <sys/syscall.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int fail(const char *what, int r)
{
	fprintf(stderr, "xhost: %s: %s\n", what, statusdir_strerror(r));
	return 1;
}

static int cmd_put(const char *store, long n, long gap, const char *to, const char *from)
{
	statusdir *sd;
	char id[STATUSDIR_ID_SIZE], line[256], payload[64];
	FILE *out = NULL, *in = NULL;
	int r = statusdir_open(store, 0, NULL, &sd);
	if (r < 0)
		return fail("open", r);
	if (to && (!(out = fopen(to, "w")) || !(in = fopen(from, "r")))) {
		perror("xhost: fifo");
		return 1;
	}
	for (long i = 0; i < n; i++) {
		if (gap)
			sleep_ms(gap);
		int len = snprintf(payload, sizeof(payload), "put %ld\n", i);
		r = statusdir_put(sd, payload, (size_t)len, 0, id);
		int64_t t = now_ns();
		if (r < 0)
			return fail("put", r);
		printf("%s %" PRId64, id, t);
		if (out) {
			fprintf(out, "%s %" PRId64 "\n", id, t);
			fflush(out);
			if (!fgets(line, sizeof(line), in)) {
				fprintf(stderr, "xhost: the other end did not answer\n");
				return 1;
			}
			printf(" %s", line);
		}
		else
			printf("\n");
		fflush(stdout);
	}
	statusdir_close(sd);
	return 0;
}

/* The other end of put: reads "ID T" lines from FROM, answers on TO. */
static int serve(const char *store, const char *from, const char *to, long arg,
                 int (*fn)(const char *, long, const char *, int64_t, char *, size_t))
{
	char line[256], answer[128], want[STATUSDIR_ID_SIZE];
	FILE *in = fopen(from, "r"), *out = in ? fopen(to, "w") : NULL;
	if (!out) {
		perror("xhost: fifo");
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		int64_t t;
		if (sscanf(line, "%90s %" SCNd64, want, &t) != 2)
			return 1;
		if (fn(store, arg, want, t, answer, sizeof(answer)) != 0)
			return 1;
		fprintf(out, "%s\n", answer);
		fflush(out);
	}
	return 0;
}

static int one_get(const char *store, long limit_ms, const char *want, int64_t t,
                   char *answer, size_t size)
{
	static statusdir *sd;
	char buf[256], found[STATUSDIR_ID_SIZE];
	size_t len;
	int first_old = 0;
	int r = sd ? 0 : statusdir_open(store, STATUSDIR_READONLY, NULL, &sd);
	if (r < 0)
		return fail("open", r);
	for (int tries = 0;; tries++) {
		int64_t began = now_ns();
		r = statusdir_get(sd, NULL, buf, sizeof(buf), &len, found);
		if (r < 0 && r != -ENOENT)
			return fail("get", r);
		if (r == 0 && strcmp(found, want) >= 0) {
			snprintf(answer, size, "%" PRId64 " %d", tries ? began - t : 0, first_old);
			return 0;
		}
		if (tries == 0)
			first_old = 1;
		if (began - t > limit_ms * 1000000) {
			snprintf(answer, size, "%" PRId64 " %d", began - t, first_old);
			return 0;
		}
		sleep_ms(1);
	}
}

static int one_order(const char *store, long wait_ms, const char *want, int64_t t,
                     char *answer, size_t size)
{
	statusdir *sd;
	char id[STATUSDIR_ID_SIZE];
	(void)t;
	if (wait_ms)
		sleep_ms(wait_ms);
	int r = statusdir_open(store, 0, NULL, &sd); /* afresh: no memory of earlier ids */
	if (r == 0)
		r = statusdir_put(sd, "b\n", 2, 0, id);
	statusdir_close(sd);
	if (r < 0)
		return fail("put", r);
	snprintf(answer, size, "%d", strcmp(id, want) > 0);
	return 0;
}

static int cmd_writer(const char *store, long gap, long seconds)
{
	statusdir *sd;
	struct statusdir_version *v;
	char id[STATUSDIR_ID_SIZE], payload[64];
	size_t n;
	int64_t end = now_ns() + seconds * 1000000000;
	int r = statusdir_open(store, 0, NULL, &sd);
	if (r < 0)
		return fail("open", r);
	for (long i = 0; now_ns() < end; i++) {
		int len = snprintf(payload, sizeof(payload), "writer %ld %ld\n", (long)getpid(), i);
		/* in steps, to tell which one fails: begin creates the tmp/
		 * file, commit chooses the id and publishes */
		statusdir_txn *txn = NULL;
		if ((r = statusdir_put_begin(sd, 0, &txn)) < 0)
			return fail("put (begin: the file in tmp/)", r);
		if ((r = statusdir_put_write(txn, payload, (size_t)len)) < 0) {
			statusdir_put_abort(txn);
			return fail("put (write)", r);
		}
		if ((r = statusdir_put_commit(txn, id)) < 0)
			return fail("put (commit)", r);
		if ((r = statusdir_list(sd, &v, &n)) < 0)
			return fail("list", r);
		statusdir_list_free(v);
		printf("%" PRId64 " %s %zu\n", now_ns(), id, n);
		fflush(stdout);
		if (gap)
			sleep_ms(gap);
	}
	statusdir_close(sd);
	return 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int cmd_getlat(const char *store, long n)
{
	statusdir *sd;
	char buf[4096];
	size_t len;
	int64_t *lat = calloc((size_t)n, sizeof(*lat));
	int r = statusdir_open(store, STATUSDIR_READONLY, NULL, &sd);
	if (r < 0 || !lat)
		return fail("open", r < 0 ? r : -ENOMEM);
	for (long i = 0; i < n; i++) {
		int64_t t = now_ns();
		if ((r = statusdir_get(sd, NULL, buf, sizeof(buf), &len, NULL)) < 0)
			return fail("get", r);
		lat[i] = now_ns() - t;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
	printf("%" PRId64 " %" PRId64 "\n", lat[n / 2], lat[n * 99 / 100]);
	free(lat);
	statusdir_close(sd);
	return 0;
}

/* ---- low: L as a max-register across two mounts (spec/format2.md, 5, 14) ---- */

/* L as the library reads it (lib/low.c, fresh_size): statx of a file held
 * open, asking the filesystem itself. */
static int low_read(int fd, int64_t *size)
{
#if defined(HAVE_STATX) && defined(AT_STATX_FORCE_SYNC)
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC, STATX_SIZE, &stx) != 0)
		return -errno;
	*size = (int64_t)stx.stx_size;
	return 0;
#else
	struct stat st;
	if (fstat(fd, &st) != 0)
		return -errno;
	*size = (int64_t)st.st_size;
	return 0;
#endif
}

/* A raise as lib/low.c makes it: open O_DSYNC, one zero byte at c - 1,
 * close; here without its look first, so that the two mounts' writes
 * race even when one is below L. */
static int low_raise(const char *file, int64_t c)
{
	static const char zero = 0;
	int fd = open(file, O_WRONLY | O_DSYNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n;
	do
		n = pwrite(fd, &zero, 1, (off_t)(c - 1));
	while (n < 0 && errno == EINTR);
	int r = n == 1 ? 0 : n < 0 ? -errno : -EIO;
	if (close(fd) != 0 && r == 0)
		r = -errno;
	return r;
}

/* Sleeps until the monotonic clock reads t: both ends start together. */
static void sleep_until(int64_t t)
{
	struct timespec ts = { (time_t)(t / 1000000000), (long)(t % 1000000000) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* The other end: "w T C" raises to C at T (C 0: no raise), reads L twice and answers
 * "READ READ"; "r T" reads L at T and answers "READ". */
static int cmd_lowpeer(const char *file, const char *from, const char *to)
{
	char line[256];
	FILE *in = fopen(from, "r"), *out = in ? fopen(to, "w") : NULL;
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (!out || fd < 0) {
		perror("xhost: lowpeer");
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		int64_t t, c, r1 = -1, r2 = -1;
		int r = 0;
		if (sscanf(line, "w %" SCNd64 " %" SCNd64, &t, &c) == 2) {
			sleep_until(t);
			if ((r = c ? low_raise(file, c) : 0) == 0 && (r = low_read(fd, &r1)) == 0)
				r = low_read(fd, &r2);
			fprintf(out, "%" PRId64 " %" PRId64 "\n", r1, r2);
		} else if (sscanf(line, "r %" SCNd64, &t) == 1) {
			sleep_until(t);
			r = low_read(fd, &r1);
			fprintf(out, "%" PRId64 "\n", r1);
		} else {
			fprintf(stderr, "xhost: lowpeer: bad line %s", line);
			return 1;
		}
		fflush(out);
		if (r < 0)
			return fail("lowpeer", r);
	}
	return 0;
}

/* One violation: said, counted. */
static long low_bad(long bad, long round, const char *what, int64_t got, int64_t want)
{
	if (bad < 20)
		fprintf(stderr, "xhost: low: round %ld: %s read %" PRId64 ", want %" PRId64 "\n",
		        round, what, got, want);
	return bad + 1;
}

/* The driver, on A: ROUNDS rounds of a raise from each end at the same
 * moment, to values drawn so that either may win, or both be equal, or
 * one be below L already; after each, a read from each end at the same
 * moment.  Every read must be at least what its own end wrote and what
 * both had finished before, never below an earlier read of the same end,
 * and once both writes returned, exactly the maximum.  Prints a summary,
 * exits 1 on any violation. */
static int cmd_lowmax(const char *file, long rounds, const char *to, const char *from)
{
	char line[256];
	FILE *out = fopen(to, "w"), *in = out ? fopen(from, "r") : NULL;
	int fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int64_t max = 0, last_a = 0, last_b = 0, *wr = calloc((size_t)rounds, sizeof(*wr));
	long bad = 0, below = 0, a_won = 0, b_won = 0, ties = 0, only_a = 0, only_b = 0;
	unsigned seed = (unsigned)(now_ns() ^ getpid());
	int r;
	if (!in || fd < 0 || !wr) {
		perror("xhost: lowmax");
		return 1;
	}
	srand(seed);
	if ((r = low_read(fd, &last_a)) < 0)
		return fail("lowmax", r);
	if (last_a != 0)
		bad = low_bad(bad, 0, "A, before any raise,", last_a, 0);
	for (long i = 0; i < rounds; i++) {
		/* steps up to 192 KiB, three 64 KiB blocks; once a 64 MiB chunk */
		int64_t step = i == rounds / 2 ? (INT64_C(64) << 20) : 1 + rand() % (192 << 10);
		int64_t a = max + step, b = max + 1 + rand() % (192 << 10);
		/* 0: no raise from that end, which only reads what the other
		 * wrote, as a writer's check reads a cleaner's raise */
		switch (rand() % 6) {
		case 0: break;                                            /* either wins */
		case 1: b = max > 1 ? 1 + rand() % max : 1; below++; break; /* B below L */
		case 2: a = max > 1 ? 1 + rand() % max : 1; below++; break; /* A below L */
		case 3: b = a; break;                                     /* the same */
		case 4: b = 0; only_a++; break;
		default: a = 0; only_b++; break;
		}
		int64_t want = a > max ? a : max, a1 = 0, a2 = 0, b1 = 0, b2 = 0, ra = 0, rb = 0, t;
		want = b > want ? b : want;
		a_won += a > b && a > max && b;
		b_won += b > a && b > max && a;
		ties += a == b;
		t = now_ns() + 3000000;
		fprintf(out, "w %" PRId64 " %" PRId64 "\n", t, b);
		fflush(out);
		sleep_until(t);
		int64_t w0 = now_ns();
		if (a && (r = low_raise(file, a)) < 0)
			return fail("lowmax: raise", r);
		wr[i] = now_ns() - w0;
		if ((r = low_read(fd, &a1)) < 0 || (r = low_read(fd, &a2)) < 0)
			return fail("lowmax: read", r);
		if (!fgets(line, sizeof(line), in) ||
		    sscanf(line, "%" SCNd64 " %" SCNd64, &b1, &b2) != 2 || b1 < 0) {
			fprintf(stderr, "xhost: lowmax: the other end failed\n");
			return 1;
		}
		/* right after its own raise: at least its value, L before the
		 * round, its own earlier reads */
		int64_t floor_a = a > max ? a : max, floor_b = b > max ? b : max;
		if (a1 < floor_a || a1 > want)
			bad = low_bad(bad, i, "A after its raise", a1, floor_a);
		if (a2 < a1)
			bad = low_bad(bad, i, "A again (went down)", a2, a1);
		if (b1 < floor_b || b1 > want)
			bad = low_bad(bad, i, "B after its raise", b1, floor_b);
		if (b2 < b1)
			bad = low_bad(bad, i, "B again (went down)", b2, b1);
		/* both raises returned: both read the maximum */
		t = now_ns() + 3000000;
		fprintf(out, "r %" PRId64 "\n", t);
		fflush(out);
		sleep_until(t);
		if ((r = low_read(fd, &ra)) < 0)
			return fail("lowmax: read", r);
		if (!fgets(line, sizeof(line), in) || sscanf(line, "%" SCNd64, &rb) != 1 || rb < 0) {
			fprintf(stderr, "xhost: lowmax: the other end failed\n");
			return 1;
		}
		if (ra != want)
			bad = low_bad(bad, i, "A after both raises", ra, want);
		if (rb != want)
			bad = low_bad(bad, i, "B after both raises", rb, want);
		if (ra < a2 || rb < b2)
			bad = low_bad(bad, i, "A or B (went down)", ra < a2 ? ra : rb, ra < a2 ? a2 : b2);
		max = want;
		last_a = ra;
		last_b = rb;
	}
	qsort(wr, (size_t)rounds, sizeof(*wr), cmp_i64);
	printf("# L across two mounts: %ld rounds (both raised: A won %ld, B won %ld, equal %ld;"
	       " %ld raises below L; only A raised %ld, only B %ld), L %" PRId64 ", read %" PRId64
	       " on A and %" PRId64 " on B; %ld violations (seed %u)\n",
	       rounds, a_won, b_won, ties, below, only_a, only_b, max, last_a, last_b, bad, seed);
	printf("# raise on A (open O_DSYNC, pwrite, close), ms: p50 %.1f, max %.1f\n",
	       (double)wr[rounds / 2] / 1e6, (double)wr[rounds - 1] / 1e6);
	free(wr);
	close(fd);
	return bad ? 1 : 0;
}

/* ---- first: the first puts of a fresh store from both ends at once ---- */

/* Opens DIR/sI (waiting up to 2 s for this mount to see a store the other
 * end just made) and puts once, at monotonic time t.  0 or -errno. */
static int first_put(const char *dir, long i, int64_t t)
{
	char path[4200], id[STATUSDIR_ID_SIZE];
	statusdir *sd = NULL;
	snprintf(path, sizeof(path), "%s/s%ld", dir, i);
	int r = -EMEDIUMTYPE;
	for (int64_t until = now_ns() + 2000000000; r == -EMEDIUMTYPE || r == -ENOENT;) {
		r = statusdir_open(path, 0, NULL, &sd);
		if ((r == -EMEDIUMTYPE || r == -ENOENT) && now_ns() > until)
			break;
		if (r == -EMEDIUMTYPE || r == -ENOENT)
			sleep_ms(10);
	}
	if (r < 0)
		return r;
	sleep_until(t);
	/* no fsync: less time between t and the marker's create, whose race
	 * this is about */
	r = statusdir_put(sd, "first\n", 6, STATUSDIR_NOSYNC, id);
	statusdir_close(sd);
	return r;
}

static int cmd_firstpeer(const char *dir, const char *from, const char *to)
{
	char line[256];
	FILE *in = fopen(from, "r"), *out = in ? fopen(to, "w") : NULL;
	long i;
	int64_t t;
	if (!out) {
		perror("xhost: firstpeer");
		return 1;
	}
	while (fgets(line, sizeof(line), in) && sscanf(line, "%ld %" SCNd64, &i, &t) == 2) {
		fprintf(out, "%d\n", first_put(dir, i, t));
		fflush(out);
	}
	return 0;
}

static int cmd_first(const char *dir, long rounds, const char *to, const char *from)
{
	char line[256], path[4200];
	FILE *out = fopen(to, "w"), *in = out ? fopen(from, "r") : NULL;
	long failed = 0;
	if (!in) {
		perror("xhost: first");
		return 1;
	}
	for (long i = 0; i < rounds; i++) {
		statusdir *sd;
		snprintf(path, sizeof(path), "%s/s%ld", dir, i);
		int r = statusdir_open(path, STATUSDIR_CREATE, NULL, &sd), rb = 0;
		if (r < 0)
			return fail("first: init", r);
		statusdir_close(sd);
		int64_t t = now_ns() + 50000000; /* both ends at once, 50 ms on */
		/* the other end a little earlier or later each round, -20 to
		 * +20 ms in steps of 0.5 ms, so that some rounds meet at the
		 * create of has-versions */
		fprintf(out, "%ld %" PRId64 "\n", i, t + (i % 81 - 40) * 500000);
		fflush(out);
		r = first_put(dir, i, t);
		if (!fgets(line, sizeof(line), in) || sscanf(line, "%d", &rb) != 1) {
			fprintf(stderr, "xhost: first: the other end is gone\n");
			return 1;
		}
		if (r < 0 || rb < 0) {
			fprintf(stderr, "xhost: first: store s%ld: put on this end: %s, on the other: %s\n",
			        i, statusdir_strerror(r), statusdir_strerror(rb));
			failed++;
		}
	}
	printf("# first puts from both ends at once: %ld stores, %ld with a put that failed\n",
	       rounds, failed);
	return failed > 0;
}

/* ---- probe: the filesystem facts of spec/filesystems.md ---- */

static const char *err(int r)
{
	return r == 0 ? "ok" : strerror(errno);
}

static void path2(char *out, size_t size, const char *dir, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static int cmd_probe(const char *a, const char *b)
{
	char pa[4200], pa2[4200], pb[4200], pb2[4200], buf[8];
	struct stat st;
	int fd, r;
	path2(pa, sizeof(pa), a, "probe.src");
	path2(pa2, sizeof(pa2), a, "probe.dst");
	path2(pb, sizeof(pb), b, "probe.src");
	path2(pb2, sizeof(pb2), b, "probe.dst");
	unlink(pa);
	unlink(pa2);
	if ((fd = open(pa, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0 || write(fd, "x", 1) != 1) {
		perror("xhost: probe");
		return 1;
	}
	r = fsync(fd);
	printf("# fsync of a file: %s\n", err(r));
	close(fd);
	fd = open(a, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = fd < 0 ? -1 : fsync(fd);
	printf("# fsync of a folder: %s\n", err(r));
	if (fd >= 0)
		close(fd);
#ifdef SYS_renameat2
	r = (int)syscall(SYS_renameat2, AT_FDCWD, pa, AT_FDCWD, pa2, RENAME_NOREPLACE);
	printf("# renameat2 RENAME_NOREPLACE: %s\n", err(r));
	if (r == 0)
		rename(pa2, pa);
#endif
	r = link(pa, pa2);
	printf("# link: %s\n", err(r));
	r = link(pa, pa2);
	printf("# link over an existing name: %s\n", err(r));
	r = stat(pa, &st);
	printf("# link count on the same mount: %ld\n", r == 0 ? (long)st.st_nlink : -1L);
	r = stat(pb, &st);
	printf("# link count on the other mount: %ld\n", r == 0 ? (long)st.st_nlink : -1L);
	unlink(pa2);
	/* open on B, remove on A, read on B */
	fd = open(pb, O_RDONLY | O_CLOEXEC);
	unlink(pa);
	r = fd < 0 ? -1 : (int)pread(fd, buf, 1, 0);
	printf("# read on B of a file removed on A: %s\n", r == 1 ? "ok" : r == 0 ? "empty" : strerror(errno));
	r = fd < 0 ? -1 : fstat(fd, &st);
	printf("# fstat on B of a file removed on A: %s, link count %ld\n", err(r),
	       r == 0 ? (long)st.st_nlink : -1L);
	if (fd >= 0)
		close(fd);
#ifdef HAVE_SYS_INOTIFY_H
	int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ifd >= 0 && inotify_add_watch(ifd, b, IN_CREATE | IN_MOVED_TO) >= 0) {
		struct pollfd p = { ifd, POLLIN, 0 };
		close(open(pa, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
		printf("# inotify on B, create on A: %s\n", poll(&p, 1, 1500) > 0 ? "event" : "no event in 1.5 s");
		unlink(pa);
		close(open(pb2, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
		printf("# inotify on B, create on B: %s\n", poll(&p, 1, 1500) > 0 ? "event" : "no event in 1.5 s");
		unlink(pb2);
		close(ifd);
	}
#endif
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	if (strcmp(c, "now") == 0 && argc == 2) {
		printf("%" PRId64 "\n", now_ns());
		return 0;
	}
	if (strcmp(c, "put") == 0 && (argc == 5 || argc == 7))
		return cmd_put(argv[2], atol(argv[3]), atol(argv[4]), argc == 7 ? argv[5] : NULL,
		               argc == 7 ? argv[6] : NULL);
	if (strcmp(c, "get") == 0 && argc == 6)
		return serve(argv[2], argv[3], argv[4], atol(argv[5]), one_get);
	if (strcmp(c, "order") == 0 && argc == 6)
		return serve(argv[2], argv[3], argv[4], atol(argv[5]), one_order);
	if (strcmp(c, "writer") == 0 && argc == 5)
		return cmd_writer(argv[2], atol(argv[3]), atol(argv[4]));
	if (strcmp(c, "getlat") == 0 && argc == 4 && atol(argv[3]) > 0)
		return cmd_getlat(argv[2], atol(argv[3]));
	if (strcmp(c, "lowmax") == 0 && argc == 6 && atol(argv[3]) > 0)
		return cmd_lowmax(argv[2], atol(argv[3]), argv[4], argv[5]);
	if (strcmp(c, "lowpeer") == 0 && argc == 5)
		return cmd_lowpeer(argv[2], argv[3], argv[4]);
	if (strcmp(c, "first") == 0 && argc == 6 && atol(argv[3]) > 0)
		return cmd_first(argv[2], atol(argv[3]), argv[4], argv[5]);
	if (strcmp(c, "firstpeer") == 0 && argc == 5)
		return cmd_firstpeer(argv[2], argv[3], argv[4]);
	if (strcmp(c, "probe") == 0 && argc == 4)
		return cmd_probe(argv[2], argv[3]);
	fprintf(stderr, "usage: see the head of tests/multihost/xhost.c\n");
	return 2;
}
