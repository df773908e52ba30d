/* SPDX-License-Identifier: MIT */
/* search.c - finding the greatest number of a format-2 store by probing
 * names in cur/ (spec/format2.md, sections 9 and 11).
 *
 * No listing: a lookup of one name is a hashed or b-tree lookup on ext4,
 * xfs, btrfs and tmpfs, so the cost does not grow with the history.  The
 * search gallops from a start (the handle's last number, or the hint) and
 * then bisects; its result m is justified by its last two probes alone,
 * cur/m present and cur/m+1 absent, which is all section 9 needs. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

int statusdir__probe_kind(statusdir *sd, uint64_t n)
{
	char name[STATUSDIR_ID_SIZE];
	struct stat st;
	if (n == 0 || n > NUMBER_MAX)
		return 0;
	statusdir__number_format(n, name);
	/* no follow: a tombstone (a symlink) is present */
	if (fstatat(sd->cur_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISLNK(st.st_mode) ? STATUSDIR__LOST : 1;
	/* a name removed through another client of a network filesystem may
	 * look up as ESTALE: absent, as read.c takes it */
	return statusdir__gone(errno) ? 0 : -errno;
}

int statusdir__probe(statusdir *sd, uint64_t n)
{
	int r = statusdir__probe_kind(sd, n);
	return r == STATUSDIR__LOST ? 1 : r;
}

int statusdir__search(statusdir *sd, uint64_t start, uint64_t low, uint64_t *greatest)
{
	uint64_t lo, hi, step = 1; /* lo: present (or low itself); hi: absent */
	if (start <= low)
		start = low + 1;
	int r = statusdir__probe(sd, start);
	if (r < 0)
		return r;
	if (r == 1) {
		for (lo = start;; step *= 2) {
			hi = NUMBER_MAX - lo < step ? NUMBER_MAX + 1 : lo + step;
			r = hi > NUMBER_MAX ? 0 : statusdir__probe(sd, hi);
			if (r < 0)
				return r;
			if (r == 0)
				break;
			lo = hi;
		}
	} else {
		for (hi = start;; step *= 2) {
			if (hi - low <= step) {
				lo = low;
				break;
			}
			r = statusdir__probe(sd, hi - step);
			if (r < 0)
				return r;
			if (r == 1) {
				lo = hi - step;
				break;
			}
			hi -= step;
		}
	}
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;
		r = statusdir__probe(sd, mid);
		if (r < 0)
			return r;
		if (r == 1)
			lo = mid;
		else
			hi = mid;
	}
	*greatest = lo > low ? lo : 0;
	return 0;
}

int statusdir__search_newest(statusdir *sd, uint64_t *greatest, uint64_t *low)
{
	int r = statusdir__low_read(sd, low);
	if (r < 0)
		return r;
	uint64_t start = sd->known ? sd->known : statusdir__hint_read(sd);
	return statusdir__search(sd, start, *low, greatest);
}
