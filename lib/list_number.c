/* SPDX-License-Identifier: MIT */
/* list_number.c - the listings of a format-2 store, by number
 * (spec/format2.md, sections 9 and 10).
 *
 * A version is cur/N, N a number above L, a regular file; its time, size
 * and checksum come from its attribute (meta.c), so each version listed is
 * opened once.  Tombstones (symlinks), junk and numbers at or below L
 * (freed, or stale claims) are never listed.  A version whose attribute is
 * missing or malformed is damaged: it is listed, with time, size and
 * checksum 0, which no intact version has (the checksum of an empty
 * payload is not 0), so that log and verify can name it.
 *
 * L is read after the versions were opened, and every number at or below
 * it is dropped: an open before a read of L that finds k above it holds
 * the real version k (lemma 3).
 *
 * Only the full listing reads cur/ as a folder.  The newest n walk down by
 * number from the greatest, and a watcher walks up from its watermark, so
 * their cost follows what they return, not the history. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Losing the race with retention this many times in a row: -EAGAIN. */
#define TRIES 1000

struct versions {
	struct statusdir_version *v;
	size_t n, cap;
};

static int push(struct versions *vs, const struct statusdir_version *v)
{
	if (vs->n == vs->cap) {
		size_t cap = vs->cap ? 2 * vs->cap : 16;
		void *p = realloc(vs->v, cap * sizeof(*vs->v));
		if (!p)
			return -ENOMEM;
		vs->v = p;
		vs->cap = cap;
	}
	vs->v[vs->n++] = *v;
	return 0;
}

/* Hands vs over to *out and *n: NULL and 0 when empty. */
static int hand_out(struct versions *vs, int r, struct statusdir_version **out, size_t *n)
{
	if (r < 0 || vs->n == 0) {
		free(vs->v);
		vs->v = NULL;
		vs->n = 0;
	}
	*out = vs->v;
	*n = vs->n;
	return r;
}

static uint64_t number_of(const struct statusdir_version *v)
{
	uint64_t k = 0;
	statusdir__number_parse(v->id, &k);
	return k;
}

static void note_known(statusdir *sd, uint64_t k)
{
	if (k > sd->known)
		sd->known = k;
}

/* Adds version k to vs if it is one: 0 (added, or nothing to add: absent,
 * a tombstone, not a file), or -errno. */
static int add_number(statusdir *sd, uint64_t k, struct versions *vs)
{
	struct statusdir_version v;
	int r = statusdir__number_meta(sd, k, &v);
	if (r == 0 || r == -EBADMSG)
		return push(vs, &v);
	return r == -ENOENT || r == STATUSDIR__LOST ? 0 : r;
}

/* ---- every version ---- */

struct numbers {
	struct number_list list;
	uint64_t above; /* L as read before the listing */
};

static int collect_number(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct numbers *ns = arg;
	uint64_t k;
	(void)dirfd;
	/* a symlink is a tombstone, anything else not a file is junk */
	if (!is_reg || !statusdir__number_parse(name, &k) || k <= ns->above)
		return 0;
	return statusdir__number_list_add(&ns->list, k);
}

int statusdir__list_numbers(statusdir *sd, struct statusdir_version **out, size_t *n)
{
	struct numbers ns = { 0 };
	struct versions vs = { 0 };
	uint64_t low = 0;
	int r = statusdir__low_read(sd, &ns.above);
	if (r == 0)
		r = statusdir__scan_cur(sd, collect_number, &ns);
	statusdir__number_list_sort(&ns.list);
	const struct number_list *l = &ns.list;
	for (size_t i = l->n; r == 0 && i-- > 0;) /* newest first */
		if (i + 1 == l->n || l->v[i] != l->v[i + 1]) /* readdir may repeat a name */
			r = add_number(sd, l->v[i], &vs);
	statusdir__number_list_free(&ns.list);
	if (r == 0)
		r = statusdir__low_read(sd, &low);
	/* newest first: what retention freed meanwhile is at the end */
	while (r == 0 && vs.n > 0 && number_of(&vs.v[vs.n - 1]) <= low)
		vs.n--;
	if (r == 0 && vs.n > 0)
		note_known(sd, number_of(&vs.v[0]));
	return hand_out(&vs, r, out, n);
}

/* ---- the newest n ---- */

int statusdir__list_numbers_newest(statusdir *sd, size_t want,
                                   struct statusdir_version **out, size_t *n)
{
	struct versions vs = { 0 };
	int empty_looks = 0, r = 0;
	for (int i = 0; want > 0; i++) {
		uint64_t low = 0, greatest = 0;
		if (i == TRIES) {
			r = -EAGAIN;
			break;
		}
		vs.n = 0;
		r = statusdir__search_newest(sd, &greatest, &low);
		if (r == 0 && greatest == 0) {
			/* nothing above L: an empty store, or retention ran
			 * while we looked (it never frees the greatest) */
			r = low == 0 ? statusdir__confirm_empty(sd, empty_looks++) : 0;
			if (r == -ENOENT) {
				r = 0;
				break;
			}
			if (r < 0)
				break;
			continue;
		}
		for (uint64_t k = greatest; r == 0 && k > low && vs.n < want; k--)
			r = add_number(sd, k, &vs);
		if (r == 0)
			r = statusdir__low_read(sd, &low);
		if (r < 0)
			break;
		if (greatest <= low)
			continue; /* freed, or a stale claim, meanwhile: look again */
		while (vs.n > 0 && number_of(&vs.v[vs.n - 1]) <= low)
			vs.n--;
		note_known(sd, greatest);
		break;
	}
	return hand_out(&vs, r, out, n);
}

/* ---- above a watermark ---- */

int statusdir__list_numbers_since(statusdir *sd, uint64_t after,
                                  struct statusdir_version **out, size_t *n)
{
	struct versions vs = { 0 };
	uint64_t k = after + 1, low = 0;
	int r = 0;
	while (r == 0 && k <= NUMBER_MAX) {
		size_t first = vs.n;
		/* A1: up by number until a name is absent */
		for (; r == 0 && k <= NUMBER_MAX; k++) {
			struct statusdir_version v;
			r = statusdir__number_meta(sd, k, &v);
			if (r == -ENOENT)
				break;
			if (r == 0 || r == -EBADMSG)
				r = push(&vs, &v);
			else if (r == STATUSDIR__LOST)
				r = 0; /* A3: a tombstone: lost in a power cut */
		}
		if (r == -ENOENT)
			r = 0;
		/* A2: what L covers now was removed, absent or not */
		if (r == 0)
			r = statusdir__low_read(sd, &low);
		if (r < 0)
			break;
		size_t keep = first;
		for (size_t i = first; i < vs.n; i++)
			if (number_of(&vs.v[i]) > low)
				vs.v[keep++] = vs.v[i];
		vs.n = keep;
		/* A4: k absent above L is not committed yet; at or below L it
		 * was freed, and the walk goes on after L */
		if (k > low)
			break;
		k = low + 1;
	}
	if (r == 0 && vs.n > 0)
		note_known(sd, number_of(&vs.v[vs.n - 1]));
	return hand_out(&vs, r, out, n);
}

/* A watcher's gap told apart (spec/format2.md, 10): numbers at or below L
 * were freed by retention (A2), whatever they held; above it a tombstone
 * is a number lost in a power cut (A3).  The walk stops at the first
 * number absent above L: no number above one never claimed is committed,
 * so the work follows the names above L, never the range asked for.  A
 * count during which L rose is made again: what it counted may be freed. */
int statusdir__count_lost(statusdir *sd, uint64_t after, uint64_t before, uint64_t *lost)
{
	for (int i = 0; i < TRIES; i++) {
		uint64_t low = 0, low_after = 0, count = 0;
		int r = statusdir__low_read(sd, &low);
		for (uint64_t k = (after > low ? after : low) + 1; r == 0 && k < before; k++) {
			int kind = statusdir__probe_kind(sd, k); /* one lookup, no open */
			if (kind == 0)
				break;
			if (kind == STATUSDIR__LOST)
				count++;
			else if (kind < 0)
				r = kind;
		}
		if (r == 0)
			r = statusdir__low_read(sd, &low_after);
		if (r < 0)
			return r;
		if (low_after == low) {
			*lost = count;
			return 0;
		}
	}
	return -EAGAIN;
}

int statusdir__newer_number(statusdir *sd, uint64_t after, uint64_t *newer)
{
	for (int i = 0; i < TRIES; i++) {
		uint64_t low = 0, greatest = 0;
		int r = statusdir__search_newest(sd, &greatest, &low);
		if (r < 0)
			return r;
		if (greatest <= after)
			return -ENOENT;
		r = statusdir__low_read(sd, &low);
		if (r < 0)
			return r;
		if (greatest > low) {
			note_known(sd, greatest);
			*newer = greatest;
			return 0;
		}
		/* a stale claim, or freed meanwhile: look again */
	}
	return -EAGAIN;
}
