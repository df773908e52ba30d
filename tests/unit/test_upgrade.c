/* SPDX-License-Identifier: MIT */
/* test_upgrade.c - statusdir_upgrade(): a format-1 store becomes format 2
 * in place (spec/format2.md, section 16).  Versions in cur/ and old/ become
 * numbers in id order with their bytes, sizes and times; old ids still
 * name them; an upgrading store is refused; late format-1 names are
 * adopted after the others; and an upgrade that fails at any link,
 * rename, unlink or fsync is finished by a second run, to the very state
 * an uninterrupted one leaves. */
#include "internal.h" /* the handle's tmp_sweep_every; statusdir__open_number */

#include "fault.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define VERSIONS 12 /* more than STATUSDIR_HEAD: some are in old/ */

static int upgrade(const char *path, unsigned flags, struct statusdir_upgrade_report *rep)
{
	return statusdir_upgrade(path, flags, 0, rep);
}

static statusdir *open_ok(const char *path)
{
	statusdir *sd;
	int r = statusdir_open(path, 0, NULL, &sd);
	if (r != 0)
		fail_msg("statusdir_open(%s): %s", path, statusdir_strerror(r));
	return sd;
}

static size_t count_in(const char *path, const char *folder)
{
	char p[2 * PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", path, folder);
	DIR *d = opendir(p);
	size_t n = 0;
	if (!d)
		return 0;
	for (struct dirent *de; (de = readdir(d));)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

static bool exists(const char *path, const char *rel)
{
	char p[2 * PATH_MAX];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", path, rel);
	return lstat(p, &st) == 0;
}

static void test_numbers_follow_ids(void **state)
{
	struct store *s = *state;
	char ids[VERSIONS][STATUSDIR_ID_SIZE];
	struct statusdir_upgrade_report rep;
	put_numbered(s->sd, VERSIONS, ids);
	assert_int_equal(count_in(s->path, "old"), VERSIONS - STATUSDIR_HEAD);

	assert_int_equal(upgrade(s->path, 0, &rep), 0);
	assert_int_equal(rep.from1, VERSIONS);
	assert_int_equal(rep.numbered, VERSIONS);
	assert_int_equal(rep.removed, VERSIONS);
	assert_int_equal(rep.adopted, 0);
	assert_int_equal(rep.was_format2, 0);
	assert_false(exists(s->path, "old"));
	assert_int_equal(count_in(s->path, "cur"), VERSIONS);

	statusdir *sd = open_ok(s->path);
	assert_int_equal(statusdir_format(sd), 2);
	for (size_t i = 0; i < VERSIONS; i++) {
		struct statusdir_version v1, v;
		uint64_t file_size;
		int fd;
		char text[32];
		int len = snprintf(text, sizeof(text), "version %zu\n", i);
		assert_int_equal(statusdir_id_parse(ids[i], &v1), 0);
		assert_int_equal(statusdir__open_number(sd, i + 1, &fd, &v, &file_size), 0);
		close(fd);
		assert_int_equal(v.time_ns, v1.time_ns);
		assert_int_equal(v.size, v1.size);
		assert_int_equal(v.checksum, v1.checksum);
		assert_version(sd, store_number(i + 1), text, (size_t)len, store_number(i + 1));
	}
	/* the newest is the last, and a put goes on after it */
	assert_version(sd, NULL, "version 11\n", 11, store_number(VERSIONS));
	char id[STATUSDIR_ID_SIZE];
	put_ok(sd, "next\n", 5, id);
	assert_string_equal(id, store_number(VERSIONS + 1));
	statusdir_close(sd);
}

static void test_old_ids_still_name_versions(void **state)
{
	struct store *s = *state;
	char ids[VERSIONS][STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE], buf[64];
	size_t len;
	put_numbered(s->sd, VERSIONS, ids);
	assert_int_equal(upgrade(s->path, 0, NULL), 0);
	statusdir *sd = open_ok(s->path);
	for (size_t i = 0; i < VERSIONS; i++) {
		char text[32];
		int n = snprintf(text, sizeof(text), "version %zu\n", i);
		assert_int_equal(statusdir_get(sd, ids[i], buf, sizeof(buf), &len, found), 0);
		assert_int_equal(len, (size_t)n);
		assert_memory_equal(buf, text, len);
		assert_string_equal(found, store_number(i + 1));
	}
	/* an id that never was, before the first and after the last */
	char other[STATUSDIR_ID_SIZE];
	memcpy(other, ids[0], sizeof(other));
	other[0] = '0';
	assert_int_equal(statusdir_get(sd, other, buf, sizeof(buf), &len, NULL), -ENOENT);
	memcpy(other, ids[VERSIONS - 1], sizeof(other));
	other[1] = '9';
	assert_int_equal(statusdir_get(sd, other, buf, sizeof(buf), &len, NULL), -ENOENT);
	statusdir_close(sd);
	/* one line of 112 bytes per version */
	char p[2 * PATH_MAX];
	struct stat st;
	store_file(s, "ids-1", p);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, VERSIONS * 112);
}

static void test_store_made_as_format2_is_left_alone(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], buf[16];
	struct statusdir_upgrade_report rep;
	size_t len;
	put_ok(s->sd, "a\n", 2, id);
	assert_int_equal(upgrade(s->path, 0, &rep), 0);
	assert_int_equal(rep.was_format2, 1);
	assert_int_equal(rep.numbered, 0);
	assert_false(exists(s->path, "ids-1"));
	/* a format-1 id names nothing here */
	assert_int_equal(statusdir_get(s->sd, "1795808023123456789.0f1e2d3c4b5a69788796a5b4c3d2e1f0.2.1a2b3c4d5e6f7a8b",
	                               buf, sizeof(buf), &len, NULL), -ENOENT);
}

static void test_upgrading_store_is_refused(void **state)
{
	struct store *s = *state;
	statusdir *sd;
	char id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, VERSIONS, NULL);
	/* the third link fails: the store stays marked upgrading */
	fault_arm(FAULT_LINKAT, &(struct fault){ .skip = 2, .times = 1, .err = EIO });
	assert_int_equal(upgrade(s->path, 0, NULL), -EIO);
	assert_int_equal(fault_hits(FAULT_LINKAT), 1);
	fault_reset();
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd), -EBUSY);
	assert_int_equal(statusdir_open(s->path, STATUSDIR_READONLY, NULL, &sd), -EBUSY);
	assert_int_equal(statusdir_open(s->path, STATUSDIR_CREATE, NULL, &sd), -EBUSY);
	/* a format-1 handle opened before refuses its next put */
	assert_int_equal(statusdir_put(s->sd, "x", 1, 0, id), -EBUSY);
	assert_int_equal(count_in(s->path, "tmp"), 0);
	assert_non_null(strstr(statusdir_strerror(-EBUSY), "statusdir upgrade"));

	assert_int_equal(upgrade(s->path, 0, NULL), 0);
	sd = open_ok(s->path);
	assert_version(sd, NULL, "version 11\n", 11, store_number(VERSIONS));
	statusdir_close(sd);
	/* done: the old handle is format 1, the store is not */
	assert_int_equal(statusdir_put(s->sd, "x", 1, 0, id), -EPROTONOSUPPORT);
}

static void write_text(const char *path, const char *rel, const char *text)
{
	char p[2 * PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", path, rel);
	write_file(p, text, strlen(text));
}

static void test_format_keys(void **state)
{
	struct store *s = *state;
	statusdir *sd;
	struct statusdir_config cfg;
	put_numbered(s->sd, 3, NULL);
	assert_int_equal(upgrade(s->path, 0, NULL), 0);
	/* config keeps from-1: old ids still work after it */
	sd = open_ok(s->path);
	statusdir_config_init(&cfg);
	cfg.keep = 50;
	assert_int_equal(statusdir_config_set(sd, &cfg), 0);
	statusdir_close(sd);
	char p[2 * PATH_MAX];
	store_file(s, "format", p);
	size_t len;
	char *text = read_file(p, &len);
	assert_non_null(memmem(text, len, "from-1 3\n", 9));
	assert_non_null(memmem(text, len, "keep 50\n", 8));
	free(text);
	/* the upgrade's keys belong to format 2, and never both at once */
	write_text(s->path, "format", "statusdir-format 1\nchecksum xxh3-64\nfrom-1 3\n");
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd), -EPROTONOSUPPORT);
	write_text(s->path, "format",
	           "statusdir-format 2\nchecksum xxh3-64\nintegrity xattr\nupgrading 1\nfrom-1 3\n");
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd), -EPROTONOSUPPORT);
	write_text(s->path, "format", "statusdir-format 2\nchecksum xxh3-64\nintegrity xattr\nupgrading 2\n");
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd), -EPROTONOSUPPORT);
	write_text(s->path, "format", "statusdir-format 2\nchecksum xxh3-64\nintegrity xattr\nfrom-1 x\n");
	assert_int_equal(statusdir_open(s->path, 0, NULL, &sd), -EPROTONOSUPPORT);
}

/* The attribute's suffix: a format-1 id after " id1=", or damaged. */
static void test_meta_suffix(void **state)
{
	struct store *s = *state;
	char p[2 * PATH_MAX];
	uint64_t file_size;
	int fd;
	struct statusdir_version v;
	put_numbered(s->sd, 1, NULL);
	assert_int_equal(upgrade(s->path, 0, NULL), 0);
	statusdir *sd = open_ok(s->path);
	store_file(s, "cur/00000000000000000001", p);
	char meta[200];
	ssize_t n = getxattr(p, "user.statusdir", meta, sizeof(meta) - 1);
	assert_true(n > 0);
	meta[n] = '\0';
	assert_non_null(strstr(meta, " id1="));
	assert_int_equal(statusdir__open_number(sd, 1, &fd, &v, &file_size), 0);
	close(fd);
	static const char *const bad[] = { " id1=", " id1=x", " id2=", "x", " id1=1.2.3.4" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char m[256];
		snprintf(m, sizeof(m), "%.*s%s", (int)(strstr(meta, " id1=") - meta), meta, bad[i]);
		assert_int_equal(setxattr(p, "user.statusdir", m, strlen(m), 0), 0);
		assert_int_equal(statusdir__open_number(sd, 1, &fd, &v, &file_size), -EBADMSG);
	}
	statusdir_close(sd);
}

/* ---- late format-1 names ---- */

/* A format-1 version named as a format-1 writer would name it, written
 * straight into folder/; its id into id.  time_ns 0: now. */
static void publish_v1(const char *path, const char *folder, const char *payload,
                       int64_t time_ns, char id[STATUSDIR_ID_SIZE])
{
	struct id_parts parts = { .size = strlen(payload),
	                          .checksum = statusdir__checksum(payload, strlen(payload)) };
	parts.time_ns = time_ns ? time_ns : statusdir__now_ns();
	statusdir__random16(parts.unique);
	statusdir__id_format(&parts, id);
	char p[2 * PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s/%s", path, folder, id);
	write_file(p, payload, strlen(payload));
}

struct late_hook {
	const char *path;
	char id[STATUSDIR_ID_SIZE];
	int64_t time_ns;
};

static void publish_late(void *arg)
{
	struct late_hook *h = arg;
	publish_v1(h->path, "cur", "late\n", h->time_ns, h->id);
}

static void test_late_name_is_adopted_after_the_others(void **state)
{
	struct store *s = *state;
	char ids[5][STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE], buf[16];
	struct statusdir_upgrade_report rep;
	struct statusdir_version v2;
	size_t len;
	put_numbered(s->sd, 5, ids);
	assert_int_equal(statusdir_id_parse(ids[1], &v2), 0);
	/* published while U3 numbers the versions, with a time below the
	 * second version's (its writer's clock was behind) */
	struct late_hook h = { .path = s->path, .time_ns = v2.time_ns - 1 };
	fault_arm(FAULT_LINKAT, &(struct fault){ .skip = 2, .times = 1, .hook = publish_late,
	                                         .hook_arg = &h });
	assert_int_equal(upgrade(s->path, 0, &rep), 0);
	assert_int_equal(fault_hits(FAULT_LINKAT), 1);
	fault_reset();
	assert_int_equal(rep.from1, 5);
	assert_int_equal(rep.adopted, 1);
	assert_int_equal(rep.removed, 5);
	/* ordered by its adoption: after every version numbered before */
	statusdir *sd = open_ok(s->path);
	assert_version(sd, NULL, "late\n", 5, store_number(6));
	assert_int_equal(statusdir_get(sd, h.id, buf, sizeof(buf), &len, found), 0);
	assert_string_equal(found, store_number(6));
	assert_int_equal(statusdir_get(sd, ids[1], buf, sizeof(buf), &len, found), 0);
	assert_string_equal(found, store_number(2));
	assert_int_equal(count_in(s->path, "cur"), 6);
	assert_int_equal(count_in(s->path, "tmp"), 0);
	assert_true(exists(s->path, "ids-1.late"));
	statusdir_close(sd);
}

/* Before anything adopts it, a late name is found by its format-1 id, in
 * cur/ or in old/, and checked against the size and checksum it names. */
static void test_late_name_found_before_adoption(void **state)
{
	struct store *s = *state;
	char cur_id[STATUSDIR_ID_SIZE], old_id[STATUSDIR_ID_SIZE], bad_id[STATUSDIR_ID_SIZE];
	char found[STATUSDIR_ID_SIZE], buf[16], p[2 * PATH_MAX];
	size_t len;
	put_numbered(s->sd, 2, NULL);
	assert_int_equal(upgrade(s->path, 0, NULL), 0);
	store_file(s, "old", p);
	assert_int_equal(mkdir(p, 0777), 0); /* U5 removed it; a late writer's trim makes it */
	publish_v1(s->path, "cur", "late\n", 0, cur_id);
	publish_v1(s->path, "old", "moved\n", 0, old_id);
	publish_v1(s->path, "cur", "bad\n", 0, bad_id);
	snprintf(p, sizeof(p), "%s/cur/%s", s->path, bad_id);
	write_file(p, "BAD\n", 4);
	statusdir *sd = open_ok(s->path);
	assert_int_equal(statusdir_get(sd, cur_id, buf, sizeof(buf), &len, found), 0);
	assert_int_equal(len, 5);
	assert_memory_equal(buf, "late\n", 5);
	assert_string_equal(found, cur_id);
	assert_int_equal(statusdir_get(sd, old_id, buf, sizeof(buf), &len, found), 0);
	assert_memory_equal(buf, "moved\n", 6);
	char *where;
	assert_int_equal(statusdir_path(sd, old_id, &where), 0);
	snprintf(p, sizeof(p), "%s/old/%s", s->path, old_id);
	assert_string_equal(where, p);
	free(where);
	assert_int_equal(statusdir_get(sd, bad_id, buf, sizeof(buf), &len, found), -EBADMSG);
	/* not a version of this store at all */
	publish_v1(s->path, "tmp", "never\n", 0, p);
	assert_int_equal(statusdir_get(sd, p, buf, sizeof(buf), &len, found), -ENOENT);
	/* adopted: the same id now gives its number */
	assert_int_equal(upgrade(s->path, 0, NULL), 0);
	assert_int_equal(statusdir_get(sd, cur_id, buf, sizeof(buf), &len, found), 0);
	assert_memory_equal(buf, "late\n", 5);
	assert_true(statusdir__number_parse(found, NULL));
	statusdir_close(sd);
}

static void test_damaged_late_name_stays(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE], p[2 * PATH_MAX];
	struct statusdir_upgrade_report rep;
	put_numbered(s->sd, 3, NULL);
	assert_int_equal(upgrade(s->path, STATUSDIR_UPGRADE_KEEP_V1, &rep), 0);
	assert_int_equal(rep.removed, 0);
	assert_int_equal(count_in(s->path, "cur"), 6); /* names and numbers */
	publish_v1(s->path, "cur", "good\n", 0, id);
	publish_v1(s->path, "cur", "bad\n", 0, id);
	snprintf(p, sizeof(p), "%s/cur/%s", s->path, id);
	write_file(p, "BAD\n", 4);
	assert_int_equal(upgrade(s->path, 0, &rep), 0);
	assert_int_equal(rep.adopted, 1);
	assert_int_equal(rep.damaged, 1);
	assert_int_equal(rep.removed, 3);
	assert_true(exists(s->path, p + strlen(s->path) + 1));
	statusdir *sd = open_ok(s->path);
	assert_version(sd, NULL, "good\n", 5, store_number(4));
	statusdir_close(sd);
}

/* ---- interrupted anywhere, finished by a second run ---- */

/* Appends a description of dir's entries (sorted) to out: name, type,
 * link count, bytes and attribute.  The attribute's time is left out for
 * versions without an id1= suffix: a late version's is its adoption's. */
static void describe_dir(FILE *out, const char *path, const char *folder)
{
	char p[2 * PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", path, folder);
	DIR *d = opendir(p);
	if (!d) {
		fprintf(out, "[%s absent]\n", folder);
		return;
	}
	char (*names)[256] = NULL;
	size_t n = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strncmp(de->d_name, ".xattr-probe.", 13)) /* swept like any tmp file */
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		assert_non_null(names);
		snprintf(names[n++], 256, "%s", de->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(*names), (int (*)(const void *, const void *))strcmp);
	fprintf(out, "[%s]\n", folder);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		char f[3 * PATH_MAX], meta[256] = "";
		snprintf(f, sizeof(f), "%s/%s", p, names[i]);
		assert_int_equal(lstat(f, &st), 0);
		fprintf(out, "%s %o %ju", names[i], (unsigned)st.st_mode, (uintmax_t)st.st_nlink);
		if (S_ISREG(st.st_mode)) {
			size_t len;
			char *bytes = read_file(f, &len);
			fprintf(out, " %zu:%.*s", len, (int)len, bytes);
			free(bytes);
			ssize_t m = lgetxattr(f, "user.statusdir", meta, sizeof(meta) - 1);
			meta[m > 0 ? m : 0] = '\0';
			if (m > 0 && !strstr(meta, " id1=")) /* SIZE SUM TIME: cut TIME */
				*strrchr(meta, ' ') = '\0';
			fprintf(out, " {%s} %jd", meta, (intmax_t)st.st_size);
		}
		fputc('\n', out);
	}
	free(names);
}

/* The state an upgrade leaves: everything but the times of files. */
static char *store_state(const char *path)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	describe_dir(out, path, ".");
	describe_dir(out, path, "cur");
	describe_dir(out, path, "old");
	describe_dir(out, path, "tmp");
	fclose(out);
	return text;
}

static void copy_store(const char *from, const char *to)
{
	char cmd[5 * PATH_MAX];
	rm_rf(to);
	/* cp -a keeps attributes and hard links (a numbered name and its
	 * format-1 name are one file) */
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

/* For each of the calls, for each of its calls an upgrade of template
 * makes (from flags), fail that one call with EIO, then run again without
 * faults: the store must end as an uninterrupted upgrade leaves it. */
static void sweep(const struct store *s, const char *template, unsigned flags)
{
	static const enum fault_call calls[] = { FAULT_LINKAT, FAULT_RENAMEAT, FAULT_UNLINKAT,
	                                         FAULT_FSYNC };
	static const char *const call_names[] = { "linkat", "renameat", "unlinkat", "fsync" };
	char work[2 * PATH_MAX];
	snprintf(work, sizeof(work), "%s/work", s->dir);
	copy_store(template, work);
	fault_reset();
	assert_int_equal(upgrade(work, flags, NULL), 0);
	unsigned made[4];
	for (size_t c = 0; c < 4; c++)
		made[c] = fault_calls(calls[c]);
	char *want = store_state(work);
	assert_true(made[0] > 0 && made[2] > 0 && made[3] > 0); /* links, unlinks, fsyncs */
	for (size_t c = 0; c < 4; c++) {
		for (unsigned k = 0; k < made[c]; k++) {
			copy_store(template, work);
			fault_arm(calls[c], &(struct fault){ .skip = k, .times = 1, .err = EIO });
			int r = upgrade(work, flags, NULL);
			unsigned hits = fault_hits(calls[c]);
			fault_reset();
			if (hits != 1)
				fail_msg("%s %u: not reached", call_names[c], k);
			if (r != 0 && r != -EIO)
				fail_msg("%s %u: %s", call_names[c], k, statusdir_strerror(r));
			r = upgrade(work, flags, NULL);
			if (r != 0)
				fail_msg("%s %u, run again: %s", call_names[c], k, statusdir_strerror(r));
			char *got = store_state(work);
			if (strcmp(got, want) != 0) {
				fprintf(stderr, "# got:\n%s\n# wanted:\n%s\n", got, want);
				fail_msg("%s %u: the store differs", call_names[c], k);
			}
			free(got);
		}
	}
	free(want);
}

static void test_interrupted_upgrade_finished_by_a_rerun(void **state)
{
	struct store *s = *state;
	put_numbered(s->sd, VERSIONS, NULL);
	sweep(s, s->path, 0);
}

static void test_interrupted_adoption_finished_by_a_rerun(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 4, NULL);
	/* numbered, format-1 names kept; then two late names, one in old/ */
	assert_int_equal(upgrade(s->path, STATUSDIR_UPGRADE_KEEP_V1, NULL), 0);
	publish_v1(s->path, "cur", "late one\n", 0, id);
	publish_v1(s->path, "old", "late two\n", 0, id);
	sweep(s, s->path, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fault_store_setup, fault_store_teardown)
#define T2(f) cmocka_unit_test_setup_teardown(f, fault_store_setup_format2, fault_store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_numbers_follow_ids),
		T(test_old_ids_still_name_versions),
		T2(test_store_made_as_format2_is_left_alone),
		T(test_upgrading_store_is_refused),
		T(test_format_keys),
		T(test_meta_suffix),
		T(test_late_name_is_adopted_after_the_others),
		T(test_late_name_found_before_adoption),
		T(test_damaged_late_name_stays),
		T(test_interrupted_upgrade_finished_by_a_rerun),
		T(test_interrupted_adoption_finished_by_a_rerun),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
