/* SPDX-License-Identifier: MIT */
/* cmd_init.c - statusdir init: create a store, or accept one that exists
 * with the same settings. */
#include "cli.h"

#include <errno.h>

static int init_existing(statusdir *sd, const char *store, const struct statusdir_config *want,
                         int format)
{
	struct statusdir_config have;
	statusdir_config_get(sd, &have);
	if (have.mode == want->mode && have.gid == want->gid && have.keep == want->keep &&
	    have.max_age_ns == want->max_age_ns && (!format || format == statusdir_format(sd)))
		return EXIT_OK;
	error_msg(store, "store exists with other settings; "
	                 "'statusdir config' shows and changes them");
	return EXIT_USAGE;
}

static int cmd_init(int argc, char **argv)
{
	struct settings s;
	struct statusdir_config cfg;
	const char *store;
	statusdir *sd;
	int r = settings_parse(&command_init, argc, argv, &s, &store);
	if (r)
		return r;
	statusdir_config_init(&cfg);
	settings_apply(&s, &cfg);
	r = statusdir_open(store, 0, NULL, &sd);
	if (r == 0) {
		r = init_existing(sd, store, &cfg, s.format);
		statusdir_close(sd);
		return r;
	}
	if (r == -ENOENT && make_parents(store) != 0) /* its path is missing */
		return EXIT_FAILED;
	if (r == -ENOENT || r == -EMEDIUMTYPE)
		r = statusdir_open(store, STATUSDIR_CREATE | (s.format == 2 ? STATUSDIR_FORMAT2 : 0),
		                   &cfg, &sd);
	if (r == -EOPNOTSUPP && s.format == 2) {
		error_msg(store, "cannot create store: format 2 keeps each version's size and "
		                 "checksum in a user extended attribute, which this filesystem "
		                 "does not support (use --format 1)");
		return EXIT_FAILED;
	}
	if (r < 0) {
		error_store(store, "cannot create store", r);
		return EXIT_FAILED;
	}
	statusdir_close(sd);
	return EXIT_OK;
}

const struct command command_init = {
	"init", cmd_init,
	"statusdir init STORE [--format 1|2] [--mode MODE] [--group GROUP] [--keep N]\n"
	"                      [--max-age DURATION]",
	"Create the store STORE (or do nothing if it exists with these settings).",
};
