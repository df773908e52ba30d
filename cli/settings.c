/* SPDX-License-Identifier: MIT */
/* settings.c - the options init and config share: --mode, --group,
 * --keep and --max-age, parsed into what statusdir_config records. */
#include "cli.h"

#include <string.h>

enum { OPT_MODE = 1, OPT_GROUP, OPT_KEEP, OPT_MAX_AGE, OPT_JSON, OPT_FORMAT };

static const struct option_spec settings_opts[] = {
	{ "mode", 0, true, OPT_MODE },
	{ "group", 0, true, OPT_GROUP },
	{ "keep", 0, true, OPT_KEEP },
	{ "max-age", 0, true, OPT_MAX_AGE },
	{ "json", 0, false, OPT_JSON },
	{ "format", 0, true, OPT_FORMAT },
	{ NULL, 0, false, 0 },
};

/* config removes a setting with "none" (or 0 for the limits); init only
 * sets them. */
static bool removes(const struct settings *s, const char *value)
{
	return s->cmd == &command_config && strcmp(value, "none") == 0;
}

static int on_setting(int key, const char *value, void *ctx)
{
	struct settings *s = ctx;
	bool zero_ok = s->cmd == &command_config;
	switch (key) {
	case OPT_MODE:
		if (removes(s, value))
			s->mode = 0;
		else if (parse_mode(value, &s->mode) < 0)
			return -usage_error(s->cmd, "invalid mode '%s' (octal, e.g. 0640)", value);
		s->mode_given = true;
		break;
	case OPT_GROUP:
		if (removes(s, value))
			s->gid = -1;
		else if (parse_group(value, &s->gid) < 0)
			return -usage_error(s->cmd, "unknown group '%s'", value);
		s->group_given = true;
		break;
	case OPT_KEEP:
		if (removes(s, value))
			s->keep = 0;
		else if (parse_count(value, &s->keep) < 0 || (s->keep == 0 && !zero_ok))
			return -usage_error(s->cmd, "--keep needs a count of at least 1, not '%s'", value);
		s->keep_given = true;
		break;
	case OPT_FORMAT:
		/* a store's format is chosen once, when it is made */
		if (s->cmd != &command_init)
			return -usage_error(s->cmd, "unknown option '--format'");
		if (strcmp(value, "1") != 0 && strcmp(value, "2") != 0)
			return -usage_error(s->cmd, "--format takes 1 or 2, not '%s'", value);
		s->format = value[0] - '0';
		break;
	case OPT_JSON:
		if (s->cmd != &command_config)
			return -usage_error(s->cmd, "unknown option '--json'");
		s->json = true;
		break;
	default:
		if (removes(s, value))
			s->max_age_ns = 0;
		else if (parse_duration(value, &s->max_age_ns) < 0 ||
		         (s->max_age_ns == 0 && !zero_ok))
			return -usage_error(s->cmd, "invalid --max-age '%s' (" DURATION_HINT ")", value);
		s->max_age_given = true;
		break;
	}
	return 0;
}

int settings_parse(const struct command *cmd, int argc, char **argv,
                   struct settings *s, const char **store)
{
	char *pos[1];
	memset(s, 0, sizeof(*s));
	s->cmd = cmd;
	s->gid = -1;
	int n = args_parse(s->cmd, argc, argv, settings_opts, on_setting, s, pos, 1, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(s->cmd, "no STORE given");
	*store = pos[0];
	return 0;
}

void settings_apply(const struct settings *s, struct statusdir_config *cfg)
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
