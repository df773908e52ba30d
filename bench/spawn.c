/* SPDX-License-Identifier: MIT */
/* spawn.c - running a program as a whole process and timing it.
 *
 * posix_spawn (a vfork underneath) keeps the cost on our side small and
 * independent of how much memory this process holds. */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Reads fd until end of file: the byte count. */
static uint64_t drain(int fd)
{
	static char buf[256 * 1024];
	uint64_t total = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno != EINTR)
			break;
		total += n > 0 ? (uint64_t)n : 0;
	}
	return total;
}

static int wait_for(pid_t pid, const char *name, struct rusage *ru)
{
	int status;
	while (wait4(pid, &status, 0, ru) < 0)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		note("%s exited with %d", name, WEXITSTATUS(status));
	else
		note("%s killed by signal %d", name, WTERMSIG(status));
	return -1;
}

int spawn_run(char *const argv[], bool drain_stdout, struct spawn_result *res)
{
	posix_spawn_file_actions_t fa;
	int p[2] = { -1, -1 };
	pid_t pid;
	struct rusage ru;
	if (drain_stdout && pipe2(p, O_CLOEXEC) != 0)
		die("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	if (drain_stdout)
		posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	else
		posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	int64_t t0 = now_ns();
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		note("cannot run %s: %s", argv[0], strerror(e));
		if (drain_stdout) {
			close(p[0]);
			close(p[1]);
		}
		return -1;
	}
	uint64_t out = 0;
	if (drain_stdout) {
		close(p[1]);
		out = drain(p[0]);
		close(p[0]);
	}
	int r = wait_for(pid, argv[0], &ru);
	int64_t t1 = now_ns();
	if (res) {
		res->elapsed_ns = t1 - t0;
		res->maxrss_kib = ru.ru_maxrss;
		res->out_bytes = out;
	}
	return r;
}
