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

enum { OPT_NOSYNC = 1, OPT_ONE_FLUSH, OPT_IF_CHANGED, OPT_NO_EMPTY, OPT_QUIET, OPT_IF_NEWEST };

static const struct option_spec put_opts[] = {
	{ "if-newest", 0, true, OPT_IF_NEWEST },
	{ "no-sync", 0, false, OPT_NOSYNC },
	{ "one-flush", 0, false, OPT_ONE_FLUSH },
	{ "if-changed", 0, false, OPT_IF_CHANGED },
	{ "no-empty", 0, false, OPT_NO_EMPTY },
	{ "quiet", 'q', false, OPT_QUIET },
	{ "run", 0, false, ARG_REST },
	{ NULL, 0, false, 0 },
};

static volatile sig_atomic_t caught_signal;

static void on_signal(int sig)
{
	caught_signal = sig;
}

void put_catch_signals(void)
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

/* --if-newest ID or none: a base for a conditional put, never "@N",
 * which names whatever is newest and so defeats the check. */
int parse_base(const struct command *cmd, const char *value, const char **base)
{
	if (strcmp(value, "none") == 0) {
		*base = "";
		return 0;
	}
	if (value[0] == '@')
		return -usage_error(cmd, "--if-newest needs an ID, not '%s': a reference "
		                         "names whatever is newest", value);
	if (statusdir_id_parse(value, NULL) < 0)
		return -usage_error(cmd, "--if-newest: '%s' is not a version ID", value);
	*base = value;
	return 0;
}

static int on_put_option(int key, const char *value, void *ctx)
{
	struct put_args *a = ctx;
	switch (key) {
	case OPT_IF_NEWEST: return parse_base(a->cmd, value, &a->base);
	case OPT_NOSYNC: a->flags |= STATUSDIR_NOSYNC; break;
	case OPT_ONE_FLUSH: a->flags |= STATUSDIR_ONE_FLUSH; break;
	case OPT_IF_CHANGED: a->flags |= STATUSDIR_IF_CHANGED; break;
	case OPT_NO_EMPTY: a->no_empty = true; break;
	default: a->quiet = true; break;
	}
	return 0;
}

/* Where the payload comes from, for the messages: a read error names it,
 * so that it cannot be taken for an error of the store. */
struct input {
	int fd;
	const char *name;  /* FILE, "stdin", or CMD */
	bool is_command;   /* name is CMD: its output was read */
	uint64_t size;     /* bytes read so far */
	int read_err;      /* -errno of the read that failed, else 0 */
};

/* Copies in->fd into the transaction until end of file: 0, or -errno
 * (-EINTR when a signal arrived); a failed read also sets in->read_err. */
static int stream_into(statusdir_txn *txn, struct input *in)
{
	char buf[64 * 1024];
	for (;;) {
		if (caught_signal)
			return -EINTR;
		ssize_t n = read(in->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return in->read_err = -errno;
		if (n == 0)
			return 0;
		in->size += (uint64_t)n;
		int r = statusdir_put_write(txn, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

/* Says why streaming failed: the input, or the store. */
static void report_stream_error(const char *store, const struct input *in, int r)
{
	if (r == in->read_err)
		error_msg(store, "cannot read %s%s: %s", in->is_command ? "the output of " : "",
		          in->name, strerror(-r));
	else
		error_store(store, "put failed", r);
}

/* A conditional put lost: 6.  The caller that tries again says nothing. */
static int report_conflict(const char *store, struct put_args *a, const char *newest)
{
	memcpy(a->newest, newest, strlen(newest) + 1);
	if (!a->retrying)
		error_msg(store, "conflict: the newest version is %s, not %s; nothing committed",
		          *newest ? newest : "none (nothing to read)",
		          a->base && *a->base ? a->base : "none");
	return EXIT_CONFLICT;
}

/* Commits and prints the id: 0, 4, 5 or 6.  Quiet hides the one note,
 * never an error nor the line that names a version whose id was not
 * printed. */
static int commit_and_report(const char *store, statusdir_txn *txn, struct put_args *a)
{
	char id[STATUSDIR_ID_SIZE] = "";
	hold_signals(SIG_BLOCK);
	int r = a->base ? statusdir_put_commit_if(txn, a->base, id) : statusdir_put_commit(txn, id);
	if (r < 0) {
		hold_signals(SIG_UNBLOCK);
		if (r == -ECANCELED)
			return report_conflict(store, a, id);
		if (r == -EOPNOTSUPP && a->base)
			error_msg(store, "a conditional put needs a format-2 store "
			                 "(statusdir init --format 2)");
		else if (id[0]) /* format 2: claimed, then the flush failed */
			error_msg(store, "put committed %s, but it may not be durable: %s", id,
			          statusdir_strerror(r));
		else
			error_store(store, "put failed", r);
		if (id[0])
			(void)committed_done(store, id);
		return EXIT_FAILED;
	}
	if (r == STATUSDIR_UNCHANGED && !a->quiet)
		error_msg(store, "unchanged, newest is %s", id);
	int x = committed_done(store, id);
	hold_signals(SIG_UNBLOCK); /* a signal held back is caught now ... */
	if (caught_signal)
		reraise(); /* ... and ends the program as it would have */
	return x;
}

static int open_input(const char *store, const char *file, struct input *in)
{
	bool dash = file && strcmp(file, "-") == 0;
	in->name = dash || !file ? "stdin" : file;
	if (file && !dash) {
		in->fd = open(file, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
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
	in->fd = STDIN_FILENO;
	return 0;
}

/* Ends a transaction (NULL if it never began) whose payload was streamed
 * with result r: commits it, or aborts it and says why.  0, 4 or 5. */
static int end_put(const char *store, statusdir_txn *txn, struct put_args *a,
                   const struct input *in, int r)
{
	if (r == 0 && !(a->no_empty && in->size == 0))
		return commit_and_report(store, txn, a);
	statusdir_put_abort(txn);
	if (caught_signal)
		reraise();
	if (r == 0)
		error_msg(store, "empty payload from %s (--no-empty); nothing committed", in->name);
	else
		report_stream_error(store, in, r);
	return EXIT_FAILED;
}

static int put_from_fd(const char *store, statusdir *sd, struct put_args *a,
                       struct input *in)
{
	statusdir_txn *txn = NULL;
	int r = statusdir_put_begin(sd, a->flags, &txn);
	if (r == 0)
		r = stream_into(txn, in);
	return end_put(store, txn, a, in, r);
}

/* Starts the producer with its stdout on a pipe whose read end is *out_fd
 * (and stdin_fd, unless -1, as its stdin). */
static int spawn_producer(char **argv, int stdin_fd, int *out_fd, pid_t *pid)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	int r = child_spawn_io(argv, stdin_fd, p[1], pid);
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
static int producer_status(const char *store, const char *cmd, const char *name, pid_t pid,
                           bool quiet)
{
	int status, r = child_wait(pid, &status);
	if (r < 0) {
		error_msg(store, "%s --run: waiting for %s: %s", cmd, name, strerror(-r));
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (quiet)
		return -1;
	if (WIFEXITED(status))
		error_msg(store, "%s --run: %s exited with status %d; nothing committed", cmd,
		          name, WEXITSTATUS(status));
	else
		error_msg(store, "%s --run: %s was killed by signal %d; nothing committed", cmd,
		          name, WTERMSIG(status));
	return -1;
}

int put_run(const char *store, statusdir *sd, struct put_args *a, char **argv)
{
	statusdir_txn *txn = NULL;
	struct input in = { -1, argv[0], true, 0, 0 };
	pid_t pid = 0; /* 0 until a spawn succeeds; kill(0) would hit our group */
	int r = spawn_producer(argv, a->stdin_fd, &in.fd, &pid);
	if (r < 0) {
		error_msg(store, "%s --run: %s: %s; nothing committed", a->cmd->name, argv[0],
		          strerror(-r));
		return EXIT_FAILED;
	}
	r = statusdir_put_begin(sd, a->flags, &txn);
	if (r == 0)
		r = stream_into(txn, &in);
	close(in.fd); /* a producer still writing now gets SIGPIPE */
	if (caught_signal && pid > 0)
		kill(pid, caught_signal);
	if (producer_status(store, a->cmd->name, argv[0], pid, r < 0) == 0 || r < 0)
		return end_put(store, txn, a, &in, r);
	statusdir_put_abort(txn);
	if (caught_signal)
		reraise();
	return EXIT_FAILED;
}

static int cmd_put(int argc, char **argv)
{
	struct put_args a = { .cmd = &command_put, .stdin_fd = -1 };
	struct input in = { -1, NULL, false, 0, 0 };
	char *pos[2], **run = NULL;
	statusdir *sd;
	int n = args_parse(a.cmd, argc, argv, put_opts, on_put_option, &a, pos, 2, &run);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(a.cmd, "no STORE given");
	if (run && (n > 1 || !run[0]))
		return usage_error(a.cmd, run[0] ? "give either FILE or --run, not both"
		                                 : "--run needs a command");
	int r = run ? 0 : open_input(pos[0], n > 1 ? pos[1] : NULL, &in);
	if (r)
		return r;
	put_catch_signals();
	r = store_open(pos[0], 0, &sd);
	if (r == 0) {
		r = run ? put_run(pos[0], sd, &a, run) : put_from_fd(pos[0], sd, &a, &in);
		statusdir_close(sd);
	}
	if (in.fd > STDIN_FILENO)
		close(in.fd);
	return r;
}

const struct command command_put = {
	"put", cmd_put,
	"statusdir put STORE [--no-sync] [--one-flush] [--if-changed] [--no-empty]\n"
	"       [--if-newest ID|none] [-q|--quiet] [FILE|-]\n"
	"       statusdir put STORE [--no-sync] [--one-flush] [--if-changed] [--no-empty]\n"
	"       [--if-newest ID|none] [-q|--quiet] --run CMD [ARG...]",
	"Put FILE, stdin, or the output of CMD as the new newest version and\n"
	"print its id.  With --run, commit only if CMD exits 0: a pipe into put\n"
	"cannot tell put that its producer failed.  --no-empty refuses a 0-byte\n"
	"payload (exit 4); -q, --quiet leaves out notes, never errors.\n"
	"--if-newest commits only if ID (none: no version at all) is still the\n"
	"newest, in a format-2 store; otherwise nothing is committed (exit 6).",
};
