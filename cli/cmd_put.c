/* SPDX-License-Identifier: MIT */
/* cmd_put.c - statusdir put: from a file, from stdin, or from a command.
 *
 * The payload is streamed into a put transaction.  SIGINT and SIGTERM
 * interrupt the read (no SA_RESTART); the transaction is then aborted, so
 * its tmp/ file is removed, and the signal is raised again.  During the
 * commit they are held back until the id is printed, then raised: a
 * committed version is always reported. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { OPT_NOSYNC = 1, OPT_ONE_FLUSH, OPT_IF_CHANGED };

static const struct option_spec put_opts[] = {
	{ "no-sync", 0, false, OPT_NOSYNC },
	{ "one-flush", 0, false, OPT_ONE_FLUSH },
	{ "if-changed", 0, false, OPT_IF_CHANGED },
	{ "run", 0, false, ARG_REST },
	{ NULL, 0, false, 0 },
};

static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
	caught_signal = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout must not kill a commit */
}

static void hold_signals(int how)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(how, &set, NULL);
}

/* Dies of the caught signal, as if it had never been caught. */
static void reraise(void)
{
	int sig = caught_signal;
	signal(sig, SIG_DFL);
	hold_signals(SIG_UNBLOCK);
	raise(sig);
}

struct put_args {
	const struct command *cmd;
	unsigned flags;
};

static int on_put_option(int key, const char *value, void *ctx)
{
	struct put_args *a = ctx;
	(void)value;
	a->flags |= key == OPT_NOSYNC      ? STATUSDIR_NOSYNC
	            : key == OPT_ONE_FLUSH ? STATUSDIR_ONE_FLUSH
	                                   : STATUSDIR_IF_CHANGED;
	return 0;
}

/* Copies fd into the transaction until end of file: 0, or -errno
 * (-EINTR when a signal arrived). */
static int stream_into(statusdir_txn *txn, int fd)
{
	char buf[64 * 1024];
	for (;;) {
		if (caught_signal)
			return -EINTR;
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		int r = statusdir_put_write(txn, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

/* Commits and prints the id: 0, 4 or 5. */
static int commit_and_report(const char *store, statusdir_txn *txn)
{
	char id[STATUSDIR_ID_SIZE];
	hold_signals(SIG_BLOCK);
	int r = statusdir_put_commit(txn, id);
	if (r < 0) {
		hold_signals(SIG_UNBLOCK);
		error_store(store, "put failed", r);
		return EXIT_FAILED;
	}
	if (r == STATUSDIR_UNCHANGED)
		error_msg(store, "unchanged, newest is %s", id);
	int x = committed_done(store, id);
	hold_signals(SIG_UNBLOCK); /* a signal held back is caught now ... */
	if (caught_signal)
		reraise(); /* ... and ends the program as it would have */
	return x;
}

static int open_input(const char *store, const char *file, int *fd)
{
	bool dash = file && strcmp(file, "-") == 0;
	if (file && !dash) {
		*fd = open(file, O_RDONLY | O_CLOEXEC);
		if (*fd < 0) {
			error_msg(store, "cannot open %s: %s", file, strerror(errno));
			return EXIT_FAILED;
		}
		return 0;
	}
	if (stdin_was_closed)
		return usage_error(&command_put, "%s: stdin is closed; nothing to put", store);
	if (!dash && isatty(STDIN_FILENO))
		return usage_error(&command_put,
		                   "%s: stdin is a terminal; give '-' to type the status", store);
	*fd = STDIN_FILENO;
	return 0;
}

static int put_from_fd(const char *store, statusdir *sd, unsigned flags, int fd)
{
	statusdir_txn *txn;
	int r = statusdir_put_begin(sd, flags, &txn);
	if (r < 0) {
		error_store(store, "put failed", r);
		return EXIT_FAILED;
	}
	r = stream_into(txn, fd);
	if (r == 0)
		return commit_and_report(store, txn);
	statusdir_put_abort(txn);
	if (caught_signal)
		reraise();
	error_store(store, "put failed", r);
	return EXIT_FAILED;
}

/* Starts the producer with its stdout on a pipe whose read end is *out_fd. */
static int spawn_producer(char **argv, int *out_fd, pid_t *pid)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	int r = child_spawn(argv, p[1], pid);
	close(p[1]);
	if (r < 0) {
		close(p[0]);
		return r;
	}
	*out_fd = p[0];
	return 0;
}

/* Waits for the producer; 0 if it exited 0, else says why not (unless
 * quiet: the put itself failed and that is the message). */
static int producer_status(const char *store, const char *name, pid_t pid, bool quiet)
{
	int status, r = child_wait(pid, &status);
	if (r < 0) {
		error_msg(store, "put --run: waiting for %s: %s", name, strerror(-r));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (quiet)
		return -1;
	if (WIFEXITED(status))
		error_msg(store, "put --run: %s exited with status %d; nothing committed",
		          name, WEXITSTATUS(status));
	else
		error_msg(store, "put --run: %s was killed by signal %d; nothing committed",
		          name, WTERMSIG(status));
	return -1;
}

static int put_from_command(const char *store, statusdir *sd, unsigned flags, char **argv)
{
	statusdir_txn *txn = NULL;
	int fd = -1;
	pid_t pid;
	int r = spawn_producer(argv, &fd, &pid);
	if (r < 0) {
		error_msg(store, "put --run: %s: %s; nothing committed", argv[0], strerror(-r));
		return EXIT_FAILED;
	}
	r = statusdir_put_begin(sd, flags, &txn);
	if (r == 0)
		r = stream_into(txn, fd);
	close(fd); /* a producer still writing now gets SIGPIPE */
	if (caught_signal)
		kill(pid, caught_signal);
	int st = producer_status(store, argv[0], pid, r < 0);
	if (r == 0 && st == 0)
		return commit_and_report(store, txn);
	statusdir_put_abort(txn);
	if (caught_signal)
		reraise();
	if (r < 0)
		error_store(store, "put failed", r);
	return EXIT_FAILED;
}

static int cmd_put(int argc, char **argv)
{
	struct put_args a = { &command_put, 0 };
	char *pos[2], **run = NULL;
	statusdir *sd;
	int fd = -1;
	int n = args_parse(a.cmd, argc, argv, put_opts, on_put_option, &a, pos, 2, &run);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(a.cmd, "no STORE given");
	if (run && (n > 1 || !run[0]))
		return usage_error(a.cmd, run[0] ? "give either FILE or --run, not both"
		                                 : "--run needs a command");
	int r = run ? 0 : open_input(pos[0], n > 1 ? pos[1] : NULL, &fd);
	if (r)
		return r;
	catch_signals();
	r = store_open(pos[0], 0, &sd);
	if (r == 0) {
		r = run ? put_from_command(pos[0], sd, a.flags, run)
		        : put_from_fd(pos[0], sd, a.flags, fd);
		statusdir_close(sd);
	}
	if (fd > STDIN_FILENO)
		close(fd);
	return r;
}

const struct command command_put = {
	"put", cmd_put,
	"statusdir put STORE [--no-sync] [--one-flush] [--if-changed] [FILE|-]\n"
	"       statusdir put STORE [--no-sync] [--one-flush] [--if-changed] --run CMD [ARG...]",
	"Put FILE, stdin, or the output of CMD as the new newest version and\n"
	"print its id.  With --run, commit only if CMD exits 0.",
};
