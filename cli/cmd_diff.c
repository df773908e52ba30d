/* SPDX-License-Identifier: MIT */
/* cmd_diff.c - statusdir diff: diff -u of two versions, with diff's exit
 * codes (0 same, 1 different, 2 trouble). */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { DIFF_TROUBLE = 2 };

/* Copies version id into a new unlinked-on-exit temporary file. */
static int version_to_temp(const char *store, statusdir *sd, const char *id, char *path)
{
	const char *dir = getenv("TMPDIR");
	snprintf(path, 4096, "%s/statusdir-diff.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		error_msg(store, "cannot make a temporary file: %s", strerror(errno));
		return -1;
	}
	int r = statusdir_get_fd(sd, id, fd, STATUSDIR_GET_STRICT, NULL);
	if (close(fd) != 0 && r == 0)
		r = -errno;
	if (r < 0) {
		error_store(store, id, r);
		(void)unlink(path); /* already failing; the error above is the one to report */
		return -1;
	}
	return 0;
}

static int run_diff(const char *a, const char *b, const char *label_a, const char *label_b)
{
	char *argv[] = { "diff", "-u", "--label", (char *)label_a, "--label", (char *)label_b,
		         (char *)a, (char *)b, NULL };
	pid_t pid;
	int status;
	(void)fflush(stdout); /* diff writes after us; output_done() checks stdout */
	int r = posix_spawnp(&pid, "diff", NULL, NULL, argv, environ);
	if (r != 0) {
		error_msg(NULL, "cannot run diff: %s", strerror(r));
		return DIFF_TROUBLE;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return DIFF_TROUBLE;
	return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? WEXITSTATUS(status) : DIFF_TROUBLE;
}

int cmd_diff(int argc, char **argv)
{
	const struct command *cmd = command_find("diff");
	char *pos[3], ids[2][STATUSDIR_ID_SIZE], paths[2][4096], labels[2][STATUSDIR_ID_SIZE + 2];
	statusdir *sd;
	int n = args_parse(cmd, argc, argv, no_opts, no_option, NULL, pos, 3, NULL);
	if (n < 0)
		return DIFF_TROUBLE;
	if (n == 0) {
		usage_error(cmd, "no STORE given");
		return DIFF_TROUBLE;
	}
	/* none: the newest against the one before; one: it against the newest */
	const char *refs[2] = { n > 1 ? pos[1] : "@1", n > 2 ? pos[2] : "@0" };
	for (int i = 0; i < 2; i++)
		if (check_id_arg(pos[0], refs[i]))
			return DIFF_TROUBLE;
	if (store_open(pos[0], STATUSDIR_READONLY, &sd))
		return DIFF_TROUBLE;
	int r = 0, made = 0;
	for (int i = 0; r == 0 && i < 2; i++) {
		if (resolve_ref(pos[0], sd, refs[i], ids[i]) ||
		    version_to_temp(pos[0], sd, ids[i], paths[i])) {
			r = DIFF_TROUBLE;
			break;
		}
		made++;
		labels[i][0] = i ? 'b' : 'a'; /* a/ID and b/ID, as git labels them */
		labels[i][1] = '/';
		memcpy(labels[i] + 2, ids[i], strlen(ids[i]) + 1);
	}
	statusdir_close(sd);
	if (r == 0)
		r = run_diff(paths[0], paths[1], labels[0], labels[1]);
	for (int i = 0; i < made; i++)
		(void)unlink(paths[i]); /* best effort: a temporary file left in $TMPDIR harms nothing */
	if (r != DIFF_TROUBLE && output_done(pos[0]) != EXIT_OK)
		return DIFF_TROUBLE;
	return r;
}
