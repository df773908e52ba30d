/* SPDX-License-Identifier: MIT */
/* cmd_init.c - statusdir init and statusdir config. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

enum { OPT_MODE = 1, OPT_GROUP, OPT_KEEP, OPT_MAX_AGE };

static const struct option_spec settings_opts[] = {
	{ "mode", 0, true, OPT_MODE },
	{ "group", 0, true, OPT_GROUP },
	{ "keep", 0, true, OPT_KEEP },
	{ "max-age", 0, true, OPT_MAX_AGE },
	{ NULL, 0, false, 0 },
};

struct settings {
	const struct command *cmd;
	bool mode_given, group_given, keep_given, max_age_given;
	unsigned mode;
	int64_t gid;
	uint64_t keep;
	int64_t max_age_ns;
};

static int on_setting(int key, const char *value, void *ctx)
{
	struct settings *s = ctx;
	/* init takes limits to set; config also takes 0 to remove one */
	bool zero_ok = strcmp(s->cmd->name, "config") == 0;
	switch (key) {
	case OPT_MODE:
		if (parse_mode(value, &s->mode) < 0)
			return -usage_error(s->cmd, "invalid mode '%s' (octal, e.g. 0640)", value);
		s->mode_given = true;
		break;
	case OPT_GROUP:
		if (parse_group(value, &s->gid) < 0)
			return -usage_error(s->cmd, "unknown group '%s'", value);
		s->group_given = true;
		break;
	case OPT_KEEP:
		if (parse_count(value, &s->keep) < 0 || (s->keep == 0 && !zero_ok))
			return -usage_error(s->cmd, "--keep needs a count of at least 1, not '%s'", value);
		s->keep_given = true;
		break;
	default:
		if (parse_duration(value, &s->max_age_ns) < 0 || (s->max_age_ns == 0 && !zero_ok))
			return -usage_error(s->cmd, "invalid --max-age '%s'", value);
		s->max_age_given = true;
		break;
	}
	return 0;
}

static int parse_settings(const char *name, int argc, char **argv,
                          struct settings *s, const char **store)
{
	char *pos[1];
	memset(s, 0, sizeof(*s));
	s->cmd = command_find(name);
	s->gid = -1;
	int n = args_parse(s->cmd, argc, argv, settings_opts, on_setting, s, pos, 1, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(s->cmd, "no STORE given");
	*store = pos[0];
	return 0;
}

static void apply_settings(const struct settings *s, struct statusdir_config *cfg)
{
	if (s->mode_given)
		cfg->mode = s->mode;
	if (s->group_given)
		cfg->gid = s->gid;
	if (s->keep_given)
		cfg->keep = s->keep;
	if (s->max_age_given)
		cfg->max_age_ns = s->max_age_ns;
}

static int init_existing(statusdir *sd, const char *store, const struct statusdir_config *want)
{
	struct statusdir_config have;
	statusdir_config_get(sd, &have);
	if (have.mode == want->mode && have.gid == want->gid && have.keep == want->keep &&
	    have.max_age_ns == want->max_age_ns)
		return EXIT_OK;
	error_msg(store, "store exists with other settings; "
	                 "'statusdir config' shows and changes them");
	return EXIT_USAGE;
}

int cmd_init(int argc, char **argv)
{
	struct settings s;
	struct statusdir_config cfg;
	const char *store;
	statusdir *sd;
	int r = parse_settings("init", argc, argv, &s, &store);
	if (r)
		return r;
	statusdir_config_init(&cfg);
	apply_settings(&s, &cfg);
	r = statusdir_open(store, 0, NULL, &sd);
	if (r == 0) {
		r = init_existing(sd, store, &cfg);
		statusdir_close(sd);
		return r;
	}
	if (r == -ENOENT && make_parents(store) != 0) /* its path is missing */
		return EXIT_FAILED;
	if (r == -ENOENT || r == -EMEDIUMTYPE)
		r = statusdir_open(store, STATUSDIR_CREATE, &cfg, &sd);
	if (r < 0) { /* -ENOENT: a path, not the library's "no such version" */
		error_msg(store, "cannot create store: %s",
		          r == -ENOENT ? strerror(ENOENT) : statusdir_strerror(r));
		return EXIT_FAILED;
	}
	statusdir_close(sd);
	return EXIT_OK;
}

static void show_config(const struct statusdir_config *cfg)
{
	printf("format 1\nchecksum xxh3-64\n");
	if (cfg->mode)
		printf("mode %04o\n", cfg->mode);
	else
		printf("mode none\n");
	if (cfg->gid >= 0)
		printf("group %" PRId64 "\n", cfg->gid);
	else
		printf("group none\n");
	if (cfg->keep)
		printf("keep %" PRIu64 "\n", cfg->keep);
	else
		printf("keep none\n");
	if (cfg->max_age_ns)
		printf("max-age %" PRId64 "s\n", cfg->max_age_ns / 1000000000);
	else
		printf("max-age none\n");
}

int cmd_config(int argc, char **argv)
{
	struct settings s;
	struct statusdir_config cfg;
	const char *store;
	statusdir *sd;
	int r = parse_settings("config", argc, argv, &s, &store);
	if (r)
		return r;
	bool change = s.mode_given || s.group_given || s.keep_given || s.max_age_given;
	r = store_open(store, change ? 0 : STATUSDIR_READONLY, &sd);
	if (r)
		return r;
	statusdir_config_get(sd, &cfg);
	if (change) {
		apply_settings(&s, &cfg);
		r = statusdir_config_set(sd, &cfg);
		if (r < 0)
			error_store(store, "cannot record settings", r);
		statusdir_close(sd);
		return r < 0 ? EXIT_FAILED : EXIT_OK;
	}
	statusdir_close(sd);
	show_config(&cfg);
	return output_done(store);
}
