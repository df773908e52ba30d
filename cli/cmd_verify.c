/* SPDX-License-Identifier: MIT */
/* cmd_verify.c - statusdir verify: damage exits 3; junk and stale tmp/
 * files are reported but are not damage. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static void print_finding(void *arg, const struct statusdir_event *ev)
{
	(void)arg;
	switch (ev->kind) {
	case STATUSDIR_EV_DAMAGED:
		printf("damaged %s/%s: %s\n", ev->dir, ev->name, ev->detail);
		break;
	case STATUSDIR_EV_JUNK:
		printf("junk %s/%s: %s\n", ev->dir, ev->name, ev->detail);
		break;
	case STATUSDIR_EV_TMP_STALE:
		printf("stale %s/%s\n", ev->dir, ev->name);
		break;
	case STATUSDIR_EV_TMP_BUSY:
		printf("busy %s/%s\n", ev->dir, ev->name);
		break;
	default:
		break;
	}
}

static int cmd_verify(int argc, char **argv)
{
	const struct command *cmd = &command_verify;
	struct statusdir_counts c;
	char *pos[1];
	statusdir *sd;
	int n = args_parse(cmd, argc, argv, no_opts, no_option, NULL, pos, 1, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(cmd, "no STORE given");
	int r = store_open(pos[0], STATUSDIR_READONLY, &sd);
	if (r)
		return r;
	r = statusdir_verify(sd, print_finding, NULL, &c);
	statusdir_close(sd);
	if (r < 0 && r != -EBADMSG) {
		error_store(pos[0], "verify failed", r);
		return EXIT_FAILED;
	}
	printf("%" PRIu64 " versions, %" PRIu64 " damaged, %" PRIu64 " junk, %" PRIu64
	       " stale tmp files\n", c.versions, c.damaged, c.junk, c.tmp_stale);
	int w = output_done(pos[0]);
	return w != EXIT_OK ? w : r == -EBADMSG ? EXIT_DAMAGE : EXIT_OK;
}

const struct command command_verify = {
	"verify", cmd_verify,
	"statusdir verify STORE",
	"Check every version's size and checksum; report junk and stale tmp files.",
};
