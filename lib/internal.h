/* SPDX-License-Identifier: MIT */
/* internal.h - what the library's files share; nothing here is exported.
 * Names are statusdir__ (shared between files) or static (one file). */
#ifndef STATUSDIR_INTERNAL_H
#define STATUSDIR_INTERNAL_H

#include "config.h" /* first: feature macros from AC_USE_SYSTEM_EXTENSIONS */

#include "statusdir.h"

#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <sys/types.h>
#include <sys/stat.h>
#include <time.h>

#define HIDDEN __attribute__((visibility("hidden")))

#define NS_PER_SEC INT64_C(1000000000)

/* The fixed-width parts of an id (see spec/format.md). */
#define ID_TIME_DIGITS 19
#define ID_UNIQUE_HEX 32
#define ID_SUM_HEX 16

/* Format 2 (spec/format2.md): ids are numbers of this many digits, at
 * most NUMBER_MAX, which is INT64_MAX because L is a file size. */
#define NUMBER_DIGITS 20
#define NUMBER_MAX UINT64_C(9223372036854775807)

/* read.c's internal answer for a number that holds no version: a
 * tombstone (a power cut lost it) or something that is not a file.
 * Positive, never returned by a public function. */
#define STATUSDIR__LOST 100

/* STORE/has-versions: created by the first put that returns, so that a
 * reader can tell an empty store from a listing that came back empty. */
#define STATUSDIR__MARKER "has-versions"

/* Longest HOST part of a tmp/ name; longer encodings are replaced by a
 * hash, so that tmp/ names stay well below NAME_MAX. */
#define HOST_PART_MAX 100

/* A put sweeps tmp/ of files whose writer is gone on one put in this many,
 * chosen at random (put.c, tmp_sweep_due). */
#define STATUSDIR__TMP_SWEEP_EVERY 64

/* The writer identity that goes into tmp/ names, so that a cleaner can tell
 * whether the writer of a tmp file is still running. */
struct writer_identity {
	char boot_id[33];      /* 32 hex digits, all '0' when unknown */
	uint64_t pid_ns;       /* inode of /proc/self/ns/pid, 0 when unknown */
	pid_t pid;
	uint64_t start_ticks;  /* field 22 of /proc/PID/stat, 0 when unknown */
	char host[HOST_PART_MAX + 1]; /* encoded hostname, see tmpname.c */
};

struct statusdir {
	int root_fd;   /* the store directory */
	int cur_fd;    /* cur/, O_DIRECTORY|O_NOFOLLOW */
	int old_fd;    /* old/ (format 1; -1 in format 2) */
	int format;    /* 1 or 2: the store's format file says (format.c) */
	bool upgraded; /* format 2 made from format 1: the format file says
	                  from-1, and ids-1 maps the old ids (ids1.c) */
	uint64_t from1; /* then: versions 1 to from1 carry format-1 ids */
	int low_fd;    /* format 2: STORE/low, read-only (low.c) */
	int hint_fd;   /* format 2: STORE/hint, read-write if we may, or -1 */
	uint64_t known; /* format 2: the greatest number this handle has seen */
	bool unsynced_marked; /* format 2: this boot's unsynced marker exists */
	bool rng_seeded;   /* format 2: rng_state seeded, by process rng_pid */
	pid_t rng_pid;
	uint64_t rng_state; /* random.c, statusdir__random16_handle */
	int tmp_fd;    /* tmp/ */
	char *path;    /* the path as given to statusdir_open() */
	bool readonly;
	struct statusdir_config cfg;
	struct writer_identity me;
	int64_t last_time; /* time of the last id this handle put */
	bool marked;       /* the has-versions marker is known to exist */
	uint64_t puts;     /* puts committed through this handle (put.c) */
	uint32_t tmp_sweep_every; /* K: a put sweeps tmp/ with chance 1/K
	                             (STATUSDIR__TMP_SWEEP_EVERY); 0 never.
	                             Tests set it: 1 always, 0 never */
	int watch_fd;      /* inotify on cur/, or -1 (watch.c) */
	void *cur_dir;     /* DIR * of cur/, rewound for each get (scan.c) */
	pid_t cur_dir_pid; /* the process that opened it: a fork shares its offset */
	int format_fd;     /* the format file that cfg was read from, open */
	nlink_t format_nlink; /* its link count and change time then */
	struct timespec format_ctime;
	pid_t pid;         /* the process using the handle (fork.c) */
	volatile unsigned char *fork_page; /* zeroed in a child, or NULL */
	size_t fork_page_size;
};

/* ---- id.c: ids are pure data, no I/O ---- */
struct id_parts {
	int64_t time_ns;
	uint8_t unique[16];
	uint64_t size;
	uint64_t checksum;
};
HIDDEN void statusdir__id_format(const struct id_parts *p,
                                 char out[STATUSDIR_ID_SIZE]);
HIDDEN bool statusdir__id_valid(const char *name);
/* n bytes as 2n lowercase hex digits and a NUL. */
HIDDEN void statusdir__hex(const uint8_t *in, size_t n, char *out);
HIDDEN int statusdir__id_cmp(const char *a, const char *b);
/* The fields of ids, also those of format 2's attribute (meta.c):
 * exactly n lower-hex digits (n <= 16); a canonical decimal (no leading
 * zero but "0") of at most max, ending at the first non-digit, its length
 * or 0; ID_TIME_DIGITS digits of at most INT64_MAX. */
HIDDEN bool statusdir__parse_hex(const char *s, size_t n, uint64_t *v);
HIDDEN size_t statusdir__parse_dec(const char *s, uint64_t max, uint64_t *v);
HIDDEN bool statusdir__parse_time(const char *s, uint64_t *t);

/* ---- number.c: format 2's ids ---- */
HIDDEN void statusdir__number_format(uint64_t n, char out[STATUSDIR_ID_SIZE]);
/* true if name is a number id (n may be NULL) */
HIDDEN bool statusdir__number_parse(const char *name, uint64_t *n);
/* The numbers a listing of cur/ found, in the order found. */
struct number_list {
	uint64_t *v;
	size_t n, cap;
};
HIDDEN int statusdir__number_list_add(struct number_list *l, uint64_t k); /* -ENOMEM */
HIDDEN void statusdir__number_list_sort(struct number_list *l); /* ascending */
HIDDEN void statusdir__number_list_free(struct number_list *l);

/* ---- meta.c: format 2's user.statusdir attribute ---- */
struct version_meta {
	uint64_t size;
	uint64_t checksum;
	int64_t time_ns;
};
/* 0, -EOPNOTSUPP (no user xattrs here), -errno */
HIDDEN int statusdir__meta_set(int fd, const struct version_meta *m);
/* 0, -EBADMSG (missing or malformed: damaged), -errno */
HIDDEN int statusdir__meta_get(int fd, struct version_meta *m);
/* The same with the upgrade's suffix " id1=ID1" (id1 NULL: none; in
 * get, "" when there is none). */
HIDDEN int statusdir__meta_set_id1(int fd, const struct version_meta *m, const char *id1);
HIDDEN int statusdir__meta_get_id1(int fd, struct version_meta *m,
                                   char id1[STATUSDIR_ID_SIZE]);
/* true if fd has no user.statusdir at all (rather than a malformed one):
 * a copy made without attributes, as verify tells. */
HIDDEN bool statusdir__meta_missing(int fd);
/* Whether tmp/ takes the attribute: 0 or -EOPNOTSUPP (init). */
HIDDEN int statusdir__meta_probe(int tmp_fd);

/* ---- low.c: format 2's low-water mark L and hint ---- */
HIDDEN int statusdir__low_read(statusdir *sd, uint64_t *low);
/* L = max(L, cut), durably. */
HIDDEN int statusdir__low_raise(statusdir *sd, uint64_t cut);
HIDDEN uint64_t statusdir__hint_read(statusdir *sd); /* 0: none */
HIDDEN void statusdir__hint_set(statusdir *sd, uint64_t n);
HIDDEN int statusdir__low_hint_open(statusdir *sd);
HIDDEN int statusdir__low_hint_create(int root_fd, const struct statusdir_config *cfg);

/* ---- search.c: format 2's probes ---- */
/* 1 if cur/n has a name (a version, a tombstone, anything), 0 if not. */
HIDDEN int statusdir__probe(statusdir *sd, uint64_t n);
/* The same, telling a tombstone apart: STATUSDIR__LOST for one. */
HIDDEN int statusdir__probe_kind(statusdir *sd, uint64_t n);
/* The greatest number above low, searched from start, in *greatest: a
 * number with cur/N present and cur/N+1 absent when probed; 0 if cur/low+1
 * was absent. */
HIDDEN int statusdir__search(statusdir *sd, uint64_t start, uint64_t low,
                             uint64_t *greatest);
/* L in *low, then the greatest number above it searched from what the
 * handle knows (or the hint): spec/format2.md, section 9, steps 1-2. */
HIDDEN int statusdir__search_newest(statusdir *sd, uint64_t *greatest, uint64_t *low);

/* ---- recover.c: format 2 after a power cut ---- */
/* Leaves STORE/unsynced.HOST.BOOT before a claim that is not durable when
 * its put returns (no-sync, one flush); once per handle. */
HIDDEN int statusdir__mark_unsynced(statusdir *sd);
/* At a writable open: seals the holes a power cut left if a marker of
 * this host from another boot is there. */
HIDDEN int statusdir__recover(statusdir *sd);

/* ---- ids1.c: format-1 ids of an upgraded store (STORE/ids-1) ---- */
struct ids1_entry {
	char id1[STATUSDIR_ID_SIZE];
	uint64_t number;
};
/* Sorts e by id and replaces STORE/ids-1 with it (the file fsync'd; the
 * caller fsyncs the store directory). */
HIDDEN int statusdir__ids1_write(int root_fd, struct ids1_entry *e, size_t n,
                                 const struct statusdir_config *cfg);
/* Appends a late version's line to STORE/ids-1.late, durably. */
HIDDEN int statusdir__ids1_append_late(int root_fd, const char *id1, uint64_t n,
                                       const struct statusdir_config *cfg);
/* The number of format-1 id id1 in an upgraded store: ids-1 by binary
 * search, then ids-1.late.  0, -ENOENT (not upgraded, or not mapped),
 * -EBADMSG (a malformed file), -errno. */
HIDDEN int statusdir__id_from_v1(statusdir *sd, const char *id1, uint64_t *n);

/* ---- checksum.c ---- */
HIDDEN uint64_t statusdir__checksum(const void *buf, size_t len);
/* The streaming form, for payloads written or read in pieces: a state the
 * caller owns from sum_new (NULL: out of memory) until sum_free. */
struct statusdir__sum;
HIDDEN struct statusdir__sum *statusdir__sum_new(void);
HIDDEN void statusdir__sum_free(struct statusdir__sum *s);
HIDDEN void statusdir__sum_update(struct statusdir__sum *s, const void *buf, size_t len);
HIDDEN uint64_t statusdir__sum_digest(const struct statusdir__sum *s);

/* ---- fork.c ---- */
HIDDEN void statusdir__fork_guard_init(statusdir *sd);
HIDDEN void statusdir__fork_guard_free(statusdir *sd);
/* getpid(), without a syscall while the handle stays in one process. */
HIDDEN pid_t statusdir__pid(statusdir *sd);

/* ---- random.c ---- */
/* 16 random bytes shaped as a version 4 UUID (getrandom, else /dev/urandom). */
HIDDEN void statusdir__random16(uint8_t out[16]);
/* 16 bytes from the handle's own generator, seeded from the kernel once a
 * process (a child reseeds): for format 2's tmp/ names, which need no more
 * than to differ between the handles of one process (the name carries the
 * writer's identity; O_EXCL guards the rest), at no syscall a put. */
HIDDEN void statusdir__random16_handle(statusdir *sd, uint8_t out[16]);

/* ---- clock.c ---- */
/* The wall clock (CLOCK_REALTIME), in ns since 1970: for ids and ages. */
HIDDEN int64_t statusdir__now_ns(void);
/* CLOCK_MONOTONIC in ns: for deadlines, which a clock step must not move. */
HIDDEN int64_t statusdir__mono_ns(void);

/* ---- io.c: syscalls with EINTR and short transfers handled ---- */
HIDDEN int statusdir__write_all(int fd, const void *buf, size_t len);
HIDDEN ssize_t statusdir__read_full(int fd, void *buf, size_t len);
HIDDEN int statusdir__fsync(int fd);
HIDDEN int statusdir__close(int fd);
HIDDEN int statusdir__open_dir_at(int dirfd, const char *name);
HIDDEN int statusdir__open_or_create(int dirfd, const char *name, mode_t mode);
HIDDEN int statusdir__copy_range(int in_fd, uint64_t size, int out_fd);
/* ENOENT, or ESTALE through another client of a network filesystem. */
HIDDEN bool statusdir__gone(int e);

/* ---- scan.c: listing a folder of the store ---- */
struct name_list {
	char (*names)[STATUSDIR_ID_SIZE];
	size_t n, cap;
};
/* Calls fn for each entry of dirfd that is not "." or "..", with is_reg
 * true for a regular file that is not a symlink. */
typedef int scan_fn(void *arg, int dirfd, const char *name, bool is_reg);
HIDDEN int statusdir__scan(int dirfd, scan_fn *fn, void *arg);
/* Collects the valid version ids of dirfd into *list (appending). */
HIDDEN int statusdir__list_ids(int dirfd, struct name_list *list);
/* The greatest valid id in cur/, or -ENOENT, through a directory stream
 * the handle keeps open and rewinds: the hot path of every get. */
HIDDEN int statusdir__greatest_in_cur(statusdir *sd, char out[STATUSDIR_ID_SIZE]);
HIDDEN void statusdir__scan_close(statusdir *sd);
/* statusdir__scan() and statusdir__list_ids() of cur/, through that stream. */
HIDDEN int statusdir__scan_cur(statusdir *sd, scan_fn *fn, void *arg);
HIDDEN int statusdir__list_cur(statusdir *sd, struct name_list *list);
HIDDEN void statusdir__name_list_free(struct name_list *list);
HIDDEN void statusdir__name_list_sort_desc(struct name_list *list);

/* ---- format.c: the format file ---- */
/* What the format file says beside the settings. */
struct format_keys {
	int version;     /* 1 or 2 */
	bool upgrading;  /* "upgrading 1": an upgrade from format 1 is under
	                    way (upgrade.c); opens are refused with -EBUSY */
	bool upgraded;   /* "from-1 M" is present */
	uint64_t from1;  /* M */
};
HIDDEN int statusdir__format_write(int root_fd, int version,
                                   const struct statusdir_config *cfg);
HIDDEN int statusdir__format_write_keys(int root_fd, const struct format_keys *k,
                                        const struct statusdir_config *cfg);
/* Reads the format file without a handle: 0, -EMEDIUMTYPE, -EPROTONOSUPPORT,
 * ...  st (may be NULL) receives the file's status. */
HIDDEN int statusdir__format_read(int root_fd, struct statusdir_config *cfg,
                                  struct format_keys *k, struct stat *st);
/* 0 if cfg can be recorded, else -EINVAL. */
HIDDEN int statusdir__config_check(const struct statusdir_config *cfg);
/* Reads the format file if the handle has not yet, or again if it was
 * replaced since (another process ran config): puts then apply the current
 * retention.  -EMEDIUMTYPE if there is none. */
HIDDEN int statusdir__format_refresh(statusdir *sd);

/* ---- tmpname.c ---- */
HIDDEN void statusdir__identity_load(struct writer_identity *me);
/* Loads the identity again if pid (statusdir__pid) is not its process:
 * a forked child. */
HIDDEN void statusdir__identity_refresh(struct writer_identity *me, pid_t pid);
/* RANDOM is u: a put draws 16 random bytes once, for its tmp/ name and
 * for the unique part of its id. */
HIDDEN int statusdir__tmp_name(const struct writer_identity *me, const uint8_t u[16],
                               char *out, size_t cap);
/* true when the writer named in tmp name is known to be gone */
HIDDEN bool statusdir__tmp_writer_gone(const struct writer_identity *me,
                                       const char *name);

/* ---- tmpsweep.c ---- */
enum tmp_sweep_mode {
	TMP_SWEEP_REMOVE,  /* prune: remove stale files */
	TMP_SWEEP_DRY_RUN, /* prune --dry-run: report what would go */
	TMP_SWEEP_REPORT,  /* verify: report stale and busy files */
	TMP_SWEEP_GONE,    /* put: remove files whose writer is known gone,
	                      never by age alone */
};
HIDDEN int statusdir__tmp_sweep(statusdir *sd, int64_t tmp_age_ns,
                                enum tmp_sweep_mode mode,
                                const struct statusdir_prune_policy *p,
                                struct statusdir_counts *counts);

/* ---- head.c ---- */
/* Moves the versions of cur/ beyond the STATUSDIR_HEAD newest to old/.
 * cur is a listing of cur/ sorted newest first; extra, if not NULL, is an
 * id added to cur/ since.  p may be NULL (no report, not a dry run). */
HIDDEN int statusdir__head_trim(statusdir *sd, const struct name_list *cur,
                                const char *extra,
                                const struct statusdir_prune_policy *p,
                                struct statusdir_counts *counts);
/* Reports an event through p's callback, if any. */
HIDDEN void statusdir__report(const struct statusdir_prune_policy *p,
                              enum statusdir_event_kind kind, const char *dir,
                              const char *name, const char *detail);

/* ---- put.c: what the put of either format shares ---- */
struct statusdir_txn {
	statusdir *sd;
	unsigned flags;
	int fd;
	int err;       /* first error of a write; the txn can only abort */
	uint8_t unique[16]; /* random: in the tmp/ name, and the id's unique part */
	uint64_t size;
	struct statusdir__sum *sum;
	int64_t begin_mono; /* when the put began (claim.c's age limit) */
	char tmp[NAME_MAX + 1];
};
/* true if tmp/tmp and cur/name are one file */
HIDDEN bool statusdir__same_file(statusdir *sd, const char *tmp, const char *name);
/* Compares two open files from the start: 1 same bytes, 0 not, -errno. */
HIDDEN int statusdir__same_bytes(int a, int b, uint64_t size);
HIDDEN int statusdir__mark_has_versions(statusdir *sd, bool sync);
/* After the publish (format 1) or the claim (format 2): the flush the
 * put's mode asks for, then has-versions; frees txn, and says in *sweep
 * whether this put sweeps tmp/.  0 or the error of a flush. */
HIDDEN int statusdir__flush_committed(statusdir_txn *txn, bool *sweep);
HIDDEN bool statusdir__retention_due(statusdir *sd);
HIDDEN bool statusdir__tmp_sweep_due(const statusdir *sd, const uint8_t u[16]);
/* Frees txn without touching its file. */
HIDDEN void statusdir__txn_free(statusdir_txn *txn);

/* ---- claim.c: format 2's commit ---- */
/* Commits txn by claiming the next number (base NULL), or exactly base + 1
 * (compare-and-set).  Frees txn. */
HIDDEN int statusdir__claim_commit(statusdir_txn *txn, const char *base, char *id);

/* ---- prune.c ---- */
/* Removes what the store's recorded keep/max-age policy allows.
 * known_intact (may be NULL): a version id known good without reading it,
 * the one a put has just written. */
HIDDEN int statusdir__apply_retention(statusdir *sd, const char *known_intact);

/* ---- retire.c: format 2's retention (spec/format2.md, section 8) ---- */
/* Frees the versions p's keep and max_age allow, as a prefix: R1 to R4.
 * Reports and dry run as prune.  known_intact (0: none) is a number known
 * good without reading it: the one the calling put has just committed. */
HIDDEN int statusdir__retire(statusdir *sd, const struct statusdir_prune_policy *p,
                             uint64_t known_intact, struct statusdir_counts *counts);
/* Prune's listing of cur/: counts the versions above L into counts and
 * removes every number at or below it (leftovers of a crash between R3
 * and R4, stale claims). */
HIDDEN int statusdir__retire_leftovers(statusdir *sd,
                                       const struct statusdir_prune_policy *p,
                                       struct statusdir_counts *counts);

/* ---- resolve.c ---- */
/* For the functions that take an id: ref NULL, "" or an id is passed on in
 * *id as it is (the caller checks an id, and finds the newest); "@N" is
 * resolved into buf and *id points at buf.  0, or statusdir_resolve()'s
 * -EINVAL (a malformed reference), -ENOENT (beyond the history), ... */
HIDDEN int statusdir__ref_id(statusdir *sd, const char *ref,
                             char buf[STATUSDIR_ID_SIZE], const char **id);

/* ---- list_number.c: format 2's listings ---- */
/* statusdir_list(), statusdir_list_newest() and statusdir_list_since()
 * (after: a number, 0 for all) of a format-2 store. */
HIDDEN int statusdir__list_numbers(statusdir *sd, struct statusdir_version **out,
                                   size_t *n);
HIDDEN int statusdir__list_numbers_newest(statusdir *sd, size_t want,
                                          struct statusdir_version **out, size_t *n);
HIDDEN int statusdir__list_numbers_since(statusdir *sd, uint64_t after,
                                         struct statusdir_version **out, size_t *n);
/* Tombstones among the numbers above L and above after, below before. */
HIDDEN int statusdir__count_lost(statusdir *sd, uint64_t after, uint64_t before,
                                 uint64_t *lost);
/* The greatest number above after, a version committed (above L): 0 and
 * *newer, or -ENOENT (none yet). */
HIDDEN int statusdir__newer_number(statusdir *sd, uint64_t after, uint64_t *newer);

/* ---- list.c ---- */
HIDDEN int statusdir__version_cmp_desc(const void *a, const void *b);

/* ---- open.c ---- */
HIDDEN int statusdir__writable(const statusdir *sd);

/* ---- read.c: opening a version for reading ---- */
/* Opens version id (NULL: the newest) with its file's fd in *fd and its
 * parsed id in *v.  Looks again when the newest vanishes. */
HIDDEN int statusdir__open_version(statusdir *sd, const char *id, int *fd,
                                   struct statusdir_version *v,
                                   uint64_t *file_size /* may be NULL */);
/* Format 2: opens cur/n and checks it against L (lemma 3 of
 * spec/format2.md): 0, -ENOENT (absent, or freed), STATUSDIR__LOST, or
 * -EBADMSG (no valid attribute; v->id is set). */
HIDDEN int statusdir__open_number(statusdir *sd, uint64_t n, int *fd,
                                  struct statusdir_version *v, uint64_t *file_size);
/* Format 2: what cur/n says of itself (its attribute) into v, without
 * reading L: the caller reads L afterwards and drops every number at or
 * below it (lemma 3).  0; -EBADMSG (damaged: v has time, size and
 * checksum 0); -ENOENT (absent); STATUSDIR__LOST; or -errno. */
HIDDEN int statusdir__number_meta(statusdir *sd, uint64_t n, struct statusdir_version *v);
/* An empty look at the store is believed only without has-versions:
 * -ENOENT (empty), or 0 (look again; after a first attempt, 1 ms later). */
HIDDEN int statusdir__confirm_empty(statusdir *sd, int attempt);
/* Reads fd fully and checks it, and its size as statusdir__open_version()
 * measured it, against v; 0 or -EBADMSG. */
HIDDEN int statusdir__check_version(int fd, const struct statusdir_version *v,
                                    uint64_t file_size);

#endif
