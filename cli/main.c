/* SPDX-License-Identifier: MIT */
/* main.c - statusdir(1): commands from a table, one file per verb. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

bool stdout_was_closed;
bool stdin_was_closed;

static const struct command commands[] = {
	{ "init", cmd_init,
	  "statusdir init STORE [--mode MODE] [--group GROUP] [--keep N] [--max-age DURATION]",
	  "Create the store STORE (or do nothing if it exists with these settings)." },
	{ "config", cmd_config,
	  "statusdir config STORE [--mode MODE] [--group GROUP] [--keep N] [--max-age DURATION]",
	  "Show the store's recorded settings, or change them (--keep 0 and\n"
	  "--max-age 0 remove a limit).  Every put applies --keep and --max-age." },
	{ "put", cmd_put,
	  "statusdir put STORE [--no-sync] [--one-flush] [--if-changed] [FILE|-]\n"
	  "       statusdir put STORE [--no-sync] [--one-flush] [--if-changed] --run CMD [ARG...]",
	  "Put FILE, stdin, or the output of CMD as the new newest version and\n"
	  "print its id.  With --run, commit only if CMD exits 0." },
	{ "get", cmd_get,
	  "statusdir get STORE [ID] [--strict] [--no-verify] [--id-to-stderr] [--id-file F]",
	  "Write the newest version, or version ID (or @N), to stdout.  A damaged\n"
	  "newest is skipped for the newest intact one, with a warning (--strict: exit 3)." },
	{ "log", cmd_log, "statusdir log STORE [-n N] [--json] [--format FMT]",
	  "List versions newest first: ID<TAB>TIME<TAB>SIZE, or JSON lines." },
	{ "prune", cmd_prune,
	  "statusdir prune STORE [--keep N] [--max-age DURATION] [--tmp-age DURATION]\n"
	  "       [--dry-run] [-v|--verbose]",
	  "Remove versions beyond the N newest or older than DURATION (never the\n"
	  "newest), and files crashed writers left in tmp/." },
	{ "verify", cmd_verify, "statusdir verify STORE",
	  "Check every version's size and checksum; report junk and stale tmp files." },
	{ "path", cmd_path, "statusdir path STORE [ID]",
	  "Print the path of the file holding the newest version, or version ID." },
	{ "watch", cmd_watch,
	  "statusdir watch STORE [--after ID] [--count N] [--timeout DURATION]\n"
	  "       [--poll DURATION] [--exec CMD]",
	  "Print every new version's id as it is committed, in increasing order." },
	{ "rollback", cmd_rollback, "statusdir rollback STORE ID",
	  "Commit version ID's bytes again as the new newest version." },
	{ "diff", cmd_diff, "statusdir diff STORE [A [B]]",
	  "diff -u of versions A and B (default @1 and @0); exit 0 same, 1 different, 2 trouble." },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_help(void)
{
	printf("statusdir - a multi-version status store in a directory\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("  %s\n", commands[i].usage);
	printf("\n'statusdir COMMAND --help' tells more; DURATION is N[s|m|h|d|w].\n"
	       "Exit status: 0 ok, 1 empty store or no such version, 2 usage error,\n"
	       "3 damage found, 4 other failure, 5 committed but the id was not written.\n");
}

/* Opens /dev/null on any of fds 0-2 that is closed, so that no store file
 * can ever be opened as stdin, stdout or stderr. */
static int fill_standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int nul = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nul != fd)
			return -1; /* fds are handed out lowest first */
		if (fd == 0)
			stdin_was_closed = true;
		if (fd == 1)
			stdout_was_closed = true;
	}
	return 0;
}

int output_done(const char *store)
{
	int r = stdout_finish();
	if (r == 0)
		return EXIT_OK;
	error_msg(store, "cannot write to stdout: %s", strerror(-r));
	return EXIT_FAILED;
}

int committed_done(const char *store, const char *id)
{
	(void)printf("%s\n", id); /* a failure stays in ferror(stdout) */
	int r = stdout_finish();
	if (r == 0)
		return EXIT_OK;
	error_msg(store, "committed %s, but could not write it to stdout: %s", id, strerror(-r));
	return EXIT_UNREPORTED;
}

int stdout_finish(void)
{
	if (stdout_was_closed)
		return -EBADF;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		int e = errno ? -errno : -EIO;
		return e;
	}
	if (fclose(stdout) != 0)
		return errno ? -errno : -EIO;
	return 0;
}

/* The commands that write to stdout die of SIGPIPE quietly, as cat does,
 * even if the caller left SIGPIPE ignored or blocked. */
static void default_sigpipe(void)
{
	sigset_t set;
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static int run_command(const struct command *cmd, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 ||
		    (strcmp(cmd->name, "put") == 0 && strcmp(argv[i], "--run") == 0))
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("usage: %s\n\n%s\n", cmd->usage, cmd->help);
			return output_done(NULL);
		}
	}
	return cmd->run(argc, argv);
}

int main(int argc, char **argv)
{
	if (fill_standard_fds() < 0)
		return EXIT_FAILED;
	default_sigpipe();
	if (argc < 2)
		return usage_error(NULL, "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help();
		return output_done(NULL);
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("statusdir %s\n", statusdir_version());
		return output_done(NULL);
	}
	const struct command *cmd = command_find(argv[1]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	return run_command(cmd, argc - 1, argv + 1);
}
