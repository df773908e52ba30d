/* SPDX-License-Identifier: MIT */
/* cmd_update.c - statusdir update: read, modify, write, without locks.
 *
 * CMD gets the newest version on stdin and STATUSDIR_ID naming it; its
 * output is committed by a conditional put on top of that version
 * (statusdir_put_commit_if).  If another writer committed first, nothing
 * is committed and CMD runs again on the new newest, after a randomised
 * back-off, until --retries or --timeout run out (exit 6).  A CMD that
 * fails is not run again (exit 4).  A damaged newest is not healed: an
 * older base would only conflict (exit 3). */
#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

#define DEFAULT_RETRIES 10
/* Back-off before attempt k: uniform in [0, min(BACKOFF_MAX, 2^k BACKOFF_UNIT)]. */
#define BACKOFF_UNIT_NS 1000000LL
#define BACKOFF_MAX_NS 100000000LL

enum { OPT_NOSYNC = 1, OPT_ONE_FLUSH, OPT_IF_CHANGED, OPT_NO_EMPTY, OPT_QUIET,
       OPT_RETRIES, OPT_TIMEOUT };

static const struct option_spec update_opts[] = {
	{ "no-sync", 0, false, OPT_NOSYNC },
	{ "one-flush", 0, false, OPT_ONE_FLUSH },
	{ "if-changed", 0, false, OPT_IF_CHANGED },
	{ "no-empty", 0, false, OPT_NO_EMPTY },
	{ "quiet", 'q', false, OPT_QUIET },
	{ "retries", 0, true, OPT_RETRIES },
	{ "timeout", 0, true, OPT_TIMEOUT },
	{ "run", 0, false, ARG_REST },
	{ NULL, 0, false, 0 },
};

struct update_args {
	struct put_args put;
	uint64_t retries;
	int64_t timeout_ns; /* 0: none */
};

static int on_update_option(int key, const char *value, void *ctx)
{
	struct update_args *u = ctx;
	switch (key) {
	case OPT_NOSYNC: u->put.flags |= STATUSDIR_NOSYNC; break;
	case OPT_ONE_FLUSH: u->put.flags |= STATUSDIR_ONE_FLUSH; break;
	case OPT_IF_CHANGED: u->put.flags |= STATUSDIR_IF_CHANGED; break;
	case OPT_NO_EMPTY: u->put.no_empty = true; break;
	case OPT_QUIET: u->put.quiet = true; break;
	case OPT_RETRIES:
		if (parse_count(value, &u->retries) < 0)
			return -usage_error(&command_update, "--retries needs a count, not '%s'", value);
		break;
	default:
		if (parse_duration(value, &u->timeout_ns) < 0 || u->timeout_ns == 0)
			return -usage_error(&command_update, "invalid --timeout '%s' (" DURATION_HINT ")",
			                    value);
		break;
	}
	return 0;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A uniform draw in [0, 1): updaters that started together must not draw
 * alike, so the kernel's generator (getrandom), else the clock's low bits
 * mixed with the pid. */
static double draw(void)
{
	uint32_t x = 0;
#ifdef HAVE_GETRANDOM
	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) == (ssize_t)sizeof(x))
		return x / 4294967296.0;
#endif
	x = (uint32_t)mono_ns() * 2654435761u ^ (uint32_t)getpid() * 40503u;
	return x / 4294967296.0;
}

/* Writers that lost to each other must not meet again at once. */
static void back_off(unsigned attempt, int64_t deadline)
{
	int64_t cap = BACKOFF_UNIT_NS << (attempt < 7 ? attempt : 7);
	if (cap > BACKOFF_MAX_NS)
		cap = BACKOFF_MAX_NS;
	int64_t ns = (int64_t)(draw() * (double)cap);
	if (deadline && mono_ns() + ns > deadline)
		ns = deadline - mono_ns();
	if (ns <= 0)
		return;
	struct timespec ts = { (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL) };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The newest version into an unlinked temporary file, for CMD's stdin;
 * its id into base ("" for an empty store).  0 or an exit code. */
static int read_newest(const char *store, statusdir *sd, char base[STATUSDIR_ID_SIZE],
                       int *fd)
{
	void *buf = NULL;
	size_t len = 0;
	int r = statusdir_get_alloc(sd, NULL, STATUSDIR_GET_STRICT, &buf, &len, base);
	if (r == -ENOENT) {
		base[0] = '\0';
		len = 0;
	} else if (r == -EBADMSG) {
		error_msg(store, "the newest version is damaged; update does not build on "
		                 "an older one (statusdir verify, statusdir get)");
		return EXIT_DAMAGE;
	} else if (r < 0) {
		error_store(store, "cannot read the newest version", r);
		return EXIT_FAILED;
	}
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/statusdir-update.XXXXXX", dir && *dir ? dir : "/tmp");
	int f = mkostemp(path, O_CLOEXEC);
	if (f < 0) {
		error_msg(store, "cannot create a temporary file in %s: %s", dir && *dir ? dir : "/tmp",
		          strerror(errno));
		free(buf);
		return EXIT_FAILED;
	}
	(void)unlink(path); /* only the descriptor is needed */
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(f, (char *)buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			error_msg(store, "cannot write a temporary file: %s", strerror(errno));
			free(buf);
			close(f);
			return EXIT_FAILED;
		}
		off += (size_t)n;
	}
	free(buf);
	if (lseek(f, 0, SEEK_SET) != 0) {
		error_msg(store, "cannot rewind a temporary file: %s", strerror(errno));
		close(f);
		return EXIT_FAILED;
	}
	*fd = f;
	return 0;
}

static int cmd_update(int argc, char **argv)
{
	struct update_args u = { .put = { .cmd = &command_update, .stdin_fd = -1, .retrying = true },
	                         .retries = DEFAULT_RETRIES };
	char *pos[1], **run = NULL, base[STATUSDIR_ID_SIZE];
	statusdir *sd;
	int n = args_parse(&command_update, argc, argv, update_opts, on_update_option, &u, pos, 1,
	                   &run);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(&command_update, "no STORE given");
	if (!run || !run[0])
		return usage_error(&command_update, "--run CMD is needed: it makes the new version");
	put_catch_signals();
	int r = store_open(pos[0], 0, &sd);
	if (r)
		return r;
	if (statusdir_format(sd) != 2) {
		error_msg(pos[0], "update needs a format-2 store (statusdir init --format 2)");
		statusdir_close(sd);
		return EXIT_FAILED;
	}
	int64_t deadline = u.timeout_ns ? mono_ns() + u.timeout_ns : 0;
	for (uint64_t attempt = 0;; attempt++) {
		int in = -1;
		r = read_newest(pos[0], sd, base, &in);
		if (r)
			break;
		if (setenv("STATUSDIR_ID", base, 1) != 0) {
			error_msg(pos[0], "cannot set STATUSDIR_ID: %s", strerror(errno));
			close(in);
			r = EXIT_FAILED;
			break;
		}
		u.put.base = base;
		u.put.stdin_fd = in;
		r = put_run(pos[0], sd, &u.put, run);
		close(in);
		if (r != EXIT_CONFLICT)
			break;
		bool late = deadline && mono_ns() >= deadline;
		if (attempt >= u.retries || late) {
			error_msg(pos[0], "conflict: other writers kept committing first (%llu %s%s); "
			                  "the newest is %s; nothing committed",
			          (unsigned long long)attempt + 1, attempt ? "attempts" : "attempt",
			          late ? ", --timeout passed" : "", u.put.newest[0] ? u.put.newest : "none");
			break;
		}
		back_off((unsigned)attempt, deadline);
	}
	statusdir_close(sd);
	return r;
}

const struct command command_update = {
	"update", cmd_update,
	"statusdir update STORE [--retries N] [--timeout DURATION] [--if-changed]\n"
	"       [--no-empty] [--no-sync] [--one-flush] [-q|--quiet] --run CMD [ARG...]",
	"Run CMD with the newest version on stdin (STATUSDIR_ID names it; empty\n"
	"for an empty store) and commit its output only if that version is still\n"
	"the newest; if another writer came first, run CMD again on the new\n"
	"newest, up to --retries times (default 10) and within --timeout.  No\n"
	"locks: a read-modify-write that never loses an update.  Exit 6 when the\n"
	"retries run out, 4 if CMD fails (nothing committed), 3 if the newest is\n"
	"damaged.  Needs a format-2 store.",
};
