/* SPDX-License-Identifier: MIT */
/* checksum.c - the payload checksum named in every id: XXH3-64, seed 0.
 * libxxhash is a well-kept library, and fast enough (tens of GB/s) that
 * every get can afford to verify what it returns. */
#include "internal.h"

#include <xxhash.h>

uint64_t statusdir__checksum(const void *buf, size_t len)
{
	return XXH3_64bits(buf, len);
}

/* Streaming form, for payloads that are written in pieces.  The state is
 * allocated by libxxhash: its layout is not part of its stable ABI. */
XXH3_state_t *statusdir__sum_new(void)
{
	XXH3_state_t *st = XXH3_createState();
	if (st)
		(void)XXH3_64bits_reset(st); /* fails only for a NULL state */
	return st;
}

void statusdir__sum_free(XXH3_state_t *st)
{
	(void)XXH3_freeState(st); /* always XXH_OK */
}

void statusdir__sum_update(XXH3_state_t *st, const void *buf, size_t len)
{
	(void)XXH3_64bits_update(st, buf, len); /* fails only for a NULL state */
}

uint64_t statusdir__sum_digest(const XXH3_state_t *st)
{
	return XXH3_64bits_digest(st);
}
