/* SPDX-License-Identifier: MIT */
/* clock.c - the clocks, in one place so tests can step them.
 *
 * The wall clock (CLOCK_REALTIME) is for times that are shown or stored:
 * a version's id, the age of a version or of a tmp/ file.  Deadlines are
 * on CLOCK_MONOTONIC, which no clock step (NTP, date -s, a VM resumed)
 * can stretch or cut short. */
#include "internal.h"

#include <time.h>

/* clock_gettime cannot fail with a supported clock id and a valid pointer;
 * both clocks are in POSIX.1-2008 and Linux. */
static int64_t read_clock(clockid_t id)
{
	struct timespec ts;
	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t statusdir__now_ns(void)
{
	return read_clock(CLOCK_REALTIME);
}

int64_t statusdir__mono_ns(void)
{
	return read_clock(CLOCK_MONOTONIC);
}
