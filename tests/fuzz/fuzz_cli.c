/* SPDX-License-Identifier: MIT */
/* fuzz_cli.c - the command line's value parsers (cli/parse.c) and its id
 * argument check (cli/report.c).
 *
 * The first byte chooses the parser, the rest is the argument.  Each parser
 * must agree with a reference written here from statusdir(1): COUNT is
 * decimal digits; DURATION is decimal digits and an optional unit of s, m,
 * h, d or w that fits in int64 nanoseconds; MODE is 1 to 4 octal digits,
 * 1 to 0777; GROUP is a number up to 2^31-1 or a group name; an ID argument
 * is a version id or "@" and digits.  format_time() must print any time of
 * an id as an exact ISO 8601 UTC time that reads back to the same value.
 * args_parse() must hand back only words of argv, never more positional
 * words than asked for, and each option's value as the word or the part
 * after '=' or the short letter; a log --format template is valid exactly
 * when every % and \ starts an escape statusdir(1) lists, and a valid one
 * expands without reading past its end. */
#include "cli.h"

#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

static int devnull = -1;
static FILE *devnull_file;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	devnull_file = fopen("/dev/null", "we");
	return 0;
}

/* Runs f(arg) with stderr sent to /dev/null: rejections print a usage
 * error, which is not the fuzzer's output. */
static int quietly(int (*f)(void *), void *arg)
{
	int saved = dup(2);
	if (devnull >= 0 && saved >= 0)
		dup2(devnull, 2);
	int r = f(arg);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	return r;
}

/* Decimal digits only, at least one, no greater than max. */
static bool ref_digits(const char *s, size_t n, unsigned __int128 max, unsigned __int128 *v)
{
	unsigned __int128 x = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (unsigned)(s[i] - '0');
		if (x > max)
			return false;
	}
	*v = x;
	return true;
}

static void check_count(const char *s)
{
	uint64_t n = 0;
	unsigned __int128 v;
	bool want = ref_digits(s, strlen(s), UINT64_MAX, &v);
	int r = parse_count(s, &n);
	FUZZ_CHECK(r == 0 || r == -EINVAL, "parse_count returned %d", r);
	FUZZ_CHECK((r == 0) == want, "parse_count('%s') = %d", s, r);
	FUZZ_CHECK(!want || n == (uint64_t)v, "parse_count('%s') value", s);
}

/* The duration grammar of statusdir(1), written again the plain way: a
 * bare number of seconds, or NUMBER[.FRACTION]UNIT parts with units
 * strictly from the largest down (w d h m s ms), fraction digits past the
 * ninth dropped, a part that is not zero in writing but 0 ns refused, and
 * no sum above INT64_MAX ns. */
static bool ref_duration(const char *s, unsigned __int128 *total)
{
	static const char *const names[] = { "w", "d", "h", "m", "s", "ms" };
	static const uint64_t unit_ns[] = { 604800000000000u, 86400000000000u, 3600000000000u,
		                            60000000000u, 1000000000u, 1000000u };
	size_t len = strlen(s), i = 0, digits = 0;
	unsigned __int128 v;
	while (digits < len && s[digits] >= '0' && s[digits] <= '9')
		digits++;
	if (len > 0 && digits == len) /* bare seconds */
		return ref_digits(s, len, (unsigned __int128)INT64_MAX, &v) &&
		       (*total = v * 1000000000u) <= (unsigned __int128)INT64_MAX;
	int next_unit = 0;
	*total = 0;
	if (len == 0)
		return false;
	while (i < len) {
		size_t start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == start || !ref_digits(s + start, i - start, (unsigned __int128)UINT64_MAX, &v))
			return false;
		unsigned __int128 frac = 0, scale = 1;
		bool nonzero = v != 0;
		if (i < len && s[i] == '.') {
			size_t fstart = ++i;
			for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
				nonzero |= s[i] != '0';
				if (i - fstart < 9) {
					frac = frac * 10 + (unsigned)(s[i] - '0');
					scale *= 10;
				}
			}
			if (i == fstart)
				return false;
		}
		int u = -1;
		if (i + 1 < len && s[i] == 'm' && s[i + 1] == 's')
			u = 5;
		else if (i < len)
			for (int k = 0; k < 5; k++)
				if (s[i] == names[k][0])
					u = k;
		if (u < next_unit)
			return false;
		i += strlen(names[u]);
		next_unit = u + 1;
		unsigned __int128 part = v * unit_ns[u] + frac * unit_ns[u] / scale;
		if (part == 0 && nonzero)
			return false;
		*total += part;
		if (*total > (unsigned __int128)INT64_MAX)
			return false;
	}
	return true;
}

static void check_duration(const char *s)
{
	unsigned __int128 v = 0;
	bool want = ref_duration(s, &v);
	int64_t ns = -1;
	int r = parse_duration(s, &ns);
	FUZZ_CHECK(r == 0 || r == -EINVAL, "parse_duration returned %d", r);
	FUZZ_CHECK((r == 0) == want, "parse_duration('%s') = %d", s, r);
	FUZZ_CHECK(!want || ns == (int64_t)v, "parse_duration('%s') = %lld ns", s, (long long)ns);
	if (r == 0) { /* what config prints reads back as the same duration */
		char text[DURATION_SIZE];
		int64_t again = -1;
		format_duration(ns, text);
		FUZZ_CHECK(ns == 0 || (parse_duration(text, &again) == 0 && again == ns),
		           "format_duration(%lld) = '%s' does not read back", (long long)ns, text);
	}
}

static void check_mode(const char *s)
{
	size_t n = strlen(s);
	unsigned v = 0, mode = 12345;
	bool want = n >= 1 && n <= 4;
	for (size_t i = 0; want && i < n; i++) {
		want = s[i] >= '0' && s[i] <= '7';
		v = v * 8 + (unsigned)(s[i] - '0');
	}
	want = want && v >= 1 && v <= 0777;
	int r = parse_mode(s, &mode);
	FUZZ_CHECK(r == 0 || r == -EINVAL, "parse_mode returned %d", r);
	FUZZ_CHECK((r == 0) == want, "parse_mode('%s') = %d", s, r);
	FUZZ_CHECK(!want || mode == v, "parse_mode('%s') = %o", s, mode);
}

static void check_group(const char *s)
{
	int64_t gid = -2;
	unsigned __int128 v;
	bool number = strspn(s, "0123456789") == strlen(s) && *s;
	bool want;
	if (number) {
		want = ref_digits(s, strlen(s), INT32_MAX, &v);
	} else {
		struct group *g = getgrnam(s);
		want = g != NULL;
		v = g ? g->gr_gid : 0;
	}
	int r = parse_group(s, &gid);
	FUZZ_CHECK(r == 0 || r == -EINVAL, "parse_group returned %d", r);
	FUZZ_CHECK((r == 0) == want, "parse_group('%s') = %d", s, r);
	FUZZ_CHECK(!want || gid == (int64_t)v, "parse_group('%s') = %lld", s, (long long)gid);
}

static void check_time(const uint8_t *data, size_t size)
{
	char out[TIME_SIZE + 1];
	int64_t ns = 0;
	for (size_t i = 0; i < size && i < 8; i++)
		ns = (int64_t)((uint64_t)ns << 8 | data[i]);
	memset(out, 'x', sizeof(out));
	format_time(ns, out);
	FUZZ_CHECK(memchr(out, '\0', TIME_SIZE) != NULL, "format_time(%lld) overran", (long long)ns);
	if (ns < 0)
		return; /* no id has a negative time; only memory safety counts */
	struct tm tm = { 0 };
	long frac = -1;
	int used = 0;
	int n = sscanf(out, "%4d-%2d-%2dT%2d:%2d:%2d.%9ldZ%n", &tm.tm_year, &tm.tm_mon,
	               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &frac, &used);
	FUZZ_CHECK(n == 7 && used == 30 && strlen(out) == 30, "format_time(%lld) = '%s'",
	           (long long)ns, out);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	FUZZ_CHECK((int64_t)timegm(&tm) == ns / 1000000000 && frac == ns % 1000000000,
	           "format_time(%lld) = '%s' reads back differently", (long long)ns, out);
}

static int run_check_id_arg(void *s)
{
	return check_id_arg("store", s);
}

static void check_id_argument(const char *s)
{
	bool rel = s[0] == '@' && s[1] && strspn(s + 1, "0123456789") == strlen(s + 1);
	bool want = rel || statusdir_id_parse(s, NULL) == 0;
	int r = quietly(run_check_id_arg, (void *)s);
	FUZZ_CHECK(r == (want ? 0 : EXIT_USAGE), "check_id_arg('%s') = %d", s, r);
}

/* ---- args_parse ---- */

enum { KEY_COUNT = 1, KEY_JSON, KEY_FORMAT };
static const struct option_spec fuzz_opts[] = {
	{ "count", 'n', true, KEY_COUNT },
	{ "json", 0, false, KEY_JSON },
	{ "format", 0, true, KEY_FORMAT },
	{ "run", 0, false, ARG_REST },
	{ NULL, 0, false, 0 },
};
static const struct command fuzz_cmd = { "fuzz", NULL, "statusdir fuzz", "" };

#define MAX_WORDS 12
struct args_run {
	int argc;
	char *argv[MAX_WORDS + 2];
	char *pos[3];
	char **rest;
	int seen, bad; /* options seen; values that are no word's part */
};

static bool within_a_word(const struct args_run *a, const char *p)
{
	for (int i = 1; i < a->argc; i++)
		if (p >= a->argv[i] && p <= a->argv[i] + strlen(a->argv[i]))
			return true;
	return false;
}

static int note_option(int key, const char *value, void *ctx)
{
	struct args_run *a = ctx;
	a->seen++;
	if ((key == KEY_JSON) != (value == NULL) || (value && !within_a_word(a, value)))
		a->bad++;
	return 0;
}

static int run_args(void *arg)
{
	struct args_run *a = arg;
	return args_parse(&fuzz_cmd, a->argc, a->argv, fuzz_opts, note_option, a, a->pos, 3,
	                  &a->rest);
}

/* Words are the input split at newlines; argv[0] is the command. */
static void check_args(char *s)
{
	struct args_run a = { .argc = 1 };
	a.argv[0] = (char *)"statusdir";
	for (char *w = s; w && a.argc <= MAX_WORDS;) {
		char *nl = strchr(w, '\n');
		if (nl)
			*nl = '\0';
		a.argv[a.argc++] = w;
		w = nl ? nl + 1 : NULL;
	}
	a.argv[a.argc] = NULL;
	int n = quietly(run_args, &a);
	FUZZ_CHECK(n >= -1 && n <= 3, "args_parse returned %d", n);
	FUZZ_CHECK(a.bad == 0, "args_parse passed a value from outside argv");
	for (int i = 0; i < n; i++) {
		bool found = false;
		for (int j = 1; j < a.argc && !found; j++)
			found = a.pos[i] == a.argv[j];
		FUZZ_CHECK(found, "positional word %d is not a word of argv", i);
	}
	FUZZ_CHECK(!a.rest || (a.rest > a.argv && a.rest <= a.argv + a.argc),
	           "--run's words do not start inside argv");
}

/* ---- log --format ---- */

static bool ref_format_valid(const char *f)
{
	for (size_t i = 0; f[i]; i++) {
		if (f[i] != '%' && f[i] != '\\')
			continue;
		const char *escapes = f[i] == '%' ? "itTsclSn%" : "tn\\";
		if (f[i + 1] == '\0' || !strchr(escapes, f[i + 1]))
			return false;
		i++;
	}
	return true;
}

static void check_log_format(const char *f)
{
	bool want = ref_format_valid(f);
	FUZZ_CHECK(log_format_valid(f) == want, "log_format_valid('%s') != %d", f, want);
	if (!want || !devnull_file)
		return;
	struct statusdir_version v;
	int r = statusdir_id_parse(
		"1795808023123456789.0f1e2d3c4b5a69788796a5b4c3d2e1f0.4096.1a2b3c4d5e6f7a8b", &v);
	FUZZ_CHECK(r == 0, "the sample id does not parse");
	log_format_print(devnull_file, f, &v, &v);
	log_format_print(devnull_file, f, &v, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *s = fuzz_strndup(data + 1, size - 1);
	switch (data[0] % 8) {
	case 0:
		check_count(s);
		break;
	case 1:
		check_duration(s);
		break;
	case 2:
		check_mode(s);
		break;
	case 3:
		if (size < 64) /* a name is looked up in the group database */
			check_group(s);
		break;
	case 4:
		check_time(data + 1, size - 1);
		break;
	case 5:
		check_id_argument(s);
		break;
	case 6:
		check_args(s);
		break;
	default:
		check_log_format(s);
		break;
	}
	free(s);
	return 0;
}
