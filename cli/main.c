/* SPDX-License-Identifier: MIT */
/* main.c - statusdir(1): the table of commands, help and version; each
 * command lives in cli/cmd_NAME.c with its options and usage. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

bool stdout_was_closed;
bool stdin_was_closed;

static const struct command *const commands[] = {
	&command_init, &command_config, &command_put, &command_update, &command_get, &command_log,
	&command_prune, &command_verify, &command_path, &command_watch, &command_rollback,
	&command_diff, &command_info, &command_upgrade, &command_help,
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *command_find(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

void command_usage(const struct command *cmd)
{
	printf("usage: %s\n\n%s\n", cmd->usage, cmd->help);
}

static void print_help(void)
{
	printf("statusdir - a multi-version status store in a directory\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("  %s\n", commands[i]->usage);
	printf("\n'statusdir help COMMAND' tells more.  DURATION is a number and a unit\n"
	       "(ms, s, m, h, d, w), or several: 1h30m, 0.5s.\n"
	       "Exit status: 0 ok, 1 empty store or no such version, 2 usage error,\n"
	       "3 damage found, 4 other failure, 5 committed but the id was not written.\n");
}

/* No command at all: the short usage on stderr, as git and kmod do. */
static int short_usage(void)
{
	fprintf(stderr, "usage: statusdir COMMAND STORE [ARGS...]\n\nCommands:");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(stderr, " %s", commands[i]->name);
	fprintf(stderr, "\n\n'statusdir help' lists them with their options; "
	                "'statusdir help COMMAND' tells more.\n");
	return EXIT_USAGE;
}

static int print_version(void)
{
	printf("statusdir %s\n"
	       "Copyright (c) 2026 the statusdir authors.\n"
	       "Licensed under the MIT License (SPDX: MIT); see the LICENSE file.\n",
	       statusdir_version());
	return output_done(NULL);
}

/* statusdir help [COMMAND] */
static int cmd_help(int argc, char **argv)
{
	char *pos[1];
	int n = args_parse(&command_help, argc, argv, no_opts, no_option, NULL, pos, 1, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0) {
		print_help();
		return output_done(NULL);
	}
	const struct command *cmd = command_find(pos[0]);
	if (!cmd)
		return usage_error(&command_help, "unknown command '%s'", pos[0]);
	command_usage(cmd);
	return output_done(NULL);
}

const struct command command_help = {
	"help", cmd_help,
	"statusdir help [COMMAND]",
	"List the commands, or tell what COMMAND does and which options it takes.",
};

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
			command_usage(cmd);
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
		return short_usage();
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_help();
		return output_done(NULL);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		return print_version();
	const struct command *cmd = command_find(argv[1]);
	if (!cmd && argv[1][0] == '-')
		return usage_error(NULL, "unknown option '%s'", argv[1]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	return run_command(cmd, argc - 1, argv + 1);
}
