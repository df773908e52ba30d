/* SPDX-License-Identifier: MIT */
/* retire.c - retention of a format-2 store, the only way numbers are freed
 * (spec/format2.md, section 8).
 *
 *  R1 read L; find the greatest number G; choose the cut c: the greatest
 *     c < G such that every version in (L, c] is removable by the policy
 *     (beyond keep, counted down from G by number, or older than max-age
 *     by its time), and below the newest intact version
 *  R2 for each k in (L, c]: look at cur/k.  Two links: a claim whose check
 *     is pending; read L after the look and, while k is above it, remove
 *     the claim's tmp/ link (validate it).  Absent: read L; k above it is
 *     a hole, and the cut stops below it
 *  R3 raise L to c, durably
 *  R4 unlink cur/k for k in (L as read at R1, c]
 * Only a prefix can be freed, since L is one number.  Names at or below L
 * left by a crash between R3 and R4, and stale claims, are prune's
 * "leftovers": it lists cur/ and removes them. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct retire {
	statusdir *sd;
	const struct statusdir_prune_policy *p;
	uint64_t low;      /* L as read at R1 */
	uint64_t greatest; /* G */
	uint64_t keep_cut; /* numbers at or below it are beyond keep; 0: none */
	int64_t now;
	struct statusdir_counts *counts;
};

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * NS_PER_SEC + st->st_mtim.tv_nsec;
}

/* The age rule for k: 1 removable, 0 not (too young, or nothing to judge:
 * the cut stops there), -errno.  A tombstone holds nothing to keep.  A
 * version without a valid attribute is judged by its mtime, which its
 * writer's close left about when the attribute's time would say. */
static int too_old(const struct retire *rt, uint64_t k)
{
	char name[STATUSDIR_ID_SIZE];
	struct stat st;
	struct version_meta m;
	statusdir__number_format(k, name);
	int fd = openat(rt->sd->cur_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP ? 1 : statusdir__gone(errno) ? 0 : -errno;
	int r = fstat(fd, &st) == 0 ? 0 : -errno;
	bool version = r == 0 && S_ISREG(st.st_mode); /* else junk: stop */
	if (version) {
		r = statusdir__meta_get(fd, &m);
		if (r == -EBADMSG) {
			m.time_ns = mtime_ns(&st);
			r = 0;
		}
	}
	statusdir__close(fd);
	if (r < 0 || !version)
		return r;
	return m.time_ns < rt->now - rt->p->max_age_ns;
}

/* 1 if version k reads back intact, else 0: damaged, lost, freed, or
 * unreadable (as prune.c judges format 1's). */
static bool intact(statusdir *sd, uint64_t k)
{
	int fd;
	struct statusdir_version v;
	uint64_t size;
	if (statusdir__open_number(sd, k, &fd, &v, &size) != 0)
		return false;
	bool ok = statusdir__check_version(fd, &v, size) == 0;
	statusdir__close(fd);
	return ok;
}

/* Lowers *cut below the newest intact version, if that is at or below it:
 * a damaged newest never leaves readers with nothing good.  known_intact
 * (0: none) is a number known good without reading it. */
static void keep_newest_intact(const struct retire *rt, uint64_t known_intact, uint64_t *cut)
{
	if (known_intact > *cut)
		return;
	for (uint64_t k = rt->greatest; k > rt->low; k--)
		if (intact(rt->sd, k)) {
			if (k <= *cut)
				*cut = k - 1;
			return;
		}
	/* none intact: none to keep */
}

/* R1: the cut, in *cut; *cut <= rt->low: nothing to free. */
static int choose_cut(struct retire *rt, uint64_t known_intact, uint64_t *cut)
{
	const struct statusdir_prune_policy *p = rt->p;
	uint64_t c = rt->low;
	if (p->keep && rt->greatest > p->keep) {
		rt->keep_cut = rt->greatest - p->keep;
		if (rt->keep_cut > c)
			c = rt->keep_cut;
	}
	if (p->max_age_ns)
		for (uint64_t k = c + 1; k < rt->greatest; k++) {
			int r = too_old(rt, k);
			if (r < 0)
				return r;
			if (r == 0)
				break;
			c = k;
		}
	if (c >= rt->greatest) /* never the greatest: keep is at least 1 */
		c = rt->greatest - 1;
	if (c > rt->low)
		keep_newest_intact(rt, known_intact, &c);
	*cut = c;
	return 0;
}

struct tmp_link {
	dev_t dev;
	ino_t ino;
	int err;
	const struct writer_identity *gone_only; /* only the link of a writer
	                                            known gone (NULL: any) */
};

static int unlink_same_file(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct tmp_link *t = arg;
	struct stat st;
	if (!is_reg || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    st.st_dev != t->dev || st.st_ino != t->ino)
		return 0;
	if (t->gone_only && !statusdir__tmp_writer_gone(t->gone_only, name))
		return 0; /* its writer checks it itself */
	if (unlinkat(dirfd, name, 0) != 0 && !statusdir__gone(errno) && !t->err)
		t->err = -errno;
	return 0;
}

enum look { ABSENT_FREED, PRESENT, HOLE };

/* R2 for k: PRESENT (validated if it was a pending claim), ABSENT_FREED
 * (another run freed it), HOLE, or -errno.  A dry run validates nothing. */
static int validate(const struct retire *rt, uint64_t k, bool dry)
{
	statusdir *sd = rt->sd;
	char name[STATUSDIR_ID_SIZE];
	struct stat st;
	uint64_t low;
	statusdir__number_format(k, name);
	if (fstatat(sd->cur_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (!statusdir__gone(errno))
			return -errno;
		int r = statusdir__low_read(sd, &low);
		return r < 0 ? r : k <= low ? ABSENT_FREED : HOLE;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink < 2 || dry)
		return PRESENT;
	/* a pending check: L read after the look (VALIDATE_OLD_L), so that
	 * a writer that read L before our raise meets its tmp/ link gone */
	int r = statusdir__low_read(sd, &low);
	if (r < 0 || k <= low)
		return r < 0 ? r : PRESENT;
	struct tmp_link t = { st.st_dev, st.st_ino, 0, NULL };
	r = statusdir__scan(sd->tmp_fd, unlink_same_file, &t);
	return r < 0 ? r : t.err < 0 ? t.err : PRESENT;
}

static const char *why(const struct retire *rt, uint64_t k)
{
	return rt->keep_cut && k <= rt->keep_cut ? "beyond keep" : "too old";
}

static void removed(const struct retire *rt, const char *name, const char *detail)
{
	rt->counts->removed++;
	statusdir__report(rt->p, STATUSDIR_EV_REMOVED, "cur", name, detail);
}

/* R2 over (L, cut], lowering *cut below a hole; a dry run reports what
 * R4 would remove. */
static int validate_all(const struct retire *rt, uint64_t *cut, bool dry)
{
	char name[STATUSDIR_ID_SIZE];
	for (uint64_t k = rt->low + 1; k <= *cut; k++) {
		int r = validate(rt, k, dry);
		if (r < 0)
			return r;
		if (r == HOLE) {
			/* not sealed yet (section 12): free nothing from here */
			*cut = k - 1;
			break;
		}
		if (dry && r == PRESENT) {
			statusdir__number_format(k, name);
			removed(rt, name, why(rt, k));
		}
	}
	return 0;
}

/* R4: every name in (L at R1, cut].  Go on past a failure, report the
 * first. */
static int unlink_freed(const struct retire *rt, uint64_t cut)
{
	char name[STATUSDIR_ID_SIZE];
	int err = 0;
	for (uint64_t k = rt->low + 1; k <= cut; k++) {
		statusdir__number_format(k, name);
		if (unlinkat(rt->sd->cur_fd, name, 0) == 0)
			removed(rt, name, why(rt, k));
		else if (!statusdir__gone(errno) && !err)
			err = -errno; /* a leftover: prune removes it later */
	}
	return err;
}

int statusdir__retire(statusdir *sd, const struct statusdir_prune_policy *p,
                      uint64_t known_intact, struct statusdir_counts *counts)
{
	struct statusdir_counts none = { 0 };
	struct retire rt = {
		.sd = sd,
		.p = p,
		.now = statusdir__now_ns(),
		.counts = counts ? counts : &none,
	};
	bool dry = p->flags & STATUSDIR_PRUNE_DRY_RUN;
	uint64_t cut;
	if (!p->keep && !p->max_age_ns)
		return 0;
	int r = statusdir__low_read(sd, &rt.low);
	if (r == 0)
		r = statusdir__search(sd, sd->known ? sd->known : statusdir__hint_read(sd),
		                      rt.low, &rt.greatest);
	if (r < 0 || rt.greatest == 0)
		return r;
	if (rt.greatest > sd->known)
		sd->known = rt.greatest;
	r = choose_cut(&rt, known_intact, &cut);
	if (r == 0 && cut > rt.low)
		r = validate_all(&rt, &cut, dry);
	if (r < 0 || cut <= rt.low || dry)
		return r;
	r = statusdir__low_raise(sd, cut); /* R3: before any unlink it permits */
	if (r < 0)
		return r;
	return unlink_freed(&rt, cut);
}

/* ---- prune's listing of cur/ ---- */

/* A version above L seen with two links: a claim whose check is pending. */
struct pending {
	uint64_t k;
	dev_t dev;
	ino_t ino;
};

struct leftovers {
	uint64_t low;
	struct number_list freed; /* names at or below L */
	struct pending *pending; /* claims above L whose check is pending */
	size_t np, pcap;
	uint64_t versions; /* regular files above L */
	int err;
};

static int note_pending(struct leftovers *l, int dirfd, const char *name, uint64_t k)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_nlink < 2)
		return 0;
	if (l->np == l->pcap) {
		size_t cap = l->pcap ? 2 * l->pcap : 8;
		void *v = realloc(l->pending, cap * sizeof(*l->pending));
		if (!v)
			return -ENOMEM;
		l->pending = v;
		l->pcap = cap;
	}
	l->pending[l->np++] = (struct pending){ k, st.st_dev, st.st_ino };
	return 0;
}

static int note_number(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct leftovers *l = arg;
	uint64_t k;
	if (!statusdir__number_parse(name, &k))
		return 0; /* junk: left alone, as format 1's prune does */
	if (k > l->low) {
		l->versions += is_reg;
		return is_reg ? note_pending(l, dirfd, name, k) : 0;
	}
	return statusdir__number_list_add(&l->freed, k);
}

/* R2 for a claim seen in the listing whose writer is known gone (killed
 * between its claim and its check): look at it again (the same file, still
 * two links), then read L; while it is above L, remove its tmp/ link.  A
 * live writer's claim is left to its writer (or to R2 when its number is
 * freed).  A claim at or below L is stale (or was validated and freed) and
 * is removed as a leftover. */
static int validate_seen(statusdir *sd, const struct pending *c)
{
	char name[STATUSDIR_ID_SIZE];
	struct stat st;
	uint64_t low;
	statusdir__number_format(c->k, name);
	if (fstatat(sd->cur_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return statusdir__gone(errno) ? 0 : -errno;
	if (st.st_dev != c->dev || st.st_ino != c->ino || st.st_nlink < 2)
		return 0;
	int r = statusdir__low_read(sd, &low);
	if (r < 0 || c->k <= low)
		return r;
	struct tmp_link t = { st.st_dev, st.st_ino, 0, &sd->me };
	r = statusdir__scan(sd->tmp_fd, unlink_same_file, &t);
	return r < 0 ? r : t.err;
}

int statusdir__retire_leftovers(statusdir *sd, const struct statusdir_prune_policy *p,
                                struct statusdir_counts *counts)
{
	struct leftovers l = { 0 };
	char name[STATUSDIR_ID_SIZE];
	bool dry = p->flags & STATUSDIR_PRUNE_DRY_RUN;
	/* L before the listing: a name listed at or below it stays freed, as
	 * L only rises */
	int r = statusdir__low_read(sd, &l.low);
	if (r == 0)
		r = statusdir__scan(sd->cur_fd, note_number, &l);
	counts->versions += l.versions;
	/* claims whose writers were killed between the claim and the check:
	 * R2's validation, claim by claim, with L read after the look, so
	 * that their tmp/ links go */
	for (size_t i = 0; r == 0 && !dry && i < l.np; i++) {
		int v = validate_seen(sd, &l.pending[i]);
		if (v < 0 && !l.err)
			l.err = v;
	}
	for (size_t i = 0; r == 0 && i < l.freed.n; i++) {
		statusdir__number_format(l.freed.v[i], name);
		if (!dry && unlinkat(sd->cur_fd, name, 0) != 0) {
			/* gone meanwhile, or a folder under a number (junk);
			 * else go on with the rest, report the first error */
			if (!statusdir__gone(errno) && errno != EISDIR && !l.err)
				l.err = -errno;
			continue;
		}
		counts->removed++;
		statusdir__report(p, STATUSDIR_EV_REMOVED, "cur", name, "freed, not yet removed");
	}
	statusdir__number_list_free(&l.freed);
	free(l.pending);
	return r < 0 ? r : l.err;
}
