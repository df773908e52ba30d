/* SPDX-License-Identifier: MIT */
/* cli.h - what the statusdir command's files share. */
#ifndef STATUSDIR_CLI_H
#define STATUSDIR_CLI_H

#include "config.h"
#include "exitcodes.h"
#include "statusdir.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* One command: its name, what it does, its usage line, its function. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

/* Options of one command, parsed by args_parse(). */
struct option_spec {
	const char *long_name; /* without "--" */
	char short_name;       /* 0: none */
	bool has_arg;
	int key;               /* returned to the caller */
};

enum { ARG_REST = -2 };    /* key of an option that takes all later words */

/* Parses argv[1..] (argv[0] is the command name).  For each option calls
 * on_option(key, value, ctx); collects the other words into pos (at most
 * max_pos).  "--" ends options; an option with key ARG_REST takes every
 * word after it into *rest.  Returns the number of positional words, or
 * -1 after printing a usage error. */
int args_parse(const struct command *cmd, int argc, char **argv,
               const struct option_spec *opts,
               int (*on_option)(int key, const char *value, void *ctx), void *ctx,
               char **pos, int max_pos, char ***rest);

/* For commands without options. */
extern const struct option_spec no_opts[];
int no_option(int key, const char *value, void *ctx);

/* stderr: "statusdir: STORE: what: why" and friends. */
void error_store(const char *store, const char *what, int err);
void error_msg(const char *store, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The exit code for a library error: 1, 2, 3 or 4. */
int exit_for(int err);

/* Opens STORE; on failure prints why and returns the exit code (>0). */
int store_open(const char *path, unsigned flags, statusdir **sd);
/* Checks an ID argument, a version id or @N: 0, or prints a usage error
 * and returns 2. */
int check_id_arg(const char *store, const char *ref);
/* Turns a checked ID argument into an id: 0, or prints why and returns the
 * exit code (1: no such version). */
int resolve_ref(const char *store, statusdir *sd, const char *ref, char *id);

/* stdout: true if fd 1 was closed when the program started (it then
 * points at /dev/null, which must not pass for success). */
extern bool stdout_was_closed;
extern bool stdin_was_closed;
/* Flushes and closes stdout; 0, or the negative errno of the failure. */
int stdout_finish(void);
/* stdout_finish(), saying why it failed (on behalf of store, may be NULL):
 * EXIT_OK or EXIT_FAILED. */
int output_done(const char *store);
/* Prints the id of a version just committed and flushes stdout: EXIT_OK,
 * or says why it could not and returns EXIT_UNREPORTED (the version stays
 * committed; a caller that retried would make a duplicate). */
int committed_done(const char *store, const char *id);

/* init's mkdir -p (mkdirs.c): makes the missing directories above STORE,
 * not STORE itself, each with mode 0777 less the umask and flushed into
 * its parent before the next is made; existing ones may be symbolic links
 * to directories.  0, or prints "statusdir: STORE: cannot create DIR: why"
 * (DIR the first one that could not be made) and returns EXIT_FAILED;
 * directories made before a failure stay, as with mkdir -p. */
int make_parents(const char *store);

/* Parsers: 0 and the value, or -EINVAL. */
int parse_duration(const char *s, int64_t *ns);
int parse_count(const char *s, uint64_t *n);
int parse_mode(const char *s, unsigned *mode);
int parse_group(const char *s, int64_t *gid);

/* log --format templates (logformat.c): valid only if every % and \ is
 * followed by an escape statusdir(1) lists; print expands a valid one for
 * version v (same: the older version with the same bytes, or NULL) and
 * ends it with a newline unless it ends in %n. */
bool log_format_valid(const char *f);
void log_format_print(FILE *out, const char *f, const struct statusdir_version *v,
                      const struct statusdir_version *same);

/* The wall clock in ns (CLOCK_REALTIME). */
int64_t statusdir_now(void);

/* 2026-11-26T19:13:43.123456789Z, whatever TZ and LC_* say. */
#define TIME_SIZE 48
void format_time(int64_t ns, char out[TIME_SIZE]);

/* The commands. */
int cmd_init(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_put(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_path(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_prune(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_rollback(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_watch(int argc, char **argv);

const struct command *command_find(const char *name);

#endif
