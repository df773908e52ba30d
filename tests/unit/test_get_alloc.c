/* SPDX-License-Identifier: MIT */
/* test_get_alloc.c - statusdir_get_alloc(): a version read into a buffer
 * the library allocates.  Sizes from 0 bytes to over the 64 KiB of the
 * one-pass read, by id and by "@N"; checked and healed as every read; a
 * newer version committed between open and read changes nothing; a read
 * or an allocation that fails leaves no buffer behind.  malloc and free are
 * wrapped here (-Wl,--wrap=malloc,--wrap=free), the rest through fault.h. */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BIG (3 * 64 * 1024 + 5) /* over the 64 KiB of the one-pass read */

/* ---- malloc and free, watched -------------------------------------------------- */

void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
void __real_free(void *p);
void __wrap_free(void *p);

/* Allocations of exactly watch_size bytes are tracked while they live;
 * one of fail_size bytes fails with ENOMEM. */
static size_t watch_size, fail_size;
static void *watched[8];

void *__wrap_malloc(size_t n)
{
	if (fail_size && n == fail_size) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = __real_malloc(n);
	for (size_t i = 0; p && watch_size && n == watch_size && i < 8; i++)
		if (!watched[i]) {
			watched[i] = p;
			break;
		}
	return p;
}

void __wrap_free(void *p)
{
	for (size_t i = 0; p && i < 8; i++)
		if (watched[i] == p)
			watched[i] = NULL;
	__real_free(p);
}

static size_t watched_live(void)
{
	size_t n = 0;
	for (size_t i = 0; i < 8; i++)
		n += watched[i] != NULL;
	return n;
}

static int setup(void **state)
{
	fault_reset();
	watch_size = fail_size = 0;
	memset(watched, 0, sizeof(watched));
	return store_setup(state);
}

static int teardown(void **state)
{
	fault_reset();
	watch_size = fail_size = 0;
	return store_teardown(state);
}

/* ---- Helpers ---------------------------------------------------------------- */

static void assert_alloc(statusdir *sd, const char *id, unsigned flags, int want_r,
                         const void *want, size_t want_len, const char *want_id)
{
	void *buf = NULL;
	size_t len = (size_t)-1;
	char found[STATUSDIR_ID_SIZE] = "";
	int r = statusdir_get_alloc(sd, id, flags, &buf, &len, found);
	if (r != want_r)
		fail_msg("statusdir_get_alloc(%s): %d (%s), wanted %d", id ? id : "newest", r,
		         statusdir_strerror(r), want_r);
	assert_non_null(buf);
	assert_int_equal(len, want_len);
	assert_memory_equal(buf, want, want_len);
	assert_int_equal(((char *)buf)[len], '\0');
	if (want_id)
		assert_string_equal(found, want_id);
	free(buf);
}

/* A failed call must leave the caller's pointers as they were. */
static void assert_fails(statusdir *sd, const char *id, unsigned flags, int want_r)
{
	void *buf = (void *)"untouched";
	size_t len = 12345;
	char found[STATUSDIR_ID_SIZE] = "untouched";
	int r = statusdir_get_alloc(sd, id, flags, &buf, &len, found);
	if (r != want_r)
		fail_msg("statusdir_get_alloc(%s): %d (%s), wanted %d", id ? id : "newest", r,
		         statusdir_strerror(r), want_r);
	assert_string_equal(buf, "untouched");
	assert_int_equal(len, 12345);
	assert_string_equal(found, "untouched");
}

/* ---- Reading ---------------------------------------------------------------- */

static void test_newest_by_id_and_ref(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 3, ids);
	assert_alloc(s->sd, NULL, 0, 0, "version 2\n", 10, ids[2]);
	assert_alloc(s->sd, "", 0, 0, "version 2\n", 10, ids[2]);
	assert_alloc(s->sd, ids[0], 0, 0, "version 0\n", 10, ids[0]);
	assert_alloc(s->sd, "@1", 0, 0, "version 1\n", 10, ids[1]);
	assert_alloc(s->sd, "@0", STATUSDIR_GET_NOVERIFY, 0, "version 2\n", 10, ids[2]);
	/* found_id may be NULL */
	void *buf;
	size_t len;
	assert_int_equal(statusdir_get_alloc(s->sd, NULL, 0, &buf, &len, NULL), 0);
	assert_int_equal(len, 10);
	free(buf);
}

/* An empty version still gets a buffer: one byte, the NUL. */
static void test_empty_version(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "", 0, id);
	assert_alloc(s->sd, NULL, 0, 0, "", 0, id);
	assert_alloc(s->sd, id, STATUSDIR_GET_STRICT, 0, "", 0, id);
}

static void test_large(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	char *big = pattern_alloc(BIG, 7);
	put_ok(s->sd, big, BIG, id);
	put_ok(s->sd, "small\n", 6, NULL);
	assert_alloc(s->sd, "@1", 0, 0, big, BIG, id);
	assert_alloc(s->sd, id, STATUSDIR_GET_NOVERIFY, 0, big, BIG, id);
	free(big);
}

/* Damage: the newest heals unless strict; by id or "@0" it is -EBADMSG. */
static void test_damaged(void **state)
{
	struct store *s = *state;
	char ids[3][STATUSDIR_ID_SIZE];
	char *big = pattern_alloc(BIG, 3);
	put_numbered(s->sd, 2, ids);
	put_ok(s->sd, big, BIG, ids[2]);
	damage_version(s->sd, ids[2]);
	assert_alloc(s->sd, NULL, 0, STATUSDIR_HEALED, "version 1\n", 10, ids[1]);
	assert_fails(s->sd, NULL, STATUSDIR_GET_STRICT, -EBADMSG);
	assert_fails(s->sd, ids[2], 0, -EBADMSG);
	assert_fails(s->sd, "@0", 0, -EBADMSG);
	/* without the checksum the damaged bytes go out as they are */
	void *buf;
	size_t len;
	assert_int_equal(statusdir_get_alloc(s->sd, NULL, STATUSDIR_GET_NOVERIFY, &buf, &len,
	                                     NULL), 0);
	assert_int_equal(len, BIG);
	assert_memory_not_equal(buf, big, BIG);
	free(buf);
	/* every one damaged: nothing */
	damage_version(s->sd, ids[1]);
	damage_version(s->sd, ids[0]);
	assert_fails(s->sd, NULL, 0, -EBADMSG);
	free(big);
}

static void test_errors(void **state)
{
	struct store *s = *state;
	void *buf;
	size_t len;
	assert_fails(s->sd, NULL, 0, -ENOENT);
	assert_fails(s->sd, "@0", 0, -ENOENT);
	put_numbered(s->sd, 2, NULL);
	assert_fails(s->sd, "@2", 0, -ENOENT);
	assert_fails(s->sd, "@x", 0, -EINVAL);
	assert_fails(s->sd, "junk", 0, -EINVAL);
	assert_fails(s->sd, NULL, 1u << 7, -EINVAL);
	assert_int_equal(statusdir_get_alloc(NULL, NULL, 0, &buf, &len, NULL), -EINVAL);
	assert_int_equal(statusdir_get_alloc(s->sd, NULL, 0, NULL, &len, NULL), -EINVAL);
	assert_int_equal(statusdir_get_alloc(s->sd, NULL, 0, &buf, NULL, NULL), -EINVAL);
}

/* ---- Races and failures ---------------------------------------------------- */

static statusdir *other_handle;

static void put_newer_and_bigger(void *arg)
{
	(void)arg;
	char *big = pattern_alloc(BIG, 9);
	put_ok(other_handle, big, BIG, NULL);
	free(big);
}

/* A newer, larger version is committed just after the newest was opened
 * (from the fstat of the version's file): the call returns the version it
 * opened, whole and checked, with its own size and id. */
static void test_newer_version_meanwhile(void **state)
{
	struct store *s = *state;
	char ids[2][STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 2, ids);
	assert_int_equal(statusdir_open(s->path, 0, NULL, &other_handle), 0);
	fault_arm(FAULT_FSTAT, &(struct fault){ .times = 1, .fd_kind = S_IFREG,
	                                        .hook = put_newer_and_bigger });
	assert_alloc(s->sd, NULL, 0, 0, "version 1\n", 10, ids[1]);
	assert_int_equal(fault_hits(FAULT_FSTAT), 1);
	fault_reset();
	statusdir_close(other_handle);
	char *big = pattern_alloc(BIG, 9);
	assert_alloc(s->sd, NULL, 0, 0, big, BIG, NULL);
	free(big);
}

/* A read that fails part way, after the buffer was allocated: the error,
 * and the buffer freed. */
static void test_read_fails(void **state)
{
	struct store *s = *state;
	char *big = pattern_alloc(BIG, 5);
	put_ok(s->sd, big, BIG, NULL);
	int fds = count_fds();
	watch_size = BIG + 1;
	fault_arm(FAULT_READ, &(struct fault){ .skip = 2, .times = 1, .err = EIO,
	                                       .short_max = 4096, .fd_kind = S_IFREG });
	assert_fails(s->sd, NULL, 0, -EIO);
	assert_int_equal(fault_hits(FAULT_READ), 1);
	assert_int_equal(watched_live(), 0);
	assert_int_equal(count_fds(), fds);
	/* the same for the healing path: its buffers are freed as it goes */
	fault_reset();
	assert_alloc(s->sd, NULL, 0, 0, big, BIG, NULL);
	free(big);
}

/* No memory for the payload: -ENOMEM, nothing left open. */
static void test_malloc_fails(void **state)
{
	struct store *s = *state;
	char *big = pattern_alloc(BIG, 6);
	put_ok(s->sd, big, BIG, NULL);
	int fds = count_fds();
	fail_size = BIG + 1;
	assert_fails(s->sd, NULL, 0, -ENOMEM);
	assert_int_equal(count_fds(), fds);
	fail_size = 0;
	assert_alloc(s->sd, NULL, 0, 0, big, BIG, NULL);
	free(big);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_newest_by_id_and_ref),
		T(test_empty_version),
		T(test_large),
		T(test_damaged),
		T(test_errors),
		T(test_newer_version_meanwhile),
		T(test_read_fails),
		T(test_malloc_fails),
	};
	return cmocka_run_group_tests_name("get_alloc", tests, NULL, NULL);
}
