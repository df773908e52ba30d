/* SPDX-License-Identifier: MIT */
/* cmd_upgrade.c - statusdir upgrade: a format-1 store becomes format 2 in
 * place (statusdir_upgrade; spec/format2.md, section 16).  Run again, it
 * finishes an upgrade that was interrupted. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

enum { OPT_LATE_WAIT = 1, OPT_KEEP_NAMES, OPT_QUIET };

static const struct option_spec upgrade_opts[] = {
	{ "late-wait", 0, true, OPT_LATE_WAIT },
	{ "keep-names", 0, false, OPT_KEEP_NAMES },
	{ "quiet", 'q', false, OPT_QUIET },
	{ NULL, 0, false, 0 },
};

struct upgrade_args {
	int64_t late_wait_ns;
	unsigned flags;
	bool quiet;
};

static int on_upgrade_option(int key, const char *value, void *ctx)
{
	struct upgrade_args *a = ctx;
	switch (key) {
	case OPT_LATE_WAIT:
		if (parse_duration(value, &a->late_wait_ns) < 0)
			return -usage_error(&command_upgrade, "invalid --late-wait '%s' (" DURATION_HINT ")",
			                    value);
		break;
	case OPT_KEEP_NAMES: a->flags |= STATUSDIR_UPGRADE_KEEP_V1; break;
	default: a->quiet = true; break;
	}
	return 0;
}

static int report_failure(const char *store, int r)
{
	if (r == -EOPNOTSUPP)
		error_msg(store, "cannot upgrade: the filesystem has no user extended attributes, "
		                 "which format 2 needs; nothing changed");
	else if (r == -EEXIST)
		error_msg(store, "cannot upgrade: cur/ holds a number that no upgrade made");
	else if (r == -ENOENT || r == -ENOTDIR || r == -EACCES)
		error_store(store, "cannot upgrade", r);
	else
		error_store(store, "cannot upgrade (run statusdir upgrade again to finish)", r);
	/* a missing path is no missing version, nor EINVAL a usage error here */
	return r == -EINVAL || r == -ENOENT ? EXIT_FAILED : exit_for(r);
}

static int cmd_upgrade(int argc, char **argv)
{
	struct upgrade_args a = { .late_wait_ns = STATUSDIR_UPGRADE_LATE_WAIT_NS };
	struct statusdir_upgrade_report rep;
	char *pos[1];
	int n = args_parse(&command_upgrade, argc, argv, upgrade_opts, on_upgrade_option, &a, pos,
	                   1, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(&command_upgrade, "no STORE given");
	int r = statusdir_upgrade(pos[0], a.flags, a.late_wait_ns, &rep);
	if (r < 0)
		return report_failure(pos[0], r);
	if (rep.was_format2) {
		if (!a.quiet)
			printf("%s: made as format 2: nothing to upgrade\n", pos[0]);
		return output_done(pos[0]);
	}
	if (!a.quiet) {
		printf("%s: format 2; format-1 ids of versions 1 to %" PRIu64
		       " in ids-1; %" PRIu64 " numbered, %" PRIu64 " format-1 names removed, %" PRIu64
		       " late versions adopted%s\n",
		       pos[0], rep.from1, rep.numbered, rep.removed, rep.adopted,
		       a.flags & STATUSDIR_UPGRADE_KEEP_V1 ? " (format-1 names kept)" : "");
	}
	if (rep.damaged) {
		error_msg(pos[0], "%" PRIu64 " late format-1 version%s damaged, left under %s "
		                  "format-1 name%s",
		          rep.damaged, rep.damaged == 1 ? " is" : "s are",
		          rep.damaged == 1 ? "its" : "their", rep.damaged == 1 ? "" : "s");
		r = output_done(pos[0]);
		return r ? r : EXIT_DAMAGE;
	}
	return output_done(pos[0]);
}

const struct command command_upgrade = {
	"upgrade", cmd_upgrade,
	"statusdir upgrade STORE [--late-wait DURATION] [--keep-names] [-q|--quiet]",
	"Convert a format-1 store to format 2 in place: versions become numbers\n"
	"in the order of their ids, with the same bytes, sizes and times; old ids\n"
	"still name them (STORE/ids-1).  Readers and writers are refused while\n"
	"the versions are numbered.  Then wait --late-wait (default 2m) for\n"
	"format-1 writers that opened the store before, remove the format-1\n"
	"names and commit their late versions as new ones; --keep-names stops\n"
	"before that.  Run again, it finishes an interrupted upgrade.  Needs user\n"
	"extended attributes.",
};
