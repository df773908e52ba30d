/* SPDX-License-Identifier: MIT */
/* clock.c - the wall clock, in one place so tests can step it back. */
#include "internal.h"

#include <time.h>

int64_t statusdir__now_ns(void)
{
	struct timespec ts;
	/* CLOCK_REALTIME cannot fail with a valid clock id and pointer */
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}
