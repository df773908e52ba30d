/* rollback.c - committing an old version's bytes again as the newest.
 * History is never rewritten: the old version stays where it is, and the
 * new one is an ordinary put (same size and checksum, a new id). */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* Streams fd (size bytes, from offset 0) into the transaction. */
static int copy_into(statusdir_txn *txn, int fd, uint64_t size)
{
	enum { CHUNK = 128 * 1024 };
	char *buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	int r = 0;
	for (uint64_t off = 0; r == 0 && off < size;) {
		size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		ssize_t n = pread(fd, buf, want, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = n < 0 ? -errno : -EBADMSG;
		else {
			r = statusdir_put_write(txn, buf, (size_t)n);
			off += (uint64_t)n;
		}
	}
	free(buf);
	return r;
}

int statusdir_rollback(statusdir *sd, const char *id, unsigned flags, char *new_id)
{
	struct statusdir_version v;
	statusdir_txn *txn;
	int fd = -1;
	if (!sd || !id || !*id)
		return -EINVAL;
	int r = statusdir__open_version(sd, id, &fd, &v, NULL);
	if (r < 0)
		return r;
	r = statusdir__check_version(fd, &v); /* never re-commit damage */
	if (r == 0)
		r = statusdir_put_begin(sd, flags, &txn);
	if (r == 0) {
		r = copy_into(txn, fd, v.size);
		if (r == 0)
			r = statusdir_put_commit(txn, new_id);
		else
			statusdir_put_abort(txn);
	}
	statusdir__close(fd);
	return r;
}
