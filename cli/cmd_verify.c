/* SPDX-License-Identifier: MIT */
/* cmd_verify.c - statusdir verify: damage exits 3, a version that could not
 * be read exits 4 (it outranks damage: what it holds is unknown); junk and
 * stale tmp/ files are reported but are not damage.  Every finding is
 * printed, then the counts. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* The word for a kind of finding; NULL for prune's kinds. */
static const char *kind_name(enum statusdir_event_kind kind)
{
	switch (kind) {
	case STATUSDIR_EV_DAMAGED: return "damaged";
	case STATUSDIR_EV_UNREADABLE: return "unreadable";
	case STATUSDIR_EV_JUNK: return "junk";
	case STATUSDIR_EV_TMP_STALE: return "stale";
	case STATUSDIR_EV_TMP_BUSY: return "busy";
	default: return NULL;
	}
}

static void print_finding(void *arg, const struct statusdir_event *ev)
{
	const char *kind = kind_name(ev->kind);
	(void)arg;
	if (!kind)
		return;
	if (ev->kind == STATUSDIR_EV_TMP_STALE || ev->kind == STATUSDIR_EV_TMP_BUSY)
		printf("%s %s/%s\n", kind, ev->dir, ev->name);
	else
		printf("%s %s/%s: %s\n", kind, ev->dir, ev->name, ev->detail);
}

/* "1 version", "2 versions". */
static void count(const char *sep, uint64_t n, const char *one, const char *many)
{
	printf("%s%" PRIu64 " %s", sep, n, n == 1 ? one : many);
}

static void print_summary(const struct statusdir_counts *c)
{
	count("", c->versions, "version", "versions");
	count(", ", c->damaged, "damaged", "damaged");
	if (c->unreadable)
		count(", ", c->unreadable, "unreadable", "unreadable");
	count(", ", c->junk, "junk", "junk");
	count(", ", c->tmp_stale, "stale tmp file", "stale tmp files");
	putchar('\n');
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
	print_summary(&c);
	/* standard output names each version that could not be read;
	 * standard error says that some could not, for a caller that
	 * reads only that and the exit status */
	if (r < 0 && r != -EBADMSG && c.unreadable)
		error_msg(pos[0], "%" PRIu64 " version%s could not be read", c.unreadable,
		          c.unreadable == 1 ? "" : "s");
	else if (r < 0 && r != -EBADMSG)
		error_store(pos[0], "verify failed", r);
	int w = output_done(pos[0]);
	if (w != EXIT_OK || (r < 0 && r != -EBADMSG))
		return EXIT_FAILED;
	return r == -EBADMSG ? EXIT_DAMAGE : EXIT_OK;
}

const struct command command_verify = {
	"verify", cmd_verify,
	"statusdir verify STORE",
	"Check every version's size and checksum; report junk, stale tmp files and\n"
	"versions that cannot be read.",
};
