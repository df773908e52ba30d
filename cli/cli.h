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
#include <sys/types.h>

/* One command: its name, its function, its usage lines and what it does.
 * Each cli/cmd_NAME.c defines its own, command_NAME, beside its options. */
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
/* "no version ID" for -ENOENT, else as error_store. */
void error_version(const char *store, const char *id, int err);
void error_msg(const char *store, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int usage_error(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* True for the errors a read hands on from writing its output (a full
 * disk, a closed pipe); EIO could be either side and is not one. */
bool is_write_error(int err);
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

/* STORE [ID] and options: 0 and the words (ref NULL when no ID), or the
 * exit code of a usage error. */
int store_and_ref(const struct command *cmd, int argc, char **argv,
                  const struct option_spec *opts,
                  int (*on_option)(int key, const char *value, void *ctx), void *ctx,
                  const char **store, const char **ref);
/* Opens the store read-only and turns ref (NULL: the newest) into id (""
 * then): 0, or prints why and returns the exit code. */
int open_and_resolve(const char *store, const char *ref, statusdir **sd,
                     char id[STATUSDIR_ID_SIZE]);
/* Says why reading version id ("": the newest) failed; the exit code. */
int report_read_error(const char *store, const char *id, int r);

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

/* init's and config's options (settings.c). */
struct settings {
	const struct command *cmd;
	bool mode_given, group_given, keep_given, max_age_given;
	bool json;          /* config --json */
	int format;         /* init --format: 1 or 2; 0: the default */
	unsigned mode;      /* 0: none (config --mode none) */
	int64_t gid;        /* -1: none (config --group none) */
	uint64_t keep;
	int64_t max_age_ns;
};
/* Parses STORE and the options: 0, or the exit code of a usage error. */
int settings_parse(const struct command *cmd, int argc, char **argv,
                   struct settings *s, const char **store);
/* Copies the settings given on the command line into cfg. */
void settings_apply(const struct settings *s, struct statusdir_config *cfg);

/* A put as put and update make it (cmd_put.c). */
struct put_args {
	const struct command *cmd;
	unsigned flags;
	bool no_empty;     /* --no-empty: a 0-byte payload is an error */
	bool quiet;        /* -q: no notes, only errors */
	const char *base;  /* --if-newest: commit only on top of this id ("":
	                      none); NULL: a plain put */
	bool retrying;     /* update: a conflict is the caller's to report */
	int stdin_fd;      /* --run: CMD's stdin, or -1 for ours */
	char newest[STATUSDIR_ID_SIZE]; /* out: on a conflict, the newest */
};
/* --if-newest's value into *base: 0, or -(exit code) after a message. */
int parse_base(const struct command *cmd, const char *value, const char **base);
/* SIGINT and SIGTERM end a put cleanly (its tmp/ file removed). */
void put_catch_signals(void);
/* Runs argv and puts its output: 0, 4, 5 or 6 (a conflict). */
int put_run(const char *store, statusdir *sd, struct put_args *a, char **argv);

/* Child processes (spawn.c).  child_spawn starts argv[0] (searched in
 * PATH) with a clean signal state and, if stdout_fd >= 0, that fd as its
 * stdout; 0 or -errno.  child_wait reaps it (status as waitpid gives it);
 * child_run does both.  child_exit_code: the exit status, or 128 + the
 * signal that killed it, as a shell reports it. */
int child_spawn(char *const argv[], int stdout_fd, pid_t *pid);
/* The same with stdin_fd (unless -1) as the child's stdin. */
int child_spawn_io(char *const argv[], int stdin_fd, int stdout_fd, pid_t *pid);
int child_wait(pid_t pid, int *status);
int child_run(char *const argv[], int *status);
int child_exit_code(int status);

/* Parsers: 0 and the value, or -EINVAL.  A duration is a number of
 * seconds, or NUMBER[.FRACTION]UNIT parts from the largest unit down
 * (w d h m s ms): 90, 1h30m, 0.5s, 250ms; DURATION_HINT says so. */
#define DURATION_HINT "a number and a unit of ms, s, m, h, d or w: 30s, 1h30m, 0.5s"
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

/* JSON output (json.c): a string, quoted and escaped (bytes that are not
 * valid UTF-8 pass through unchanged); a key of an object being printed,
 * preceded by a comma unless *first (which it then clears). */
void json_string(FILE *out, const char *s);
void json_key(FILE *out, bool *first, const char *key);
/* A duration or an age as a JSON number of seconds, exact to the ns
 * ("2592000", "0.5"). */
void json_seconds(FILE *out, int64_t ns);
/* The retention policy as the keys "keep" and "max_age_s", null where no
 * limit is recorded (config --json and info --json). */
void json_policy(FILE *out, bool *first, const struct statusdir_config *cfg);

/* A duration in the largest unit that holds it whole: "30d", "90m",
 * "1500ms", "0s", or seconds with a fraction below a ms ("0.0000015s"):
 * parse_duration reads it back exactly.  DURATION_SIZE bytes suffice. */
#define DURATION_SIZE 32
void format_duration(int64_t ns, char out[DURATION_SIZE]);
/* The name of group gid into out (size bytes): 0, or -ENOENT when it has
 * none (out then holds the number). */
int group_name(int64_t gid, char *out, size_t size);

/* The wall clock in ns (CLOCK_REALTIME). */
int64_t statusdir_now(void);

/* 2026-11-26T19:13:43.123456789Z, whatever TZ and LC_* say. */
#define TIME_SIZE 48
void format_time(int64_t ns, char out[TIME_SIZE]);

/* The commands, in the order statusdir --help lists them. */
extern const struct command command_init, command_config, command_put, command_get,
	command_log, command_prune, command_verify, command_path, command_watch,
	command_update, command_rollback, command_diff, command_info, command_upgrade,
	command_help;

/* The command called name, or NULL. */
const struct command *command_find(const char *name);
/* Prints "usage: ..." and the command's help to stdout. */
void command_usage(const struct command *cmd);

#endif
