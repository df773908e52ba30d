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
	if (strcmp(c, "probe") == 0 && argc == 4)
		return cmd_probe(argv[2], argv[3]);
	fprintf(stderr, "usage: see the head of tests/multihost/xhost.c\n");
	return 2;
}
