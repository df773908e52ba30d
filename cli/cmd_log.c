/* SPDX-License-Identifier: MIT */
/* cmd_log.c - statusdir log: ID<TAB>TIME<TAB>SIZE, JSON lines, or a format
 * of the caller's.  The three columns never change; JSON may gain fields. */
#include "cli.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_COUNT = 1, OPT_JSON, OPT_FORMAT };

static const struct option_spec log_opts[] = {
	{ "count", 'n', true, OPT_COUNT },
	{ "json", 0, false, OPT_JSON },
	{ "format", 0, true, OPT_FORMAT },
	{ NULL, 0, false, 0 },
};

struct log_args {
	const struct command *cmd;
	uint64_t limit;
	bool has_limit, json;
	const char *format;
	int store_format; /* 1 or 2 */
};

static int on_log_option(int key, const char *value, void *ctx)
{
	struct log_args *a = ctx;
	switch (key) {
	case OPT_JSON:
		a->json = true;
		return 0;
	case OPT_FORMAT:
		if (!log_format_valid(value))
			return -usage_error(a->cmd, "invalid --format '%s' (%%i %%t %%T %%s %%c %%l %%S %%n %%%%)", value);
		a->format = value;
		return 0;
	default:
		if (parse_count(value, &a->limit) < 0)
			return -usage_error(a->cmd, "invalid count '%s'", value);
		a->has_limit = true;
		return 0;
	}
}

/* A format-2 version without a valid attribute is listed with size and
 * checksum 0, which no intact version has (an empty payload's checksum is
 * not 0): nothing is known of its bytes. */
static bool is_damaged(const struct log_args *a, const struct statusdir_version *v)
{
	return a->store_format == 2 && v->size == 0 && v->checksum == 0;
}

static int by_content_then_id(const void *a, const void *b)
{
	const struct statusdir_version *x = *(const struct statusdir_version *const *)a;
	const struct statusdir_version *y = *(const struct statusdir_version *const *)b;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->checksum != y->checksum)
		return x->checksum < y->checksum ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* same[i]: the nearest older version with the same size and checksum as
 * v[i] (a rollback, or a status that came back), or NULL.  Sorting by
 * content, then id, puts each version right after its nearest older twin. */
static const struct statusdir_version *const *find_same(const struct log_args *a,
                                                        const struct statusdir_version *v, size_t n)
{
	const struct statusdir_version **order = malloc((n ? n : 1) * sizeof(*order));
	const struct statusdir_version **same = calloc(n ? n : 1, sizeof(*same));
	if (!order || !same) {
		free(order);
		free(same);
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = &v[i];
	qsort(order, n, sizeof(*order), by_content_then_id);
	for (size_t i = 1; i < n; i++)
		if (order[i]->size == order[i - 1]->size && order[i]->checksum == order[i - 1]->checksum &&
		    !is_damaged(a, order[i]))
			same[order[i] - v] = order[i - 1];
	free(order);
	return same;
}

/* same_as (--json, %S) names the nearest older twin anywhere in the
 * history, so only a log that shows it reads the whole history for -n. */
static bool shows_same_as(const struct log_args *a)
{
	if (a->json)
		return true;
	for (const char *f = a->format; f && *f; f++)
		if (*f == '%' && *++f == 'S') /* valid: a '%' is never last */
			return true;
	return false;
}

/* log -n N without same_as lists the newest N alone: for N up to the
 * head, a listing of cur/ (format 2: N numbers down from the newest),
 * whatever the length of the history. */
static int list_for_log(statusdir *sd, const struct log_args *a,
                        struct statusdir_version **v, size_t *n)
{
	if (!a->has_limit || shows_same_as(a))
		return statusdir_list(sd, v, n);
	return statusdir_list_newest(sd, a->limit > SIZE_MAX ? SIZE_MAX : (size_t)a->limit, v, n);
}

static void print_version(const struct log_args *a, const struct statusdir_version *v,
                          const struct statusdir_version *same)
{
	char time[TIME_SIZE];
	if (a->format) {
		log_format_print(stdout, a->format, v, same);
		return;
	}
	format_time(v->time_ns, time);
	if (!a->json) {
		printf("%s\t%s\t%" PRIu64 "\n", v->id, time, v->size);
		return;
	}
	printf("{\"id\":\"%s\",\"time\":\"%s\",\"size\":%" PRIu64 ",\"location\":\"%s\"",
	       v->id, time, v->size, v->in_head ? "cur" : "old");
	if (same)
		printf(",\"same_as\":\"%s\"", same->id);
	if (is_damaged(a, v))
		printf(",\"damaged\":true");
	printf("}\n");
}

static int cmd_log(int argc, char **argv)
{
	struct log_args a = { .cmd = &command_log };
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
	a.store_format = statusdir_format(sd);
	r = list_for_log(sd, &a, &v, &n);
	statusdir_close(sd);
	if (r < 0) {
		error_store(pos[0], "cannot list versions", r);
		return EXIT_FAILED;
	}
	const struct statusdir_version *const *same = find_same(&a, v, n);
	if (!same) {
		statusdir_list_free(v);
		error_msg(pos[0], "out of memory");
		return EXIT_FAILED;
	}
	for (size_t i = 0; i < n && (!a.has_limit || i < a.limit); i++)
		print_version(&a, &v[i], same[i]);
	free((void *)same);
	statusdir_list_free(v);
	if (stdout_was_closed && n == 0)
		return EXIT_OK; /* nothing to write, nothing lost */
	return output_done(pos[0]);
}

const struct command command_log = {
	"log", cmd_log,
	"statusdir log STORE [-n N] [--json] [--format FMT]",
	"List versions newest first: ID<TAB>TIME<TAB>SIZE, or JSON lines.",
};
