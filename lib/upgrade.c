/* SPDX-License-Identifier: MIT */
/* upgrade.c - converting a format-1 store to format 2 in place
 * (spec/format2.md, section 16).
 *
 *  U0  probe user xattrs in tmp/; refuse without them
 *  U1  replace format: "statusdir-format 2", "upgrading 1", the settings.
 *      Format-1 handles refuse the store from their next put on, and every
 *      open of it fails with -EBUSY until U4
 *  U2  list cur/ then old/, sort by format-1 id, drop duplicates; numbers
 *      already in cur/ are a previous run's work, found by their id1= xattr
 *  U3  for each version in id order: set user.statusdir from its id (size,
 *      checksum, time, id1=ID), fsync it, link it to cur/N, N the next
 *      number.  EEXIST for the same file is a previous run's link
 *  U4  fsync cur/; create low and hint; write ids-1; replace format:
 *      "statusdir-format 2", "from-1 M", the settings.  The store is in use
 *      from here
 *  U5  wait for late names, then unlink every format-1 name that ids-1 maps;
 *      rmdir old/ once empty
 *  U6  adopt late names: format-1 versions published after U2 by writers
 *      that opened the store before U1.  Each is linked into tmp/ and
 *      committed by the ordinary claim (claim.c), so it becomes the newest
 *      version, ordered by its adoption; its line goes to ids-1.late
 * Every step can be done again: an interrupted upgrade is finished by
 * running it again, which starts from what the format file says. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct upgrade {
	const char *path;
	unsigned flags;
	int64_t late_wait_ns;
	struct statusdir_upgrade_report *rep;
	int root_fd, tmp_fd, cur_fd, old_fd; /* old_fd: -1 when there is none */
	struct statusdir_config cfg;
	struct format_keys keys;
};

/* The numbers given so far: id1 -> number. */
struct id_map {
	struct ids1_entry *e;
	size_t n, cap;
};

static int map_add(struct id_map *m, const char *id1, uint64_t number)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		void *p = realloc(m->e, cap * sizeof(*m->e));
		if (!p)
			return -ENOMEM;
		m->e = p;
		m->cap = cap;
	}
	memcpy(m->e[m->n].id1, id1, strlen(id1) + 1);
	m->e[m->n++].number = number;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return statusdir__id_cmp(((const struct ids1_entry *)a)->id1,
	                         ((const struct ids1_entry *)b)->id1);
}

static bool same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int name_cmp(const void *a, const void *b)
{
	return statusdir__id_cmp(a, b);
}

/* ---- U2: what there is to number ---- */

/* The format-1 ids of cur/ and old/, sorted, each once. */
static int list_v1(struct upgrade *u, struct name_list *all)
{
	int r = statusdir__list_ids(u->cur_fd, all);
	if (r == 0 && u->old_fd >= 0)
		r = statusdir__list_ids(u->old_fd, all);
	if (r < 0)
		return r;
	if (all->n > 1)
		qsort(all->names, all->n, sizeof(*all->names), name_cmp);
	size_t kept = 0;
	for (size_t i = 0; i < all->n; i++)
		if (kept == 0 || strcmp(all->names[kept - 1], all->names[i]) != 0)
			memmove(all->names[kept++], all->names[i], STATUSDIR_ID_SIZE);
	all->n = kept;
	return 0;
}

struct done_scan {
	struct id_map *map;
	uint64_t greatest;
};

/* A number already in cur/: a previous run linked it, with id1= set. */
static int read_done(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct done_scan *d = arg;
	struct version_meta m;
	char id1[STATUSDIR_ID_SIZE];
	uint64_t n;
	if (!statusdir__number_parse(name, &n))
		return 0;
	if (!is_reg)
		return -EEXIST; /* no upgrade made it */
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int r = statusdir__meta_get_id1(fd, &m, id1);
	statusdir__close(fd);
	if (r == -EBADMSG || (r == 0 && !id1[0]))
		return -EEXIST;
	if (r < 0)
		return r;
	if (n > d->greatest)
		d->greatest = n;
	return map_add(d->map, id1, n);
}

/* ---- U3: one version ---- */

static int open_version(int dirfd, const char *id, int *fd, struct stat *st)
{
	int f = openat(dirfd, id, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		return errno == ESTALE || errno == ELOOP ? -ENOENT : -errno;
	if (fstat(f, st) != 0) {
		int e = -errno;
		statusdir__close(f);
		return e == -ESTALE ? -ENOENT : e;
	}
	if (!S_ISREG(st->st_mode)) {
		statusdir__close(f);
		return -ENOENT; /* junk under a valid name: no version */
	}
	*fd = f;
	return 0;
}

/* Opens format-1 version id where format 1 looks: cur/, then old/ (a
 * format-1 cleaner may move it meanwhile).  *dirfd says where. */
static int open_v1(struct upgrade *u, const char *id, int *dirfd, int *fd, struct stat *st)
{
	*dirfd = u->cur_fd;
	int r = open_version(u->cur_fd, id, fd, st);
	if (r == -ENOENT && u->old_fd >= 0) {
		*dirfd = u->old_fd;
		r = open_version(u->old_fd, id, fd, st);
	}
	return r;
}

/* Links the version open in fd (named id in dirfd) to cur/NUMBER.
 * 1 linked (or linked before), 0 gone meanwhile, -errno. */
static int link_number(struct upgrade *u, int dirfd, const char *id, int fd,
                       const char *number)
{
	struct stat mine, there;
	for (;;) {
		if (linkat(dirfd, id, u->cur_fd, number, 0) == 0)
			return 1;
		int e = errno;
		if (e == EEXIST) {
			/* a previous run's link, or a retransmission: the same file */
			if (fstat(fd, &mine) != 0 ||
			    fstatat(u->cur_fd, number, &there, AT_SYMLINK_NOFOLLOW) != 0)
				return -errno;
			return same_inode(&mine, &there) ? 1 : -EEXIST;
		}
		if (statusdir__gone(e) && dirfd == u->cur_fd && u->old_fd >= 0) {
			dirfd = u->old_fd; /* moved to old/ since we opened it */
			continue;
		}
		return statusdir__gone(e) ? 0 : -e;
	}
}

/* U3 for one version: 1 numbered n, 0 gone (no number used), -errno. */
static int number_one(struct upgrade *u, const char *id, uint64_t n)
{
	struct statusdir_version v;
	struct stat st;
	int dirfd, fd;
	int r = open_v1(u, id, &dirfd, &fd, &st);
	if (r < 0)
		return r == -ENOENT ? 0 : r; /* removed by a format-1 cleaner */
	r = statusdir_id_parse(id, &v);
	struct version_meta m = { .size = v.size, .checksum = v.checksum, .time_ns = v.time_ns };
	/* the bytes are not read: a damaged version stays damaged, as its
	 * checksum, taken from its id, says */
	if (r == 0)
		r = statusdir__meta_set_id1(fd, &m, id);
	if (r == 0) /* the attribute on disk before the name that needs it */
		r = statusdir__fsync(fd);
	if (r == 0) {
		char number[STATUSDIR_ID_SIZE];
		statusdir__number_format(n, number);
		r = link_number(u, dirfd, id, fd, number);
	}
	statusdir__close(fd);
	return r;
}

/* ---- U2 to U4 ---- */

static int number_all(struct upgrade *u)
{
	struct name_list all = { 0 };
	struct id_map map = { 0 };
	struct done_scan done = { &map, 0 };
	int r = list_v1(u, &all);
	if (r == 0)
		r = statusdir__scan(u->cur_fd, read_done, &done);
	size_t was_done = map.n;
	if (r == 0 && map.n > 1)
		qsort(map.e, map.n, sizeof(*map.e), entry_cmp);
	uint64_t next = done.greatest + 1;
	for (size_t i = 0; r == 0 && i < all.n; i++) {
		struct ids1_entry key = { .number = 0 };
		memcpy(key.id1, all.names[i], STATUSDIR_ID_SIZE);
		if (was_done && bsearch(&key, map.e, was_done, sizeof(*map.e), entry_cmp))
			continue; /* numbered by an earlier run */
		if (next > NUMBER_MAX) {
			r = -EOVERFLOW;
			break;
		}
		r = number_one(u, all.names[i], next);
		if (r == 1) {
			r = map_add(&map, all.names[i], next++);
			u->rep->numbered++;
		}
	}
	/* U4 */
	if (r == 0)
		r = statusdir__fsync(u->cur_fd);
	if (r == 0)
		r = statusdir__low_hint_create(u->root_fd, &u->cfg);
	if (r == 0)
		r = statusdir__ids1_write(u->root_fd, map.e, map.n, &u->cfg);
	if (r == 0) {
		struct format_keys k = { .version = 2, .upgraded = true, .from1 = next - 1 };
		r = statusdir__format_write_keys(u->root_fd, &k, &u->cfg); /* fsyncs STORE */
	}
	free(map.e);
	statusdir__name_list_free(&all);
	return r;
}

/* ---- U5 ---- */

/* Format-1 writers that passed their check of the format file before U1
 * (or whose network client cached it) may still publish a format-1 name.
 * The wait runs from when the format file became format 2, so that a
 * re-run long after does not wait again. */
static void wait_for_late_names(struct upgrade *u)
{
	struct stat st;
	int64_t left = u->late_wait_ns;
	if (fstatat(u->root_fd, "format", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		int64_t since = (int64_t)st.st_mtim.tv_sec * NS_PER_SEC + st.st_mtim.tv_nsec;
		int64_t passed = statusdir__now_ns() - since;
		if (passed > 0)
			left = passed >= left ? 0 : left - passed;
	}
	int64_t deadline = statusdir__mono_ns() + left;
	for (int64_t now = statusdir__mono_ns(); now < deadline; now = statusdir__mono_ns()) {
		struct timespec ts = { (time_t)((deadline - now) / NS_PER_SEC),
		                       (long)((deadline - now) % NS_PER_SEC) };
		nanosleep(&ts, NULL); /* EINTR: the loop measures again */
	}
}

/* A format-1 name that ids-1 maps to n: unlinked, unless cur/n is another
 * file (then nothing maps it truly, and it stays). */
static int remove_mapped(struct upgrade *u, int dirfd, const char *id, uint64_t n)
{
	struct stat name_st, number_st;
	char number[STATUSDIR_ID_SIZE];
	statusdir__number_format(n, number);
	if (fstatat(dirfd, id, &name_st, AT_SYMLINK_NOFOLLOW) != 0)
		return statusdir__gone(errno) ? 0 : -errno;
	if (fstatat(u->cur_fd, number, &number_st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (!same_inode(&name_st, &number_st))
			return 0;
	} else if (errno != ENOENT && errno != ESTALE) {
		return -errno;
	} /* absent: retention freed n; the name is a leftover link */
	if (unlinkat(dirfd, id, 0) != 0)
		return statusdir__gone(errno) ? 0 : -errno;
	u->rep->removed++;
	return 0;
}

/* ---- U6: late names ---- */

struct inode_scan {
	const struct stat *want;
	uint64_t above;  /* in cur/: numbers above this */
	uint64_t number; /* out: the one found, or 0 */
};

/* In cur/: a number above from-1 that is the file looked for. */
static int find_number(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct inode_scan *s = arg;
	struct stat st;
	uint64_t n;
	if (!is_reg || !statusdir__number_parse(name, &n) || n <= s->above)
		return 0;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && same_inode(&st, s->want))
		s->number = n;
	return 0;
}

/* In tmp/: a link of the file looked for, removed (removing the entry
 * just read does not disturb the listing). */
static int drop_link(void *arg, int dirfd, const char *name, bool is_reg)
{
	struct inode_scan *s = arg;
	struct stat st;
	if (!is_reg || fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !same_inode(&st, s->want))
		return 0;
	if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT && errno != ESTALE)
		return -errno;
	return 0;
}

/* An adoption interrupted before: a number above from-1 holding the same
 * file (in *n, 0 if none), and its links in tmp/ removed (the claim's
 * pending check, done here as a cleaner's R2 would, or a link that never
 * got to its claim). */
static int earlier_adoption(statusdir *sd, const struct stat *st, uint64_t *n)
{
	struct inode_scan s = { st, sd->from1, 0 };
	uint64_t low = 0;
	int r = statusdir__scan(sd->cur_fd, find_number, &s);
	if (r == 0)
		r = statusdir__low_read(sd, &low);
	if (r < 0)
		return r;
	*n = s.number > low ? s.number : 0; /* at or below L: freed or stale */
	return statusdir__scan(sd->tmp_fd, drop_link, &s);
}

/* 1 if fd holds exactly what version v's id says, 0 if not; the bytes
 * hashed into sum. */
static int bytes_match(int fd, const struct statusdir_version *v, uint64_t file_size,
                       struct statusdir__sum *sum)
{
	enum { CHUNK = 64 * 1024 };
	if (file_size != v->size)
		return 0;
	char *buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	uint64_t off = 0;
	int r = 0;
	while (r == 0) {
		ssize_t got = pread(fd, buf, CHUNK, (off_t)off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			r = -errno;
		else if (got == 0)
			break;
		else {
			statusdir__sum_update(sum, buf, (size_t)got);
			off += (uint64_t)got;
		}
	}
	free(buf);
	if (r < 0)
		return r;
	return off == v->size && statusdir__sum_digest(sum) == v->checksum;
}

/* The ordinary claim for a file that is already written: a link into
 * tmp/ and a transaction around it, committed by claim.c, which sets the
 * attribute (size, checksum, the time of the adoption), fsyncs, claims
 * the next number and checks it against L.  fd passes to the transaction.
 * On success number holds the version's number. */
static int claim_file(statusdir *sd, int dirfd, const char *id, int fd, uint64_t size,
                      struct statusdir__sum *sum, char number[STATUSDIR_ID_SIZE])
{
	statusdir_txn *txn = calloc(1, sizeof(*txn));
	int r = txn ? 0 : -ENOMEM;
	if (r == 0) {
		statusdir__random16(txn->unique);
		r = statusdir__tmp_name(&sd->me, txn->unique, txn->tmp, sizeof(txn->tmp));
	}
	if (r == 0 && linkat(dirfd, id, sd->tmp_fd, txn->tmp, 0) != 0)
		r = errno == ESTALE ? -ENOENT : -errno;
	if (r < 0) {
		free(txn);
		statusdir__sum_free(sum);
		statusdir__close(fd);
		return r;
	}
	txn->sd = sd;
	txn->fd = fd;
	txn->size = size;
	txn->sum = sum;
	txn->begin_mono = statusdir__mono_ns();
	number[0] = '\0';
	return statusdir__claim_commit(txn, NULL, number);
}

/* U6 for the late name id in dirfd. */
static int adopt(struct upgrade *u, statusdir *sd, int dirfd, const char *id)
{
	struct statusdir_version v;
	struct stat st = { 0 };
	char number[STATUSDIR_ID_SIZE] = "";
	uint64_t n = 0;
	int fd = -1;
	int r = open_version(dirfd, id, &fd, &st);
	if (r < 0)
		return r == -ENOENT ? 0 : r; /* moved or removed: a later run sees it */
	r = statusdir_id_parse(id, &v);
	if (r == 0 && st.st_nlink > 1)
		r = earlier_adoption(sd, &st, &n);
	if (r < 0 || n) {
		statusdir__close(fd);
		if (r < 0)
			return r;
		statusdir__number_format(n, number);
	} else {
		struct statusdir__sum *sum = statusdir__sum_new();
		r = sum ? bytes_match(fd, &v, (uint64_t)st.st_size, sum) : -ENOMEM;
		if (r <= 0) {
			/* damaged: a claim would give it the checksum of its
			 * bytes and pass it for good; it stays as it is */
			statusdir__sum_free(sum);
			statusdir__close(fd);
			if (r == 0)
				u->rep->damaged++;
			return r;
		}
		r = claim_file(sd, dirfd, id, fd, v.size, sum, number);
		if (r < 0)
			return r == -ENOENT && !number[0] ? 0 : r;
		if (!statusdir__number_parse(number, &n))
			return -EIO;
		u->rep->adopted++;
	}
	r = statusdir__ids1_append_late(u->root_fd, id, n, &u->cfg);
	if (r == 0 && unlinkat(dirfd, id, 0) != 0 && errno != ENOENT && errno != ESTALE)
		r = -errno;
	return r;
}

/* ---- U5 and U6 ---- */

struct late {
	struct name_list names;
	int *dirfds;
	size_t cap;
};

static int late_add(struct late *l, const char *id, int dirfd)
{
	if (l->names.n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		void *a = realloc(l->names.names, cap * sizeof(*l->names.names));
		if (a)
			l->names.names = a;
		void *b = a ? realloc(l->dirfds, cap * sizeof(*l->dirfds)) : NULL;
		if (!b)
			return -ENOMEM;
		l->dirfds = b;
		l->cap = l->names.cap = cap;
	}
	memcpy(l->names.names[l->names.n], id, strlen(id) + 1);
	l->dirfds[l->names.n++] = dirfd;
	return 0;
}

/* Removes the mapped names of dirfd and collects the late ones. */
static int sort_names(struct upgrade *u, statusdir *sd, int dirfd, struct late *late)
{
	struct name_list names = { 0 };
	int r = statusdir__list_ids(dirfd, &names);
	for (size_t i = 0; r == 0 && i < names.n; i++) {
		uint64_t n;
		r = statusdir__id_from_v1(sd, names.names[i], &n);
		if (r == 0)
			r = remove_mapped(u, dirfd, names.names[i], n);
		else if (r == -ENOENT)
			r = late_add(late, names.names[i], dirfd);
	}
	statusdir__name_list_free(&names);
	return r;
}

/* Late names in id order: the order format 1 gave them. */
static void sort_late(struct late *l)
{
	for (size_t i = 1; i < l->names.n; i++)
		for (size_t j = i; j > 0 && strcmp(l->names.names[j - 1], l->names.names[j]) > 0; j--) {
			char tmp[STATUSDIR_ID_SIZE];
			int fd = l->dirfds[j];
			memcpy(tmp, l->names.names[j], sizeof(tmp));
			memcpy(l->names.names[j], l->names.names[j - 1], sizeof(tmp));
			memcpy(l->names.names[j - 1], tmp, sizeof(tmp));
			l->dirfds[j] = l->dirfds[j - 1];
			l->dirfds[j - 1] = fd;
		}
}

static int finish(struct upgrade *u)
{
	statusdir *sd;
	struct late late = { 0 };
	int r = statusdir_open(u->path, 0, NULL, &sd);
	if (r < 0)
		return r;
	sd->tmp_sweep_every = 0; /* the upgrade leaves tmp/ to prune */
	u->rep->from1 = sd->from1;
	if (statusdir__hint_read(sd) < sd->from1) /* fresh handles start near the top */
		statusdir__hint_set(sd, sd->from1);
	wait_for_late_names(u);
	r = sort_names(u, sd, u->cur_fd, &late);
	if (r == 0 && u->old_fd >= 0)
		r = sort_names(u, sd, u->old_fd, &late);
	sort_late(&late);
	for (size_t i = 0; r == 0 && i < late.names.n; i++)
		r = adopt(u, sd, late.dirfds[i], late.names.names[i]);
	if (r == 0 && u->old_fd >= 0 && unlinkat(u->root_fd, "old", AT_REMOVEDIR) != 0 &&
	    errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
		r = -errno; /* something that is no version stays, with old/ */
	if (r == 0)
		r = statusdir__fsync(u->cur_fd);
	if (r == 0)
		r = statusdir__fsync(u->root_fd);
	statusdir__name_list_free(&late.names);
	free(late.dirfds);
	statusdir_close(sd);
	return r;
}

/* One upgrade at a time: two would number or adopt the same names
 * twice.  Where the filesystem has no locks, the caller is trusted. */
static int lock_store(int root_fd)
{
	while (flock(root_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK)
			return -EALREADY;
		if (errno == ENOLCK || errno == EOPNOTSUPP || errno == ENOSYS)
			return 0;
		return -errno;
	}
	return 0;
}

static int open_folders(struct upgrade *u)
{
	u->tmp_fd = statusdir__open_dir_at(u->root_fd, "tmp");
	if (u->tmp_fd < 0)
		return u->tmp_fd == -ENOENT ? -EMEDIUMTYPE : u->tmp_fd;
	u->cur_fd = statusdir__open_dir_at(u->root_fd, "cur");
	if (u->cur_fd < 0)
		return u->cur_fd == -ENOENT ? -EMEDIUMTYPE : u->cur_fd;
	u->old_fd = statusdir__open_dir_at(u->root_fd, "old");
	if (u->old_fd == -ENOENT)
		u->old_fd = -1; /* removed by an earlier run */
	return u->old_fd < -1 ? u->old_fd : 0;
}

static int upgrade(struct upgrade *u)
{
	int r = lock_store(u->root_fd);
	if (r == 0)
		r = statusdir__format_read(u->root_fd, &u->cfg, &u->keys, NULL);
	if (r < 0)
		return r;
	if (u->keys.version == 2 && !u->keys.upgrading && !u->keys.upgraded) {
		u->rep->was_format2 = 1; /* made as format 2: nothing to do */
		return 0;
	}
	r = open_folders(u);
	if (r == 0 && u->keys.version == 1) {
		r = statusdir__meta_probe(u->tmp_fd); /* U0 */
		if (r == 0) { /* U1 */
			struct format_keys k = { .version = 2, .upgrading = true };
			r = statusdir__format_write_keys(u->root_fd, &k, &u->cfg);
		}
		u->keys.upgrading = true;
	}
	if (r == 0 && u->keys.upgrading)
		r = number_all(u);
	if (r == 0 && !(u->flags & STATUSDIR_UPGRADE_KEEP_V1))
		r = finish(u);
	return r;
}

/* The store path itself may be a symlink, as for statusdir_open(). */
static int open_store(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

int statusdir_upgrade(const char *path, unsigned flags, int64_t late_wait_ns,
                      struct statusdir_upgrade_report *report)
{
	struct statusdir_upgrade_report ignored;
	if (!path || !*path || late_wait_ns < 0 || (flags & ~(unsigned)STATUSDIR_UPGRADE_KEEP_V1))
		return -EINVAL;
	if (!report)
		report = &ignored;
	memset(report, 0, sizeof(*report));
	struct upgrade u = {
		.path = path, .flags = flags, .late_wait_ns = late_wait_ns, .rep = report,
		.tmp_fd = -1, .cur_fd = -1, .old_fd = -1,
	};
	u.root_fd = open_store(path);
	if (u.root_fd < 0)
		return u.root_fd;
	int r = upgrade(&u);
	statusdir__close(u.tmp_fd);
	statusdir__close(u.cur_fd);
	statusdir__close(u.old_fd);
	statusdir__close(u.root_fd); /* and the lock with it */
	return r;
}
