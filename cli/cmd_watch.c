/* SPDX-License-Identifier: MIT */
/* cmd_watch.c - statusdir watch: every committed id above a watermark, in
 * increasing order, one a line, as it appears.
 *
 * The watermark only rises, so ids come out strictly increasing; a slow
 * writer whose id commits below it is not printed.  Each wake-up lists the
 * ids above the watermark (statusdir_list_since), so puts faster than the
 * watcher are all printed, unless retention removed them first.  While it
 * waits it watches fd 1 too, so that a reader that went away ends it then,
 * not at the next write, which may come hours later.
 *
 * In a format-2 store ids are numbers in commit order and dense: no version
 * commits below the watermark, and a number skipped between two printed
 * ones was removed before the watcher saw it, which it says, with how many. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { OPT_AFTER = 1, OPT_COUNT, OPT_TIMEOUT, OPT_POLL, OPT_EXEC };

static const struct option_spec watch_opts[] = {
	{ "after", 0, true, OPT_AFTER },
	{ "count", 0, true, OPT_COUNT },
	{ "timeout", 0, true, OPT_TIMEOUT },
	{ "poll", 0, true, OPT_POLL },
	{ "exec", 0, true, OPT_EXEC },
	{ NULL, 0, false, 0 },
};

struct watch_args {
	const struct command *cmd;
	const char *after, *exec;
	uint64_t count;
	int64_t timeout_ns, poll_ns;
};

static int on_watch_option(int key, const char *value, void *ctx)
{
	struct watch_args *a = ctx;
	switch (key) {
	case OPT_AFTER:
		a->after = value;
		return 0;
	case OPT_COUNT:
		if (parse_count(value, &a->count) < 0 || a->count == 0)
			return -usage_error(a->cmd, "--count needs a count of at least 1, not '%s'", value);
		return 0;
	case OPT_TIMEOUT:
		if (parse_duration(value, &a->timeout_ns) < 0)
			return -usage_error(a->cmd, "invalid --timeout '%s' (" DURATION_HINT ")", value);
		return 0;
	case OPT_POLL:
		if (parse_duration(value, &a->poll_ns) < 0 || a->poll_ns == 0)
			return -usage_error(a->cmd, "invalid --poll '%s' (" DURATION_HINT ")", value);
		return 0;
	default:
		a->exec = value;
		return 0;
	}
}

/* --exec: /bin/sh -c CMD with the id and the store in its environment. */
static void run_exec(const char *store, const char *cmd, const char *id)
{
	char *argv[] = { "/bin/sh", "-c", (char *)cmd, NULL };
	int status;
	if (setenv("STATUSDIR_ID", id, 1) != 0 || setenv("STATUSDIR_STORE", store, 1) != 0) {
		error_msg(store, "--exec: %s", strerror(errno));
		return;
	}
	int r = child_run(argv, &status);
	if (r < 0) {
		error_msg(store, "--exec: cannot run /bin/sh: %s", strerror(-r));
		return;
	}
	if (child_exit_code(status) != 0)
		error_msg(store, "--exec for %s failed (status %d)", id, child_exit_code(status));
}

/* The starting watermark: --after's id (which may be gone, or never have
 * been there), or the newest. */
static int start_mark(const char *store, statusdir *sd, const struct watch_args *a,
                      char mark[STATUSDIR_ID_SIZE])
{
	mark[0] = '\0';
	if (!a->after) {
		int r = statusdir_resolve(sd, "@0", mark);
		return r == 0 || r == -ENOENT ? 0 : (error_store(store, "newest version", r), EXIT_FAILED);
	}
	if (a->after[0] == '@')
		return resolve_ref(store, sd, a->after, mark);
	/* a format-1 id has dots; a format-2 store's ids are numbers */
	if (statusdir_format(sd) == 2 && strchr(a->after, '.')) {
		error_msg(store, "%s is a format-1 id; this store's ids are numbers", a->after);
		return EXIT_USAGE;
	}
	memcpy(mark, a->after, strlen(a->after) + 1);
	char *path, newest[STATUSDIR_ID_SIZE];
	if (statusdir_path(sd, mark, &path) == 0) {
		free(path);
		return 0;
	}
	/* prune never removes the greatest id: one above it was never here;
	 * one below it may have been pruned, or come from elsewhere */
	int r = statusdir_resolve(sd, "@0", newest);
	if (r == -ENOENT || (r == 0 && strcmp(mark, newest) > 0))
		error_msg(store, "%s is newer than every version in the store; "
		                 "watching for ids above it", mark);
	else
		error_msg(store, "%s is not in the store (removed, or never there); "
		                 "watching for ids above it", mark);
	return 0;
}

/* Best effort: the watermark was removed while every version left is newer,
 * so retention may have removed unseen versions between them. */
static void note_possible_gap(const char *store, statusdir *sd, const char *mark,
                              const struct statusdir_version *oldest_new)
{
	char *path;
	struct statusdir_version *all;
	size_t n;
	if (!*mark || statusdir_path(sd, mark, &path) == 0) {
		if (*mark)
			free(path);
		return;
	}
	if (statusdir_list(sd, &all, &n) < 0)
		return;
	if (n > 0 && strcmp(all[n - 1].id, oldest_new->id) == 0)
		error_msg(store, "versions above %s may have been removed by retention before "
		                 "they were seen", mark);
	statusdir_list_free(all);
}

/* A format-2 id's number; 0 for "" (before the first). */
static uint64_t id_number(const char *id)
{
	return *id ? strtoull(id, NULL, 10) : 0;
}

/* Format 2: numbers are dense, so the numbers between the watermark and
 * the next version handed out were committed and then removed by
 * retention, or lost in a power cut, before the watcher looked; the
 * tombstones tell which (statusdir_count_lost). */
static void note_removed(const char *store, statusdir *sd, const char *mark, const char *next)
{
	uint64_t from = id_number(mark) + 1, to = id_number(next), lost = 0;
	if (to <= from)
		return;
	uint64_t gap = to - from;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE], range[2 * STATUSDIR_ID_SIZE + 8];
	snprintf(a, sizeof(a), "%020" PRIu64, from);
	snprintf(b, sizeof(b), "%020" PRIu64, to - 1);
	snprintf(range, sizeof(range), gap == 1 ? "%s" : "%s to %s", a, b);
	if (statusdir_count_lost(sd, mark, next, &lost) < 0)
		lost = 0; /* best effort: all counted as removed */
	const char *s = gap == 1 ? "" : "s", *was = gap == 1 ? "it was" : "they were";
	if (lost == 0)
		error_msg(store, "%" PRIu64 " version%s removed before %s seen (%s)", gap, s, was,
		          range);
	else if (lost == gap)
		error_msg(store, "%" PRIu64 " version%s lost in a power cut before %s seen (%s)",
		          gap, s, was, range);
	else
		error_msg(store, "%" PRIu64 " versions not seen (%s): %" PRIu64 " removed by "
		          "retention, %" PRIu64 " lost in a power cut", gap, range, gap - lost, lost);
}

/* The deadline of --timeout runs on CLOCK_MONOTONIC: a step of the wall
 * clock (NTP, a person with date -s) must neither stretch nor cut it. */
static int64_t mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A poll(2) timeout for ns (< 0: for ever), rounded up, at most a minute. */
static int poll_ms(int64_t ns)
{
	if (ns < 0)
		return -1;
	return ns >= INT64_C(60000) * 1000000 ? 60000 : (int)((ns + 999999) / 1000000);
}

/* Waits until the store may have changed, or the deadline (< 0: none)
 * passes, or the reader of standard output goes away.  watch_fd < 0 polls:
 * it waits poll_ns between listings.  fd 1 is polled with no events: only
 * POLLERR (a pipe whose reader is gone, as Linux reports it), POLLHUP (a
 * socket or terminal hung up) and POLLNVAL come back; a regular file or
 * /dev/null never reports them.  Returns 0 (look again), 1 (deadline
 * passed) or -errno. */
static int stand_by(statusdir *sd, int watch_fd, int64_t poll_ns, int64_t deadline)
{
	int64_t next = watch_fd < 0 ? mono_now() + poll_ns : -1; /* the next listing */
	for (;;) {
		int64_t now = mono_now();
		if (deadline >= 0 && deadline <= now)
			return 1;
		if (next >= 0 && next <= now)
			return 0;
		int64_t until = next < 0 || (deadline >= 0 && deadline < next) ? deadline : next;
		struct pollfd p[2] = { { .fd = 1, .events = 0 }, { .fd = watch_fd, .events = POLLIN } };
		int n = poll(p, watch_fd >= 0 ? 2 : 1, poll_ms(until < 0 ? -1 : until - now));
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		if (p[0].revents & POLLNVAL)
			return -EBADF;
		if (p[0].revents & (POLLERR | POLLHUP)) {
			/* end as the next write would have: killed by SIGPIPE,
			 * quietly (main() left it at its default action) */
			raise(SIGPIPE);
			return -EPIPE;
		}
		if (p[1].revents & (POLLERR | POLLNVAL))
			return -EIO;
		if (p[1].revents & POLLIN)
			return statusdir_watch_ack(sd);
	}
}

static int watch_loop(const char *store, statusdir *sd, const struct watch_args *a, char *mark)
{
	uint64_t printed = 0;
	bool numbers = statusdir_format(sd) == 2;
	int64_t poll_ns = a->poll_ns;
	int watch_fd = poll_ns ? -1 : statusdir_watch_fd(sd);
	if (watch_fd < 0 && !poll_ns)
		poll_ns = 100 * 1000000; /* no inotify: look ten times a second */
	int64_t deadline = a->timeout_ns ? mono_now() + a->timeout_ns : -1;
	for (;;) {
		struct statusdir_version *v;
		size_t n;
		/* the inotify fd exists before the first listing, and
		 * stand_by() empties it before each later one: a commit
		 * after a listing always wakes the next stand_by() */
		int r = statusdir_list_since(sd, mark, &v, &n);
		if (r < 0) {
			error_store(store, "cannot list versions", r);
			return EXIT_FAILED;
		}
		if (n > 0 && !numbers)
			note_possible_gap(store, sd, mark, &v[0]);
		for (size_t i = 0; i < n; i++) {
			if (numbers)
				note_removed(store, sd, mark, v[i].id);
			if (printf("%s\n", v[i].id) < 0 || fflush(stdout) != 0) {
				statusdir_list_free(v);
				error_msg(store, "cannot write to stdout: %s", strerror(errno));
				return EXIT_FAILED;
			}
			memcpy(mark, v[i].id, strlen(v[i].id) + 1);
			if (a->exec)
				run_exec(store, a->exec, v[i].id);
			if (a->count && ++printed == a->count) {
				statusdir_list_free(v);
				return output_done(store);
			}
		}
		statusdir_list_free(v);
		if (n > 0 && a->timeout_ns)
			deadline = mono_now() + a->timeout_ns;
		r = stand_by(sd, watch_fd, poll_ns, deadline);
		if (r == 1)
			return EXIT_NOTFOUND; /* nothing new in time */
		if (r == -EBADF || r == -EPIPE) {
			error_msg(store, "cannot write to stdout: %s", strerror(-r));
			return EXIT_FAILED;
		}
		if (r < 0) {
			error_store(store, "waiting for versions", r);
			return EXIT_FAILED;
		}
	}
}

static int cmd_watch(int argc, char **argv)
{
	struct watch_args a = { .cmd = &command_watch };
	char *pos[1], mark[STATUSDIR_ID_SIZE];
	statusdir *sd;
	int n = args_parse(a.cmd, argc, argv, watch_opts, on_watch_option, &a, pos, 1, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(a.cmd, "no STORE given");
	int r = a.after ? check_id_arg(pos[0], a.after) : 0;
	if (r || (r = store_open(pos[0], STATUSDIR_READONLY, &sd)))
		return r;
	if (stdout_was_closed) {
		statusdir_close(sd);
		error_msg(pos[0], "cannot write to stdout: %s", strerror(EBADF));
		return EXIT_FAILED;
	}
	r = start_mark(pos[0], sd, &a, mark);
	if (r == 0)
		r = watch_loop(pos[0], sd, &a, mark);
	statusdir_close(sd);
	return r;
}

const struct command command_watch = {
	"watch", cmd_watch,
	"statusdir watch STORE [--after ID] [--count N] [--timeout DURATION]\n"
	"       [--poll DURATION] [--exec CMD]",
	"Print every new version's id as it is committed, in increasing order.",
};
