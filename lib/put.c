/* SPDX-License-Identifier: MIT */
/* put.c - the put protocol (spec/protocol.md, "put").
 *
 *  1. create tmp/NAME with O_CREAT|O_EXCL (NAME says who writes it)
 *  2. write every byte, hashing as we go
 *  3. fsync the file (a failed fsync fails the put; never retried)
 *  4. choose the id: time = max(now, greatest id in cur/ + 1ns, ...)
 *  5. move tmp/NAME to cur/ID without ever replacing a name:
 *     renameat2(RENAME_NOREPLACE), or link+unlink where that is EINVAL
 *  6. fsync cur/ so the new name survives a power cut; the first put of
 *     a store also leaves STORE/has-versions (see read.c)
 *     With STATUSDIR_ONE_FLUSH step 3 moves here instead of this fsync:
 *     the file, still open, is fsync'd once it is in cur/ (spec/protocol.md,
 *     "One flush").
 *  7. move versions beyond the head from cur/ to old/ (best effort), then
 *     apply the recorded retention and, on one put in K, sweep tmp/ of
 *     files whose writer is gone (best effort as well)
 * Before step 5 a failure removes tmp/NAME; the previous newest is never
 * touched. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

/* How many fresh unique parts to try if an id exists already: a repeat of
 * 122 random bits means something is badly wrong, so give up quickly. */
#define ID_TRIES 4

static int rename_noreplace(int from_dir, const char *from, int to_dir,
                            const char *to)
{
#if defined(HAVE_RENAMEAT2)
	if (renameat2(from_dir, from, to_dir, to, RENAME_NOREPLACE) == 0)
		return 0;
#elif defined(SYS_renameat2)
	if (syscall(SYS_renameat2, from_dir, from, to_dir, to, RENAME_NOREPLACE) == 0)
		return 0;
#else
	errno = ENOSYS;
#endif
	return -errno;
}

/* NFS may answer EEXIST to a retransmitted link(2) that did succeed: the
 * name then holds our own file, and the put is done. */
bool statusdir__same_file(statusdir *sd, const char *tmp, const char *id)
{
	struct stat a, b;
	return fstatat(sd->tmp_fd, tmp, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
	       fstatat(sd->cur_fd, id, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Step 5.  Both ways fail with EEXIST rather than replace a version. */
static int publish(statusdir *sd, const char *tmp, const char *id)
{
	int r = rename_noreplace(sd->tmp_fd, tmp, sd->cur_fd, id);
	if (r != -EINVAL && r != -ENOSYS)
		return r;
	/* filesystems without RENAME_NOREPLACE: link(2) never replaces */
	if (linkat(sd->tmp_fd, tmp, sd->cur_fd, id, 0) != 0) {
		int e = errno;
		if (!(e == EEXIST && statusdir__same_file(sd, tmp, id)))
			return -e;
	}
	/* committed; a tmp/ name left by a failed unlink is swept later */
	(void)unlinkat(sd->tmp_fd, tmp, 0);
	return 0;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/* Step 4: the time of a new id.  A put that starts after another returned
 * sees that id in cur/ and goes past it, even if the clock stepped back.
 * -EOVERFLOW once an id holds the last representable time. */
static int next_time(statusdir *sd, const struct name_list *cur, int64_t *t)
{
	int64_t greatest = sd->last_time;
	struct statusdir_version v;
	if (cur->n > 0 && statusdir_id_parse(cur->names[0], &v) == 0)
		greatest = max64(greatest, v.time_ns);
	if (greatest == INT64_MAX)
		return -EOVERFLOW;
	*t = max64(statusdir__now_ns(), greatest + 1);
	return 0;
}

static int move_into_cur(statusdir_txn *txn, struct name_list *cur, char *id)
{
	statusdir *sd = txn->sd;
	struct id_parts parts = {
		.size = txn->size,
		.checksum = statusdir__sum_digest(txn->sum),
	};
	int r = next_time(sd, cur, &parts.time_ns);
	if (r < 0)
		return r;
	r = -EEXIST;
	memcpy(parts.unique, txn->unique, sizeof(parts.unique));
	for (int i = 0; i < ID_TRIES && r == -EEXIST; i++) {
		if (i > 0) /* taken: draw another */
			statusdir__random16(parts.unique);
		statusdir__id_format(&parts, id);
		r = publish(sd, txn->tmp, id);
	}
	if (r == 0)
		sd->last_time = parts.time_ns;
	return r;
}

/* Step 1.  The name is this writer's alone (its identity and 128 random
 * bits), so EEXIST can only be a network filesystem's answer to a create
 * it retransmitted after doing it (NFS and FUSE clients may): that empty
 * file is ours, so it is removed and another name drawn. */
static int create_tmp(statusdir *sd, statusdir_txn *txn)
{
	/* the kernel applies the umask to 0666; a recorded mode is set by the
	 * caller, whatever the umask, so every writer's versions look alike */
	mode_t mode = sd->cfg.mode ? sd->cfg.mode : 0666;
	for (int i = 0;; i++) {
		/* format 1's ids take this as their unique part: the kernel's
		 * bits; format 2's only name the tmp/ file */
		if (sd->format == 2)
			statusdir__random16_handle(sd, txn->unique);
		else
			statusdir__random16(txn->unique);
		int r = statusdir__tmp_name(&sd->me, txn->unique, txn->tmp, sizeof(txn->tmp));
		if (r < 0)
			return r;
		txn->fd = openat(sd->tmp_fd, txn->tmp,
		                 O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (txn->fd >= 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
		(void)unlinkat(sd->tmp_fd, txn->tmp, 0); /* ours, as said above */
		if (i + 1 == ID_TRIES)
			return -EEXIST;
	}
}

int statusdir_put_begin(statusdir *sd, unsigned flags, statusdir_txn **out)
{
	if (!sd || !out ||
	    (flags & ~(unsigned)(STATUSDIR_NOSYNC | STATUSDIR_IF_CHANGED | STATUSDIR_ONE_FLUSH)))
		return -EINVAL;
	int r = statusdir__writable(sd);
	if (r == 0) /* mode and retention may have changed since open */
		r = statusdir__format_refresh(sd);
	/* replaced through another client of a network filesystem, whose new
	 * file this one cannot read yet (format.c tried again): this put keeps
	 * the settings it has, as if it began before the change; the next put
	 * looks again */
	if (r == -ESTALE)
		r = 0;
	if (r < 0)
		return r;
	statusdir__identity_refresh(&sd->me, statusdir__pid(sd)); /* after a fork */
	statusdir_txn *txn = calloc(1, sizeof(*txn));
	if (!txn)
		return -ENOMEM;
	txn->sd = sd;
	txn->flags = flags;
	txn->begin_mono = statusdir__mono_ns();
	txn->sum = statusdir__sum_new();
	if (!txn->sum) {
		free(txn);
		return -ENOMEM;
	}
	r = create_tmp(sd, txn);
	if (r < 0) {
		statusdir__sum_free(txn->sum);
		free(txn);
		return r;
	}
	if (sd->cfg.mode && fchmod(txn->fd, sd->cfg.mode) != 0) {
		r = -errno;
		statusdir_put_abort(txn);
		return r;
	}
	*out = txn;
	return 0;
}

int statusdir_put_write(statusdir_txn *txn, const void *buf, size_t len)
{
	if (!txn || (!buf && len))
		return -EINVAL;
	if (txn->err)
		return txn->err;
	int r = statusdir__write_all(txn->fd, buf, len);
	if (r < 0)
		return txn->err = r;
	statusdir__sum_update(txn->sum, buf, len);
	txn->size += len;
	return 0;
}

void statusdir__txn_free(statusdir_txn *txn)
{
	statusdir__sum_free(txn->sum);
	free(txn);
}

void statusdir_put_abort(statusdir_txn *txn)
{
	if (!txn)
		return;
	statusdir__close(txn->fd);
	(void)unlinkat(txn->sd->tmp_fd, txn->tmp, 0); /* nothing else to do */
	statusdir__txn_free(txn);
}

/* Compares two open files from the start; 1 same bytes, 0 not, -errno. */
int statusdir__same_bytes(int a, int b, uint64_t size)
{
	enum { CHUNK = 64 * 1024 };
	char *x = malloc(2 * CHUNK);
	if (!x)
		return -ENOMEM;
	int r = 1;
	for (uint64_t off = 0; r == 1 && off < size; off += CHUNK) {
		size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		ssize_t m = pread(a, x, want, (off_t)off), n = pread(b, x + CHUNK, want, (off_t)off);
		if (m < 0 || n < 0)
			r = -errno;
		else if ((size_t)m != want || (size_t)n != want || memcmp(x, x + CHUNK, want) != 0)
			r = 0;
	}
	free(x);
	return r;
}

/* put --if-changed: 1 if the newest version already holds these bytes.
 * Size and checksum from its id decide cheaply; the bytes confirm. */
static int same_as_newest(statusdir_txn *txn, const char *newest)
{
	struct statusdir_version v;
	statusdir *sd = txn->sd;
	uint64_t file_size;
	int b = -1;
	if (statusdir_id_parse(newest, &v) < 0 || v.size != txn->size ||
	    v.checksum != statusdir__sum_digest(txn->sum))
		return 0;
	/* gone, or not the size its id says (damaged): not the same */
	if (statusdir__open_version(sd, newest, &b, &v, &file_size) < 0 || file_size != v.size) {
		statusdir__close(b);
		return 0;
	}
	int a = openat(sd->tmp_fd, txn->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int r = a < 0 ? 0 : statusdir__same_bytes(a, b, v.size);
	statusdir__close(a);
	statusdir__close(b);
	return r;
}

/* Step 6b: the first put of a store leaves STORE/has-versions (see
 * read.c), made durable like the version itself.  Once per handle a
 * fstatat; once per store a create and an fsync. */
int statusdir__mark_has_versions(statusdir *sd, bool sync)
{
	struct stat st;
	if (sd->marked)
		return 0;
	if (fstatat(sd->root_fd, STATUSDIR__MARKER, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			return -errno;
		/* the first puts of several writers may all come here */
		int fd = statusdir__open_or_create(sd->root_fd, STATUSDIR__MARKER, 0666);
		if (fd < 0)
			return fd;
		int r = sync ? statusdir__fsync(fd) : 0;
		int c = statusdir__close(fd);
		r = r ? r : c;
		if (r == 0 && sync)
			r = statusdir__fsync(sd->root_fd);
		if (r < 0)
			return r;
	}
	sd->marked = true;
	return 0;
}

/* Retention lists the whole history, so a handle applies it on its first
 * put and then on every K-th (K = keep/16, 1 to 64; 16 for an age limit
 * alone).  A one-put process such as the CLI applies it every time; a
 * long-lived writer lets up to about keep + K versions exist between two
 * clean-ups, and each clean-up removes all that is due. */
bool statusdir__retention_due(statusdir *sd)
{
	const struct statusdir_config *c = &sd->cfg;
	if (!c->keep && !c->max_age_ns)
		return false;
	uint64_t k = c->keep ? c->keep / 16 : 16;
	k = k < 1 ? 1 : k > 64 ? 64 : k;
	return sd->puts++ % k == 0;
}

/* What killed writers left in tmp/ is swept by a put too, so that a store
 * without a prune job does not fill up with it (spec/protocol.md, P10a and
 * section 7).  Listing tmp/ costs an open, a getdents, a close and a stat
 * per file, so only one put in K sweeps: K = 64 spreads that over 64 puts,
 * and a killed put's file is still gone after about 64 completed puts on
 * average (each sweep takes every such file).  The draw is the first 32
 * bits of the put's own random unique part (random.c), which are uniform:
 * no extra syscall, no state.  Not on a handle's first put: a CLI put is a
 * process's only put, and would list tmp/ every time.  K = 0: never. */
bool statusdir__tmp_sweep_due(const statusdir *sd, const uint8_t u[16])
{
	uint32_t k = sd->tmp_sweep_every;
	uint32_t draw = (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 |
	                (uint32_t)u[3] << 24;
	return k != 0 && draw % k == 0;
}

int statusdir__flush_committed(statusdir_txn *txn, bool *sweep)
{
	statusdir *sd = txn->sd;
	bool sync = !(txn->flags & STATUSDIR_NOSYNC);
	int r = 0;
	if (sync && (txn->flags & STATUSDIR_ONE_FLUSH)) {
		/* data, inode and the new name in cur/ in one flush */
		r = statusdir__fsync(txn->fd);
		/* after a successful fsync a failed close loses nothing */
		(void)statusdir__close(txn->fd);
	} else if (sync) {
		r = statusdir__fsync(sd->cur_fd);
	}
	*sweep = statusdir__tmp_sweep_due(sd, txn->unique);
	statusdir__txn_free(txn);
	return r == 0 ? statusdir__mark_has_versions(sd, sync) : r;
}

/* Steps 3 to 7. */
int statusdir_put_commit(statusdir_txn *txn, char *id)
{
	char new_id[STATUSDIR_ID_SIZE];
	struct name_list cur = { 0 };
	if (!txn)
		return -EINVAL;
	statusdir *sd = txn->sd;
	if (sd->format == 2)
		return statusdir__claim_commit(txn, NULL, id);
	bool sync = !(txn->flags & STATUSDIR_NOSYNC);
	bool one_flush = sync && (txn->flags & STATUSDIR_ONE_FLUSH);
	int r = txn->err;
	if (r == 0 && sync && !one_flush)
		r = statusdir__fsync(txn->fd);
	if (r == 0 && !one_flush) {
		r = statusdir__close(txn->fd);
		txn->fd = -1;
	}
	if (r == 0)
		r = statusdir__list_cur(sd, &cur);
	statusdir__name_list_sort_desc(&cur);
	if (r == 0 && (txn->flags & STATUSDIR_IF_CHANGED) && cur.n > 0 &&
	    (r = same_as_newest(txn, cur.names[0])) == 1) {
		if (id)
			memcpy(id, cur.names[0], strlen(cur.names[0]) + 1);
		statusdir__name_list_free(&cur);
		statusdir_put_abort(txn);
		return STATUSDIR_UNCHANGED;
	}
	if (r == 0)
		r = move_into_cur(txn, &cur, new_id);
	if (r < 0) {
		statusdir__name_list_free(&cur);
		statusdir_put_abort(txn);
		return r;
	}
	bool sweep;
	r = statusdir__flush_committed(txn, &sweep);
	if (r < 0) {
		/* readers may have seen it; a crash may bring it back */
		(void)unlinkat(sd->cur_fd, new_id, 0);
		statusdir__name_list_free(&cur);
		return r;
	}
	statusdir__head_trim(sd, &cur, new_id, NULL, NULL);
	statusdir__name_list_free(&cur);
	/* best effort, like the head trim: the put has committed */
	if (statusdir__retention_due(sd))
		(void)statusdir__apply_retention(sd, new_id);
	if (sweep) /* the put has committed: what the sweep meets changes nothing */
		(void)statusdir__tmp_sweep(sd, 0, TMP_SWEEP_GONE, NULL, NULL);
	if (id)
		memcpy(id, new_id, strlen(new_id) + 1);
	return 0;
}

int statusdir_put_commit_if(statusdir_txn *txn, const char *base, char *id)
{
	if (!txn)
		return -EINVAL;
	if (!base || txn->sd->format != 2) {
		int r = !base ? -EINVAL : -EOPNOTSUPP;
		statusdir_put_abort(txn);
		return r;
	}
	return statusdir__claim_commit(txn, base, id);
}

/* A put of one buffer, plain (base NULL) or conditional. */
static int put_buffer(statusdir *sd, const char *base, const void *buf, size_t len,
                      unsigned flags, char *id)
{
	statusdir_txn *txn;
	int r = statusdir_put_begin(sd, flags, &txn);
	if (r < 0)
		return r;
	r = statusdir_put_write(txn, buf, len);
	if (r < 0) {
		statusdir_put_abort(txn);
		return r;
	}
	return base ? statusdir_put_commit_if(txn, base, id) : statusdir_put_commit(txn, id);
}

int statusdir_put_if(statusdir *sd, const char *base, const void *buf, size_t len,
                     unsigned flags, char *id)
{
	if (!sd || !base)
		return -EINVAL;
	if (sd->format != 2)
		return -EOPNOTSUPP;
	return put_buffer(sd, base, buf, len, flags, id);
}

int statusdir_put(statusdir *sd, const void *buf, size_t len, unsigned flags,
                  char *id)
{
	return put_buffer(sd, NULL, buf, len, flags, id);
}

/* Streams fd into the transaction in chunks, so memory stays flat. */
int statusdir_put_fd(statusdir *sd, int fd, unsigned flags, char *id)
{
	enum { CHUNK = 128 * 1024 };
	statusdir_txn *txn;
	int r = statusdir_put_begin(sd, flags, &txn);
	if (r < 0)
		return r;
	char *buf = malloc(CHUNK);
	r = buf ? 0 : -ENOMEM;
	while (r == 0) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? -errno : 1;
			break;
		}
		r = statusdir_put_write(txn, buf, (size_t)n);
	}
	free(buf);
	if (r == 1)
		return statusdir_put_commit(txn, id);
	statusdir_put_abort(txn);
	return r;
}
