/* cmd_init.c - statusdir init and statusdir config. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

enum { OPT_MODE = 1, OPT_GROUP };

static const struct option_spec settings_opts[] = {
	{ "mode", 0, true, OPT_MODE },
	{ "group", 0, true, OPT_GROUP },
	{ NULL, 0, false, 0 },
};

struct settings {
	const struct command *cmd;
	bool mode_given, group_given;
	unsigned mode;
	int64_t gid;
};

static int on_setting(int key, const char *value, void *ctx)
{
	struct settings *s = ctx;
	if (key == OPT_MODE) {
		if (parse_mode(value, &s->mode) < 0)
			return -usage_error(s->cmd, "invalid mode '%s' (octal, e.g. 0640)", value);
		s->mode_given = true;
	} else {
		if (parse_group(value, &s->gid) < 0)
			return -usage_error(s->cmd, "unknown group '%s'", value);
		s->group_given = true;
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
}

static int init_existing(statusdir *sd, const char *store, const struct statusdir_config *want)
{
	struct statusdir_config have;
	statusdir_config_get(sd, &have);
	if (have.mode == want->mode && have.gid == want->gid)
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
	if (r == -ENOENT || r == -EMEDIUMTYPE)
		r = statusdir_open(store, STATUSDIR_CREATE, &cfg, &sd);
	if (r < 0) {
		error_store(store, "cannot create store", r == -ENOENT ? -ENOENT : r);
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
	if (cfg->max_age_ns)
		printf("max-age %" PRId64 "s\n", cfg->max_age_ns / 1000000000);
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
	bool change = s.mode_given || s.group_given;
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
