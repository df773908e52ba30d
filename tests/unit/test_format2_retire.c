/* SPDX-License-Identifier: MIT */
/* test_format2_retire.c - retention of a format-2 store (spec/format2.md,
 * section 8): the cut by keep and by age, never the greatest nor the newest
 * intact version; L raised durably before any unlink; pending claims
 * validated with L read after the look; leftovers at or below L removed by
 * prune; two cleaners at once; the tmp/ sweep leaving claims alone; and
 * verify of a format-2 store.  The clock and calls are wrapped (fault.h). */
#include "internal.h" /* first: config.h; the handle's tmp_sweep_every */

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <xxhash.h>

#define HOUR (3600 * INT64_C(1000000000))

static int f2_setup(void **state)
{
	fault_reset();
	if (store_setup_dir(state) != 0)
		return -1;
	struct store *s = *state;
	int r = statusdir_open(s->path, STATUSDIR_CREATE | STATUSDIR_FORMAT2, NULL, &s->sd);
	if (r < 0) {
		fprintf(stderr, "# statusdir_open(%s): %s\n", s->path, statusdir_strerror(r));
		return -1;
	}
	s->sd->tmp_sweep_every = 0; /* as store_setup(): puts never sweep */
	return 0;
}

static int f2_teardown(void **state)
{
	return fault_store_teardown(state);
}

/* ---- helpers ---- */

struct events {
	unsigned removed, junk, damaged, unreadable, busy, tmp_removed, dry;
	char last[64];
	char details[1024]; /* "name:detail;" of junk and damage */
};

static void record(void *arg, const struct statusdir_event *ev)
{
	struct events *e = arg;
	assert_non_null(ev->detail);
	e->dry += ev->dry_run != 0;
	switch (ev->kind) {
	case STATUSDIR_EV_REMOVED:
		assert_string_equal(ev->dir, "cur");
		e->removed++;
		break;
	case STATUSDIR_EV_MOVED:
		fail_msg("a format-2 store has no head to trim: %s", ev->name);
		break;
	case STATUSDIR_EV_JUNK: e->junk++; break;
	case STATUSDIR_EV_DAMAGED: e->damaged++; break;
	case STATUSDIR_EV_UNREADABLE: e->unreadable++; break;
	case STATUSDIR_EV_TMP_BUSY: e->busy++; break;
	case STATUSDIR_EV_TMP_REMOVED: e->tmp_removed++; break;
	default: break;
	}
	snprintf(e->last, sizeof(e->last), "%s", ev->name);
	if (ev->kind == STATUSDIR_EV_JUNK || ev->kind == STATUSDIR_EV_DAMAGED) {
		size_t len = strlen(e->details);
		snprintf(e->details + len, sizeof(e->details) - len, "%s:%s;", ev->name,
		         ev->detail);
	}
}

static uint64_t low_of(const struct store *s)
{
	char p[PATH_MAX];
	struct stat st;
	store_file(s, "low", p);
	assert_int_equal(stat(p, &st), 0);
	return (uint64_t)st.st_size;
}

static int prune(statusdir *sd, uint64_t keep, int64_t max_age, unsigned flags,
                 struct events *e, struct statusdir_counts *c)
{
	struct statusdir_prune_policy p;
	statusdir_prune_policy_init(&p);
	p.keep = keep;
	p.max_age_ns = max_age;
	p.flags = flags;
	p.report = record;
	p.report_arg = e;
	memset(e, 0, sizeof(*e));
	return statusdir_prune(sd, &p, c);
}

static void prune_ok(statusdir *sd, uint64_t keep, int64_t max_age, struct events *e,
                     struct statusdir_counts *c)
{
	int r = prune(sd, keep, max_age, 0, e, c);
	if (r != 0)
		fail_msg("statusdir_prune: %s", statusdir_strerror(r));
}

static int verify(statusdir *sd, struct events *e, struct statusdir_counts *c)
{
	memset(e, 0, sizeof(*e));
	return statusdir_verify(sd, record, e, c);
}

/* cur/ holds exactly the numbers lo..hi. */
static void assert_cur_is(const struct store *s, uint64_t lo, uint64_t hi)
{
	assert_int_equal(store_count(s, "cur"), hi - lo + 1);
	for (uint64_t k = lo; k <= hi; k++)
		if (!store_has(s, "cur", store_number(k)))
			fail_msg("cur/%s is missing", store_number(k));
}

static void cur_path(const struct store *s, uint64_t k, char *out)
{
	char rel[64];
	snprintf(rel, sizeof(rel), "cur/%s", store_number(k));
	store_file(s, rel, out);
}

static void damage(const struct store *s, uint64_t k)
{
	char p[PATH_MAX];
	size_t len;
	cur_path(s, k, p);
	char *buf = read_file(p, &len);
	assert_true(len > 0);
	buf[len / 2] ^= 0x5a;
	/* in place: the attribute stays, the bytes no longer match it */
	int fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, 0), (ssize_t)len);
	close(fd);
	free(buf);
}

/* A file in tmp/ named name, linked to cur/k as a writer's claim is before
 * its check: two links; a version with its attribute, as a put makes it. */
static void plant_claim(const struct store *s, const char *name, uint64_t k)
{
	char t[PATH_MAX], rel[PATH_MAX + 8], c[PATH_MAX], meta[64];
	snprintf(rel, sizeof(rel), "tmp/%s", name);
	store_file(s, rel, t);
	write_file(t, "claim\n", 6);
	int n = snprintf(meta, sizeof(meta), "6 %016" PRIx64 " %019" PRId64,
	                 (uint64_t)XXH3_64bits("claim\n", 6), (int64_t)time(NULL) * NS_PER_SEC);
	assert_int_equal(setxattr(t, "user.statusdir", meta, (size_t)n, 0), 0);
	cur_path(s, k, c);
	assert_int_equal(link(t, c), 0);
}

static nlink_t links_of(const struct store *s, const char *folder, const char *name)
{
	char rel[PATH_MAX + 8], p[PATH_MAX];
	struct stat st;
	snprintf(rel, sizeof(rel), "%s/%s", folder, name);
	store_file(s, rel, p);
	assert_int_equal(stat(p, &st), 0);
	return st.st_nlink;
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

/* The tmp/ name of a writer that is gone (a dead pid). */
static void gone_writer_name(struct store *s, char *out)
{
	char pid[32];
	snprintf(pid, sizeof(pid), "%ld", (long)dead_pid());
	tmp_name_now(s->sd, s, out);
	tmp_name_edit(out, 2, pid);
}

/* ---- the cut ---- */

static void test_keep_cut(void **state)
{
	struct store *s = *state;
	struct events e;
	struct statusdir_counts c;
	put_numbered(s->sd, 10, NULL);
	prune_ok(s->sd, 3, 0, &e, &c);
	assert_int_equal(low_of(s), 7);
	assert_cur_is(s, 8, 10);
	assert_int_equal(c.removed, 7);
	assert_int_equal(e.removed, 7);
	assert_int_equal(c.versions, 10);
	assert_string_equal(e.last, store_number(7));
	/* again: nothing more to free, L stays */
	prune_ok(s->sd, 3, 0, &e, &c);
	assert_int_equal(c.removed, 0);
	assert_int_equal(low_of(s), 7);
}

static void test_keep_one_keeps_the_greatest(void **state)
{
	struct store *s = *state;
	struct events e;
	put_numbered(s->sd, 4, NULL);
	prune_ok(s->sd, 1, 0, &e, NULL);
	assert_int_equal(low_of(s), 3);
	assert_cur_is(s, 4, 4);
	assert_version(s->sd, NULL, "version 3\n", 10, store_number(4));
}

/* Only a prefix is freed: an old version above a young one stays. */
static void test_max_age_cut_is_a_prefix(void **state)
{
	struct store *s = *state;
	struct events e;
	fault_clock_offset(-3 * HOUR);
	put_numbered(s->sd, 3, NULL); /* 1..3 old */
	fault_clock_offset(0);
	put_ok(s->sd, "young\n", 6, NULL); /* 4 */
	fault_clock_offset(-3 * HOUR);
	put_ok(s->sd, "old again\n", 10, NULL); /* 5 */
	fault_clock_offset(0);
	put_ok(s->sd, "newest\n", 7, NULL); /* 6 */
	prune_ok(s->sd, 0, HOUR, &e, NULL);
	assert_int_equal(low_of(s), 3);
	assert_cur_is(s, 4, 6);
	assert_int_equal(e.removed, 3);
}

static void test_max_age_never_the_greatest(void **state)
{
	struct store *s = *state;
	struct events e;
	fault_clock_offset(-3 * HOUR);
	put_numbered(s->sd, 5, NULL);
	fault_clock_offset(0);
	prune_ok(s->sd, 0, HOUR, &e, NULL);
	assert_int_equal(low_of(s), 4);
	assert_cur_is(s, 5, 5);
}

/* The age walk: a tombstone holds nothing to keep; a version whose
 * attribute is gone is judged by its mtime. */
static void test_max_age_tombstones_and_bare_versions(void **state)
{
	struct store *s = *state;
	struct events e;
	char p[PATH_MAX];
	put_numbered(s->sd, 3, NULL);
	cur_path(s, 1, p);
	assert_int_equal(removexattr(p, "user.statusdir"), 0);
	cur_path(s, 2, p);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("lost", p), 0);
	fault_clock_offset(3 * HOUR); /* 1..3 were written three hours ago */
	put_numbered(s->sd, 2, NULL);
	prune_ok(s->sd, 0, HOUR, &e, NULL);
	assert_int_equal(low_of(s), 3);
	assert_cur_is(s, 4, 5);
}

/* A hole (a number absent above L, below the greatest): retention frees
 * nothing from it on, until recovery seals it. */
static void test_cut_stops_below_a_hole(void **state)
{
	struct store *s = *state;
	struct events e;
	char p[PATH_MAX];
	put_numbered(s->sd, 6, NULL);
	cur_path(s, 3, p);
	assert_int_equal(unlink(p), 0);
	prune_ok(s->sd, 1, 0, &e, NULL);
	assert_int_equal(low_of(s), 2);
	assert_int_equal(e.removed, 2);
	assert_int_equal(store_count(s, "cur"), 3);
	assert_true(store_has(s, "cur", store_number(4)));
}

/* Not one version intact: no newest intact to keep, and still never the
 * greatest. */
static void test_greatest_stays_when_none_is_intact(void **state)
{
	struct store *s = *state;
	struct events e;
	fault_clock_offset(-3 * HOUR);
	put_numbered(s->sd, 3, NULL);
	fault_clock_offset(0);
	for (uint64_t k = 1; k <= 3; k++)
		damage(s, k);
	prune_ok(s->sd, 0, HOUR, &e, NULL);
	assert_int_equal(low_of(s), 2);
	assert_cur_is(s, 3, 3);
}

/* keep or age: a version goes if either says so. */
static void test_keep_and_max_age(void **state)
{
	struct store *s = *state;
	struct events e;
	fault_clock_offset(-3 * HOUR);
	put_numbered(s->sd, 6, NULL);
	fault_clock_offset(0);
	put_numbered(s->sd, 4, NULL); /* 7..10 young */
	prune_ok(s->sd, 8, HOUR, &e, NULL); /* keep says 2, age says 6 */
	assert_int_equal(low_of(s), 6);
	prune_ok(s->sd, 2, HOUR, &e, NULL); /* keep says 8 */
	assert_int_equal(low_of(s), 8);
	assert_cur_is(s, 9, 10);
}

/* A damaged newest: the cut stays below the newest intact version. */
static void test_never_the_newest_intact(void **state)
{
	struct store *s = *state;
	struct events e;
	put_numbered(s->sd, 6, NULL);
	damage(s, 6);
	damage(s, 5);
	prune_ok(s->sd, 1, 0, &e, NULL);
	assert_int_equal(low_of(s), 3);
	assert_cur_is(s, 4, 6);
	/* a put's own retention knows its version intact without reading it */
	struct statusdir_config cfg;
	assert_int_equal(statusdir_config_get(s->sd, &cfg), 0);
	cfg.keep = 1;
	assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
	put_ok(s->sd, "good\n", 5, NULL); /* 7 */
	assert_cur_is(s, 7, 7);
	assert_int_equal(low_of(s), 6);
}

static void test_dry_run_changes_nothing(void **state)
{
	struct store *s = *state;
	struct events e;
	struct statusdir_counts c;
	put_numbered(s->sd, 8, NULL);
	assert_int_equal(prune(s->sd, 3, 0, STATUSDIR_PRUNE_DRY_RUN, &e, &c), 0);
	assert_int_equal(c.removed, 5);
	assert_int_equal(e.removed, 5);
	assert_int_equal(e.dry, 5);
	assert_int_equal(low_of(s), 0);
	assert_cur_is(s, 1, 8);
}

/* config keep: every put applies it (keep 2: each put runs retention). */
static void test_put_applies_recorded_keep(void **state)
{
	struct store *s = *state;
	struct statusdir_config cfg;
	assert_int_equal(statusdir_config_get(s->sd, &cfg), 0);
	cfg.keep = 2;
	assert_int_equal(statusdir_config_set(s->sd, &cfg), 0);
	put_numbered(s->sd, 9, NULL);
	assert_cur_is(s, 8, 9);
	assert_int_equal(low_of(s), 7);
	assert_version(s->sd, NULL, "version 8\n", 10, store_number(9));
}

/* ---- R3 before R4 ---- */

static const struct store *watched;
static unsigned unlinks_seen;

/* Every unlink of a number name in cur/ must come after L covers it. */
static bool check_low_covers(const char *name)
{
	uint64_t k = strtoull(name, NULL, 10);
	if (strlen(name) == 20 && k > 0) {
		unlinks_seen++;
		if (low_of(watched) < k)
			fail_msg("cur/%s unlinked while L is %" PRIu64, name, low_of(watched));
	}
	return false;
}

static void test_low_raised_before_unlinks(void **state)
{
	struct store *s = *state;
	struct events e;
	put_numbered(s->sd, 10, NULL);
	watched = s;
	unlinks_seen = 0;
	fault_arm(FAULT_UNLINKAT, &(struct fault){ .times = FAULT_ALWAYS, .match = check_low_covers });
	prune_ok(s->sd, 4, 0, &e, NULL);
	assert_int_equal(unlinks_seen, 6);
	assert_cur_is(s, 7, 10);
}

/* The raise fails: nothing is unlinked, L stays; a put's own retention
 * failing leaves its put committed. */
static void test_failed_raise_unlinks_nothing(void **state)
{
	struct store *s = *state;
	struct events e;
	put_numbered(s->sd, 10, NULL);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EIO, .name = "low" });
	assert_int_equal(prune(s->sd, 2, 0, 0, &e, NULL), -EIO);
	assert_true(fault_hits(FAULT_OPENAT) >= 1);
	assert_int_equal(e.removed, 0);
	assert_int_equal(low_of(s), 0);
	assert_cur_is(s, 1, 10);
	fault_reset();
	prune_ok(s->sd, 2, 0, &e, NULL);
	assert_cur_is(s, 9, 10);
}

/* ---- R2: pending claims ---- */

/* A claim whose writer has not checked yet (tmp/ link still there) in the
 * range being freed: retention validates it by removing the tmp/ link
 * before L passes it. */
static void test_pending_claim_is_validated(void **state)
{
	struct store *s = *state;
	struct events e;
	char name[NAME_MAX + 1];
	put_numbered(s->sd, 4, NULL);
	tmp_name_now(s->sd, s, name); /* a live writer: the sweep keeps it */
	plant_claim(s, name, 5);
	assert_int_equal(links_of(s, "tmp", name), 2);
	put_numbered(s->sd, 3, NULL); /* 6..8, past the claim */
	prune_ok(s->sd, 2, 0, &e, NULL);
	assert_int_equal(low_of(s), 6);
	assert_false(store_has(s, "tmp", name));
	assert_cur_is(s, 7, 8);
}

static const struct store *raise_store;
static uint64_t raise_to;

static void raise_low(void *arg)
{
	char p[PATH_MAX];
	(void)arg;
	store_file(raise_store, "low", p);
	if (low_of(raise_store) < raise_to)
		assert_int_equal(truncate(p, (off_t)raise_to), 0);
}

/* Another cleaner raises L past the claim after this one read L at R1:
 * the claim is stale now, and its tmp/ link must stay for its writer to
 * find (mutation VALIDATE_OLD_L: L read before the look). */
static void test_claim_below_a_fresh_low_is_not_validated(void **state)
{
	struct store *s = *state;
	struct events e;
	char name[NAME_MAX + 1];
	put_numbered(s->sd, 2, NULL);
	tmp_name_now(s->sd, s, name);
	plant_claim(s, name, 3);
	put_numbered(s->sd, 4, NULL); /* 4..7 */
	raise_store = s;
	raise_to = 4;
	/* after R1's read of L: when the newest intact version is opened */
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = 1, .name = store_number(7), .hook = raise_low });
	prune_ok(s->sd, 3, 0, &e, NULL);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
	assert_int_equal(low_of(s), 4);
	assert_true(store_has(s, "tmp", name));
	assert_int_equal(links_of(s, "tmp", name), 1);
	assert_cur_is(s, 5, 7);
}

/* A stale claim left at or below L (its writer died before removing it),
 * and a name a crash left between R3 and R4: prune removes both; verify
 * reports them as junk, not damage. */
static void test_leftovers_removed_by_prune(void **state)
{
	struct store *s = *state;
	struct events e;
	struct statusdir_counts c;
	char name[NAME_MAX + 1], p[PATH_MAX];
	put_numbered(s->sd, 6, NULL);
	prune_ok(s->sd, 2, 0, &e, NULL);
	assert_int_equal(low_of(s), 4);
	gone_writer_name(s, name);
	plant_claim(s, name, 2);        /* a stale claim of 2 */
	cur_path(s, 3, p);
	write_file(p, "left\n", 5);     /* a leftover of 3 */
	assert_int_equal(verify(s->sd, &e, &c), 0);
	assert_int_equal(c.junk, 2);
	assert_int_equal(c.versions, 2);
	assert_non_null(strstr(e.details, "freed, not yet removed"));
	assert_int_equal(c.tmp_busy, 1); /* the claim's tmp/ link */
	prune_ok(s->sd, 0, 0, &e, &c);
	assert_int_equal(c.removed, 2);
	assert_cur_is(s, 5, 6);
	/* one link left: the sweep, after the listing, takes it as the file
	 * of a gone writer in the same run */
	assert_int_equal(c.tmp_removed, 1);
	assert_false(store_has(s, "tmp", name));
	assert_int_equal(low_of(s), 4);
}

/* ---- two cleaners ---- */

static statusdir *other;
static int other_result;
static struct events other_events;

static void other_prunes(void *arg)
{
	(void)arg;
	other_result = prune(other, 3, 0, 0, &other_events, NULL);
}

/* While one cleaner raises L (to 5), another runs whole (to 7): L ends at
 * the greater cut, each version is removed once, neither fails. */
static void test_concurrent_retention(void **state)
{
	struct store *s = *state;
	struct events e;
	put_numbered(s->sd, 10, NULL);
	assert_int_equal(statusdir_open(s->path, 0, NULL, &other), 0);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = 1, .name = "low", .hook = other_prunes });
	int r = prune(s->sd, 5, 0, 0, &e, NULL);
	statusdir_close(other);
	assert_int_equal(fault_hits(FAULT_OPENAT), 1);
	assert_int_equal(r, 0);
	assert_int_equal(other_result, 0);
	assert_int_equal(low_of(s), 7);
	assert_cur_is(s, 8, 10);
	assert_int_equal(e.removed + other_events.removed, 7);
	assert_int_equal(other_events.removed, 7);
}

/* Two handles taking turns, with puts between: L only rises. */
static void test_two_handles_take_turns(void **state)
{
	struct store *s = *state;
	struct events e;
	statusdir *b;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &b), 0);
	put_numbered(s->sd, 6, NULL);
	prune_ok(b, 2, 0, &e, NULL);
	assert_int_equal(low_of(s), 4);
	put_numbered(b, 3, NULL); /* 7..9 */
	prune_ok(s->sd, 6, 0, &e, NULL); /* a cut of 3, below L: nothing */
	assert_int_equal(e.removed, 0);
	assert_int_equal(low_of(s), 4);
	prune_ok(s->sd, 1, 0, &e, NULL);
	assert_int_equal(low_of(s), 8);
	assert_cur_is(s, 9, 9);
	statusdir_close(b);
}

/* ---- tmp/ sweep ---- */

/* A gone writer's tmp/ file is stale, unless it is a claim whose check is
 * pending: then the sweep keeps it until retention validates it or its
 * name in cur/ is gone. */
static void test_sweep_keeps_pending_claims(void **state)
{
	struct store *s = *state;
	struct events e;
	struct statusdir_counts c;
	struct statusdir_tmp_usage u;
	char claim[NAME_MAX + 1], plain[NAME_MAX + 1], rel[PATH_MAX + 8], p[PATH_MAX];
	put_numbered(s->sd, 3, NULL);
	gone_writer_name(s, claim);
	gone_writer_name(s, plain);
	snprintf(rel, sizeof(rel), "tmp/%s", plain);
	store_file(s, rel, p);
	write_file(p, "dead\n", 5);
	plant_claim(s, claim, 4);
	assert_int_equal(statusdir_tmp_usage(s->sd, 0, &u), 0);
	assert_int_equal(u.stale, 1);
	assert_int_equal(u.busy, 1);
	assert_int_equal(verify(s->sd, &e, &c), 0);
	assert_int_equal(c.tmp_stale, 1);
	assert_int_equal(c.tmp_busy, 1);
	fault_clock_offset(STATUSDIR_TMP_AGE_NS + HOUR); /* old, too */
	prune_ok(s->sd, 0, 0, &e, &c);
	assert_int_equal(c.tmp_removed, 1);
	assert_false(store_has(s, "tmp", plain));
	/* prune validated the claim (above L, its writer never checked it),
	 * so its tmp/ link went and version 4 stays */
	assert_false(store_has(s, "tmp", claim));
	assert_int_equal(links_of(s, "cur", store_number(4)), 1);
	/* a stale claim at or below L whose writer died: its name in cur/ goes
	 * as a leftover, and then its tmp/ file in the same prune */
	put_numbered(s->sd, 2, NULL); /* 5, 6 */
	gone_writer_name(s, claim);
	plant_claim(s, claim, 7);
	put_numbered(s->sd, 1, NULL); /* 8 */
	char low[PATH_MAX];
	store_file(s, "low", low);
	assert_int_equal(truncate(low, 7), 0); /* L 7: the claim of 7 is stale */
	prune_ok(s->sd, 0, 0, &e, &c);
	assert_false(store_has(s, "cur", store_number(7)));
	assert_false(store_has(s, "tmp", claim));
}

/* Format 1: a second link of a tmp/ file is a commit by link(2) whose
 * writer died before removing its tmp/ name (where RENAME_NOREPLACE is
 * missing, FUSE among them): the version is committed, and the tmp/ name
 * of a gone writer is stale as any other. */
static void test_sweep_takes_linked_files_format1(void **state)
{
	struct store *s = *state;
	struct events e;
	struct statusdir_counts c;
	struct statusdir_tmp_usage u;
	char name[NAME_MAX + 1], rel[PATH_MAX + 8], p[PATH_MAX], elsewhere[PATH_MAX];
	put_numbered(s->sd, 3, NULL);
	gone_writer_name(s, name);
	snprintf(rel, sizeof(rel), "tmp/%s", name);
	store_file(s, rel, p);
	write_file(p, "held\n", 5);
	store_dir_file(s, "elsewhere", elsewhere);
	assert_int_equal(link(p, elsewhere), 0);
	assert_int_equal(statusdir_tmp_usage(s->sd, 0, &u), 0);
	assert_int_equal(u.stale, 1);
	assert_int_equal(u.busy, 0);
	prune_ok(s->sd, 0, 0, &e, &c);
	assert_int_equal(c.tmp_removed, 1);
	assert_false(store_has(s, "tmp", name));
}

/* A writer killed between its claim and its check leaves the claim's tmp/
 * link: prune validates it (R2: the look, then L).  A live writer's claim
 * is its writer's to check. */
static void test_prune_validates_unchecked_claims(void **state)
{
	struct store *s = *state;
	struct events e;
	char dead[NAME_MAX + 1], live[NAME_MAX + 1];
	put_numbered(s->sd, 2, NULL);
	gone_writer_name(s, dead);
	plant_claim(s, dead, 3);
	tmp_name_now(s->sd, s, live);
	plant_claim(s, live, 4);
	prune_ok(s->sd, 0, 0, &e, NULL);
	assert_false(store_has(s, "tmp", dead));
	assert_int_equal(links_of(s, "cur", store_number(3)), 1);
	assert_int_equal(links_of(s, "tmp", live), 2);
	assert_int_equal(low_of(s), 0);
}

/* ---- verify ---- */

static void test_verify_clean(void **state)
{
	struct store *s = *state;
	struct events e;
	struct statusdir_counts c;
	put_numbered(s->sd, 5, NULL);
	prune_ok(s->sd, 3, 0, &e, NULL);
	assert_int_equal(verify(s->sd, &e, &c), 0);
	assert_int_equal(c.versions, 3);
	assert_int_equal(c.damaged + c.junk + c.unreadable, 0);
}

static void test_verify_finds_damage(void **state)
{
	struct store *s = *state;
	struct events e;
	struct statusdir_counts c;
	char p[PATH_MAX], want[256];
	put_numbered(s->sd, 5, NULL);
	damage(s, 2);
	cur_path(s, 4, p);
	assert_int_equal(removexattr(p, "user.statusdir"), 0);
	cur_path(s, 5, p);
	assert_int_equal(truncate(p, 3), 0);
	assert_int_equal(verify(s->sd, &e, &c), -EBADMSG);
	assert_int_equal(c.versions, 5);
	assert_int_equal(c.damaged, 3);
	snprintf(want, sizeof(want), "%s:checksum mismatch;", store_number(2));
	assert_non_null(strstr(e.details, want));
	snprintf(want, sizeof(want), "%s:no user.statusdir attribute (copied without xattrs?);",
	         store_number(4));
	assert_non_null(strstr(e.details, want));
	snprintf(want, sizeof(want), "%s:size 3, expected 10;", store_number(5));
	assert_non_null(strstr(e.details, want));
	/* a malformed attribute is damage too, said otherwise */
	cur_path(s, 4, p);
	assert_int_equal(setxattr(p, "user.statusdir", "12 x 3", 6, 0), 0);
	assert_int_equal(verify(s->sd, &e, &c), -EBADMSG);
	snprintf(want, sizeof(want), "%s:malformed user.statusdir attribute;", store_number(4));
	assert_non_null(strstr(e.details, want));
}

static void test_verify_junk_and_tombstones(void **state)
{
	struct store *s = *state;
	struct events e;
	struct statusdir_counts c;
	char p[PATH_MAX], want[256];
	put_numbered(s->sd, 3, NULL);
	cur_path(s, 2, p);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("lost", p), 0); /* a tombstone */
	store_file(s, "cur/notes.txt", p);
	write_file(p, "mine", 4);
	assert_int_equal(verify(s->sd, &e, &c), 0);
	assert_int_equal(c.versions, 2);
	assert_int_equal(c.junk, 2);
	snprintf(want, sizeof(want), "%s:lost in a power cut;", store_number(2));
	assert_non_null(strstr(e.details, want));
	assert_non_null(strstr(e.details, "notes.txt:not a version id;"));
	/* prune leaves junk alone, as in format 1, and removes the tombstone
	 * with the versions around it */
	prune_ok(s->sd, 1, 0, &e, NULL);
	assert_true(store_has(s, "cur", "notes.txt"));
	assert_false(store_has(s, "cur", store_number(2)));
	assert_int_equal(low_of(s), 2);
}

static void test_verify_unreadable_goes_on(void **state)
{
	struct store *s = *state;
	struct events e;
	struct statusdir_counts c;
	put_numbered(s->sd, 4, NULL);
	damage(s, 1);
	fault_arm(FAULT_OPENAT, &(struct fault){ .times = FAULT_ALWAYS, .err = EACCES, .name = store_number(3) });
	assert_int_equal(verify(s->sd, &e, &c), -EACCES);
	assert_int_equal(c.unreadable, 1);
	assert_int_equal(e.unreadable, 1);
	assert_int_equal(c.damaged, 1);
	assert_int_equal(c.versions, 4);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, f2_setup, f2_teardown)
	const struct CMUnitTest tests[] = {
		T(test_keep_cut),
		T(test_keep_one_keeps_the_greatest),
		T(test_max_age_cut_is_a_prefix),
		T(test_max_age_never_the_greatest),
		T(test_max_age_tombstones_and_bare_versions),
		T(test_cut_stops_below_a_hole),
		T(test_greatest_stays_when_none_is_intact),
		T(test_keep_and_max_age),
		T(test_never_the_newest_intact),
		T(test_dry_run_changes_nothing),
		T(test_put_applies_recorded_keep),
		T(test_low_raised_before_unlinks),
		T(test_failed_raise_unlinks_nothing),
		T(test_pending_claim_is_validated),
		T(test_claim_below_a_fresh_low_is_not_validated),
		T(test_leftovers_removed_by_prune),
		T(test_concurrent_retention),
		T(test_two_handles_take_turns),
		T(test_prune_validates_unchecked_claims),
		T(test_sweep_keeps_pending_claims),
		cmocka_unit_test_setup_teardown(test_sweep_takes_linked_files_format1,
		                                fault_store_setup, fault_store_teardown),
		T(test_verify_clean),
		T(test_verify_finds_damage),
		T(test_verify_junk_and_tombstones),
		T(test_verify_unreadable_goes_on),
	};
	return cmocka_run_group_tests_name("format2_retire", tests, NULL, NULL);
}
