/* SPDX-License-Identifier: MIT */
/* claim.c - committing a version of a format-2 store (spec/format2.md,
 * sections 6, 7 and 15).
 *
 *  P2a set user.statusdir (size, checksum, time) on tmp/T
 *  P3  fsync tmp/T and close it (not with one flush or no-sync)
 *  P5  n = the greatest number this handle knows + 1 (base + 1 for a
 *      conditional put); with if-changed, compare with version n - 1
 *  P6  claim: link tmp/T to cur/n.  EEXIST for another file: the number is
 *      taken; take the next (after two in a row, search)
 *  P7  check: read L.  n > L: the claim is real; remove tmp/T.  n <= L:
 *      rename tmp/T away; if that works the claim was stale: remove cur/n
 *      and claim above L; if tmp/T is gone, a cleaner validated the claim
 *  P8  fsync cur/ (one flush: fsync the file, now cur/n)
 *  P9  has-versions; P10 the hint every HINT_EVERY numbers, retention and
 *      the tmp/ sweep, best effort
 * Before the claim a failure removes tmp/T.  From the claim on, a valid
 * claim is never removed: a reader may have handed it out. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Writers set the hint to their number when it is a multiple of this. */
#define HINT_EVERY 64

/* EEXIST this many times in a row: others are ahead; search rather than
 * step one number at a time. */
#define STEPS_BEFORE_SEARCH 2

/* A claim whose check finds tmp/T gone was validated by a cleaner, unless
 * the tmp/ sweep took it for an abandoned file (spec/format2.md, section
 * 6): that takes STATUSDIR_TMP_AGE_NS, so a put slower than this margin
 * below it cannot tell, and says so. */
#define CHECK_AGE_LIMIT_NS (STATUSDIR_TMP_AGE_NS - 3600 * NS_PER_SEC)

/* P6.  0: cur/n is ours; -EEXIST: another file holds n; or -errno. */
static int link_claim(statusdir *sd, const char *tmp, uint64_t n)
{
	char name[STATUSDIR_ID_SIZE];
	statusdir__number_format(n, name);
	if (linkat(sd->tmp_fd, tmp, sd->cur_fd, name, 0) == 0)
		return 0;
	int e = errno;
	/* a retransmitted link on a network filesystem: ours after all */
	if (e == EEXIST && statusdir__same_file(sd, tmp, name))
		return 0;
	return -e;
}

/* P7.  1: the claim of n is real; 0: it was stale (tmp/T now has another
 * name, in txn->tmp, and cur/n is removed); or -errno, outcome unknown. */
static int check_claim(statusdir_txn *txn, uint64_t n, uint64_t *low)
{
	statusdir *sd = txn->sd;
	char fresh[NAME_MAX + 1], name[STATUSDIR_ID_SIZE];
	uint8_t u[16];
	int r = statusdir__low_read(sd, low);
	if (r < 0)
		return r;
	if (n > *low) {
		/* "checked": from now on a cleaner leaves the claim alone.  If
		 * the unlink fails twice the claim is still real; a cleaner
		 * validates it before it frees the number (R2), as after a
		 * crash here */
		if (unlinkat(sd->tmp_fd, txn->tmp, 0) != 0 && errno != ENOENT)
			(void)unlinkat(sd->tmp_fd, txn->tmp, 0);
		return 1;
	}
	/* n <= L: stale, unless a cleaner validated it before raising L; the
	 * rename is the atomic test of tmp/T that keeps the file */
	statusdir__random16(u);
	r = statusdir__tmp_name(&sd->me, u, fresh, sizeof(fresh));
	if (r < 0)
		return r;
	if (renameat(sd->tmp_fd, txn->tmp, sd->tmp_fd, fresh) != 0) {
		if (errno != ENOENT)
			return -errno;
		if (statusdir__mono_ns() - txn->begin_mono > CHECK_AGE_LIMIT_NS)
			return -ETIMEDOUT;
		return 1; /* validated by a cleaner: real */
	}
	memcpy(txn->tmp, fresh, strlen(fresh) + 1);
	statusdir__number_format(n, name);
	if (unlinkat(sd->cur_fd, name, 0) != 0 && errno != ENOENT && errno != ESTALE)
		return -errno; /* a stale claim at or below L: readers ignore it */
	return 0;
}

/* The greatest number now, for a fresh handle or after others got ahead:
 * 0 with *low in an empty store. */
static int greatest_now(statusdir *sd, uint64_t from, uint64_t *greatest, uint64_t *low)
{
	int r = statusdir__low_read(sd, low);
	if (r == 0)
		r = statusdir__search(sd, from, *low, greatest);
	return r;
}

/* If-changed: 1 if version k holds the bytes of txn, 0 if not (or if k is
 * no version), -errno. */
static int same_as_number(statusdir_txn *txn, uint64_t k)
{
	statusdir *sd = txn->sd;
	struct statusdir_version v;
	uint64_t file_size;
	int fd = -1;
	if (k == 0)
		return 0;
	int r = statusdir__open_number(sd, k, &fd, &v, &file_size);
	if (r != 0)
		return r == -ENOENT || r == -EBADMSG || r == STATUSDIR__LOST ? 0 : r;
	r = 0;
	if (v.size == txn->size && file_size == v.size &&
	    v.checksum == statusdir__sum_digest(txn->sum)) {
		int a = openat(sd->tmp_fd, txn->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		r = a < 0 ? -errno : statusdir__same_bytes(a, fd, v.size);
		statusdir__close(a);
	}
	statusdir__close(fd);
	return r;
}

static void put_number(char *id, uint64_t n)
{
	if (!id)
		return;
	if (n == 0)
		id[0] = '\0';
	else {
		char name[STATUSDIR_ID_SIZE];
		statusdir__number_format(n, name);
		memcpy(id, name, sizeof(name));
	}
}

/* A conditional put lost: nothing is committed; id names the newest. */
/* How often conflict() looks again when retention moved L under its
 * search: it never frees the greatest, so nothing above L means L rose. */
#define CONFLICT_LOOKS 100

static int conflict(statusdir_txn *txn, uint64_t from, char *id)
{
	uint64_t greatest = 0, low = 0;
	statusdir *sd = txn->sd;
	statusdir_put_abort(txn);
	for (int i = 0; i < CONFLICT_LOOKS; i++) {
		if (greatest_now(sd, from, &greatest, &low) < 0)
			greatest = 0;
		if (greatest || !low)
			break;
		from = low + 1;
	}
	put_number(id, greatest);
	return -ECANCELED;
}

/* The base of a conditional put: 0 for "", its number otherwise. */
static int parse_base(const char *base, uint64_t *b)
{
	if (!*base) {
		*b = 0;
		return 0;
	}
	if (base[0] == '@' || !statusdir__number_parse(base, b))
		return -EINVAL;
	return 0;
}

/* P2a and P3: metadata, then the bytes and it on disk before the claim. */
static int seal_file(statusdir_txn *txn, bool sync, bool one_flush)
{
	struct version_meta m = {
		.size = txn->size,
		.checksum = statusdir__sum_digest(txn->sum),
		.time_ns = statusdir__now_ns(),
	};
	int r = txn->err;
	if (r == 0)
		r = statusdir__meta_set(txn->fd, &m);
	if (r == 0 && sync && !one_flush)
		r = statusdir__fsync(txn->fd);
	if (r == 0 && !one_flush) {
		r = statusdir__close(txn->fd);
		txn->fd = -1;
	}
	return r;
}

/* P5 to P7: the number this put holds, in *n; 1 if unchanged (version
 * *n - 1... given in *n), 0, or -errno.  On -ECANCELED and errors before
 * the claim, txn has been aborted. */
static int claim(statusdir_txn *txn, const char *base, uint64_t *claimed, char *id)
{
	statusdir *sd = txn->sd;
	bool if_changed = txn->flags & STATUSDIR_IF_CHANGED;
	uint64_t n, low = 0, greatest = 0;
	int r, taken = 0;
	if (base) {
		uint64_t b;
		r = parse_base(base, &b);
		/* the base must have been committed: a claim of b + 1 where b
		 * never was would leave a hole below it.  Numbers are dense, so
		 * one at or below a number this handle has seen was */
		if (r == 0 && b > sd->known && (r = statusdir__probe(sd, b)) == 0) {
			r = statusdir__low_read(sd, &low);
			if (r == 0)
				return b <= low ? conflict(txn, low + 1, id) : (statusdir_put_abort(txn), -ENOENT);
		}
		if (r < 0) {
			statusdir_put_abort(txn);
			return r;
		}
		n = b + 1;
	} else if (sd->known) {
		n = sd->known + 1;
	} else {
		r = greatest_now(sd, statusdir__hint_read(sd), &greatest, &low);
		if (r < 0) {
			statusdir_put_abort(txn);
			return r;
		}
		n = (greatest ? greatest : low) + 1;
	}
	for (;;) {
		if (n > NUMBER_MAX) {
			statusdir_put_abort(txn);
			return -EOVERFLOW;
		}
		/* if-changed compares with the newest: n - 1 only if n is free
		 * now (a handle's last number may be old); if the claim then
		 * meets another file, it compares again */
		/* if-changed compares with the newest: n - 1 only if n is free
		 * now (a handle's last number may be old; a conditional put's
		 * base is then no longer the newest, even with equal bytes); if
		 * the claim then meets another file, it compares again */
		if (if_changed && (r = statusdir__probe(sd, n)) != 0) {
			if (r > 0 && base)
				return conflict(txn, n, id);
			if (r > 0)
				r = greatest_now(sd, n, &greatest, &low);
			if (r < 0) {
				statusdir_put_abort(txn);
				return r;
			}
			n = (greatest > n ? greatest : n) + 1;
			continue;
		}
		if (if_changed && (r = same_as_number(txn, n - 1)) != 0) {
			statusdir_put_abort(txn);
			if (r < 0)
				return r;
			*claimed = n - 1;
			return 1;
		}
		r = link_claim(sd, txn->tmp, n);
		if (r == -EEXIST) {
			if (base)
				return conflict(txn, n, id);
			if (++taken < STEPS_BEFORE_SEARCH) {
				n++;
				continue;
			}
			taken = 0;
			r = greatest_now(sd, n, &greatest, &low);
			if (r == 0) {
				n = (greatest > n ? greatest : n) + 1;
				continue;
			}
		}
		if (r < 0) {
			statusdir_put_abort(txn);
			return r;
		}
		r = check_claim(txn, n, &low);
		if (r == 1)
			break;
		if (r < 0) {
			/* the claim may be real: never removed, never reported
			 * as a conflict; the caller learns its number */
			put_number(id, n);
			statusdir__close(txn->fd);
			statusdir__txn_free(txn);
			return r;
		}
		/* stale: it never was a version */
		if (base)
			return conflict(txn, low + 1, id);
		n = low + 1;
	}
	*claimed = n;
	return 0;
}

int statusdir__claim_commit(statusdir_txn *txn, const char *base, char *id)
{
	statusdir *sd = txn->sd;
	bool sync = !(txn->flags & STATUSDIR_NOSYNC);
	bool one_flush = sync && (txn->flags & STATUSDIR_ONE_FLUSH);
	uint64_t n = 0;
	/* base may be id itself (put_if(sd, id, ..., id) in a loop): keep it
	 * before id is written; one too long for the copy is no id */
	char base_copy[STATUSDIR_ID_SIZE];
	size_t base_len = base ? strnlen(base, sizeof(base_copy)) : 0;
	bool base_fits = base_len < sizeof(base_copy);
	if (base && base_fits)
		base = memcpy(base_copy, base, base_len + 1);
	if (id) /* until a number is claimed, a failure names nothing */
		id[0] = '\0';
	if (!base_fits) {
		statusdir_put_abort(txn);
		return -EINVAL;
	}
	int r = seal_file(txn, sync, one_flush);
	/* a claim that a power cut may lose while later ones survive: the
	 * marker first, so that the next boot seals what is lost (recover.c) */
	if (r == 0 && (!sync || one_flush))
		r = statusdir__mark_unsynced(sd);
	if (r < 0) {
		statusdir_put_abort(txn);
		return r;
	}
	r = claim(txn, base, &n, id);
	if (r == 1) {
		if (n > sd->known)
			sd->known = n;
		put_number(id, n);
		return STATUSDIR_UNCHANGED;
	}
	if (r < 0)
		return r; /* txn is gone */
	if (n > sd->known)
		sd->known = n;
	put_number(id, n); /* from here the version is committed, whatever fails */
	/* one flush: bytes, attribute and the name cur/n in one */
	bool sweep;
	r = statusdir__flush_committed(txn, &sweep);
	if (r < 0)
		return r; /* committed, perhaps not durable: the id says which */
	if (n % HINT_EVERY == 0)
		statusdir__hint_set(sd, n);
	if (statusdir__retention_due(sd)) { /* best effort: committed anyway */
		char name[STATUSDIR_ID_SIZE];
		statusdir__number_format(n, name);
		(void)statusdir__apply_retention(sd, name);
	}
	if (sweep) /* committed: what the sweep meets changes nothing */
		(void)statusdir__tmp_sweep(sd, 0, TMP_SWEEP_GONE, NULL, NULL);
	return 0;
}
