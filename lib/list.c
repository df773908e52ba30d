/* SPDX-License-Identifier: MIT */
/* list.c - every version, newest first.  A format-2 store is listed by
 * number (list_number.c). */
#include "internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cur/ is read before old/: a version moved between the two reads is then
 * seen twice (and listed once), never missed.  old/ is read only when the
 * caller wants more than cur/ is sure to hold: the STATUSDIR_HEAD newest
 * versions are always in cur/ (spec/protocol.md, 5.4), but only those; a
 * slow writer's low id may sit in cur/ beside greater ones already moved
 * to old/, so a full cur/ says nothing about the ones below the head. */
static int list_ids(statusdir *sd, size_t want, struct name_list *all, size_t *in_head)
{
	int r = statusdir__list_ids(sd->cur_fd, all);
	*in_head = all->n;
	if (r == 0 && (want > STATUSDIR_HEAD || all->n < want))
		r = statusdir__list_ids(sd->old_fd, all);
	return r;
}

/* The versions of all, newest first, without duplicates, at most want of
 * them, into *out (NULL when none) and *n; all->n > 0. */
static int to_versions(const struct name_list *all, size_t in_head, size_t want,
                       struct statusdir_version **out, size_t *n)
{
	struct statusdir_version *v = calloc(all->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < all->n; i++) {
		/* mark head entries, then sort: duplicates end up side by side */
		statusdir_id_parse(all->names[i], &v[i]);
		v[i].in_head = i < in_head;
	}
	qsort(v, all->n, sizeof(*v), statusdir__version_cmp_desc);
	size_t count = 0;
	for (size_t i = 0; i < all->n; i++)
		if (count == 0 || strcmp(v[count - 1].id, v[i].id) != 0) {
			if (count == want)
				break;
			v[count++] = v[i];
		} else {
			v[count - 1].in_head |= v[i].in_head;
		}
	*out = v;
	*n = count;
	return 0;
}

int statusdir_list_newest(statusdir *sd, size_t n, struct statusdir_version **out,
                          size_t *count)
{
	struct name_list all = { 0 };
	size_t in_head;
	if (!sd || !out || !count)
		return -EINVAL;
	*out = NULL;
	*count = 0;
	if (sd->format == 2)
		return statusdir__list_numbers_newest(sd, n, out, count);
	int r = n ? list_ids(sd, n, &all, &in_head) : 0;
	if (r == 0 && all.n > 0)
		r = to_versions(&all, in_head, n, out, count);
	statusdir__name_list_free(&all);
	return r;
}

int statusdir_list(statusdir *sd, struct statusdir_version **out, size_t *n)
{
	if (sd && out && n && sd->format == 2)
		return statusdir__list_numbers(sd, out, n);
	return statusdir_list_newest(sd, SIZE_MAX, out, n);
}

void statusdir_list_free(struct statusdir_version *list)
{
	free(list);
}

int statusdir__version_cmp_desc(const void *a, const void *b)
{
	const struct statusdir_version *x = a, *y = b;
	return statusdir__id_cmp(y->id, x->id);
}
