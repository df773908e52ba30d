/* SPDX-License-Identifier: MIT */
/* cmd_verify.c - statusdir verify: damage exits 3, a version that could not
 * be read exits 4 (it outranks damage: what it holds is unknown); junk and
 * stale tmp/ files are reported but are not damage.  Every finding is
 * printed, then the counts: as lines, or as one JSON object. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

enum { OPT_JSON = 1 };

static const struct option_spec verify_opts[] = {
	{ "json", 0, false, OPT_JSON },
	{ NULL, 0, false, 0 },
};

struct verify_out {
	bool json;
	bool first; /* no finding printed yet */
};

static int on_verify_option(int key, const char *value, void *ctx)
{
	struct verify_out *o = ctx;
	(void)key;
	(void)value;
	o->json = true;
	return 0;
}

/* The word for a kind, in lines and in JSON; NULL for prune's kinds. */
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

static void print_finding_json(struct verify_out *o, const char *kind,
                               const struct statusdir_event *ev)
{
	bool first = true;
	fputs(o->first ? "" : ",", stdout);
	o->first = false;
	putchar('{');
	json_key(stdout, &first, "kind");
	json_string(stdout, kind);
	json_key(stdout, &first, "dir");
	json_string(stdout, ev->dir);
	json_key(stdout, &first, "name");
	json_string(stdout, ev->name);
	json_key(stdout, &first, "detail");
	if (ev->detail)
		json_string(stdout, ev->detail);
	else
		fputs("null", stdout);
	putchar('}');
}

static void print_finding(void *arg, const struct statusdir_event *ev)
{
	struct verify_out *o = arg;
	const char *kind = kind_name(ev->kind);
	if (!kind)
		return;
	if (o->json)
		print_finding_json(o, kind, ev);
	else if (ev->kind == STATUSDIR_EV_TMP_STALE || ev->kind == STATUSDIR_EV_TMP_BUSY)
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

static void json_count(bool *first, const char *key, uint64_t n)
{
	json_key(stdout, first, key);
	printf("%" PRIu64, n);
}

/* Ends the object that the findings began. */
static void print_summary_json(const struct statusdir_counts *c)
{
	bool first = false; /* "findings" came first */
	putchar(']');
	json_count(&first, "versions", c->versions);
	json_count(&first, "damaged", c->damaged);
	json_count(&first, "unreadable", c->unreadable);
	json_count(&first, "junk", c->junk);
	json_count(&first, "tmp_stale", c->tmp_stale);
	json_count(&first, "tmp_busy", c->tmp_busy);
	fputs("}\n", stdout);
}

static int cmd_verify(int argc, char **argv)
{
	const struct command *cmd = &command_verify;
	struct verify_out o = { .first = true };
	struct statusdir_counts c;
	char *pos[1];
	statusdir *sd;
	int n = args_parse(cmd, argc, argv, verify_opts, on_verify_option, &o, pos, 1, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(cmd, "no STORE given");
	int r = store_open(pos[0], STATUSDIR_READONLY, &sd);
	if (r)
		return r;
	if (o.json)
		fputs("{\"findings\":[", stdout);
	r = statusdir_verify(sd, print_finding, &o, &c);
	statusdir_close(sd);
	if (o.json)
		print_summary_json(&c);
	else
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
	"statusdir verify STORE [--json]",
	"Check every version's size and checksum; report junk, stale tmp files and\n"
	"versions that cannot be read.  --json: the findings and counts as JSON.",
};
