/* SPDX-License-Identifier: MIT */
/* fuzz_format.c - the format file (spec/format.md, section 2).
 *
 * The input becomes STORE/format of a store whose folders exist; then
 * statusdir_open() must return 0 or one of the documented errors
 * (-EPROTONOSUPPORT for a malformed or unknown format, -ELOOP for a
 * symlink), agree with a reference parser written here from the grammar,
 * report the same settings, and leave the file as it was, even when asked
 * to create the store.  Settings that were accepted must be written back
 * (statusdir__format_write) as a file that reads back to the same settings.
 *
 * The first byte may choose what the format file is instead of a regular
 * file: 0xf0 missing, 0xf1 a symlink, 0xf2 a FIFO, 0xf3 a directory. */
#include "internal.h"

#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT_MAX 4096

static char *base, *store, *format_path, *scratch;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	base = fuzz_tmpdir("format");
	store = malloc(4200);
	format_path = malloc(4200);
	scratch = malloc(4200);
	if (!store || !format_path || !scratch)
		abort();
	snprintf(store, 4200, "%s/store", base);
	snprintf(format_path, 4200, "%s/format", store);
	snprintf(scratch, 4200, "%s/scratch", base);
	const char *dirs[] = { "", "/tmp", "/cur", "/old" };
	char path[4300];
	for (size_t i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", store, dirs[i]);
		if (mkdir(path, 0777) != 0)
			abort();
	}
	/* format 2's files too, so that a valid format 2 opens */
	const char *files[] = { "/low", "/hint" };
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s%s", store, files[i]);
		int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
		if (fd < 0 || close(fd) != 0)
			abort();
	}
	if (mkdir(scratch, 0777) != 0)
		abort();
	return 0;
}

/* ---- the reference parser, from spec/format.md 2.1 and 2.2, and
 * spec/format2.md section 2 (and 16: the upgrade's keys) ---- */

/* What a format file says beside the settings. */
struct ref_keys {
	int version;
	bool sum, integrity, upgrading, upgraded;
};

/* Decimal (base 10) or octal (base 8) digits only, value <= max. */
static bool ref_number(const char *s, size_t n, int base_, uint64_t max, uint64_t *v)
{
	unsigned __int128 x = 0;
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > (base_ == 8 ? '7' : '9'))
			return false;
		x = x * (unsigned)base_ + (unsigned)(s[i] - '0');
		if (x > max)
			return false;
	}
	*v = (uint64_t)x;
	return true;
}

static bool ref_is(const char *key, size_t klen, const char *name)
{
	return strlen(name) == klen && memcmp(key, name, klen) == 0;
}

/* One "key SP value" line without its LF. */
static bool ref_line(const char *l, size_t n, struct statusdir_config *cfg, struct ref_keys *k)
{
	const char *sp = memchr(l, ' ', n);
	uint64_t v;
	if (!sp)
		return false;
	size_t klen = (size_t)(sp - l), vlen = n - klen - 1;
	const char *val = sp + 1;
	if (ref_is(l, klen, "checksum")) {
		k->sum = true;
		return ref_is(val, vlen, "xxh3-64");
	}
	if (ref_is(l, klen, "integrity")) {
		k->integrity = true;
		return ref_is(val, vlen, "xattr");
	}
	if (ref_is(l, klen, "upgrading"))
		return (k->upgrading = ref_is(val, vlen, "1"));
	if (ref_is(l, klen, "from-1"))
		return (k->upgraded = ref_number(val, vlen, 10, INT64_MAX, &v));
	if (ref_is(l, klen, "mode")) {
		if (!ref_number(val, vlen, 8, 0777, &v) || v == 0)
			return false;
		cfg->mode = (unsigned)v;
	} else if (ref_is(l, klen, "group")) {
		if (!ref_number(val, vlen, 10, INT32_MAX, &v))
			return false;
		cfg->gid = (int64_t)v;
	} else if (ref_is(l, klen, "keep")) {
		if (!ref_number(val, vlen, 10, UINT64_MAX, &cfg->keep))
			return false;
	} else if (ref_is(l, klen, "max-age-ns")) {
		if (!ref_number(val, vlen, 10, INT64_MAX, &v))
			return false;
		cfg->max_age_ns = (int64_t)v;
	}
	return true; /* unknown keys are ignored */
}

static int ref_parse(const uint8_t *data, size_t size, struct statusdir_config *cfg,
                     struct ref_keys *k)
{
	static const char first[] = "statusdir-format 1\n";
	const char *t = (const char *)data;
	*k = (struct ref_keys){ 0 };
	cfg->mode = 0;
	cfg->gid = -1;
	cfg->keep = 0;
	cfg->max_age_ns = 0;
	/* "statusdir-format 1" or "... 2", the line's only difference */
	size_t skip = sizeof(first) - 1;
	if (size > FORMAT_MAX || memchr(data, '\0', size) || size < skip ||
	    memcmp(t, first, skip - 2) != 0 || (t[skip - 2] != '1' && t[skip - 2] != '2') ||
	    t[skip - 1] != '\n')
		return -EPROTONOSUPPORT;
	k->version = t[skip - 2] - '0';
	for (size_t at = skip; at < size;) {
		const char *nl = memchr(t + at, '\n', size - at);
		if (!nl || !ref_line(t + at, (size_t)(nl - t) - at, cfg, k))
			return -EPROTONOSUPPORT;
		at = (size_t)(nl - t) + 1;
	}
	/* format 2 names where checksums live, format 1 may not; the
	 * upgrade's keys are format 2's, and never both at once */
	if (!k->sum || k->integrity != (k->version == 2) ||
	    (k->version == 1 && (k->upgrading || k->upgraded)) || (k->upgrading && k->upgraded))
		return -EPROTONOSUPPORT;
	return 0;
}

/* ---- setting up the format file ---- */

static void put_format(uint8_t kind, const uint8_t *data, size_t size)
{
	if (unlink(format_path) != 0 && errno != ENOENT && errno != EISDIR)
		abort();
	(void)rmdir(format_path);
	int r = 0;
	if (kind == 0xf0)
		return;
	if (kind == 0xf1)
		r = symlink("format.real", format_path);
	else if (kind == 0xf2)
		r = mkfifo(format_path, 0666);
	else if (kind == 0xf3)
		r = mkdir(format_path, 0777);
	else {
		int fd = open(format_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		r = fd < 0 || statusdir__write_all(fd, data, size) < 0 || close(fd) != 0;
	}
	if (r != 0)
		abort();
}

static bool same_cfg(const struct statusdir_config *a, const struct statusdir_config *b)
{
	return a->mode == b->mode && a->gid == b->gid && a->keep == b->keep &&
	       a->max_age_ns == b->max_age_ns;
}

/* The file is unchanged by an open that failed, or by any read-only open. */
static void check_unchanged(uint8_t kind, const uint8_t *data, size_t size)
{
	struct stat st;
	if (kind >= 0xf0 && kind <= 0xf3) {
		FUZZ_CHECK(kind == 0xf0 ? lstat(format_path, &st) != 0 : lstat(format_path, &st) == 0,
		           "open changed a format file of kind %#x", kind);
		return;
	}
	char buf[FORMAT_MAX * 2 + 2];
	int fd = open(format_path, O_RDONLY | O_CLOEXEC);
	FUZZ_CHECK(fd >= 0, "format file gone after open");
	ssize_t n = statusdir__read_full(fd, buf, sizeof(buf));
	close(fd);
	FUZZ_CHECK(n >= 0 && (size_t)n == size && memcmp(buf, data, size) == 0,
	           "open changed the format file");
}

/* Accepted settings written by the library read back the same, in the
 * same format. */
static void check_write_back(const struct statusdir_config *cfg, int version)
{
	struct statusdir_config back;
	struct format_keys k;
	FUZZ_CHECK(statusdir__config_check(cfg) == 0, "accepted settings fail config_check");
	int dfd = open(scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FUZZ_CHECK(dfd >= 0, "scratch directory");
	int r = statusdir__format_write(dfd, version, cfg);
	FUZZ_CHECK(r == 0, "format_write: %d", r);
	r = statusdir__format_read(dfd, &back, &k, NULL);
	close(dfd);
	FUZZ_CHECK(r == 0 && same_cfg(cfg, &back) && k.version == version,
	           "written settings read back differently (%d)", r);
}

static void check_open(unsigned flags, int want, const struct statusdir_config *ref)
{
	statusdir *sd = NULL;
	struct statusdir_config cfg;
	int r = statusdir_open(store, flags, NULL, &sd);
	FUZZ_CHECK(r == want, "statusdir_open(flags %u) returned %d (%s), expected %d",
	           flags, r, statusdir_strerror(r), want);
	if (r < 0) {
		FUZZ_CHECK(sd == NULL, "failed open set *out");
		return;
	}
	FUZZ_CHECK(statusdir_config_get(sd, &cfg) == 0 && same_cfg(&cfg, ref),
	           "settings differ from the reference parser's");
	statusdir_close(sd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t kind = size > 0 ? data[0] : 0;
	struct statusdir_config ref;
	struct ref_keys keys = { 0 };
	int want;
	put_format(kind, data, size);
	if (kind == 0xf0)
		want = -EMEDIUMTYPE;
	else if (kind == 0xf1)
		want = -ELOOP;
	else if (kind == 0xf2 || kind == 0xf3)
		want = -EPROTONOSUPPORT;
	else
		want = ref_parse(data, size, &ref, &keys);
	if (want == 0 && keys.upgrading)
		want = -EBUSY; /* an upgrade under way: nobody opens it */
	check_open(0, want, &ref);
	check_open(STATUSDIR_READONLY, want, &ref);
	check_unchanged(kind, data, size);
	if (kind != 0xf0) { /* a bad format is not a missing one: create refuses */
		check_open(STATUSDIR_CREATE, want, &ref);
		check_unchanged(kind, data, size);
	}
	if (want == 0)
		check_write_back(&ref, keys.version);
	return 0;
}
