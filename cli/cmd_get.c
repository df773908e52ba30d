/* SPDX-License-Identifier: MIT */
/* cmd_get.c - statusdir get: a version's bytes to stdout, checked first. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_STRICT = 1, OPT_NO_VERIFY, OPT_ID_TO_STDERR, OPT_ID_FILE };

static const struct option_spec get_opts[] = {
	{ "strict", 0, false, OPT_STRICT },
	{ "no-verify", 0, false, OPT_NO_VERIFY },
	{ "id-to-stderr", 0, false, OPT_ID_TO_STDERR },
	{ "id-file", 0, true, OPT_ID_FILE },
	{ NULL, 0, false, 0 },
};

struct get_args {
	unsigned flags;
	bool id_to_stderr;
	const char *id_file;
};

static int on_get_option(int key, const char *value, void *ctx)
{
	struct get_args *a = ctx;
	switch (key) {
	case OPT_STRICT: a->flags |= STATUSDIR_GET_STRICT; break;
	case OPT_NO_VERIFY: a->flags |= STATUSDIR_GET_NOVERIFY; break;
	case OPT_ID_TO_STDERR: a->id_to_stderr = true; break;
	default: a->id_file = value; break;
	}
	return 0;
}

/* --id-file F: the id read, on a line of its own. */
static int write_id_file(const char *store, const char *path, const char *id)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		error_msg(store, "cannot open %s: %s", path, strerror(errno));
		return EXIT_FAILED;
	}
	size_t len = strlen(id);
	char line[STATUSDIR_ID_SIZE + 1];
	memcpy(line, id, len);
	line[len] = '\n';
	ssize_t n = write(fd, line, len + 1);
	int e = n == (ssize_t)(len + 1) ? 0 : n < 0 ? errno : EIO;
	if (close(fd) != 0 && !e)
		e = errno;
	if (e) {
		error_msg(store, "cannot write %s: %s", path, strerror(e));
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

static int cmd_get(int argc, char **argv)
{
	struct get_args a = { 0 };
	const char *store, *ref;
	char id[STATUSDIR_ID_SIZE];
	statusdir *sd;
	int r = store_and_ref(&command_get, argc, argv, get_opts, on_get_option, &a, &store, &ref);
	if (r || (r = open_and_resolve(store, ref, &sd, id)))
		return r;
	if (stdout_was_closed) {
		statusdir_close(sd);
		error_msg(store, "cannot write to stdout: %s", strerror(EBADF));
		return EXIT_FAILED;
	}
	struct statusdir_read rd = { .flags = a.flags };
	r = statusdir_read_fd(sd, id, STDOUT_FILENO, &rd);
	statusdir_close(sd);
	if (is_write_error(r)) {
		error_msg(store, "cannot write to stdout: %s", strerror(-r));
		return EXIT_FAILED;
	}
	if (r == -EBADMSG && (rd.damaged[0] || rd.id[0])) {
		error_msg(store, "%s damaged%s", rd.damaged[0] ? rd.damaged : rd.id,
		          rd.damaged[0] ? "; no intact version left" : "");
		return EXIT_DAMAGE;
	}
	if (r < 0)
		return report_read_error(store, id, r);
	if (r == STATUSDIR_HEALED)
		error_msg(store, "%s damaged, returned %s", rd.damaged, rd.id);
	int x = output_done(store);
	if (x == EXIT_OK && a.id_to_stderr)
		fprintf(stderr, "%s\n", rd.id);
	if (x == EXIT_OK && a.id_file)
		x = write_id_file(store, a.id_file, rd.id);
	return x;
}

const struct command command_get = {
	"get", cmd_get,
	"statusdir get STORE [ID] [--strict] [--no-verify] [--id-to-stderr] [--id-file F]",
	"Write the newest version, or version ID (or @N), to stdout.  A damaged\n"
	"newest is skipped for the newest intact one, with a warning (--strict: exit 3).",
};
