/* cmd_log.c - statusdir log: ID<TAB>TIME<TAB>SIZE, or one JSON object a
 * line.  The three columns never change; JSON may gain fields. */
#include "cli.h"

#include <inttypes.h>
#include <string.h>

enum { OPT_COUNT = 1, OPT_JSON };

static const struct option_spec log_opts[] = {
	{ "count", 'n', true, OPT_COUNT },
	{ "json", 0, false, OPT_JSON },
	{ NULL, 0, false, 0 },
};

struct log_args {
	const struct command *cmd;
	uint64_t limit;
	bool has_limit, json;
};

static int on_log_option(int key, const char *value, void *ctx)
{
	struct log_args *a = ctx;
	if (key == OPT_JSON) {
		a->json = true;
		return 0;
	}
	if (parse_count(value, &a->limit) < 0)
		return -usage_error(a->cmd, "invalid count '%s'", value);
	a->has_limit = true;
	return 0;
}

static void print_version(const struct statusdir_version *v, bool json)
{
	char time[TIME_SIZE];
	format_time(v->time_ns, time);
	if (json)
		printf("{\"id\":\"%s\",\"time\":\"%s\",\"size\":%" PRIu64
		       ",\"location\":\"%s\"}\n",
		       v->id, time, v->size, v->in_head ? "cur" : "old");
	else
		printf("%s\t%s\t%" PRIu64 "\n", v->id, time, v->size);
}

int cmd_log(int argc, char **argv)
{
	struct log_args a = { .cmd = command_find("log") };
	struct statusdir_version *v;
	char *pos[1];
	size_t n;
	statusdir *sd;
	int np = args_parse(a.cmd, argc, argv, log_opts, on_log_option, &a, pos, 1, NULL);
	if (np < 0)
		return EXIT_USAGE;
	if (np == 0)
		return usage_error(a.cmd, "no STORE given");
	int r = store_open(pos[0], STATUSDIR_READONLY, &sd);
	if (r)
		return r;
	r = statusdir_list(sd, &v, &n);
	statusdir_close(sd);
	if (r < 0) {
		error_store(pos[0], "cannot list versions", r);
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < n && (!a.has_limit || i < a.limit); i++)
		print_version(&v[i], a.json);
	statusdir_list_free(v);
	if (stdout_was_closed && n == 0)
		return EXIT_OK; /* nothing to write, nothing lost */
	return output_done(pos[0]);
}
