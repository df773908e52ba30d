/* SPDX-License-Identifier: MIT */
/* report.c - messages on stderr and the mapping of errors to exit codes. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

/* Constant: libtool runs the uninstalled binary as lt-statusdir. */
static const char program[] = "statusdir";

/* The library's wording, but for ENOENT: the library means a missing
 * version by it, and error_version says that; anywhere else a path is
 * missing, and the system's wording says so. */
void error_store(const char *store, const char *what, int err)
{
	const char *why = err == -ENOENT ? strerror(ENOENT) : statusdir_strerror(err);
	fprintf(stderr, "%s: %s: %s: %s\n", program, store, what, why);
}

void error_version(const char *store, const char *id, int err)
{
	if (err == -ENOENT)
		error_msg(store, "no version %s", id);
	else
		error_store(store, id, err);
}

void error_msg(const char *store, const char *fmt, ...)
{
	va_list ap;
	if (store)
		fprintf(stderr, "%s: %s: ", program, store);
	else
		fprintf(stderr, "%s: ", program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr, "Try 'statusdir %s --help'.\n", cmd->name);
	else
		fprintf(stderr, "Try 'statusdir --help'.\n");
	return EXIT_USAGE;
}

bool is_write_error(int err)
{
	return err == -EPIPE || err == -EBADF || err == -ENOSPC || err == -EFBIG || err == -EDQUOT;
}

int exit_for(int err)
{
	switch (-err) {
	case 0:
		return EXIT_OK;
	case ENOENT:
		return EXIT_NOTFOUND;
	case EINVAL:
		return EXIT_USAGE;
	case EBADMSG:
		return EXIT_DAMAGE;
	default:
		return EXIT_FAILED;
	}
}

/* Opening a store: -ENOENT here means the path is missing, not an empty
 * store, so the system's own wording is clearer than the library's. */
int store_open(const char *path, unsigned flags, statusdir **sd)
{
	int r = statusdir_open(path, flags, NULL, sd);
	if (r == 0)
		return 0;
	if (r == -ENOENT || r == -ENOTDIR || r == -EACCES)
		error_msg(path, "cannot open store: %s", strerror(-r));
	else
		error_store(path, "cannot open store", r);
	return EXIT_FAILED;
}

/* "@" and digits: a relative reference, @0 being the newest. */
static bool is_relative_ref(const char *ref)
{
	if (ref[0] != '@' || ref[1] == '\0')
		return false;
	for (const char *p = ref + 1; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int check_id_arg(const char *store, const char *ref)
{
	if (is_relative_ref(ref) || statusdir_id_parse(ref, NULL) == 0)
		return 0;
	error_msg(store, "not a version id: '%s'", ref);
	return EXIT_USAGE;
}

int resolve_ref(const char *store, statusdir *sd, const char *ref, char *id)
{
	int r = statusdir_resolve(sd, ref, id);
	if (r == 0)
		return 0;
	error_version(store, ref, r);
	return exit_for(r);
}

int store_and_ref(const struct command *cmd, int argc, char **argv,
                  const struct option_spec *opts,
                  int (*on_option)(int key, const char *value, void *ctx), void *ctx,
                  const char **store, const char **ref)
{
	char *pos[2];
	int n = args_parse(cmd, argc, argv, opts, on_option, ctx, pos, 2, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(cmd, "no STORE given");
	*store = pos[0];
	*ref = n > 1 ? pos[1] : NULL;
	return *ref ? check_id_arg(*store, *ref) : 0;
}

int open_and_resolve(const char *store, const char *ref, statusdir **sd,
                     char id[STATUSDIR_ID_SIZE])
{
	int r = store_open(store, STATUSDIR_READONLY, sd);
	id[0] = '\0';
	if (r == 0 && ref && (r = resolve_ref(store, *sd, ref, id)) != 0)
		statusdir_close(*sd);
	return r;
}

int report_read_error(const char *store, const char *id, int r)
{
	if (r == -ENOENT && !*id)
		error_msg(store, "the store is empty");
	else
		error_version(store, *id ? id : "newest version", r);
	return exit_for(r);
}
