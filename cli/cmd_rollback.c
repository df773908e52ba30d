/* SPDX-License-Identifier: MIT */
/* cmd_rollback.c - statusdir rollback: an old version's bytes become the
 * newest again, as a new version; nothing is rewritten. */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static int cmd_rollback(int argc, char **argv)
{
	const struct command *cmd = &command_rollback;
	char *pos[2], id[STATUSDIR_ID_SIZE], new_id[STATUSDIR_ID_SIZE];
	statusdir *sd;
	int n = args_parse(cmd, argc, argv, no_opts, no_option, NULL, pos, 2, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n < 2)
		return usage_error(cmd, n == 0 ? "no STORE given" : "no ID given");
	int r = check_id_arg(pos[0], pos[1]);
	if (r || (r = store_open(pos[0], 0, &sd)))
		return r;
	signal(SIGPIPE, SIG_IGN); /* as put: a closed stdout must not kill a commit */
	r = resolve_ref(pos[0], sd, pos[1], id);
	if (r == 0) {
		r = statusdir_rollback(sd, id, 0, new_id);
		if (r < 0) {
			error_version(pos[0], id, r);
			r = r == -ENOENT || r == -EBADMSG ? exit_for(r) : EXIT_FAILED;
		}
	}
	statusdir_close(sd);
	if (r)
		return r;
	return committed_done(pos[0], new_id);
}

const struct command command_rollback = {
	"rollback", cmd_rollback,
	"statusdir rollback STORE ID",
	"Commit version ID's bytes again as the new newest version.",
};
