/* SPDX-License-Identifier: MIT */
/* rows.c - the results as reported: one row per case, writer count or
 * peak-RSS run. */
#include "config.h"

#include "bench.h"

#include <string.h>

int rows_add(struct rows *r, const struct row *row)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 128;
		r->v = xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n] = *row;
	return (int)r->n++;
}

const struct row *rows_find(const struct rows *r, const char *section,
                            const char *key, uint64_t payload,
                            uint64_t history, unsigned writers)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct row *w = &r->v[i];
		if (strcmp(w->section, section) == 0 && strcmp(w->key, key) == 0 &&
		    w->payload == payload && w->history == history &&
		    w->writers == writers && !w->skip && w->n > 0)
			return w;
	}
	return NULL;
}
