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
 * PL_SKIP_FSYNC=file or =dir (honoured only by the powerloss-broken
 * build, linked with --wrap=fsync) leaves out one of put's fsyncs (with
 * PL_ONE_FLUSH, "file" is its only one), to show that the test notices. */
#include "config.h"
#include "payload.h"
#include "statusdir.h"

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
	armed = 1;
	for (uint64_t seq = 0;; seq++) {
		size_t len = (size_t)rand_r(&seed) % (seq % 7 == 0 ? 150000 : 8000);
		size_t n = payload_make(buf, BUF_CAP, (unsigned)getpid(), seq, len);
		r = statusdir_put(sd, buf, n, flags, id);
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

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "write") == 0)
		return do_write(argv[2], argv[3], argc > 4 ? atol(argv[4]) : 0);
	if (argc == 4 && strcmp(argv[1], "check") == 0)
		return do_check(argv[2], argv[3]);
	fprintf(stderr, "usage: powerloss write STORE ACKLOG [STOP_AFTER] | check STORE ACKLOG\n");
	return 2;
}
