/* SPDX-License-Identifier: MIT */
/* cmd_prune.c - statusdir prune. */
#include "cli.h"

#include <string.h>

enum { OPT_KEEP = 1, OPT_MAX_AGE, OPT_TMP_AGE, OPT_DRY_RUN, OPT_VERBOSE };

static const struct option_spec prune_opts[] = {
	{ "keep", 0, true, OPT_KEEP },
	{ "max-age", 0, true, OPT_MAX_AGE },
	{ "tmp-age", 0, true, OPT_TMP_AGE },
	{ "dry-run", 0, false, OPT_DRY_RUN },
	{ "verbose", 'v', false, OPT_VERBOSE },
	{ NULL, 0, false, 0 },
};

struct prune_args {
	const struct command *cmd;
	struct statusdir_prune_policy policy;
	bool verbose;
};

static int on_prune_option(int key, const char *value, void *ctx)
{
	struct prune_args *a = ctx;
	struct statusdir_prune_policy *p = &a->policy;
	switch (key) {
	case OPT_KEEP:
		if (parse_count(value, &p->keep) < 0 || p->keep == 0)
			return -usage_error(a->cmd, "--keep needs a count of at least 1, not '%s'", value);
		return 0;
	case OPT_MAX_AGE:
		if (parse_duration(value, &p->max_age_ns) < 0 || p->max_age_ns == 0)
			return -usage_error(a->cmd, "invalid --max-age '%s' (" DURATION_HINT ")", value);
		return 0;
	case OPT_TMP_AGE:
		if (parse_duration(value, &p->tmp_age_ns) < 0 || p->tmp_age_ns == 0)
			return -usage_error(a->cmd, "invalid --tmp-age '%s' (" DURATION_HINT ")", value);
		return 0;
	case OPT_DRY_RUN:
		p->flags |= STATUSDIR_PRUNE_DRY_RUN;
		return 0;
	default:
		a->verbose = true;
		return 0;
	}
}

static void print_event(void *arg, const struct statusdir_event *ev)
{
	(void)arg;
	const char *verb = ev->kind == STATUSDIR_EV_MOVED
	                       ? (ev->dry_run ? "would move" : "moved")
	                       : (ev->dry_run ? "would remove" : "removed");
	if (ev->kind == STATUSDIR_EV_MOVED)
		printf("%s %s/%s to old/\n", verb, ev->dir, ev->name);
	else
		printf("%s %s/%s\n", verb, ev->dir, ev->name);
}

static int cmd_prune(int argc, char **argv)
{
	struct prune_args a = { .cmd = &command_prune };
	char *pos[1];
	statusdir *sd;
	statusdir_prune_policy_init(&a.policy);
	int n = args_parse(a.cmd, argc, argv, prune_opts, on_prune_option, &a, pos, 1, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(a.cmd, "no STORE given");
	bool dry = a.policy.flags & STATUSDIR_PRUNE_DRY_RUN;
	if (dry || a.verbose)
		a.policy.report = print_event;
	int r = store_open(pos[0], dry ? STATUSDIR_READONLY : 0, &sd);
	if (r)
		return r;
	if (!a.policy.keep && !a.policy.max_age_ns) { /* the store's own policy */
		struct statusdir_config cfg;
		statusdir_config_get(sd, &cfg);
		a.policy.keep = cfg.keep;
		a.policy.max_age_ns = cfg.max_age_ns;
	}
	r = statusdir_prune(sd, &a.policy, NULL);
	statusdir_close(sd);
	if (r < 0) {
		error_store(pos[0], "prune failed", r);
		return EXIT_FAILED;
	}
	return dry || a.verbose ? output_done(pos[0]) : EXIT_OK;
}

const struct command command_prune = {
	"prune", cmd_prune,
	"statusdir prune STORE [--keep N] [--max-age DURATION] [--tmp-age DURATION]\n"
	"       [--dry-run] [-v|--verbose]",
	"Remove versions beyond the N newest or older than DURATION (never the\n"
	"newest), and files crashed writers left in tmp/.",
};
