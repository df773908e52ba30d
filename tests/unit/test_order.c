/* SPDX-License-Identifier: MIT */
/* test_order.c - ids grow with every put, even when the wall clock steps
 * back (the time part is max(now, greatest id seen + 1 ns)), within one
 * handle and across handles.  The clock is wrapped (fault.h). */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define SEC INT64_C(1000000000)
#define HOUR (3600 * SEC)
#define YEAR (365 * 24 * HOUR)

static int64_t time_of(const char *id)
{
	struct statusdir_version v;
	assert_int_equal(statusdir_id_parse(id, &v), 0);
	return v.time_ns;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts); /* wrapped: the test's clock */
	return (int64_t)ts.tv_sec * SEC + ts.tv_nsec;
}

static void put_after(statusdir *sd, const char *prev, char *id)
{
	put_ok(sd, "x", 1, id);
	assert_true(strcmp(prev, id) < 0);
	assert_true(time_of(prev) < time_of(id));
}

/* An id's time is the clock's time when the clock goes forward. */
static void test_id_time_is_the_clock(void **state)
{
	struct store *s = *state;
	char id[STATUSDIR_ID_SIZE];
	int64_t before = now_ns();
	put_ok(s->sd, "x", 1, id);
	int64_t after = now_ns();
	assert_true(time_of(id) >= before);
	assert_true(time_of(id) <= after);
}

static void test_clock_back_one_handle(void **state)
{
	struct store *s = *state;
	char prev[STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "x", 1, prev);
	for (int i = 1; i <= 20; i++) {
		fault_clock_offset(-i * HOUR); /* further back every time */
		put_after(s->sd, prev, id);
		memcpy(prev, id, sizeof(id));
	}
	/* and the newest is the last one put */
	assert_version(s->sd, NULL, "x", 1, prev);
}

/* Another handle (another writer) sees the greatest id in cur/ and goes
 * past it, whatever its clock says. */
static void test_clock_back_two_handles(void **state)
{
	struct store *s = *state;
	statusdir *other;
	char a[STATUSDIR_ID_SIZE], b[STATUSDIR_ID_SIZE], c[STATUSDIR_ID_SIZE];
	assert_int_equal(statusdir_open(s->path, 0, NULL, &other), 0);
	put_ok(s->sd, "one", 3, a);
	fault_clock_offset(-10 * SEC);
	put_after(other, a, b);
	assert_int_equal(time_of(b), time_of(a) + 1);
	fault_clock_offset(-20 * SEC);
	put_after(s->sd, b, c);
	assert_version(other, NULL, "x", 1, c);
	statusdir_close(other);
}

/* A handle opened after the clock stepped back still goes past the store. */
static void test_clock_back_new_handle(void **state)
{
	struct store *s = *state;
	statusdir *later;
	char prev[STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE];
	put_numbered(s->sd, 3, NULL);
	put_ok(s->sd, "x", 1, prev);
	fault_clock_offset(-YEAR);
	assert_int_equal(statusdir_open(s->path, 0, NULL, &later), 0);
	put_after(later, prev, id);
	statusdir_close(later);
}

/* A clock far in the future leaves ids there; when it comes back, puts go
 * on from the greatest id, one ns at a time, until the clock catches up. */
static void test_clock_far_in_the_future(void **state)
{
	struct store *s = *state;
	char future[STATUSDIR_ID_SIZE], prev[STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE];
	fault_clock_offset(100 * YEAR);
	put_ok(s->sd, "x", 1, future);
	fault_clock_offset(0);
	assert_true(time_of(future) > now_ns() + 99 * YEAR);
	memcpy(prev, future, sizeof(prev));
	for (int i = 0; i < 5; i++) {
		put_after(s->sd, prev, id);
		assert_int_equal(time_of(id), time_of(prev) + 1);
		memcpy(prev, id, sizeof(id));
	}
}

/* No id is greater than one at INT64_MAX ns: put refuses with -EOVERFLOW
 * rather than commit a version that would never be the newest. */
static void test_last_representable_time(void **state)
{
	struct store *s = *state;
	char path[PATH_MAX], rel[PATH_MAX];
	static const char last[] =
		"9223372036854775807.00000000000000000000000000000000.0.2d06800538d394c2";
	put_ok(s->sd, "x", 1, NULL);
	snprintf(rel, sizeof(rel), "cur/%s", last);
	store_file(s, rel, path);
	write_file(path, "", 0); /* a valid, empty version */
	assert_int_equal(statusdir_put(s->sd, "y", 1, 0, NULL), -EOVERFLOW);
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), 2);
	assert_version(s->sd, NULL, "", 0, last);
}

/* Without fsync the order is the same. */
static void test_nosync_puts_are_ordered(void **state)
{
	struct store *s = *state;
	char prev[STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE];
	put_ok(s->sd, "x", 1, prev);
	for (int i = 0; i < 10; i++) {
		fault_clock_offset(-(int64_t)i * SEC);
		assert_int_equal(statusdir_put(s->sd, "y", 1, STATUSDIR_NOSYNC, id), 0);
		assert_true(strcmp(prev, id) < 0);
		memcpy(prev, id, sizeof(id));
	}
}

/* Listed order (newest first) is put order, and time order. */
static void test_list_is_put_order(void **state)
{
	struct store *s = *state;
	char ids[30][STATUSDIR_ID_SIZE];
	struct statusdir_version *v;
	size_t n;
	for (int i = 0; i < 30; i++) {
		fault_clock_offset((i % 3 - 1) * HOUR); /* back and forth */
		put_ok(s->sd, "z", 1, ids[i]);
	}
	fault_clock_offset(0);
	assert_int_equal(statusdir_list(s->sd, &v, &n), 0);
	assert_int_equal(n, 30);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(v[i].id, ids[29 - i]);
		if (i > 0)
			assert_true(v[i - 1].time_ns > v[i].time_ns);
	}
	statusdir_list_free(v);
}

/* Two handles taking turns, each with its own clock error. */
static void test_handles_taking_turns(void **state)
{
	struct store *s = *state;
	statusdir *h[2];
	char prev[STATUSDIR_ID_SIZE] = "0", id[STATUSDIR_ID_SIZE];
	h[0] = s->sd;
	assert_int_equal(statusdir_open(s->path, 0, NULL, &h[1]), 0);
	for (int i = 0; i < 20; i++) {
		fault_clock_offset(i % 2 ? -5 * SEC : 0);
		put_ok(h[i % 2], "t", 1, id);
		assert_true(strcmp(prev, id) < 0);
		memcpy(prev, id, sizeof(id));
	}
	statusdir_close(h[1]);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fault_store_setup, fault_store_teardown)
	const struct CMUnitTest tests[] = {
		T(test_id_time_is_the_clock),
		T(test_clock_back_one_handle),
		T(test_clock_back_two_handles),
		T(test_clock_back_new_handle),
		T(test_clock_far_in_the_future),
		T(test_last_representable_time),
		T(test_nosync_puts_are_ordered),
		T(test_list_is_put_order),
		T(test_handles_taking_turns),
	};
	return cmocka_run_group_tests_name("order", tests, NULL, NULL);
}
