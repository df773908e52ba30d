/* SPDX-License-Identifier: MIT */
/* test_random.c - the 16 random bytes of a tmp/ name and an id: from
 * getrandom(2); from /dev/urandom where getrandom fails (missing, or not
 * yet seeded early in boot); from the clocks where neither can be read.
 * getrandom and open (open64 where open is that) are wrapped (-Wl,--wrap)
 * to fail on demand. */
#include "config.h"

#include "store.h"

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

static int getrandom_err; /* 0: the real call */
static int getrandom_calls;
static int urandom_err; /* 0: the real call */
static int urandom_opens;

ssize_t __real_getrandom(void *buf, size_t len, unsigned flags);
ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags);
int __real_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...);
int __real_open64(const char *path, int flags, ...);
int __wrap_open64(const char *path, int flags, ...);

ssize_t __wrap_getrandom(void *buf, size_t len, unsigned flags)
{
	getrandom_calls++;
	if (getrandom_err) {
		errno = getrandom_err;
		return -1;
	}
	return __real_getrandom(buf, len, flags);
}

/* Counts, and fails on demand, the opens of /dev/urandom: 0 to go on. */
static int urandom_fault(const char *path)
{
	if (strcmp(path, "/dev/urandom") != 0)
		return 0;
	urandom_opens++;
	return urandom_err;
}

/* The open that the wrappers pass on to, with flags and mode from ap. */
static int open_through(int (*real)(const char *, int, ...), const char *path, int flags,
                        va_list ap)
{
	mode_t mode = flags & O_CREAT ? (mode_t)va_arg(ap, int) : 0;
	if ((errno = urandom_fault(path)) != 0)
		return -1;
	return real(path, flags, mode);
}

int __wrap_open(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int fd = open_through(__real_open, path, flags, ap);
	va_end(ap);
	return fd;
}

/* where the build makes off_t 64 bits on a 32-bit system, open is open64 */
int __wrap_open64(const char *path, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	int fd = open_through(__real_open64, path, flags, ap);
	va_end(ap);
	return fd;
}

static int reset(void **state)
{
	(void)state;
	getrandom_err = urandom_err = 0;
	getrandom_calls = urandom_opens = 0;
	return 0;
}

/* Two draws: each shaped as a version 4 UUID, and not the same. */
static void assert_two_draws_differ(void)
{
	uint8_t a[16], b[16];
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	statusdir__random16(a);
	statusdir__random16(b);
	assert_int_equal(a[6] >> 4, 4);
	assert_int_equal(a[8] >> 6, 2);
	assert_int_equal(b[6] >> 4, 4);
	assert_int_equal(b[8] >> 6, 2);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void test_getrandom_alone(void **state)
{
	(void)state;
	assert_two_draws_differ();
#ifdef HAVE_GETRANDOM
	assert_int_equal(getrandom_calls, 2);
	assert_int_equal(urandom_opens, 0);
#endif
}

static void test_not_seeded_falls_back_to_urandom(void **state)
{
	(void)state;
	getrandom_err = EAGAIN;
	assert_two_draws_differ();
	assert_int_equal(urandom_opens, 2);
}

static void test_missing_getrandom_falls_back_to_urandom(void **state)
{
	(void)state;
	getrandom_err = ENOSYS;
	assert_two_draws_differ();
	assert_int_equal(urandom_opens, 2);
}

static void test_nothing_to_read_falls_back_to_the_clocks(void **state)
{
	(void)state;
	getrandom_err = ENOSYS;
	urandom_err = ENOENT;
	assert_two_draws_differ();
	assert_int_equal(urandom_opens, 2);
}

/* A put still commits, and its tmp/ name and id still differ from the
 * next one's, when only the clocks are left. */
static void test_put_with_the_clocks_alone(void **state)
{
	struct store *s = *state;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE];
	reset(NULL);
	getrandom_err = ENOSYS;
	urandom_err = EACCES;
	assert_int_equal(statusdir_put(s->sd, "x", 1, STATUSDIR_NOSYNC, a), 0);
	assert_int_equal(statusdir_put(s->sd, "x", 1, STATUSDIR_NOSYNC, b), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(urandom_opens, 2);
	assert_int_equal(store_count(s, "tmp"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_getrandom_alone, reset),
		cmocka_unit_test_setup(test_not_seeded_falls_back_to_urandom, reset),
		cmocka_unit_test_setup(test_missing_getrandom_falls_back_to_urandom, reset),
		cmocka_unit_test_setup(test_nothing_to_read_falls_back_to_the_clocks, reset),
		cmocka_unit_test_setup_teardown(test_put_with_the_clocks_alone, store_setup,
		                                store_teardown),
	};
	return cmocka_run_group_tests_name("random", tests, NULL, NULL);
}
