/* SPDX-License-Identifier: MIT */
/* watch.c - waiting for new versions.
 *
 * A watcher keeps a watermark (the last id it handled) and asks for every
 * id above it.  inotify on cur/ (IN_CREATE for link(2), IN_MOVED_TO for
 * rename(2)) tells when to look; where inotify is missing or cannot see
 * the writers (NFS, other hosts) the caller polls instead.  A wake-up only
 * means "look again": the listing decides, so a lost or merged event
 * (IN_Q_OVERFLOW) costs nothing but a rescan.
 *
 * In a format-2 store the watermark is a number W and the watcher probes
 * W + 1, W + 2, ... (list_number.c): numbers are dense, so no version
 * committed after the watcher looked can land below W. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_SYS_INOTIFY_H
#include <sys/inotify.h>
#endif

static int cmp_asc(const void *a, const void *b)
{
	return statusdir__id_cmp(((const struct statusdir_version *)a)->id,
	                         ((const struct statusdir_version *)b)->id);
}

/* Appends the ids of dirfd greater than after to *v (dedup later); *total,
 * unless total is NULL, gets the number of ids in dirfd, above after or not. */
static int collect_above(int dirfd, const char *after, int in_head,
                         struct statusdir_version **v, size_t *n, size_t *cap,
                         size_t *total)
{
	struct name_list ids = { 0 };
	int r = statusdir__list_ids(dirfd, &ids);
	if (total)
		*total = ids.n;
	for (size_t i = 0; r == 0 && i < ids.n; i++) {
		if (after && statusdir__id_cmp(ids.names[i], after) <= 0)
			continue;
		if (*n == *cap) {
			size_t c = *cap ? 2 * *cap : 16;
			void *p = realloc(*v, c * sizeof(**v));
			if (!p) {
				r = -ENOMEM;
				break;
			}
			*v = p;
			*cap = c;
		}
		statusdir_id_parse(ids.names[i], &(*v)[*n]);
		(*v)[(*n)++].in_head = in_head;
	}
	statusdir__name_list_free(&ids);
	return r;
}

/* The versions above a watermark W: those in cur/, and those in old/ up to
 * the greatest id G seen in cur/.
 * - old/ is read when cur/ holds STATUSDIR_HEAD ids above W: a version
 *   moves to old/ only when that many greater ones are in cur/, and the
 *   greatest ids stay there.  Prune breaks that when it removes greater
 *   ones from cur/ but keeps the newest intact version in old/ (after a run
 *   of damaged versions), so old/ is read too when cur/ holds fewer than
 *   STATUSDIR_HEAD ids in all.
 * - cur/ is read first: a version moved meanwhile is then found in old/.
 * - ids in old/ above G were committed after cur/ was read; newer ones may
 *   sit in cur/ unseen, so they wait for the next call rather than let the
 *   watermark jump past those. */
int statusdir_list_since(statusdir *sd, const char *after,
                         struct statusdir_version **out, size_t *n)
{
	struct statusdir_version *v = NULL;
	size_t count = 0, cap = 0;
	if (!sd || !out || !n || (after && *after && statusdir_id_parse(after, NULL) < 0))
		return -EINVAL;
	if (after && !*after)
		after = NULL;
	if (sd->format == 2) {
		uint64_t w = 0;
		if (after && !statusdir__number_parse(after, &w))
			return -EINVAL; /* a format-1 id places nothing here */
		return statusdir__list_numbers_since(sd, w, out, n);
	}
	size_t cur_total = 0;
	int r = collect_above(sd->cur_fd, after, 1, &v, &count, &cap, &cur_total);
	size_t in_cur = count;
	if (r == 0 && in_cur > 0 && (in_cur >= STATUSDIR_HEAD || cur_total < STATUSDIR_HEAD)) {
		char greatest[STATUSDIR_ID_SIZE] = "";
		for (size_t i = 0; i < in_cur; i++)
			if (statusdir__id_cmp(v[i].id, greatest) > 0)
				memcpy(greatest, v[i].id, sizeof(greatest));
		r = collect_above(sd->old_fd, after, 0, &v, &count, &cap, NULL);
		size_t k = in_cur;
		for (size_t i = in_cur; r == 0 && i < count; i++)
			if (statusdir__id_cmp(v[i].id, greatest) <= 0)
				v[k++] = v[i];
		count = k;
	}
	if (r < 0) {
		free(v);
		return r;
	}
	if (count > 1)
		qsort(v, count, sizeof(*v), cmp_asc);
	size_t k = 0;
	for (size_t i = 0; i < count; i++) /* a version moved meanwhile is seen twice */
		if (k == 0 || strcmp(v[k - 1].id, v[i].id) != 0)
			v[k++] = v[i];
	*out = k ? v : NULL;
	if (!k)
		free(v);
	*n = k;
	return 0;
}

/* A gap of statusdir_list_since() told apart (list_number.c). */
int statusdir_count_lost(statusdir *sd, const char *after, const char *before,
                         uint64_t *lost)
{
	uint64_t a = 0, b = 0;
	if (!sd || !before || !lost)
		return -EINVAL;
	if (sd->format != 2)
		return -EOPNOTSUPP;
	if ((after && *after && !statusdir__number_parse(after, &a)) ||
	    !statusdir__number_parse(before, &b) || b <= a)
		return -EINVAL;
	return statusdir__count_lost(sd, a, b, lost);
}

int statusdir_watch_fd(statusdir *sd)
{
	if (!sd)
		return -EINVAL;
	if (sd->watch_fd >= 0)
		return sd->watch_fd;
#ifdef HAVE_SYS_INOTIFY_H
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* a path is needed; /proc/self/fd/N names cur/ without a race on
	 * the store path being renamed meanwhile */
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sd->cur_fd);
	if (inotify_add_watch(fd, path, IN_CREATE | IN_MOVED_TO | IN_ONLYDIR) < 0) {
		int e = -errno;
		statusdir__close(fd);
		return e;
	}
	sd->watch_fd = fd;
	return fd;
#else
	return -ENOSYS;
#endif
}

/* Empties the inotify queue: the listing, not the events, says what is new. */
static void drain(int fd)
{
	char buf[4096];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

int statusdir_watch_ack(statusdir *sd)
{
	if (!sd || sd->watch_fd < 0)
		return -EINVAL;
	drain(sd->watch_fd);
	return 0;
}

/* Format 2: probes, no listing (spec/format2.md, section 10). */
static int newer_number(statusdir *sd, const char *after, char *newer)
{
	uint64_t w = 0, k;
	if (after && *after && !statusdir__number_parse(after, &w))
		return -EINVAL;
	int r = statusdir__newer_number(sd, w, &k);
	if (r == 0 && newer)
		statusdir__number_format(k, newer);
	return r;
}

/* The greatest id above after, if any: 0 and newer filled, or -ENOENT. */
static int newer_than(statusdir *sd, const char *after, char *newer)
{
	char id[STATUSDIR_ID_SIZE];
	if (sd->format == 2)
		return newer_number(sd, after, newer);
	int r = statusdir__greatest_in_cur(sd, id);
	if (r < 0)
		return r;
	if (after && *after && statusdir__id_cmp(id, after) <= 0)
		return -ENOENT;
	if (newer)
		memcpy(newer, id, strlen(id) + 1);
	return 0;
}

int statusdir_wait(statusdir *sd, const char *after, int64_t timeout_ns,
                   int64_t poll_ns, char *newer)
{
	if (!sd || (after && *after && statusdir_id_parse(after, NULL) < 0) || poll_ns < 0)
		return -EINVAL;
	int fd = poll_ns ? -1 : statusdir_watch_fd(sd);
	if (fd < 0 && !poll_ns)
		poll_ns = 100 * 1000000; /* no inotify: poll ten times a second */
	/* monotonic: a step of the wall clock must not stretch or cut the wait */
	int64_t start = statusdir__mono_ns();
	int64_t deadline = timeout_ns < 0 || timeout_ns > INT64_MAX - start
	                       ? INT64_MAX : start + timeout_ns;
	for (;;) {
		if (fd >= 0)
			drain(fd); /* before the listing, so no event is lost */
		int r = newer_than(sd, after, newer);
		if (r != -ENOENT)
			return r;
		int64_t left = deadline - statusdir__mono_ns();
		if (left <= 0)
			return -ETIMEDOUT;
		int64_t step = fd >= 0 ? left : (poll_ns < left ? poll_ns : left);
		int ms = step / 1000000 > 60000 ? 60000 : (int)((step + 999999) / 1000000);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(fd >= 0 ? &p : NULL, fd >= 0 ? 1 : 0, ms) < 0 && errno != EINTR)
			return -errno;
	}
}
