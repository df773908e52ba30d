/* SPDX-License-Identifier: MIT */
/* parse.c - command-line values: durations, counts, modes, groups, and
 * the time format of log.  Nothing here looks at the locale or TZ. */
#include "cli.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
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

int parse_duration(const char *s, int64_t *ns)
{
	static const struct { char unit; int64_t seconds; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 },
	};
	const char *end;
	uint64_t v;
	int64_t mult = 1;
	if (parse_digits(s, &end, &v) < 0)
		return -EINVAL;
	if (*end != '\0') {
		size_t i = 0;
		while (i < sizeof(units) / sizeof(units[0]) && units[i].unit != *end)
			i++;
		if (i == sizeof(units) / sizeof(units[0]) || end[1] != '\0')
			return -EINVAL;
		mult = units[i].seconds;
	}
	if (v > (uint64_t)(INT64_MAX / 1000000000 / mult))
		return -EINVAL;
	*ns = (int64_t)v * mult * 1000000000;
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
	long cap = sysconf(_SC_GETGR_R_SIZE_MAX);
	size_t size = cap > 0 ? (size_t)cap : 16384;
	char *buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	int r = getgrnam_r(s, &gr, buf, size, &found);
	if (r == 0 && found)
		*gid = (int64_t)found->gr_gid;
	free(buf);
	return r == 0 && found ? 0 : -EINVAL;
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
