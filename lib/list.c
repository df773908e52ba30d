/* SPDX-License-Identifier: MIT */
/* list.c - every version, newest first. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* cur/ is read before old/: a version moved between the two reads is then
 * seen twice (and listed once), never missed. */
static int list_all(statusdir *sd, struct name_list *all, size_t *in_head)
{
	int r = statusdir__list_ids(sd->cur_fd, all);
	*in_head = all->n;
	if (r == 0)
		r = statusdir__list_ids(sd->old_fd, all);
	return r;
}

int statusdir_list(statusdir *sd, struct statusdir_version **out, size_t *n)
{
	struct name_list all = { 0 };
	size_t in_head;
	if (!sd || !out || !n)
		return -EINVAL;
	int r = list_all(sd, &all, &in_head);
	struct statusdir_version *v = NULL;
	if (r == 0 && all.n > 0 && !(v = calloc(all.n, sizeof(*v))))
		r = -ENOMEM;
	size_t count = 0;
	for (size_t i = 0; r == 0 && i < all.n; i++) {
		/* mark head entries, then sort: duplicates end up side by side */
		statusdir_id_parse(all.names[i], &v[i]);
		v[i].in_head = i < in_head;
	}
	if (r == 0 && all.n > 0) { /* qsort(NULL, 0, ...) is undefined */
		qsort(v, all.n, sizeof(*v), statusdir__version_cmp_desc);
		for (size_t i = 0; i < all.n; i++)
			if (count == 0 || strcmp(v[count - 1].id, v[i].id) != 0)
				v[count++] = v[i];
			else
				v[count - 1].in_head |= v[i].in_head;
	}
	statusdir__name_list_free(&all);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = count ? v : NULL;
	if (!count)
		free(v);
	*n = count;
	return 0;
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
