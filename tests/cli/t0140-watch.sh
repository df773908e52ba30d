#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='watch: a reader of its output that goes away, --timeout against clock steps, --after an id not in the store'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# elapsed_ms START_NS: milliseconds since START_NS (from now_ns).
elapsed_ms () {
	echo $(( ($(now_ns) - $1) / 1000000 ))
}

# closed_pipe_ends OPTION...: "watch S OPTION... | head -n 1" with one put
# and then no more ends within 3 s of the put (--timeout 10 bounds it),
# killed by SIGPIPE (141) without a word, after printing the id.
closed_pipe_ends () {
	make_store S 1 &&
	{ { statusdir watch S --after "$(nth_id S 1)" --timeout 10 "$@" 2>err
	    echo $? >status; } | head -n 1 >first & } &&
	pid=$! &&
	echo new | statusdir put S >id &&
	t0=$(now_ns) &&
	wait "$pid" &&
	ms=$(elapsed_ms "$t0") &&
	test_say "watch $* | head -n 1 ended ${ms} ms after the put" &&
	test "$(cat status)" = 141 &&
	test "$ms" -lt 3000 &&
	test_cmp id first &&
	test_must_be_empty err
}

test_expect_success 'watch | head -n 1: ends when head exits, not at the next put (inotify)' '
	closed_pipe_ends
'

test_expect_success 'watch --poll 1s | head -n 1: ends when head exits, not at the next put' '
	closed_pipe_ends --poll 1s
'

test_expect_success 'watch | reader closing before anything is printed: ends at once, 141' '
	make_store S 1 &&
	{ { statusdir watch S --timeout 10 2>err; echo $? >status; } | true & } &&
	pid=$! &&
	t0=$(now_ns) &&
	wait "$pid" &&
	test "$(cat status)" = 141 &&
	test "$(elapsed_ms "$t0")" -lt 3000 &&
	test_must_be_empty err
'

test_expect_success 'watch >file and watch >/dev/null wait for --timeout as before' '
	make_store S 1 &&
	t0=$(now_ns) &&
	test_expect_code 1 statusdir watch S --timeout 1 >out 2>err &&
	test "$(elapsed_ms "$t0")" -ge 900 &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	t0=$(now_ns) &&
	test_expect_code 1 statusdir watch S --poll 1 --timeout 1 >/dev/null 2>err &&
	test "$(elapsed_ms "$t0")" -ge 900 &&
	test_must_be_empty err
'

test_expect_success SCRIPT 'watch on a terminal waits for --timeout as before' '
	make_store S 1 &&
	t0=$(now_ns) &&
	script -qec "statusdir watch S --timeout 1; echo status \$?" /dev/null </dev/null >out &&
	test "$(elapsed_ms "$t0")" -ge 900 &&
	test_grep "status 1" out
'

# stepped_timeout STEP OPTION...: "watch S --timeout 3 OPTION..." under
# libfaketime, whose clock steps by STEP half a second in (the monotonic
# clock is left alone); prints the milliseconds it took.  The wall clock is
# read from a file reread at every call, as a step by NTP or date -s would
# be seen.
stepped_timeout () {
	st_step_=$1 &&
	shift &&
	echo +0 >clock &&
	{ { sleep 0.5; echo "$st_step_" >clock.new; mv clock.new clock; } & } &&
	st_t0_=$(now_ns) &&
	test_expect_code 1 timeout 30 faketime -f +0 env -u FAKETIME \
		FAKETIME_TIMESTAMP_FILE="$PWD/clock" FAKETIME_NO_CACHE=1 \
		FAKETIME_DONT_FAKE_MONOTONIC=1 \
		statusdir watch S --timeout 3 "$@" >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	wait &&
	elapsed_ms "$st_t0_"
}

test_expect_success FAKETIME 'watch --timeout runs on the monotonic clock: a step forward does not cut it' '
	make_store S 1 &&
	ms=$(stepped_timeout +1h --poll 1) &&
	test_say "--timeout 3, clock stepped +1h: ${ms} ms" &&
	test "$ms" -ge 2900 &&
	ms=$(stepped_timeout +1h) &&
	test "$ms" -ge 2900
'

test_expect_success FAKETIME 'watch --timeout runs on the monotonic clock: a step back does not stretch it' '
	make_store S 1 &&
	ms=$(stepped_timeout -1h --poll 1) &&
	test_say "--timeout 3, clock stepped -1h: ${ms} ms" &&
	test "$ms" -ge 2900 &&
	test "$ms" -lt 8000
'

test_expect_success 'watch --after an id above the newest: says it is newer than every version' '
	make_store S 2 &&
	above=$(id_with_time "$(nth_id S 2)" 9000000000000000000) &&
	test_expect_code 1 statusdir watch S --after "$above" --timeout 1 >out 2>err &&
	test_must_be_empty out &&
	echo "statusdir: S: $above is newer than every version in the store; watching for ids above it" >expect &&
	test_cmp expect err &&
	statusdir init E &&
	test_expect_code 1 statusdir watch E --after "$above" --timeout 1 >out 2>err &&
	sed "s/ S: / E: /" expect >expect.E &&
	test_cmp expect.E err
'

test_expect_success 'watch --after an id below the newest that is not there: removed, or never there' '
	make_store S 3 &&
	below=$(id_with_time "$(nth_id S 1)" 0000000000000000001) &&
	statusdir watch S --after "$below" --count 3 >out 2>err &&
	test_cmp S.ids out &&
	echo "statusdir: S: $below is not in the store (removed, or never there); watching for ids above it" >expect &&
	head -n 1 err >first &&
	test_cmp expect first &&
	test_grep -v "no longer exists" err
'

test_done
