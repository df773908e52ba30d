/* SPDX-License-Identifier: MIT */
/* spawn.c - running another program: put --run's producer, diff's diff(1)
 * and watch --exec's shell all start here, so that each child begins with
 * the signal state a program expects (nothing blocked; SIGPIPE, SIGINT,
 * SIGTERM, SIGHUP and SIGQUIT at their defaults, whatever this process
 * ignores or catches) and is waited for through EINTR. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int child_spawn(char *const argv[], int stdout_fd, pid_t *pid)
{
	return child_spawn_io(argv, -1, stdout_fd, pid);
}

int child_spawn_io(char *const argv[], int stdin_fd, int stdout_fd, pid_t *pid)
{
	static const int reset[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	*pid = 0; /* set for real only by a spawn that succeeds */
	int r = posix_spawn_file_actions_init(&fa);
	if (r != 0)
		return -r;
	if ((r = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return -r;
	}
	sigemptyset(&none);
	sigemptyset(&defaults);
	for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++)
		sigaddset(&defaults, reset[i]);
	if (stdin_fd >= 0)
		r = posix_spawn_file_actions_adddup2(&fa, stdin_fd, STDIN_FILENO);
	if (r == 0 && stdout_fd >= 0)
		r = posix_spawn_file_actions_adddup2(&fa, stdout_fd, STDOUT_FILENO);
	if (r == 0)
		r = posix_spawnattr_setsigmask(&attr, &none);
	if (r == 0)
		r = posix_spawnattr_setsigdefault(&attr, &defaults);
	if (r == 0)
		r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	(void)fflush(stdout); /* what we printed goes out before what the child prints */
	if (r == 0)
		r = posix_spawnp(pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return -r;
}

int child_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int child_run(char *const argv[], int *status)
{
	pid_t pid;
	int r = child_spawn(argv, -1, &pid);
	return r < 0 ? r : child_wait(pid, status);
}

int child_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}
