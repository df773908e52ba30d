/* SPDX-License-Identifier: MIT */
/* statusdir.h - a maildir-style, multi-version status store.
 *
 * A store is a directory.  Writers put complete versions without locks,
 * readers always get a complete version, a cleaner prunes old ones.  The
 * on-disk format and every protocol step are specified in spec/ and in
 * statusdir(5); this header is the reference for the C API.
 *
 * Calling sequence
 * ----------------
 *     statusdir *sd;
 *     char id[STATUSDIR_ID_SIZE];
 *     int r = statusdir_open("/var/lib/app/status", STATUSDIR_CREATE, NULL, &sd);
 *     if (r < 0) { fprintf(stderr, "%s\n", statusdir_strerror(r)); ... }
 *     r = statusdir_put(sd, "ok\n", 3, 0, id);          // id names the new version
 *     r = statusdir_get_fd(sd, NULL, STDOUT_FILENO, 0, id); // newest, to stdout
 *     statusdir_close(sd);
 *
 * Error model
 * -----------
 * Every function that can fail returns 0 (or a count) on success and a
 * negative errno value on failure; errno itself is unspecified afterwards.
 * Two successes carry news and have positive values of their own, which
 * are not errno codes: STATUSDIR_UNCHANGED (1, a put with
 * STATUSDIR_IF_CHANGED committed nothing) and STATUSDIR_HEALED (2, a read
 * of the newest returned an older, intact version).  So r < 0 is a
 * failure, r >= 0 a success, and the sign tells whose code it is.
 * statusdir_strerror() turns any of them into text.  Errno codes with a
 * meaning of their own here:
 *   -ENOENT           the store is empty, or there is no version with that
 *                     id (open: the store path does not exist)
 *   -EINVAL           an argument is invalid, e.g. an id that does not
 *                     match the grammar of statusdir(5)
 *   -EBADMSG          a version is damaged: its size or checksum does not
 *                     match its id
 *   -EMEDIUMTYPE      the directory is not a statusdir store
 *   -ENOTEMPTY        create: the directory holds files and is not a store
 *   -EPROTONOSUPPORT  the store's format file names a format version or
 *                     checksum this library does not know, or is malformed
 *   -ELOOP            cur/, tmp/ or old/ is a symbolic link (refused)
 *   -EMSGSIZE         statusdir_get(): the caller's buffer is too small
 *   -EAGAIN           a reader lost the race with writers too many times in
 *                     a row (practically never; try again)
 *   -ECANCELED        a conditional put lost: the newest version is no
 *                     longer the one it was based on (statusdir_put_if())
 *   -EOPNOTSUPP       the store's filesystem lacks what format 2 needs
 *                     (user extended attributes), or the call needs a
 *                     format-2 store
 *   -EBUSY            an upgrade to format 2 is under way (or was
 *                     interrupted): every open fails until
 *                     statusdir_upgrade() has finished it
 *   -EALREADY         statusdir_upgrade(): another upgrade of the store
 *                     is running
 * Anything else is the errno of the system call that failed (-EIO, -ENOSPC,
 * -EDQUOT, -EACCES, -EROFS, ...).
 *
 * Ownership and threads
 * ---------------------
 * Strings passed in are only read and never kept after the call returns.
 * Memory returned through an out-pointer belongs to the caller and is freed
 * with the function named at that call.  A statusdir handle may be used by
 * one thread at a time: use one handle per thread, or serialise calls.
 * Different handles, in one process or many, may use the same store at once;
 * that is what the store is for.  The library keeps no global mutable state,
 * never prints and never exits.  File descriptors it opens are O_CLOEXEC.
 */
#ifndef STATUSDIR_H
#define STATUSDIR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(STATUSDIR_BUILDING)
#define STATUSDIR_API __attribute__((visibility("default")))
#else
#define STATUSDIR_API
#endif

/* Longest version id, in bytes, and the buffer size that holds it with its
 * terminating NUL.  Ids look like
 * 1795808023123456789.0f1e2d3c4b5a69788796a5b4c3d2e1f0.4096.1a2b3c4d5e6f7a8b
 * (time in ns, unique part, payload size, XXH3-64 of the payload). */
#define STATUSDIR_ID_MAX 90
#define STATUSDIR_ID_SIZE (STATUSDIR_ID_MAX + 1)

/* How many of the newest versions stay in cur/; older ones are moved to
 * old/ by every put and prune (see statusdir(5)). */
#define STATUSDIR_HEAD 8

typedef struct statusdir statusdir;

/* Settings recorded in the store's format file. */
struct statusdir_config {
	unsigned mode;      /* permission bits applied to every version (and,
	                       with x added where r is, to the folders);
	                       0: not recorded, the writer's umask decides */
	int64_t gid;        /* group of the store's folders, which are made
	                       setgid so versions inherit it; -1: not recorded */
	uint64_t keep;      /* retention: keep at most this many versions;
	                       0: no count limit.  Puts apply it after
	                       committing, amortised: a handle's first put,
	                       then every (keep/16)-th (1 to 64), removes all
	                       that is due, so a long-lived writer may leave
	                       up to about keep + keep/16 versions between
	                       clean-ups.  statusdir_prune() takes its own
	                       policy; the CLI's plain prune passes this */
	int64_t max_age_ns; /* retention: remove versions older than this;
	                       0: no age limit.  Applied as keep is (every
	                       16th put of a handle when there is no keep) */
};

/* Fills *cfg with the defaults: nothing recorded. */
STATUSDIR_API void statusdir_config_init(struct statusdir_config *cfg);

/* ---- Opening and closing ---------------------------------------------- */

enum {
	STATUSDIR_CREATE = 1 << 0,   /* create the store if it does not exist */
	STATUSDIR_READONLY = 1 << 1, /* never write: put, prune (except a dry
	                                run) and config fail with -EROFS */
	STATUSDIR_FORMAT2 = 1 << 2,  /* with STATUSDIR_CREATE: a new store is
	                                made in format 2, where publishing a
	                                version claims the next number (ids
	                                are 20-digit numbers in commit order;
	                                statusdir(5)).  Needs user extended
	                                attributes (-EOPNOTSUPP without).
	                                An existing store keeps its format */
};

/* The format of the store the handle has open: 1 or 2 (statusdir(5)). */
STATUSDIR_API int statusdir_format(const statusdir *sd);

/* Opens the store at path (which may itself be a symlink) and stores a new
 * handle in *out.  With STATUSDIR_CREATE a missing store is created,
 * with cfg as its settings (NULL: defaults), and the new directories and
 * their parent are fsync'd; an existing store is opened as it is (compare
 * statusdir_config_get() to cfg to tell).  An empty directory, or one left
 * by an interrupted create, becomes a store; any other non-store directory
 * is refused with -ENOTEMPTY.  Without STATUSDIR_CREATE a directory that is
 * not a store gives -EMEDIUMTYPE.  Only read access is needed unless
 * writing.  On failure *out is left untouched.
 * Returns 0, -ENOENT, -ENOTDIR, -EMEDIUMTYPE, -ENOTEMPTY,
 * -EPROTONOSUPPORT, -ELOOP, -EACCES, -ENOMEM, ... */
STATUSDIR_API int statusdir_open(const char *path, unsigned flags,
                                 const struct statusdir_config *cfg,
                                 statusdir **out);

/* Frees the handle and closes its descriptors.  NULL is allowed. */
STATUSDIR_API void statusdir_close(statusdir *sd);

/* The settings recorded in the store, as of the last open or config_set. */
STATUSDIR_API int statusdir_config_get(const statusdir *sd,
                                       struct statusdir_config *cfg);

/* Records cfg in the store (the format file is replaced atomically) and
 * applies mode and group to the store's folders.  Versions already written
 * keep their mode.  Returns 0, -EINVAL, -EPERM, -EIO, ... */
STATUSDIR_API int statusdir_config_set(statusdir *sd,
                                       const struct statusdir_config *cfg);

/* ---- Writing ------------------------------------------------------------ */

enum {
	STATUSDIR_NOSYNC = 1 << 0, /* skip both fsyncs: the version is committed
	                              (readers see it complete) but may be lost,
	                              or vanish, on a power cut */
	STATUSDIR_IF_CHANGED = 1 << 1, /* commit nothing if the newest version
	                                  holds the same bytes (compared by size
	                                  and checksum, confirmed byte by byte):
	                                  the put returns STATUSDIR_UNCHANGED and
	                                  that version's id */
	STATUSDIR_ONE_FLUSH = 1 << 2, /* durable with one flush instead of
	                                 two: the file is moved into cur/
	                                 unsynced and fsync'd there, which
	                                 on Linux's ext4, xfs and btrfs also
	                                 makes its new name durable (POSIX
	                                 does not promise it).  A crash
	                                 before the put returns may leave
	                                 that version damaged; gets skip it
	                                 by its size and checksum (not with
	                                 STATUSDIR_GET_NOVERIFY).  See
	                                 statusdir(5), "One flush" */
};

/* Returned by a put with STATUSDIR_IF_CHANGED that committed nothing.
 * This is no compare-and-set: two writers that read, modify and put can
 * still overwrite each other's change (there is no lock); in a format-2
 * store statusdir_put_if() is one. */
#define STATUSDIR_UNCHANGED 1 /* a result, not an errno: see "Error model" */

/* Puts len bytes from buf as a new version, the newest, and writes its id,
 * NUL-terminated, into id (STATUSDIR_ID_SIZE bytes; may be NULL).  Returns
 * 0 only once the version is durable (or committed, with
 * STATUSDIR_NOSYNC).  On failure nothing is left in tmp/ or cur/ and the
 * previous newest is untouched, with one exception stated in statusdir(5):
 * if the fsync of cur/ fails after the move, the new version is removed
 * again best-effort and the fsync's error (e.g. -EIO) is returned; readers
 * may have seen it, and it may reappear after a crash.  In a format-2
 * store such a version stays instead (a reader may have handed it out, and
 * its number is never given again): the error is returned and id names
 * it, committed but perhaps not durable; a failure that leaves id empty
 * committed nothing.
 * Returns 0, -ENOSPC, -EDQUOT, -EIO, -EROFS, -EACCES, -ENOMEM, ... */
STATUSDIR_API int statusdir_put(statusdir *sd, const void *buf, size_t len,
                                unsigned flags, char *id);

/* As statusdir_put(), reading the payload from fd until end of file.  The
 * payload is streamed: memory use does not grow with its size.  fd is
 * read from its current offset and is not closed.  A read error from fd
 * fails the put with that error and leaves nothing behind. */
STATUSDIR_API int statusdir_put_fd(statusdir *sd, int fd, unsigned flags,
                                   char *id);

/* A put in steps, for producers that write as they go (the CLI's put --run
 * uses it): begin creates the file in tmp/, write appends to it, commit makes
 * it a version exactly as statusdir_put() would, abort removes it.
 *
 *     statusdir_txn *t = NULL;
 *     int r = statusdir_put_begin(sd, 0, &t);
 *     while (r == 0 && (n = read(...)) > 0)
 *             r = statusdir_put_write(t, buf, n);
 *     r = r == 0 ? statusdir_put_commit(t, id) : (statusdir_put_abort(t), r);
 *
 * commit and abort always free the transaction, whatever they return; a
 * transaction that saw an error from write can only be aborted (commit
 * returns that error and aborts).  A transaction must be ended before its
 * handle is closed. */
typedef struct statusdir_txn statusdir_txn;

STATUSDIR_API int statusdir_put_begin(statusdir *sd, unsigned flags,
                                      statusdir_txn **out);
STATUSDIR_API int statusdir_put_write(statusdir_txn *txn, const void *buf,
                                      size_t len);
STATUSDIR_API int statusdir_put_commit(statusdir_txn *txn, char *id);
/* Removes the tmp/ file and frees txn.  NULL is allowed. */
STATUSDIR_API void statusdir_put_abort(statusdir_txn *txn);

/* Compare-and-set (format 2).  Commits a version only if the newest
 * version is still base, the id of the version the caller read; base ""
 * means "only if the store has never had a version".  The new version's
 * number is then base + 1: no version was committed between the read and
 * this commit.  On a conflict nothing is committed and id (if not NULL)
 * receives the id of the version that was newest when the put looked (""
 * if none could be found).  A base that retention removed is a conflict;
 * "@N" is refused (it names whatever is newest, which defeats the check).
 * base and id may be one buffer.  A put that committed is never reported
 * as a conflict.
 * Returns 0, -ECANCELED (conflict), -ENOENT (base was never committed),
 * -EINVAL (base NULL or not an id), -EOPNOTSUPP (a format-1 store), or a
 * put error.  STATUSDIR_IF_CHANGED is honoured: bytes equal to base's give
 * STATUSDIR_UNCHANGED and base's id, with nothing committed. */
STATUSDIR_API int statusdir_put_if(statusdir *sd, const char *base,
                                   const void *buf, size_t len, unsigned flags,
                                   char *id);
/* statusdir_put_commit() with the condition of statusdir_put_if(); the
 * transaction is freed whatever it returns. */
STATUSDIR_API int statusdir_put_commit_if(statusdir_txn *txn, const char *base,
                                          char *id);

/* Commits the bytes of version id (a version id, or "@N": see "Naming a
 * version" below; NULL and "" are -EINVAL) again as a new, newest version
 * (the old one stays: history is never rewritten), after checking them
 * against the id.  flags and new_id as for statusdir_put().
 * Returns 0, STATUSDIR_UNCHANGED (with STATUSDIR_IF_CHANGED), -ENOENT (no
 * such version, or "@N" beyond the history), -EINVAL (not an id nor "@N"),
 * -EBADMSG (id is damaged), or a put error. */
STATUSDIR_API int statusdir_rollback(statusdir *sd, const char *id,
                                     unsigned flags, char *new_id);

/* ---- Reading ------------------------------------------------------------ */

/* Naming a version.  Every function that takes a version's id
 * (statusdir_get(), statusdir_get_alloc(), statusdir_get_fd(),
 * statusdir_read_fd(), statusdir_path(), statusdir_rollback()) also takes a
 * relative reference "@N": "@0" is the newest version, "@1" the one
 * before, and so on over the whole history, as statusdir_resolve() counts.
 * It is resolved once, at the start of the call, and the call then works
 * exactly as if given that id: found_id (or rd->id) names it, and "@0" of a
 * damaged newest gives -EBADMSG where NULL or "" would heal.  "@N" beyond
 * the history gives -ENOENT; a malformed reference ("@", "@x", "@-1",
 * "@1x") gives -EINVAL.  Versions committed or pruned between the call and
 * the next shift what "@N" names. */

/* Self-healing reads.  Every read checks the payload against the size and
 * checksum in its id before handing out a byte.  When the newest version is
 * asked for and turns out damaged, the newest intact version is returned
 * instead and the call returns STATUSDIR_HEALED, so a reader is never left
 * with nothing while an intact version exists.  A version asked for by id
 * is returned as it is or not at all (-EBADMSG). */
#define STATUSDIR_HEALED 2 /* a result, not an errno: see "Error model" */

enum {
	STATUSDIR_GET_STRICT = 1 << 0,   /* a damaged newest is -EBADMSG, no
	                                    fallback */
	STATUSDIR_GET_NOVERIFY = 1 << 1, /* skip the checksum (the size is still
	                                    compared): one pass less, and a
	                                    damaged version goes out as it is */
};

/* Reads the version id (NULL or "": the newest; or "@N") into buf, of cap bytes, and
 * stores its size in *len.  If found_id is not NULL the id that was read is
 * written there (STATUSDIR_ID_SIZE bytes).  The payload is checked against
 * the size and checksum in its id before returning.
 * Returns 0; STATUSDIR_HEALED (the newest was damaged: found_id names the
 * older, intact version in buf); -ENOENT (empty store, no such version);
 * -EINVAL (bad id); -EMSGSIZE (cap too small: *len is set to the size
 * needed and found_id to the version, which may be asked for by id;
 * statusdir_get_alloc() sizes the buffer itself);
 * -EBADMSG (damaged, and no intact version to fall back to). */
STATUSDIR_API int statusdir_get(statusdir *sd, const char *id, void *buf,
                                size_t cap, size_t *len, char *found_id);

/* Reads the version id (NULL or "": the newest; or "@N") into a newly
 * allocated buffer, stored in *buf with the payload's size in *len: no
 * buffer size to guess, no loop.  The buffer holds *len + 1 bytes, the
 * last a NUL, so it is never NULL (an empty version gives *len == 0 and
 * a buffer holding "") and a text payload can be used as a string; the
 * caller frees it with free().  The size is that of the version opened and
 * the bytes come from the same open file, so versions committed, moved or
 * pruned meanwhile do not matter.  Checked, and healed, as by
 * statusdir_get_fd(); flags: STATUSDIR_GET_*.  If found_id is not NULL the
 * id read is written there (STATUSDIR_ID_SIZE bytes).  On failure *buf,
 * *len and found_id are left untouched and nothing stays allocated.
 * Returns 0, STATUSDIR_HEALED, -ENOENT, -EINVAL (also for unknown flags),
 * -EBADMSG, -ENOMEM, -EIO, ... */
STATUSDIR_API int statusdir_get_alloc(statusdir *sd, const char *id,
                                      unsigned flags, void **buf, size_t *len,
                                      char *found_id);

/* Writes the version id (NULL or "": the newest; or "@N") to out_fd, which may be a
 * file, pipe, socket or terminal, in O_APPEND mode or not.  Size and
 * checksum are checked before the first byte is written (payloads over
 * 64 KiB are read twice, the second time from the page cache, so memory
 * stays flat).  flags: STATUSDIR_GET_*.  found_id as above.  An error
 * writing out_fd (e.g. -EPIPE) is returned as is.
 * Returns 0, STATUSDIR_HEALED, -ENOENT, -EINVAL, -EBADMSG, -EPIPE, -EIO, ... */
STATUSDIR_API int statusdir_get_fd(statusdir *sd, const char *id, int out_fd,
                                   unsigned flags, char *found_id);

/* What a read did, for callers that report it (the CLI warns about a
 * damaged newest).  Set flags before the call; the rest is filled in. */
struct statusdir_read {
	unsigned flags;                  /* in: STATUSDIR_GET_* */
	char id[STATUSDIR_ID_SIZE];      /* out: the version read */
	char damaged[STATUSDIR_ID_SIZE]; /* out: the damaged newest that was
	                                    skipped, or "" */
	unsigned skipped;                /* out: damaged versions skipped */
};

/* statusdir_get_fd() with a report of what was read and skipped. */
STATUSDIR_API int statusdir_read_fd(statusdir *sd, const char *id, int out_fd,
                                    struct statusdir_read *rd);

/* Stores in *path a newly allocated path of the file holding version id
 * (NULL or "": the newest; or "@N"): the store path given to statusdir_open()
 * followed by "/cur/ID" or "/old/ID".  The
 * caller frees it with free().  The file may be moved to old/ or pruned at
 * any time after this returns.  On failure *path is left untouched.
 * Returns 0, -ENOENT, -EINVAL, -ENOMEM. */
STATUSDIR_API int statusdir_path(statusdir *sd, const char *id, char **path);

/* One version, as listed. */
struct statusdir_version {
	char id[STATUSDIR_ID_SIZE];
	int64_t time_ns;    /* the id's time: ns since 1970-01-01 UTC */
	uint64_t size;      /* payload size in bytes, from the id */
	uint64_t checksum;  /* XXH3-64 of the payload, from the id */
	int in_head;        /* 1: found in cur/, 0: found in old/ */
};

/* Lists every version, newest first, into a newly allocated array stored in
 * *out with its length in *n (an empty store gives 0 and *out == NULL).
 * Free it with statusdir_list_free().  Junk (names that are not ids,
 * non-regular files, symlinks) is skipped.  A version moved from cur/ to
 * old/ during the call is listed once.  In a format-2 store time, size and
 * checksum come from each version's attribute; a damaged version (none,
 * or malformed) is listed with all three 0, which no intact version has;
 * numbers freed by retention and tombstones are not listed.
 * Returns 0, -ENOMEM, -EIO, ... */
STATUSDIR_API int statusdir_list(statusdir *sd, struct statusdir_version **out,
                                 size_t *n);
STATUSDIR_API void statusdir_list_free(struct statusdir_version *list);

/* ---- Listing the newest versions only ---- */

/* Lists the newest n versions (fewer if the store holds fewer), newest
 * first, into a newly allocated array stored in *out with its length in
 * *count, exactly as the first n entries of statusdir_list() would be;
 * n == 0, or an empty store, gives 0 and *out == NULL.  Free the array
 * with statusdir_list_free().  For n up to STATUSDIR_HEAD it reads only
 * cur/ (unless cur/ holds fewer than n versions), so its cost follows n,
 * not the length of the history; a greater n lists the whole store.  In a
 * format-2 store it walks down by number from the newest, for any n.
 * On failure *out is NULL and *count 0.  Returns 0, -EINVAL (sd, out or
 * count NULL), -ENOMEM, -EIO, ... */
STATUSDIR_API int statusdir_list_newest(statusdir *sd, size_t n,
                                        struct statusdir_version **out,
                                        size_t *count);

/* Lists the versions whose ids are greater than after (NULL or "": all),
 * OLDEST first, as statusdir_list() does otherwise.  A watcher calls it
 * with its watermark: it reads old/ only when the watermark fell behind the
 * head.  In a format-2 store after is a number and the numbers above it
 * are opened one by one, never listed; a number skipped in the result was
 * removed (or lost) before the call looked.
 * Returns 0, -EINVAL (after is not an id; in a format-2 store, not a
 * number), -ENOMEM, ... */
STATUSDIR_API int statusdir_list_since(statusdir *sd, const char *after,
                                       struct statusdir_version **out,
                                       size_t *n);

/* Format 2: of the numbers between after (NULL or "": 0) and before, both
 * excluded, how many were lost in a power cut (each sealed by a tombstone)
 * rather than freed by retention: what a watcher tells apart in a gap of
 * statusdir_list_since().  Numbers at or below the low-water mark count as
 * freed, whatever they held; the work follows the names above it, up to
 * the first number not committed.  Returns 0 with *lost set, -EINVAL (not
 * numbers, or before <= after), -EOPNOTSUPP (a format-1 store), -EAGAIN
 * (retention kept raising the mark), -EIO, ... */
STATUSDIR_API int statusdir_count_lost(statusdir *sd, const char *after,
                                       const char *before, uint64_t *lost);

/* Waits until a version with an id greater than after (NULL or "": any)
 * exists, and writes the greatest such id to newer (may be NULL).
 * timeout_ns < 0 waits for ever; the timeout is measured on CLOCK_MONOTONIC,
 * so a step of the wall clock neither stretches nor cuts it.  poll_ns > 0
 * polls at that interval
 * instead of using inotify (for NFS, where inotify does not see other
 * hosts); 0 uses inotify, or polls 10 times a second without it.
 * Returns 0, -ETIMEDOUT, -EINVAL, ... */
STATUSDIR_API int statusdir_wait(statusdir *sd, const char *after,
                                 int64_t timeout_ns, int64_t poll_ns,
                                 char *newer);

/* A descriptor, owned by the handle, that becomes readable when cur/ may
 * have changed: for a caller's own poll loop.  After it turns readable,
 * call statusdir_watch_ack() and then list (statusdir_list_since()).
 * Returns the fd, or -ENOSYS where inotify is missing, or -errno. */
STATUSDIR_API int statusdir_watch_fd(statusdir *sd);
STATUSDIR_API int statusdir_watch_ack(statusdir *sd);

/* Resolves ref, a version id or a relative reference "@N" (N = 0 for the
 * newest, 1 for the one before, ...), into id (STATUSDIR_ID_SIZE bytes).
 * Returns 0, -EINVAL (neither), -ENOENT (fewer than N+1 versions). */
STATUSDIR_API int statusdir_resolve(statusdir *sd, const char *ref, char *id);

/* ---- Pruning and verifying ------------------------------------------------ */

/* What prune and verify report, one call per finding. */
enum statusdir_event_kind {
	STATUSDIR_EV_REMOVED,   /* a version was removed by the policy */
	STATUSDIR_EV_MOVED,     /* a version was moved from cur/ to old/ */
	STATUSDIR_EV_TMP_REMOVED, /* a stale tmp/ file was removed */
	STATUSDIR_EV_TMP_STALE, /* verify: a stale tmp/ file is present */
	STATUSDIR_EV_TMP_BUSY,  /* verify: a tmp/ file of a live writer */
	STATUSDIR_EV_JUNK,      /* something in cur/ or old/ that is not a
	                           version (ignored by readers) */
	STATUSDIR_EV_DAMAGED,   /* a version whose size or checksum is wrong */
	STATUSDIR_EV_UNREADABLE, /* verify: a version that could not be read
	                            (error says why); not known to be damaged */
};

struct statusdir_event {
	enum statusdir_event_kind kind;
	const char *dir;    /* "cur", "old" or "tmp" */
	const char *name;   /* the file's name inside dir */
	int dry_run;        /* 1: prune only says what it would do */
	const char *detail; /* a short reason, e.g. "size 12, expected 40";
	                       for UNREADABLE, statusdir_strerror(error) */
	int error;          /* UNREADABLE: the negative errno of the failed
	                       open or read (-EACCES, -EIO, ...); 0 otherwise */
};

/* Called for each event; the strings live only during the call. */
typedef void statusdir_report_fn(void *arg, const struct statusdir_event *ev);

enum {
	STATUSDIR_PRUNE_DRY_RUN = 1 << 0, /* report, change nothing */
};

/* The default age after which a tmp/ file is stale whoever wrote it. */
#define STATUSDIR_TMP_AGE_NS (36 * 3600 * INT64_C(1000000000))

struct statusdir_prune_policy {
	uint64_t keep;        /* remove versions beyond the keep newest; 0: no
	                         count limit */
	int64_t max_age_ns;   /* remove versions older than this (by the id's
	                         time); 0: no age limit */
	int64_t tmp_age_ns;   /* tmp/ files older than this (by ctime) are
	                         stale; 0: STATUSDIR_TMP_AGE_NS */
	unsigned flags;       /* STATUSDIR_PRUNE_* */
	statusdir_report_fn *report; /* may be NULL */
	void *report_arg;
};

/* Fills *p with a policy that removes no version: it only moves versions
 * beyond the head to old/ and sweeps stale tmp/ files. */
STATUSDIR_API void statusdir_prune_policy_init(struct statusdir_prune_policy *p);

struct statusdir_counts {
	uint64_t versions;  /* versions seen */
	uint64_t removed;   /* versions removed (or, dry run, that would be) */
	uint64_t moved;     /* versions moved to old/ */
	uint64_t tmp_removed; /* stale tmp/ files removed (or would be) */
	uint64_t tmp_stale; /* verify: stale tmp/ files present */
	uint64_t tmp_busy;  /* verify: tmp/ files of live writers */
	uint64_t junk;      /* junk entries in cur/ and old/ */
	uint64_t damaged;   /* damaged versions */
	uint64_t unreadable; /* verify: versions that could not be read */
};

/* Removes versions by policy, never the greatest id nor the newest intact
 * version; moves versions beyond the head to old/; removes stale tmp/
 * files (those whose writer is gone, or older than tmp_age_ns).  Safe while
 * writers, readers and other cleaners run.  counts may be NULL.
 * Returns 0, -EINVAL (bad policy), -EROFS, -EACCES, -EIO, ... */
STATUSDIR_API int statusdir_prune(statusdir *sd,
                                  const struct statusdir_prune_policy *policy,
                                  struct statusdir_counts *counts);

/* Reads every version and checks its size and checksum; reports damaged
 * versions, versions it could not read, junk and stale tmp/ files through
 * report (may be NULL).  counts may be NULL.  A version that cannot be
 * opened or read (-EACCES, -EIO, ...) is reported as
 * STATUSDIR_EV_UNREADABLE and counted, and the check goes on with the
 * others; one removed meanwhile (by a prune) is skipped silently.
 * Returns, from the worst down:
 * - a negative errno other than -EBADMSG when something could not be read:
 *   the first version that could not be read (the others were still
 *   checked, reported and counted), or cur/, old/ or tmp/ themselves (the
 *   counts then cover what could be read);
 * - -EBADMSG when every version was read and one or more are damaged;
 * - 0 when every version was read and none is damaged (junk and stale tmp
 *   files are not damage).
 * -EINVAL when sd is NULL. */
STATUSDIR_API int statusdir_verify(statusdir *sd, statusdir_report_fn *report,
                                   void *report_arg,
                                   struct statusdir_counts *counts);

/* What tmp/ holds, as prune would judge it now. */
struct statusdir_tmp_usage {
	uint64_t stale;       /* files prune would remove: their writer is
	                         gone, or they are older than the age limit */
	uint64_t busy;        /* files of writers that may still be running */
	uint64_t stale_bytes; /* the sizes of those files (st_size), summed */
	uint64_t busy_bytes;
};

/* Counts the regular files in tmp/ and their bytes into *u, without
 * reading or changing any: one listing of tmp/ and one fstatat(2) per
 * file, so it costs no more with large payloads (statusdir_verify() reads
 * every version; this reads none).  tmp_age_ns as in struct
 * statusdir_prune_policy (0: STATUSDIR_TMP_AGE_NS).  Works on a handle
 * opened with STATUSDIR_READONLY.  A file gone while it counts is not
 * counted.  Returns 0, -EINVAL (NULL, or a negative age), -EACCES, -EIO,
 * ...; on failure *u holds what was counted. */
STATUSDIR_API int statusdir_tmp_usage(statusdir *sd, int64_t tmp_age_ns,
                                      struct statusdir_tmp_usage *u);

/* ---- Upgrading a format-1 store ------------------------------------------ */

enum {
	STATUSDIR_UPGRADE_KEEP_V1 = 1 << 0, /* stop once the store is format 2:
	                                       the format-1 names stay beside
	                                       the numbers, and late versions
	                                       are not adopted, until a run
	                                       without this flag */
};

/* How long statusdir_upgrade() lets format-1 writers that opened the store
 * before the upgrade publish their last versions (spec/format2.md, 16). */
#define STATUSDIR_UPGRADE_LATE_WAIT_NS (120 * INT64_C(1000000000))

/* What an upgrade did. */
struct statusdir_upgrade_report {
	uint64_t from1;     /* M: versions 1 to M carry format-1 ids (0 when
	                       the store had none, or was made as format 2) */
	uint64_t numbered;  /* versions this call numbered (an interrupted
	                       run's are not counted again) */
	uint64_t removed;   /* format-1 names removed, their versions kept
	                       under their numbers */
	uint64_t adopted;   /* late versions committed as new versions */
	uint64_t damaged;   /* late versions left under their format-1 names:
	                       their bytes do not match their ids */
	int was_format2;    /* 1: the store was made as format 2; nothing done */
};

/* Converts the format-1 store at path to format 2 in place, keeping every
 * version: versions become numbers in the order of their format-1 ids,
 * with the same bytes, size, checksum and time, and their format-1 ids are
 * recorded in STORE/ids-1, so that every function that takes an id still
 * finds a version by its old one.  Steps (statusdir(5), "Upgrading"):
 * the store is marked "upgrading" (from then on statusdir_open() of it
 * fails with -EBUSY, and format-1 writers refuse it), the versions are
 * numbered, the store becomes format 2 and is usable again; the call then
 * waits late_wait_ns (STATUSDIR_UPGRADE_LATE_WAIT_NS is what the spec asks;
 * counted from the moment the store became format 2, so a run long after
 * does not wait) for format-1 writers that opened the store before, removes
 * the format-1 names, and commits the versions such writers published late
 * as new versions.  Needs user extended attributes (-EOPNOTSUPP without)
 * and write access to every version (the attribute is set on each).  Runs
 * while readers and writers use the store: those that opened it before are
 * refused from their next put, new opens until it is format 2.  Interrupted
 * anywhere, it is finished by calling it again, which also finishes what
 * STATUSDIR_UPGRADE_KEEP_V1 left.  A store made as format 2 is left alone
 * (report->was_format2).  report may be NULL.
 * Returns 0, -EINVAL (flags, a negative wait), -EOPNOTSUPP, -EALREADY,
 * -EMEDIUMTYPE, -EPROTONOSUPPORT, -EEXIST (cur/ holds a number no upgrade
 * made), -EACCES, -EIO, ... */
STATUSDIR_API int statusdir_upgrade(const char *path, unsigned flags,
                                    int64_t late_wait_ns,
                                    struct statusdir_upgrade_report *report);

/* ---- Ids and errors ------------------------------------------------------- */

/* Checks that id matches the grammar of statusdir(5) and, if v is not NULL,
 * fills v (in_head is set to 0).  Returns 0 or -EINVAL. */
STATUSDIR_API int statusdir_id_parse(const char *id,
                                     struct statusdir_version *v);

/* A static, constant description of a value returned by this library,
 * by the rule of "Error model": 0 is "success"; a negative value is an
 * errno code (-ENOENT, -EBADMSG, ... with the meanings given there, any
 * other as strerror(3) words it); a positive value is one of the library's
 * own results (STATUSDIR_UNCHANGED, STATUSDIR_HEALED; any other positive
 * value is "unknown statusdir result code").  A positive errno such as
 * errno itself is therefore not understood: pass -errno.  Never NULL. */
STATUSDIR_API const char *statusdir_strerror(int code);

/* The library's version, e.g. "0.1.0". */
STATUSDIR_API const char *statusdir_version(void);

#ifdef __cplusplus
}
#endif
#endif
