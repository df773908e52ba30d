/* SPDX-License-Identifier: MIT */
/* cmd_diff.c - statusdir diff: diff -u of two versions, with diff's exit
 * codes (0 same, 1 different, 2 trouble). */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { DIFF_TROUBLE = 2 };

/* Copies version id into a new temporary file in $TMPDIR; its path in
 * path.  Says which side failed: the store, or the temporary folder. */
static int version_to_temp(const char *store, statusdir *sd, const char *id, char *path,
                           size_t size)
{
	const char *dir = getenv("TMPDIR");
	dir = dir && *dir ? dir : "/tmp";
	if ((size_t)snprintf(path, size, "%s/statusdir-diff.XXXXXX", dir) >= size) {
		error_msg(store, "cannot make a temporary file in %s: %s", dir, strerror(ENAMETOOLONG));
		return -1;
	}
	int fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0) {
		error_msg(store, "cannot make a temporary file in %s: %s", dir, strerror(errno));
		return -1;
	}
	int r = statusdir_get_fd(sd, id, fd, STATUSDIR_GET_STRICT, NULL);
	if (close(fd) != 0 && r == 0)
		r = -errno;
	if (r < 0) {
		if (is_write_error(r))
			error_msg(store, "cannot write a temporary file in %s: %s", dir, strerror(-r));
		else
			error_version(store, id, r);
		(void)unlink(path); /* already failing; the error above is the one to report */
		return -1;
	}
	return 0;
}

/* diff -u [OPTIONS] --label a/ID --label b/ID A B: diff's own status. */
static int run_diff(char **options, const char *a, const char *b, const char *label_a,
                    const char *label_b)
{
	size_t n_options = 0;
	while (options && options[n_options])
		n_options++;
	char **argv = calloc(n_options + 9, sizeof(*argv));
	if (!argv) {
		error_msg(NULL, "cannot run diff: %s", strerror(ENOMEM));
		return DIFF_TROUBLE;
	}
	size_t i = 0;
	argv[i++] = "diff";
	argv[i++] = "-u";
	for (size_t k = 0; k < n_options; k++)
		argv[i++] = options[k];
	argv[i++] = "--label";
	argv[i++] = (char *)label_a;
	argv[i++] = "--label";
	argv[i++] = (char *)label_b;
	argv[i++] = (char *)a;
	argv[i++] = (char *)b;
	int status, r = child_run(argv, &status);
	free(argv);
	if (r < 0) {
		error_msg(NULL, "cannot run diff: %s", strerror(-r));
		return DIFF_TROUBLE;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? WEXITSTATUS(status) : DIFF_TROUBLE;
}

/* Without ids, diff compares @1 with @0: a store with fewer than two
 * versions has nothing to compare, and says so. */
static bool only_one_version(const char *store, statusdir *sd)
{
	char id[STATUSDIR_ID_SIZE];
	int r = statusdir_resolve(sd, "@1", id);
	if (r != -ENOENT)
		return false;
	if (statusdir_resolve(sd, "@0", id) == -ENOENT)
		error_msg(store, "the store is empty; nothing to compare");
	else
		error_msg(store, "the store has one version; nothing to compare");
	return true;
}

/* Splits argv at the first "--": what follows goes to diff(1). */
static char **diff_options(int *argc, char **argv)
{
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			*argc = i;
			return argv + i + 1;
		}
	}
	return NULL;
}

static int cmd_diff(int argc, char **argv)
{
	const struct command *cmd = &command_diff;
	char *pos[3], ids[2][STATUSDIR_ID_SIZE], paths[2][4096], labels[2][STATUSDIR_ID_SIZE + 2];
	statusdir *sd;
	char **options = diff_options(&argc, argv);
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
		if (n == 1 && i == 0 && only_one_version(pos[0], sd)) {
			r = DIFF_TROUBLE;
			break;
		}
		if (resolve_ref(pos[0], sd, refs[i], ids[i]) ||
		    version_to_temp(pos[0], sd, ids[i], paths[i], sizeof(paths[i]))) {
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
		r = run_diff(options, paths[0], paths[1], labels[0], labels[1]);
	for (int i = 0; i < made; i++)
		(void)unlink(paths[i]); /* best effort: a temporary file left in $TMPDIR harms nothing */
	if (r != DIFF_TROUBLE && output_done(pos[0]) != EXIT_OK)
		return DIFF_TROUBLE;
	return r;
}

const struct command command_diff = {
	"diff", cmd_diff,
	"statusdir diff STORE [A [B]] [-- DIFF-OPTION...]",
	"diff -u of versions A and B (default @1 and @0); exit 0 same, 1 different, 2 trouble.",
};
