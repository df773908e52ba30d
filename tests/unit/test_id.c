/* SPDX-License-Identifier: MIT */
/* test_id.c - the id grammar of statusdir(5), and that byte order of ids
 * is time order.  Pure: no store, no I/O. */
#include "config.h"

#include "store.h"

#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define UNIQUE "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define SUM "1a2b3c4d5e6f7a8b"
#define TIME "1795808023123456789"

/* An id built from its four parts as text, the way the grammar reads. */
static void make_id(char *out, size_t cap, const char *time, const char *unique,
                    const char *size, const char *sum)
{
	int n = snprintf(out, cap, "%s.%s.%s.%s", time, unique, size, sum);
	assert_true(n > 0 && (size_t)n < cap);
}

static void assert_invalid(const char *id)
{
	struct statusdir_version v;
	memset(&v, 0x5a, sizeof(v));
	if (statusdir_id_parse(id, &v) != -EINVAL)
		fail_msg("accepted an invalid id: \"%s\"", id ? id : "(null)");
	assert_int_equal(statusdir_id_parse(id, NULL), -EINVAL);
}

static void assert_invalid_parts(const char *time, const char *unique,
                                 const char *size, const char *sum)
{
	char id[256];
	make_id(id, sizeof(id), time, unique, size, sum);
	assert_invalid(id);
}

static void test_valid_id_fills_every_field(void **state)
{
	struct statusdir_version v;
	const char *id = TIME "." UNIQUE ".4096." SUM;
	(void)state;
	memset(&v, 0x5a, sizeof(v));
	assert_int_equal(statusdir_id_parse(id, &v), 0);
	assert_string_equal(v.id, id);
	assert_int_equal(v.time_ns, INT64_C(1795808023123456789));
	assert_int_equal(v.size, 4096);
	assert_int_equal(v.checksum, UINT64_C(0x1a2b3c4d5e6f7a8b));
	assert_int_equal(v.in_head, 0);
	assert_int_equal(statusdir_id_parse(id, NULL), 0);
}

static void test_valid_id_extremes(void **state)
{
	struct statusdir_version v;
	char id[STATUSDIR_ID_SIZE + 8];
	(void)state;

	make_id(id, sizeof(id), "0000000000000000000", "00000000000000000000000000000000",
	        "0", "0000000000000000");
	assert_int_equal(statusdir_id_parse(id, &v), 0);
	assert_int_equal(v.time_ns, 0);
	assert_int_equal(v.size, 0);
	assert_int_equal(v.checksum, 0);

	/* the longest id: INT64_MAX ns, UINT64_MAX bytes */
	make_id(id, sizeof(id), "9223372036854775807", "ffffffffffffffffffffffffffffffff",
	        "18446744073709551615", "ffffffffffffffff");
	assert_int_equal(strlen(id), STATUSDIR_ID_MAX);
	assert_int_equal(statusdir_id_parse(id, &v), 0);
	assert_true(v.time_ns == INT64_MAX);
	assert_true(v.size == UINT64_MAX);
	assert_true(v.checksum == UINT64_MAX);
	assert_string_equal(v.id, id);
}

static void test_empty_and_null_are_invalid(void **state)
{
	(void)state;
	assert_invalid(NULL);
	assert_invalid("");
	assert_invalid(".");
	assert_invalid("...");
}

static void test_path_like_names_are_invalid(void **state)
{
	char id[256];
	(void)state;
	assert_invalid("../x");
	assert_invalid("./" TIME "." UNIQUE ".1." SUM);
	assert_invalid("cur/" TIME "." UNIQUE ".1." SUM);
	make_id(id, sizeof(id), TIME, UNIQUE, "1", SUM "/../x");
	assert_invalid(id);
	assert_invalid(".nfs0000000000000001");
	assert_invalid(TIME "." UNIQUE ".1." SUM ".swp");
}

static void test_time_width_is_fixed(void **state)
{
	(void)state;
	assert_invalid_parts("179580802312345678", UNIQUE, "1", SUM);    /* 18 */
	assert_invalid_parts("01795808023123456789", UNIQUE, "1", SUM);  /* 20 */
	assert_invalid_parts("", UNIQUE, "1", SUM);
	assert_invalid_parts("179580802312345678x", UNIQUE, "1", SUM);
	assert_invalid_parts("+795808023123456789", UNIQUE, "1", SUM);
	assert_invalid_parts("-795808023123456789", UNIQUE, "1", SUM);
	assert_invalid_parts(" 795808023123456789", UNIQUE, "1", SUM);
}

static void test_time_above_int64_max_is_invalid(void **state)
{
	(void)state;
	assert_invalid_parts("9223372036854775808", UNIQUE, "1", SUM);
	assert_invalid_parts("9999999999999999999", UNIQUE, "1", SUM);
}

static void test_unique_width_and_case(void **state)
{
	(void)state;
	assert_invalid_parts(TIME, "0f1e2d3c4b5a69788796a5b4c3d2e1f", "1", SUM);   /* 31 */
	assert_invalid_parts(TIME, "0f1e2d3c4b5a69788796a5b4c3d2e1f00", "1", SUM); /* 33 */
	assert_invalid_parts(TIME, "0F1E2D3C4B5A69788796A5B4C3D2E1F0", "1", SUM);
	assert_invalid_parts(TIME, "0f1e2d3c4b5a69788796a5b4c3d2e1fA", "1", SUM);
	assert_invalid_parts(TIME, "0f1e2d3c4b5a69788796a5b4c3d2e1fg", "1", SUM);
	assert_invalid_parts(TIME, "0f1e2d3c-4b5a-6978-8796a5b4c3d2e1", "1", SUM);
}

static void test_sum_width_and_case(void **state)
{
	(void)state;
	assert_invalid_parts(TIME, UNIQUE, "1", "1a2b3c4d5e6f7a8");   /* 15 */
	assert_invalid_parts(TIME, UNIQUE, "1", "1a2b3c4d5e6f7a8b0"); /* 17 */
	assert_invalid_parts(TIME, UNIQUE, "1", "1A2B3C4D5E6F7A8B");
	assert_invalid_parts(TIME, UNIQUE, "1", "1a2b3c4d5e6f7a8B");
	assert_invalid_parts(TIME, UNIQUE, "1", "");
}

static void test_size_is_canonical_decimal(void **state)
{
	(void)state;
	assert_invalid_parts(TIME, UNIQUE, "", SUM);
	assert_invalid_parts(TIME, UNIQUE, "00", SUM);
	assert_invalid_parts(TIME, UNIQUE, "01", SUM);
	assert_invalid_parts(TIME, UNIQUE, "0001", SUM);
	assert_invalid_parts(TIME, UNIQUE, "+1", SUM);
	assert_invalid_parts(TIME, UNIQUE, "-1", SUM);
	assert_invalid_parts(TIME, UNIQUE, "1a", SUM);
	assert_invalid_parts(TIME, UNIQUE, "0x10", SUM);
	assert_invalid_parts(TIME, UNIQUE, " 1", SUM);
}

static void test_size_above_uint64_max_is_invalid(void **state)
{
	(void)state;
	assert_invalid_parts(TIME, UNIQUE, "18446744073709551616", SUM);
	assert_invalid_parts(TIME, UNIQUE, "18446744073709551620", SUM);
	assert_invalid_parts(TIME, UNIQUE, "99999999999999999999", SUM);
	assert_invalid_parts(TIME, UNIQUE, "184467440737095516150", SUM);
}

static void test_trailing_junk_is_invalid(void **state)
{
	(void)state;
	assert_invalid(TIME "." UNIQUE ".1." SUM ".");
	assert_invalid(TIME "." UNIQUE ".1." SUM "\n");
	assert_invalid(TIME "." UNIQUE ".1." SUM " ");
	assert_invalid(TIME "." UNIQUE ".1." SUM "0");
	assert_invalid(TIME "." UNIQUE ".1." SUM "~");
	assert_invalid(TIME "." UNIQUE ".1");
	assert_invalid(TIME "." UNIQUE ".1.");
	assert_invalid(TIME "." UNIQUE);
	assert_invalid(TIME);
}

static void test_wrong_separators_are_invalid(void **state)
{
	(void)state;
	assert_invalid(TIME "_" UNIQUE ".1." SUM);
	assert_invalid(TIME "." UNIQUE "_1." SUM);
	assert_invalid(TIME "." UNIQUE ".1_" SUM);
	assert_invalid(TIME ".." UNIQUE ".1." SUM);
	assert_invalid(TIME "." UNIQUE ".1.." SUM);
}

/* The library's own formatter: what it writes, it reads back. */
static void test_format_round_trips(void **state)
{
	static const int64_t times[] = { 0, 1, 999999999, 1000000000,
	                                 INT64_C(2147483648000000000), INT64_MAX };
	static const uint64_t sizes[] = { 0, 1, 10, 65536, UINT64_MAX };
	(void)state;
	for (size_t t = 0; t < sizeof(times) / sizeof(times[0]); t++)
		for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
			struct id_parts p = { .time_ns = times[t], .size = sizes[z],
			                      .checksum = UINT64_C(0x00ff00ff00ff00ff) * (z + 1) };
			char id[STATUSDIR_ID_SIZE];
			struct statusdir_version v;
			fill_pattern(p.unique, sizeof(p.unique), (unsigned)(t * 7 + z));
			statusdir__id_format(&p, id);
			assert_int_equal(statusdir_id_parse(id, &v), 0);
			assert_true(v.time_ns == times[t]);
			assert_true(v.size == sizes[z]);
			assert_true(v.checksum == p.checksum);
			assert_true(strlen(id) <= STATUSDIR_ID_MAX);
		}
}

static void format_id(char *out, int64_t time_ns, unsigned unique_seed,
                      uint64_t size, uint64_t sum)
{
	struct id_parts p = { .time_ns = time_ns, .size = size, .checksum = sum };
	fill_pattern(p.unique, sizeof(p.unique), unique_seed);
	statusdir__id_format(&p, out);
}

/* Byte order is time order, whatever the other parts hold: the earlier id
 * gets the greatest unique part, size and sum, the later one the least. */
static void test_byte_order_is_time_order(void **state)
{
	static const int64_t times[] = {
		0, 1, 9, 10, 999999999, 1000000000, INT64_C(2147483647000000000),
		INT64_C(2147483648000000000), /* 2038 */
		INT64_C(4102444800000000000), /* 2100 */
		INT64_MAX - 1, INT64_MAX,
	};
	size_t n = sizeof(times) / sizeof(times[0]);
	(void)state;
	for (size_t i = 0; i + 1 < n; i++)
		for (size_t j = i + 1; j < n; j++) {
			char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE];
			struct id_parts late = { .time_ns = times[j] };
			struct id_parts early = { .time_ns = times[i], .size = UINT64_MAX,
			                          .checksum = UINT64_MAX };
			memset(early.unique, 0xff, sizeof(early.unique));
			statusdir__id_format(&early, a);
			statusdir__id_format(&late, b);
			assert_true(strcmp(a, b) < 0);
			assert_true(statusdir__id_cmp(a, b) < 0);
			assert_true(statusdir__id_cmp(b, a) > 0);
		}
}

static void test_byte_order_is_time_order_random(void **state)
{
	uint64_t x = 88172645463325252u;
	(void)state;
	for (int i = 0; i < 20000; i++) {
		char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE];
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t t1 = (int64_t)(x >> 1);
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		int64_t t2 = (int64_t)(x >> (1 + (x & 31))); /* many widths */
		format_id(a, t1, (unsigned)i, x, x >> 3);
		format_id(b, t2, (unsigned)i + 1, x >> 5, x << 2);
		if (t1 == t2)
			continue;
		int by_time = t1 > t2 ? 1 : -1;
		int by_bytes = strcmp(a, b);
		assert_int_equal(by_time, (by_bytes > 0) - (by_bytes < 0));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_id_fills_every_field),
		cmocka_unit_test(test_valid_id_extremes),
		cmocka_unit_test(test_empty_and_null_are_invalid),
		cmocka_unit_test(test_path_like_names_are_invalid),
		cmocka_unit_test(test_time_width_is_fixed),
		cmocka_unit_test(test_time_above_int64_max_is_invalid),
		cmocka_unit_test(test_unique_width_and_case),
		cmocka_unit_test(test_sum_width_and_case),
		cmocka_unit_test(test_size_is_canonical_decimal),
		cmocka_unit_test(test_size_above_uint64_max_is_invalid),
		cmocka_unit_test(test_trailing_junk_is_invalid),
		cmocka_unit_test(test_wrong_separators_are_invalid),
		cmocka_unit_test(test_format_round_trips),
		cmocka_unit_test(test_byte_order_is_time_order),
		cmocka_unit_test(test_byte_order_is_time_order_random),
	};
	return cmocka_run_group_tests_name("id", tests, NULL, NULL);
}
