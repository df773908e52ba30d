/* SPDX-License-Identifier: MIT */
/* number.c - the ids of format 2: numbers (spec/format2.md, section 3).
 *
 *   NUMBER = 20 DIGIT   ; 00000000000000000001 to 09223372036854775807
 *
 * Fixed width, so that byte order is number order: ls and sort list the
 * versions of cur/ in commit order.  Pure, no I/O. */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

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

int statusdir__number_list_add(struct number_list *l, uint64_t k)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		uint64_t *v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = k;
	return 0;
}

static int cmp_asc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

void statusdir__number_list_sort(struct number_list *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), cmp_asc);
}

void statusdir__number_list_free(struct number_list *l)
{
	free(l->v);
	*l = (struct number_list){ 0 };
}
