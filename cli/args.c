/* SPDX-License-Identifier: MIT */
/* args.c - option parsing shared by every command.  Hand-written rather
 * than getopt_long because put --run must take every later word, even
 * ones that look like options, and options may follow STORE. */
#include "cli.h"

#include <string.h>

static const struct option_spec *find_long(const struct option_spec *opts,
                                           const char *name, size_t len)
{
	for (; opts->long_name; opts++)
		if (strlen(opts->long_name) == len && strncmp(opts->long_name, name, len) == 0)
			return opts;
	return NULL;
}

static const struct option_spec *find_short(const struct option_spec *opts, char c)
{
	for (; opts->long_name; opts++)
		if (opts->short_name == c)
			return opts;
	return NULL;
}

/* Handles argv[*i], an option; returns 0, 1 (rest taken) or -1. */
static int one_option(const struct command *cmd, int argc, char **argv, int *i,
                      const struct option_spec *opts,
                      int (*on_option)(int, const char *, void *), void *ctx,
                      char ***rest)
{
	const char *word = argv[*i], *value = NULL;
	const struct option_spec *o;
	if (word[1] == '-') {
		const char *eq = strchr(word + 2, '=');
		size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);
		o = find_long(opts, word + 2, len);
		if (o && eq)
			value = eq + 1;
	} else {
		o = find_short(opts, word[1]);
		if (o && word[2] != '\0')
			value = word + 2; /* -n5 */
	}
	if (!o)
		return usage_error(cmd, "unknown option '%s'", word), -1;
	if (o->key == ARG_REST) {
		*rest = argv + *i + 1;
		*i = argc;
		return 1;
	}
	if (o->has_arg && !value) {
		if (*i + 1 >= argc)
			return usage_error(cmd, "option '%s' needs a value", word), -1;
		value = argv[++*i];
	} else if (!o->has_arg && value) {
		return usage_error(cmd, "option '%s' takes no value", word), -1;
	}
	return on_option(o->key, value, ctx) < 0 ? -1 : 0;
}

int args_parse(const struct command *cmd, int argc, char **argv,
               const struct option_spec *opts,
               int (*on_option)(int key, const char *value, void *ctx), void *ctx,
               char **pos, int max_pos, char ***rest)
{
	int npos = 0;
	bool options_done = false;
	for (int i = 1; i < argc; i++) {
		const char *word = argv[i];
		if (!options_done && strcmp(word, "--") == 0) {
			options_done = true;
			continue;
		}
		if (!options_done && word[0] == '-' && word[1] != '\0') {
			int r = one_option(cmd, argc, argv, &i, opts, on_option, ctx, rest);
			if (r < 0)
				return -1;
			continue;
		}
		if (npos == max_pos)
			return usage_error(cmd, "unexpected argument '%s'", word), -1;
		pos[npos++] = argv[i];
	}
	return npos;
}

const struct option_spec no_opts[] = { { NULL, 0, false, 0 } };

int no_option(int key, const char *value, void *ctx)
{
	(void)key, (void)value, (void)ctx;
	return 0;
}
