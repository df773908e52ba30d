/* cmd_get.c - statusdir get and statusdir path. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* STORE [ID]: 0 and the words, or the exit code of a usage error. */
static int store_and_id(const char *name, int argc, char **argv,
                        const char **store, const char **id)
{
	const struct command *cmd = command_find(name);
	char *pos[2];
	int n = args_parse(cmd, argc, argv, no_opts, no_option, NULL, pos, 2, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(cmd, "no STORE given");
	*store = pos[0];
	*id = n > 1 ? pos[1] : NULL;
	return *id ? check_id_arg(*store, *id) : 0;
}

static int report_read_error(const char *store, const char *id, int r)
{
	if (r == -ENOENT && !id)
		error_msg(store, "the store is empty");
	else if (r == -ENOENT)
		error_msg(store, "no version %s", id);
	else
		error_store(store, id ? id : "newest version", r);
	return exit_for(r);
}

int cmd_get(int argc, char **argv)
{
	const char *store, *id;
	statusdir *sd;
	int r = store_and_id("get", argc, argv, &store, &id);
	if (r)
		return r;
	r = store_open(store, STATUSDIR_READONLY, &sd);
	if (r)
		return r;
	if (stdout_was_closed) {
		statusdir_close(sd);
		error_msg(store, "cannot write to stdout: %s", strerror(EBADF));
		return EXIT_FAILED;
	}
	char found[STATUSDIR_ID_SIZE];
	r = statusdir_get_fd(sd, id, STDOUT_FILENO, 0, found);
	statusdir_close(sd);
	/* errors only writing can give; EIO could be either side */
	if (r == -EPIPE || r == -EBADF || r == -ENOSPC || r == -EFBIG || r == -EDQUOT) {
		error_msg(store, "cannot write to stdout: %s", strerror(-r));
		return EXIT_FAILED;
	}
	if (r < 0)
		return report_read_error(store, id, r);
	return output_done(store);
}

int cmd_path(int argc, char **argv)
{
	const char *store, *id;
	statusdir *sd;
	char *path;
	int r = store_and_id("path", argc, argv, &store, &id);
	if (r)
		return r;
	r = store_open(store, STATUSDIR_READONLY, &sd);
	if (r)
		return r;
	r = statusdir_path(sd, id, &path);
	statusdir_close(sd);
	if (r < 0)
		return report_read_error(store, id, r);
	printf("%s\n", path);
	free(path);
	return output_done(store);
}
