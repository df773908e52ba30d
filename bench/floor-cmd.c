/* SPDX-License-Identifier: MIT */
/* floor-cmd.c - bench-floor, the raw protocol floor as a whole process:
 * the yardstick for `statusdir put` and `statusdir get` run as commands.
 * It links nothing but libc.
 *
 *   bench-floor put DIR FILE    put FILE (durably) into DIR/cur
 *   bench-floor get DIR         write the newest of DIR/cur to stdout
 *   bench-floor rusage OUT CMD ARG...
 *                               run CMD as a child, as time(1) does, and
 *                               write its peak RSS in KiB to the file OUT */
#include "config.h"

#include "floor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static char buf[64 * 1024];

/* Copies in to out until end of file: 0 or -errno. */
static int copy(int in, int out)
{
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		int r = write_all(out, buf, (size_t)n);
		if (r < 0)
			return r;
	}
}

static int put(const char *dir, const char *file)
{
	struct floor f;
	char name[FLOOR_NAME_SIZE];
	int in = open(file, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	int r = floor_open(&f, dir);
	if (r < 0) {
		close(in);
		return r;
	}
	int fd = floor_create(&f, name);
	r = fd < 0 ? fd : copy(in, fd);
	if (r == 0)
		r = floor_commit(&f, fd, name, true); /* closes fd */
	else if (fd >= 0) {
		close(fd);
		unlinkat(f.tmp_fd, name, 0);
	}
	if (r == 0)
		puts(name);
	floor_close(&f);
	close(in);
	return r;
}

static int get(const char *dir)
{
	struct floor f;
	char name[FLOOR_NAME_SIZE];
	int r = floor_open(&f, dir);
	if (r < 0)
		return r;
	DIR *d = fdopendir(dup(f.cur_fd));
	r = d ? floor_newest(d, name) : -errno;
	int fd = r < 0 ? -1 : openat(f.cur_fd, name, O_RDONLY | O_CLOEXEC);
	if (r == 0)
		r = fd < 0 ? -errno : copy(fd, STDOUT_FILENO);
	if (fd >= 0)
		close(fd);
	if (d)
		closedir(d);
	floor_close(&f);
	return r;
}

/* A child of a process this small starts with a small peak RSS: one
 * spawned from a big process would inherit that process's peak. */
static int rusage_of(const char *out, char **argv)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			return -errno;
	FILE *f = fopen(out, "w");
	if (!f || fprintf(f, "%ld\n", ru.ru_maxrss) < 0 || fclose(f) != 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

int main(int argc, char **argv)
{
	int r = -EINVAL;
	if (argc >= 4 && strcmp(argv[1], "rusage") == 0) {
		r = rusage_of(argv[2], argv + 3);
	} else if (argc == 4 && strcmp(argv[1], "put") == 0) {
		r = put(argv[2], argv[3]);
	} else if (argc == 3 && strcmp(argv[1], "get") == 0) {
		r = get(argv[2]);
	} else {
		fputs("usage: bench-floor put DIR FILE | get DIR | rusage OUT CMD [ARG...]\n", stderr);
		return 2;
	}
	if (r < 0) {
		fprintf(stderr, "bench-floor: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
