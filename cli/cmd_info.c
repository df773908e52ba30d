/* SPDX-License-Identifier: MIT */
/* cmd_info.c - statusdir info: what a store holds, from its listings and
 * its format file alone.  It opens the store read-only and reads no
 * payload: sizes come from the ids (in format 2, from each version's
 * attribute), so damage goes unseen (verify finds it), and the cost does
 * not grow with the size of the versions. */
#include "cli.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

enum { OPT_JSON = 1 };

static const struct option_spec info_opts[] = {
	{ "json", 0, false, OPT_JSON },
	{ NULL, 0, false, 0 },
};

static int on_info_option(int key, const char *value, void *ctx)
{
	(void)key;
	(void)value;
	*(bool *)ctx = true;
	return 0;
}

struct info {
	int format;                     /* the store's: 1 or 2 */
	uint64_t versions[2], bytes[2]; /* [0] old/, [1] cur/ */
	const struct statusdir_version *newest, *oldest; /* NULL: empty store */
	int64_t now_ns;
	struct statusdir_config cfg;
	struct statusdir_tmp_usage tmp;
};

static void tally(struct info *in, const struct statusdir_version *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		in->versions[v[i].in_head ? 1 : 0]++;
		in->bytes[v[i].in_head ? 1 : 0] += v[i].size;
	}
	in->newest = n ? &v[0] : NULL;
	in->oldest = n ? &v[n - 1] : NULL;
}

/* "key:" padded so that every value starts in one column. */
static void line(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void line(const char *key, const char *fmt, ...)
{
	va_list ap;
	printf("%s:%*s", key, (int)(16 - strlen(key)), "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* KEY, KEY-time and, if age, KEY-age (whole seconds, toward zero). */
static void show_version(const char *key, const struct statusdir_version *v,
                         bool age, int64_t now_ns)
{
	char name[32], time[TIME_SIZE];
	snprintf(name, sizeof(name), "%s-time", key);
	if (v)
		format_time(v->time_ns, time);
	line(key, "%s", v ? v->id : "none");
	line(name, "%s", v ? time : "none");
	snprintf(name, sizeof(name), "%s-age", key);
	if (age && v)
		line(name, "%" PRId64 "s", (now_ns - v->time_ns) / 1000000000);
	else if (age)
		line(name, "none");
}

static void show_info(const struct info *in)
{
	char age[DURATION_SIZE];
	/* every key, always: format 2 has cur/ alone, and old/ counts 0 */
	line("format", "%d", in->format);
	line("checksum", "xxh3-64");
	line("versions", "%" PRIu64, in->versions[0] + in->versions[1]);
	line("versions-cur", "%" PRIu64, in->versions[1]);
	line("versions-old", "%" PRIu64, in->versions[0]);
	line("bytes", "%" PRIu64, in->bytes[0] + in->bytes[1]);
	line("bytes-cur", "%" PRIu64, in->bytes[1]);
	line("bytes-old", "%" PRIu64, in->bytes[0]);
	show_version("newest", in->newest, true, in->now_ns);
	show_version("oldest", in->oldest, false, 0);
	if (in->cfg.keep)
		line("keep", "%" PRIu64, in->cfg.keep);
	else
		line("keep", "none");
	format_duration(in->cfg.max_age_ns, age);
	line("max-age", "%s", in->cfg.max_age_ns ? age : "none");
	line("tmp-stale", "%" PRIu64, in->tmp.stale);
	line("tmp-stale-bytes", "%" PRIu64, in->tmp.stale_bytes);
	line("tmp-busy", "%" PRIu64, in->tmp.busy);
	line("tmp-busy-bytes", "%" PRIu64, in->tmp.busy_bytes);
}

static void json_u64(bool *first, const char *key, uint64_t n)
{
	json_key(stdout, first, key);
	printf("%" PRIu64, n);
}

/* {"id":...,"time":...,"time_ns":...[,"age_s":...]} or null */
static void json_version(bool *first, const char *key, const struct statusdir_version *v,
                         bool age, int64_t now_ns)
{
	char time[TIME_SIZE];
	bool inner = true;
	json_key(stdout, first, key);
	if (!v) {
		printf("null");
		return;
	}
	format_time(v->time_ns, time);
	putchar('{');
	json_key(stdout, &inner, "id");
	json_string(stdout, v->id);
	json_key(stdout, &inner, "time");
	json_string(stdout, time);
	json_key(stdout, &inner, "time_ns");
	printf("%" PRId64, v->time_ns);
	if (age) {
		json_key(stdout, &inner, "age_s");
		json_seconds(stdout, now_ns - v->time_ns);
	}
	putchar('}');
}

/* One object; statusdir(1), JSON OUTPUT, lists its keys. */
static void show_info_json(const struct info *in)
{
	bool first = true;
	putchar('{');
	json_u64(&first, "format", (uint64_t)in->format);
	json_key(stdout, &first, "checksum");
	json_string(stdout, "xxh3-64");
	json_u64(&first, "versions", in->versions[0] + in->versions[1]);
	json_u64(&first, "versions_cur", in->versions[1]);
	json_u64(&first, "versions_old", in->versions[0]);
	json_u64(&first, "bytes", in->bytes[0] + in->bytes[1]);
	json_u64(&first, "bytes_cur", in->bytes[1]);
	json_u64(&first, "bytes_old", in->bytes[0]);
	json_version(&first, "newest", in->newest, true, in->now_ns);
	json_version(&first, "oldest", in->oldest, false, 0);
	json_policy(stdout, &first, &in->cfg);
	json_u64(&first, "tmp_stale", in->tmp.stale);
	json_u64(&first, "tmp_stale_bytes", in->tmp.stale_bytes);
	json_u64(&first, "tmp_busy", in->tmp.busy);
	json_u64(&first, "tmp_busy_bytes", in->tmp.busy_bytes);
	printf("}\n");
}

static int cmd_info(int argc, char **argv)
{
	const struct command *cmd = &command_info;
	struct statusdir_version *v = NULL;
	struct info in = { 0 };
	bool json = false;
	char *pos[1];
	size_t n = 0;
	statusdir *sd;
	int np = args_parse(cmd, argc, argv, info_opts, on_info_option, &json, pos, 1, NULL);
	if (np < 0)
		return EXIT_USAGE;
	if (np == 0)
		return usage_error(cmd, "no STORE given");
	int r = store_open(pos[0], STATUSDIR_READONLY, &sd);
	if (r)
		return r;
	statusdir_config_get(sd, &in.cfg);
	in.format = statusdir_format(sd);
	r = statusdir_list(sd, &v, &n);
	if (r < 0)
		error_store(pos[0], "cannot list versions", r);
	if (r == 0 && (r = statusdir_tmp_usage(sd, 0, &in.tmp)) < 0)
		error_store(pos[0], "cannot count tmp/ files", r);
	statusdir_close(sd);
	if (r < 0) {
		statusdir_list_free(v);
		return EXIT_FAILED;
	}
	in.now_ns = statusdir_now();
	tally(&in, v, n);
	if (json)
		show_info_json(&in);
	else
		show_info(&in);
	statusdir_list_free(v);
	return output_done(pos[0]);
}

const struct command command_info = {
	"info", cmd_info,
	"statusdir info STORE [--json]",
	"Show what the store holds: versions and bytes in cur/ and old/, the\n"
	"newest and oldest versions, the retention policy, and files in tmp/.\n"
	"Reads no payload and changes nothing; verify checks the versions.",
};
