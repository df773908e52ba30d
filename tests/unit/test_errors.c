/* SPDX-License-Identifier: MIT */
/* test_errors.c - statusdir_strerror() and the result codes: negative
 * values are errno codes, positive ones the library's own results, 0 is
 * success.  Pure: no store, no I/O. */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* Every errno code with a meaning of its own in the library has its own
 * text, the same whatever the errno's own wording is. */
static void test_library_errno_codes(void **state)
{
	static const int codes[] = { ENOENT, EINVAL, EBADMSG, EMEDIUMTYPE, ENOTEMPTY,
	                             EPROTONOSUPPORT, ELOOP, EMSGSIZE, EAGAIN, EIO };
	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *text = statusdir_strerror(-codes[i]);
		assert_non_null(text);
		assert_true(strlen(text) > 0);
	}
	assert_string_equal(statusdir_strerror(-ENOENT), "no such version, or the store is empty");
	assert_string_not_equal(statusdir_strerror(-ENOENT), statusdir_strerror(-EBADMSG));
	/* any other errno as the system words it */
	assert_string_equal(statusdir_strerror(-EIO), strerror(EIO));
	assert_string_equal(statusdir_strerror(-EPERM), strerror(EPERM));
	assert_non_null(statusdir_strerror(-100000));
	assert_non_null(statusdir_strerror(INT_MIN));
}

/* The two successes that carry news are distinct and say what they mean,
 * not what errno 1 or 2 would ("Operation not permitted", "No such file
 * or directory"). */
static void test_result_codes(void **state)
{
	(void)state;
	assert_true(STATUSDIR_UNCHANGED > 0);
	assert_true(STATUSDIR_HEALED > 0);
	assert_int_not_equal(STATUSDIR_UNCHANGED, STATUSDIR_HEALED);
	const char *unchanged = statusdir_strerror(STATUSDIR_UNCHANGED);
	const char *healed = statusdir_strerror(STATUSDIR_HEALED);
	assert_non_null(strstr(unchanged, "unchanged"));
	assert_non_null(strstr(healed, "healed"));
	assert_string_not_equal(unchanged, healed);
	for (int e = 1; e <= 2; e++)
		assert_string_not_equal(statusdir_strerror(e), strerror(e));
	/* a positive errno is not taken for one */
	assert_string_not_equal(statusdir_strerror(EIO), strerror(EIO));
	assert_string_equal(statusdir_strerror(EIO), "unknown statusdir result code");
	assert_string_equal(statusdir_strerror(INT_MAX), "unknown statusdir result code");
	assert_string_equal(statusdir_strerror(0), "success");
}

static void test_version(void **state)
{
	(void)state;
	assert_string_equal(statusdir_version(), PACKAGE_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_library_errno_codes),
		cmocka_unit_test(test_result_codes),
		cmocka_unit_test(test_version),
	};
	return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}
