/* SPDX-License-Identifier: MIT */
/* cmd_config.c - statusdir config: show the settings a store records, or
 * change them. */
#include "cli.h"

#include <inttypes.h>

/* The settings as "key value" lines; the group by name where it has one,
 * max-age in its largest whole unit. */
static void show_config(const struct statusdir_config *cfg)
{
	char age[DURATION_SIZE];
	printf("format 1\nchecksum xxh3-64\n");
	if (cfg->mode)
		printf("mode %04o\n", cfg->mode);
	else
		printf("mode none\n");
	if (cfg->gid >= 0) {
		char group[256];
		(void)group_name(cfg->gid, group, sizeof(group)); /* the number when nameless */
		printf("group %s\n", group);
	} else {
		printf("group none\n");
	}
	if (cfg->keep)
		printf("keep %" PRIu64 "\n", cfg->keep);
	else
		printf("keep none\n");
	format_duration(cfg->max_age_ns, age);
	printf("max-age %s\n", cfg->max_age_ns ? age : "none");
}

/* The same as one JSON object; statusdir(1) lists its keys. */
static void show_config_json(const struct statusdir_config *cfg)
{
	char group[256];
	bool first = false; /* the keys below follow "group" */
	printf("{\"format\":1,\"checksum\":\"xxh3-64\",\"mode\":");
	if (cfg->mode)
		printf("\"%04o\"", cfg->mode);
	else
		printf("null");
	printf(",\"gid\":");
	if (cfg->gid >= 0)
		printf("%" PRId64, cfg->gid);
	else
		printf("null");
	printf(",\"group\":");
	if (cfg->gid >= 0 && group_name(cfg->gid, group, sizeof(group)) == 0)
		json_string(stdout, group);
	else
		printf("null");
	json_policy(stdout, &first, cfg);
	printf("}\n");
}

static int cmd_config(int argc, char **argv)
{
	struct settings s;
	struct statusdir_config cfg;
	const char *store;
	statusdir *sd;
	int r = settings_parse(&command_config, argc, argv, &s, &store);
	if (r)
		return r;
	bool change = s.mode_given || s.group_given || s.keep_given || s.max_age_given;
	r = store_open(store, change ? 0 : STATUSDIR_READONLY, &sd);
	if (r)
		return r;
	statusdir_config_get(sd, &cfg);
	if (change) {
		settings_apply(&s, &cfg);
		r = statusdir_config_set(sd, &cfg);
		if (r < 0)
			error_store(store, "cannot record settings", r);
		statusdir_close(sd);
		return r < 0 ? EXIT_FAILED : EXIT_OK;
	}
	statusdir_close(sd);
	if (s.json)
		show_config_json(&cfg);
	else
		show_config(&cfg);
	return output_done(store);
}

const struct command command_config = {
	"config", cmd_config,
	"statusdir config STORE [--json]\n"
	"       statusdir config STORE [--mode MODE|none] [--group GROUP|none] [--keep N|none]\n"
	"       [--max-age DURATION|none]",
	"Show the store's recorded settings, or change them; 'none' (or 0 for\n"
	"--keep and --max-age) removes a setting.  Every put applies --keep and\n"
	"--max-age.",
};
