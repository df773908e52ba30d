/* SPDX-License-Identifier: MIT */
/* parse.c - command-line values: durations, counts, modes, groups, and
 * the time format of log.  Nothing here looks at the locale or TZ. */
#include "cli.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Digits only, no sign, no spaces: strtoull alone accepts " -1". */
static int parse_digits(const char *s, const char **end, uint64_t *v)
{
	uint64_t x = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -EINVAL;
		x = x * 10 + d;
	}
	if (p == s)
		return -EINVAL;
	*end = p;
	*v = x;
	return 0;
}

int parse_count(const char *s, uint64_t *n)
{
	const char *end;
	if (parse_digits(s, &end, n) < 0 || *end != '\0')
		return -EINVAL;
	return 0;
}

/* One NUMBER[.FRACTION]UNIT of a duration, at *p: its value in ns, *p
 * moved past it, and the index of its unit in units[]. */
static const struct { const char *name; int64_t ns; } units[] = {
	{ "w", 604800 * INT64_C(1000000000) }, { "d", 86400 * INT64_C(1000000000) },
	{ "h", 3600 * INT64_C(1000000000) },   { "ms", INT64_C(1000000) },
	{ "m", 60 * INT64_C(1000000000) },     { "s", INT64_C(1000000000) },
};
#define N_UNITS (sizeof(units) / sizeof(units[0]))

/* Largest first, as the units must come: "ms" sorts after "s" here
 * though it is tried before "m" above, so that "5ms" is not 5m and junk. */
static int unit_rank(size_t i)
{
	static const int rank[N_UNITS] = { 0, 1, 2, 5, 3, 4 };
	return rank[i];
}

static int duration_part(const char **p, int64_t *ns, size_t *unit)
{
	const char *end;
	uint64_t whole, frac = 0, scale = 1;
	bool nonzero = false;
	if (parse_digits(*p, &end, &whole) < 0)
		return -EINVAL;
	if (*end == '.') {
		const char *q = end + 1;
		for (; *q >= '0' && *q <= '9'; q++) {
			nonzero |= *q != '0';
			if (scale < 1000000000) { /* digits past the ns are dropped */
				frac = frac * 10 + (uint64_t)(*q - '0');
				scale *= 10;
			}
		}
		if (q == end + 1)
			return -EINVAL;
		end = q;
	}
	size_t i = 0;
	while (i < N_UNITS && strncmp(end, units[i].name, strlen(units[i].name)) != 0)
		i++;
	if (i == N_UNITS)
		return -EINVAL;
	uint64_t per = (uint64_t)units[i].ns;
	if (whole > (uint64_t)INT64_MAX / per)
		return -EINVAL;
	uint64_t v = whole * per;
	/* frac/scale of a unit, in ns: exact unless the unit is under 1 s */
	uint64_t part = per % scale == 0 ? frac * (per / scale) : frac * per / scale;
	if (part > (uint64_t)INT64_MAX - v || (v + part == 0 && (whole || nonzero)))
		return -EINVAL; /* too long, or too short to be told from none */
	*ns = (int64_t)(v + part);
	*unit = i;
	*p = end + strlen(units[i].name);
	return 0;
}

int parse_duration(const char *s, int64_t *ns)
{
	const char *end;
	uint64_t v;
	/* a bare number: seconds */
	if (parse_digits(s, &end, &v) == 0 && *end == '\0') {
		if (v > (uint64_t)(INT64_MAX / 1000000000))
			return -EINVAL;
		*ns = (int64_t)v * 1000000000;
		return 0;
	}
	int64_t total = 0;
	int last_rank = -1;
	const char *p = s;
	if (!*p)
		return -EINVAL;
	while (*p) {
		int64_t part;
		size_t unit;
		if (duration_part(&p, &part, &unit) < 0 || unit_rank(unit) <= last_rank ||
		    part > INT64_MAX - total)
			return -EINVAL;
		last_rank = unit_rank(unit);
		total += part;
	}
	*ns = total;
	return 0;
}

int parse_mode(const char *s, unsigned *mode)
{
	uint64_t v = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '7' && p - s < 4; p++)
		v = v * 8 + (uint64_t)(*p - '0');
	if (p == s || *p != '\0' || v == 0 || v > 0777)
		return -EINVAL;
	*mode = (unsigned)v;
	return 0;
}

/* The buffer getgrnam_r and getgrgid_r want. */
static size_t group_buf_size(void)
{
	long cap = sysconf(_SC_GETGR_R_SIZE_MAX);
	return cap > 0 ? (size_t)cap : 16384;
}

int parse_group(const char *s, int64_t *gid)
{
	const char *end;
	uint64_t v;
	if (parse_digits(s, &end, &v) == 0 && *end == '\0') {
		if (v > INT32_MAX)
			return -EINVAL;
		*gid = (int64_t)v;
		return 0;
	}
	struct group gr, *found = NULL;
	size_t size = group_buf_size();
	char *buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	int r = getgrnam_r(s, &gr, buf, size, &found);
	if (r == 0 && found)
		*gid = (int64_t)found->gr_gid;
	free(buf);
	return r == 0 && found ? 0 : -EINVAL;
}

void format_duration(int64_t ns, char out[DURATION_SIZE])
{
	for (int rank = 0; rank < (int)N_UNITS; rank++) {
		size_t i = 0;
		while (unit_rank(i) != rank)
			i++;
		if (ns != 0 && ns % units[i].ns == 0) {
			snprintf(out, DURATION_SIZE, "%lld%s", (long long)(ns / units[i].ns), units[i].name);
			return;
		}
	}
	if (ns == 0) {
		snprintf(out, DURATION_SIZE, "0s");
		return;
	}
	/* finer than a ms: seconds with a fraction, which reads back exactly */
	int len = snprintf(out, DURATION_SIZE, "%lld.%09lld", (long long)(ns / 1000000000),
	                   (long long)(ns % 1000000000));
	while (len > 0 && out[len - 1] == '0')
		out[--len] = '\0';
	snprintf(out + len, DURATION_SIZE - (size_t)len, "s");
}

int group_name(int64_t gid, char *out, size_t size)
{
	struct group gr, *found = NULL;
	size_t bufsize = group_buf_size();
	char *buf = malloc(bufsize);
	int r = buf ? getgrgid_r((gid_t)gid, &gr, buf, bufsize, &found) : ENOMEM;
	if (r == 0 && found && strlen(found->gr_name) < size) {
		memcpy(out, found->gr_name, strlen(found->gr_name) + 1);
		free(buf);
		return 0;
	}
	free(buf);
	snprintf(out, size, "%lld", (long long)gid);
	return -ENOENT;
}

void format_time(int64_t ns, char out[TIME_SIZE])
{
	time_t secs = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, TIME_SIZE, "%lld", (long long)ns);
		return;
	}
	snprintf(out, TIME_SIZE, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

int64_t statusdir_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
