/* SPDX-License-Identifier: MIT */
/* number.c - the ids of format 2: numbers (spec/format2.md, section 3).
 *
 *   NUMBER = 20 DIGIT   ; 00000000000000000001 to 09223372036854775807
 *
 * Fixed width, so that byte order is number order: ls and sort list the
 * versions of cur/ in commit order.  Pure, no I/O. */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>

void statusdir__number_format(uint64_t n, char out[STATUSDIR_ID_SIZE])
{
	snprintf(out, STATUSDIR_ID_SIZE, "%0*" PRIu64, NUMBER_DIGITS, n);
}

bool statusdir__number_parse(const char *name, uint64_t *n)
{
	uint64_t x = 0;
	for (int i = 0; i < NUMBER_DIGITS; i++) {
		char c = name[i];
		if (c < '0' || c > '9')
			return false;
		/* 20 digits overflow a uint64_t only past 1.8e19: check first */
		if (x > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(c - '0');
	}
	if (name[NUMBER_DIGITS] != '\0' || x == 0 || x > NUMBER_MAX)
		return false;
	if (n)
		*n = x;
	return true;
}
