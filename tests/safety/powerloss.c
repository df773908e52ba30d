/* SPDX-License-Identifier: MIT */
/* powerloss.c - the two halves of the power-loss test (powerloss.sh).
 *
 *   powerloss write STORE ACKLOG [STOP_AFTER]
 *       puts self-validating payloads until killed, appending each id to
 *       ACKLOG (on another filesystem) once put returned.  With STOP_AFTER
 *       it stops itself (SIGSTOP) right after that many acknowledgements:
 *       the moment a missing fsync of cur/ would lose the last put.
 *   powerloss check STORE ACKLOG
 *       run on the filesystem image copied while the writer was frozen and
 *       then mounted: every acknowledged id must be there, intact, with a
 *       valid payload; no version may be damaged (a half-written version
 *       exposed by a crash); the newest must be readable.
 *
 * PL_ONE_FLUSH=1 makes the writer put with STATUSDIR_ONE_FLUSH, and the
 * check then allows what that flag allows after a crash: damaged versions
 * that were never acknowledged, newer than every acknowledged one, which
 * the newest get must skip to return an intact version at least as new as
 * the last acknowledgement.
 *
 * PL_FORMAT2=1 makes the writer's store a format-2 one (spec/format2.md):
 * the same checks hold, its ids being numbers in commit order.
 *
 * PL_NOSYNC=1 (with PL_FORMAT2=1) puts with STATUSDIR_NOSYNC, every
 * fifth with STATUSDIR_ONE_FLUSH (on btrfs its flush keeps its own name
 * and not the earlier ones: holes); no-sync promises nothing across a
 * power cut: the check then stands for the next
 * boot (it renames the writer's unsynced marker to another boot's), opens
 * the store for writing, which must seal every hole below the greatest
 * number with a tombstone, and puts once: the new number must be above
 * every version that survived (spec/format2.md, section 12).
 *
 * PL_SKIP_FSYNC=file or =dir (honoured only by the powerloss-broken
 * build, linked with --wrap=fsync) leaves out one of put's fsyncs (with
 * PL_ONE_FLUSH, "file" is its only one), to show that the test notices. */
#include "config.h"
#include "payload.h"
#include "statusdir.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_CAP (256 * 1024)

/* Set once the store exists: only put's fsyncs are left out, not the
 * ones that create the store. */
static int armed;

#ifdef POWERLOSS_BROKEN
int __real_fsync(int fd);
int __wrap_fsync(int fd);

int __wrap_fsync(int fd)
{
	const char *skip = getenv("PL_SKIP_FSYNC");
	struct stat st;
	if (armed && skip && fstat(fd, &st) == 0 &&
	    ((strcmp(skip, "dir") == 0 && S_ISDIR(st.st_mode)) ||
	     (strcmp(skip, "file") == 0 && S_ISREG(st.st_mode))))
		return 0;
	return __real_fsync(fd);
}
#endif

static bool env_is_1(const char *name)
{
	const char *v = getenv(name);
	return v && strcmp(v, "1") == 0;
}

static bool one_flush(void)
{
	return env_is_1("PL_ONE_FLUSH");
}

static int do_write(const char *store, const char *acklog, long stop_after)
{
	statusdir *sd;
	char id[STATUSDIR_ID_SIZE], line[STATUSDIR_ID_SIZE + 1];
	char *buf = malloc(BUF_CAP);
	int log = open(acklog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	unsigned format = env_is_1("PL_FORMAT2") ? STATUSDIR_FORMAT2 : 0;
	int r = statusdir_open(store, STATUSDIR_CREATE | format, NULL, &sd);
	if (!buf || log < 0 || r < 0) {
		fprintf(stderr, "powerloss: cannot start: %s\n", statusdir_strerror(r));
		return 2;
	}
	unsigned seed = (unsigned)getpid();
	unsigned flags = one_flush() ? STATUSDIR_ONE_FLUSH : 0;
	if (env_is_1("PL_NOSYNC"))
		flags = STATUSDIR_NOSYNC;
	armed = 1;
	for (uint64_t seq = 0;; seq++) {
		size_t len = (size_t)rand_r(&seed) % (seq % 7 == 0 ? 150000 : 8000);
		size_t n = payload_make(buf, BUF_CAP, (unsigned)getpid(), seq, len);
		/* no-sync: every 5th put one flush, which on btrfs makes its
		 * own name durable and not the earlier ones: holes to seal */
		unsigned f = flags == STATUSDIR_NOSYNC && seq % 5 == 4 ? STATUSDIR_ONE_FLUSH : flags;
		r = statusdir_put(sd, buf, n, f, id);
		if (r < 0) {
			fprintf(stderr, "powerloss: put: %s\n", statusdir_strerror(r));
			return 1;
		}
		int m = snprintf(line, sizeof(line), "%s\n", id);
		if (write(log, line, (size_t)m) != m)
			return 1;
		if (stop_after > 0 && (long)seq + 1 == stop_after)
			raise(SIGSTOP);
	}
}

static int check_one(statusdir *sd, const char *id, char *buf)
{
	size_t len;
	unsigned w;
	uint64_t seq;
	const char *why;
	int r = statusdir_get(sd, id, buf, BUF_CAP, &len, NULL);
	if (r < 0) {
		printf("# acknowledged %s: %s\n", id, statusdir_strerror(r));
		return 1;
	}
	if (payload_check(buf, len, &w, &seq, &why) < 0) {
		printf("# acknowledged %s: bad payload: %s\n", id, why);
		return 1;
	}
	return 0;
}

/* Damage is allowed only where one-flush allows it: above every
 * acknowledged id (a put that had not returned). */
struct damage_seen {
	const char *last_acked; /* greatest acknowledged id, "" if none */
	unsigned long allowed, bad;
};

static void print_damage(void *arg, const struct statusdir_event *ev)
{
	struct damage_seen *d = arg;
	if (ev->kind != STATUSDIR_EV_DAMAGED)
		return;
	if (one_flush() && strcmp(ev->name, d->last_acked) > 0) {
		printf("# damaged, never acknowledged (allowed with one flush) %s/%s\n",
		       ev->dir, ev->name);
		d->allowed++;
		return;
	}
	printf("# damaged %s/%s: %s\n", ev->dir, ev->name, ev->detail);
	d->bad++;
}

static int do_check(const char *store, const char *acklog)
{
	statusdir *sd;
	char line[256], *buf = malloc(BUF_CAP);
	unsigned long acked = 0, bad = 0;
	struct statusdir_counts c;
	int r = statusdir_open(store, 0, NULL, &sd);
	FILE *f = fopen(acklog, "r");
	if (r < 0 || !f || !buf) {
		printf("# cannot open the store or the log: %s\n", statusdir_strerror(r));
		return 1;
	}
	char last_acked[STATUSDIR_ID_SIZE] = "";
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (statusdir_id_parse(line, NULL) != 0)
			continue;
		acked++;
		if (strcmp(line, last_acked) > 0)
			memcpy(last_acked, line, strlen(line) + 1);
		bad += (unsigned long)check_one(sd, line, buf);
	}
	fclose(f);
	struct damage_seen d = { .last_acked = last_acked };
	r = statusdir_verify(sd, print_damage, &d, &c);
	if (r < 0 && !(r == -EBADMSG && d.bad == 0))
		bad++;
	bad += d.bad;
	size_t len;
	char newest[STATUSDIR_ID_SIZE] = "";
	int g = statusdir_get(sd, NULL, buf, BUF_CAP, &len, newest);
	if (g < 0 && !(g == -ENOENT && acked == 0)) {
		printf("# newest: %s\n", statusdir_strerror(g));
		bad++;
	} else if (g >= 0 && strcmp(newest, last_acked) < 0) {
		printf("# newest %s is older than the last acknowledged %s\n",
		       newest, last_acked);
		bad++;
	} else if (g == STATUSDIR_HEALED && d.allowed == 0) {
		printf("# newest: healed, but no damage was allowed\n");
		bad++;
	}
	printf("# %lu acknowledged, %llu versions after the crash, %llu damaged "
	       "(%lu never acknowledged), %lu problems\n",
	       acked, (unsigned long long)c.versions, (unsigned long long)c.damaged,
	       d.allowed, bad);
	statusdir_close(sd);
	free(buf);
	return bad ? 1 : 0;
}

/* The next boot, as the store sees it: every unsynced.HOST.BOOT marker
 * gets another BOOT (all zeros, or all ones if that is this boot's). */
static int next_boot(const char *store)
{
	char boot[64] = "", path[4200], to[4200];
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
	if (f) {
		if (!fgets(boot, sizeof(boot), f))
			boot[0] = '\0';
		fclose(f);
	}
	const char *other = boot[0] == '0' ? "ffffffffffffffffffffffffffffffff"
	                                   : "00000000000000000000000000000000";
	DIR *d = opendir(store);
	if (!d)
		return -1;
	int moved = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, "unsynced.", 9) != 0 || len < 9 + 33)
			continue;
		snprintf(path, sizeof(path), "%s/%s", store, e->d_name);
		snprintf(to, sizeof(to), "%s/%.*s%s", store, (int)(len - 32), e->d_name, other);
		if (rename(path, to) != 0)
			return -1;
		moved++;
	}
	closedir(d);
	printf("# %d unsynced marker(s) now of another boot\n", moved);
	return moved > 0 ? 0 : -1;
}

/* After next_boot(): a writable open seals the holes, and a put claims
 * above every survivor. */
static int check_sealed(const char *store)
{
	statusdir *sd;
	char path[4200], id[STATUSDIR_ID_SIZE];
	struct stat st;
	int bad = 0;
	/* PL_SAME_BOOT=1: the marker stays this boot's, so nothing is sealed:
	 * the planted bug that shows the check can tell */
	if (!env_is_1("PL_SAME_BOOT") && next_boot(store) < 0) {
		printf("# no unsynced marker to carry over\n");
		return 1;
	}
	int r = statusdir_open(store, 0, NULL, &sd);
	if (r < 0) {
		printf("# open for writing: %s\n", statusdir_strerror(r));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/low", store);
	uint64_t low = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
	uint64_t greatest = 0, tombstones = 0;
	snprintf(path, sizeof(path), "%s/cur", store);
	DIR *d = opendir(path);
	for (struct dirent *e; d && (e = readdir(d));) {
		uint64_t k = strtoull(e->d_name, NULL, 10);
		if (strlen(e->d_name) == 20 && k > greatest)
			greatest = k;
	}
	if (d)
		closedir(d);
	for (uint64_t k = low + 1; k < greatest; k++) {
		snprintf(path, sizeof(path), "%s/cur/%020llu", store, (unsigned long long)k);
		if (lstat(path, &st) != 0) {
			printf("# number %llu is a hole after the open\n", (unsigned long long)k);
			bad++;
		} else if (S_ISLNK(st.st_mode)) {
			tombstones++;
		}
	}
	r = statusdir_put(sd, "after\n", 6, 0, id);
	if (r < 0 || strtoull(id, NULL, 10) != greatest + 1) {
		printf("# put after the seal: %s, id %s, expected %llu\n", statusdir_strerror(r),
		       r < 0 ? "-" : id, (unsigned long long)greatest + 1);
		bad++;
	}
	printf("# sealed: greatest %llu, L %llu, %llu tombstones\n", (unsigned long long)greatest,
	       (unsigned long long)low, (unsigned long long)tombstones);
	statusdir_close(sd);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "check") == 0 && env_is_1("PL_NOSYNC"))
		return check_sealed(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "write") == 0)
		return do_write(argv[2], argv[3], argc > 4 ? atol(argv[4]) : 0);
	if (argc == 4 && strcmp(argv[1], "check") == 0)
		return do_check(argv[2], argv[3]);
	fprintf(stderr, "usage: powerloss write STORE ACKLOG [STOP_AFTER] | check STORE ACKLOG\n");
	return 2;
}
