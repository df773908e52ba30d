/* SPDX-License-Identifier: MIT */
/* resolve.c - relative references (spec/protocol.md, section 16).
 *
 * "@N" names the version at position N of the whole history, newest
 * first: "@0" the newest, "@1" the one before.  It is resolved once, before
 * use, into an id; from then on the caller works with that id, so "@0" of
 * a damaged newest is that damaged version (-EBADMSG), never a healed
 * substitute: only NULL or "" ask for the newest and its fallback. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void copy_id(char *out, const char *id)
{
	memcpy(out, id, strlen(id) + 1);
}

/* "@" and decimal digits, nothing else: the N of "@N" in *back.  A number
 * too large for any store is beyond the history: -ENOENT. */
static int parse_ref(const char *ref, unsigned long long *back)
{
	if (ref[0] != '@' || ref[1] < '0' || ref[1] > '9')
		return -EINVAL;
	char *end;
	errno = 0;
	*back = strtoull(ref + 1, &end, 10);
	if (*end)
		return -EINVAL;
	return errno == ERANGE ? -ENOENT : 0;
}

int statusdir_resolve(statusdir *sd, const char *ref, char *id)
{
	if (!sd || !ref || !id)
		return -EINVAL;
	if (ref[0] != '@') {
		int r = statusdir_id_parse(ref, NULL);
		if (r == 0)
			copy_id(id, ref);
		return r;
	}
	unsigned long long back;
	int r = parse_ref(ref, &back);
	if (r < 0)
		return r;
	if (back >= SIZE_MAX)
		return -ENOENT; /* more versions back than any store holds */
	struct statusdir_version *v;
	size_t n;
	/* the newest back + 1: for @0 to @7, a listing of cur/ alone */
	r = statusdir_list_newest(sd, (size_t)back + 1, &v, &n);
	if (r < 0)
		return r;
	r = back < n ? 0 : -ENOENT;
	if (r == 0)
		copy_id(id, v[back].id);
	statusdir_list_free(v);
	return r;
}

int statusdir__ref_id(statusdir *sd, const char *ref, char buf[STATUSDIR_ID_SIZE],
                      const char **id)
{
	*id = ref;
	if (!ref || ref[0] != '@')
		return 0; /* the newest, or an id the caller checks */
	int r = statusdir_resolve(sd, ref, buf);
	if (r == 0)
		*id = buf;
	return r;
}
