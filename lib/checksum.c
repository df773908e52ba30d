/* SPDX-License-Identifier: MIT */
/* checksum.c - the payload checksum named in every id: XXH3-64, seed 0.
 * xxHash is well kept, and fast enough (tens of GB/s) that every get can
 * afford to verify what it returns.  It is compiled in from its header
 * (XXH_INLINE_ALL) rather than linked: one shared library fewer for every
 * `statusdir` process to load (spec/performance.md, "The CLI's start-up"). */
#include "internal.h"

#include <stdlib.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* The streaming state, in memory of ours: XXH3 wants it 64-byte aligned. */
struct statusdir__sum {
	XXH3_state_t state;
};

uint64_t statusdir__checksum(const void *buf, size_t len)
{
	return XXH3_64bits(buf, len);
}

struct statusdir__sum *statusdir__sum_new(void)
{
	struct statusdir__sum *s = aligned_alloc(64, sizeof(*s));
	if (s)
		(void)XXH3_64bits_reset(&s->state); /* fails only for a NULL state */
	return s;
}

void statusdir__sum_free(struct statusdir__sum *s)
{
	free(s);
}

void statusdir__sum_update(struct statusdir__sum *s, const void *buf, size_t len)
{
	(void)XXH3_64bits_update(&s->state, buf, len); /* fails only for a NULL state */
}

uint64_t statusdir__sum_digest(const struct statusdir__sum *s)
{
	return XXH3_64bits_digest(&s->state);
}
