/* SPDX-License-Identifier: MIT */
/* stats.c - samples and their quantiles. */
#include "config.h"

#include "bench.h"

#include <math.h>
#include <stdlib.h>

void samples_add(struct samples *s, int64_t x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = x;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least q of them at or below
 * it.  q = 0.5 gives the lower median, q = 0 the minimum. */
int64_t samples_quantile(struct samples *s, double q)
{
	if (s->n == 0)
		return 0;
	qsort(s->v, s->n, sizeof(*s->v), cmp_i64);
	size_t rank = (size_t)ceil(q * (double)s->n);
	return s->v[rank > 0 ? rank - 1 : 0];
}

void samples_free(struct samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
