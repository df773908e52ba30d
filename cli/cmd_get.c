/* SPDX-License-Identifier: MIT */
/* cmd_get.c - statusdir get: a version's bytes to stdout, checked first. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* --id-file F goes through a temporary file beside F, created before the
 * first byte of the payload (so that a bad F fails with nothing written to
 * stdout) and renamed over F at the end (so that a reader of F never sees
 * it half written; a symbolic link F is itself replaced, as rename(2)
 * does).  It is created with mode 0666 and O_EXCL, so that it gets the
 * mode, umask and default ACL applied, that F would get from open(2): no
 * fchmod needed, unlike a mkstemp file (0600).  It is removed on every
 * failure, and by the handler below when a signal ends the program while
 * it exists; its name lives in static storage for that handler's sake. */
static struct {
	char path[PATH_MAX];
	volatile sig_atomic_t live; /* path names our file */
	int fd;
} temp = { .fd = -1 };

static void remove_temp_and_die(int sig)
{
	if (temp.live)
		(void)unlink(temp.path);
	signal(sig, SIG_DFL);
	raise(sig); /* delivered when the handler returns */
}

static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT };

static void block_fatal(int how)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		sigaddset(&set, fatal_signals[i]);
	sigprocmask(how, &set, NULL);
}

/* Lets a fatal signal remove the temporary file first; a signal the
 * caller ignores stays ignored. */
static void guard_temp(void)
{
	struct sigaction sa, old;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = remove_temp_and_die;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++)
		if (sigaction(fatal_signals[i], &sa, &old) == 0 && old.sa_handler == SIG_IGN)
			sigaction(fatal_signals[i], &old, NULL);
}

/* Creates the temporary file for F: 0, or -errno. */
static int temp_create(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dirlen = (int)(base - path);
	struct stat st;
	if (*base == '\0' || (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)))
		return -EISDIR;
	guard_temp();
	for (unsigned n = 0; n < 100; n++) {
		int len = snprintf(temp.path, sizeof(temp.path), "%.*s.%s.%ld.%u.tmp", dirlen,
		                   path, base, (long)getpid(), n);
		if (len < 0 || (size_t)len >= sizeof(temp.path))
			return -ENAMETOOLONG;
		block_fatal(SIG_BLOCK); /* no signal between the open and live */
		temp.fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		int e = errno;
		temp.live = temp.fd >= 0;
		block_fatal(SIG_UNBLOCK);
		if (temp.fd >= 0)
			return 0;
		if (e != EEXIST)
			return -e;
	}
	return -EEXIST;
}

/* Writes "ID\n" into the temporary file and renames it over F: 0, or
 * -errno. */
static int temp_commit(const char *path, const char *id)
{
	char line[STATUSDIR_ID_SIZE + 1];
	size_t len = strlen(id), done = 0;
	memcpy(line, id, len);
	line[len++] = '\n';
	while (done < len) {
		ssize_t n = write(temp.fd, line + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	int r = close(temp.fd);
	temp.fd = -1;
	if (r != 0 && errno != EINTR) /* EINTR: Linux closed it anyway */
		return -errno;
	block_fatal(SIG_BLOCK); /* no signal between the rename and !live */
	r = rename(temp.path, path) == 0 ? 0 : -errno;
	if (r == 0)
		temp.live = 0;
	block_fatal(SIG_UNBLOCK);
	return r;
}

/* Removes the temporary file if it is still there, keeping errno. */
static void temp_discard(void)
{
	int e = errno;
	if (temp.fd >= 0)
		(void)close(temp.fd);
	temp.fd = -1;
	if (temp.live)
		(void)unlink(temp.path);
	temp.live = 0;
	errno = e;
}

/* Writes the version to stdout and says what went wrong: an exit code. */
static int read_out(const char *store, statusdir *sd, const char *id,
                    struct statusdir_read *rd)
{
	if (stdout_was_closed) {
		error_msg(store, "cannot write to stdout: %s", strerror(EBADF));
		return EXIT_FAILED;
	}
	int r = statusdir_read_fd(sd, id, STDOUT_FILENO, rd);
	if (is_write_error(r)) {
		error_msg(store, "cannot write to stdout: %s", strerror(-r));
		return EXIT_FAILED;
	}
	if (r == -EBADMSG && (rd->damaged[0] || rd->id[0])) {
		error_msg(store, "%s damaged%s", rd->damaged[0] ? rd->damaged : rd->id,
		          rd->damaged[0] ? "; no intact version left" : "");
		return EXIT_DAMAGE;
	}
	if (r < 0)
		return report_read_error(store, id, r);
	if (r == STATUSDIR_HEALED)
		error_msg(store, "%s damaged, returned %s", rd->damaged, rd->id);
	return output_done(store);
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
	if (a.id_file && (r = temp_create(a.id_file)) < 0) {
		statusdir_close(sd);
		error_msg(store, "cannot write %s: %s", a.id_file, strerror(-r));
		return EXIT_FAILED;
	}
	struct statusdir_read rd = { .flags = a.flags };
	int x = read_out(store, sd, id, &rd);
	statusdir_close(sd);
	if (x == EXIT_OK && a.id_to_stderr)
		fprintf(stderr, "%s\n", rd.id);
	if (x == EXIT_OK && a.id_file && (r = temp_commit(a.id_file, rd.id)) < 0) {
		error_msg(store, "cannot write %s: %s", a.id_file, strerror(-r));
		x = EXIT_FAILED;
	}
	temp_discard();
	return x;
}

const struct command command_get = {
	"get", cmd_get,
	"statusdir get STORE [ID] [--strict] [--no-verify] [--id-to-stderr] [--id-file F]",
	"Write the newest version, or version ID (or @N), to stdout.  A damaged\n"
	"newest is skipped for the newest intact one, with a warning (--strict: exit 3).",
};
