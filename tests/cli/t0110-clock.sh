#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='a clock that steps back or runs ahead (faketime)'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! test_have_prereq FAKETIME; then
	skip_all='faketime (libfaketime) is not installed'
	test_done
fi

# time_of ID: the id's time part, without leading zeros.
time_of () {
	echo "${1%%.*}" | sed 's/^0*//'
}

test_expect_success 'a put after the clock stepped back still makes the newest' '
	statusdir init S &&
	echo a >a && echo b >b && echo c >c &&
	ida=$(statusdir put S a) &&
	idb=$(faketime -f -1d statusdir put S b) &&
	idc=$(faketime -f -2d statusdir put S c) &&
	test "$(time_of "$idb")" = $(($(time_of "$ida") + 1)) &&
	test "$(time_of "$idc")" = $(($(time_of "$idb") + 1)) &&
	printf "%s\n" "$idc" "$idb" "$ida" >expect &&
	statusdir log S | cut -f 1 >ids &&
	test_cmp expect ids &&
	statusdir get S >out && test_cmp c out &&
	faketime -f -1d statusdir get S >out && test_cmp c out
'

test_expect_success 'put --run and stdin puts follow the same clock rule' '
	statusdir init S &&
	ida=$(echo a | statusdir put S) &&
	idb=$(faketime -f -1h statusdir put S --run echo b) &&
	idc=$(echo c | faketime -f -1h statusdir put S --no-sync) &&
	test "$(time_of "$idb")" = $(($(time_of "$ida") + 1)) &&
	test "$(time_of "$idc")" = $(($(time_of "$idb") + 1)) &&
	echo c >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success 'after a version from the future, puts go on after it' '
	statusdir init S &&
	echo future >f && echo now >n &&
	idf=$(faketime -f +3650d statusdir put S f) &&
	idn=$(statusdir put S n) &&
	test "$(time_of "$idn")" = $(($(time_of "$idf") + 1)) &&
	statusdir get S >out && test_cmp n out &&
	statusdir prune S --max-age 1s --keep 1 &&
	statusdir log S | cut -f 1 >ids &&
	echo "$idn" >expect && test_cmp expect ids
'

test_expect_success 'prune --max-age with the clock run ahead keeps the newest' '
	make_store S 3 &&
	faketime -f +30d statusdir prune S --max-age 1d &&
	statusdir log S | cut -f 1 >ids &&
	nth_id S 3 >expect && test_cmp expect ids
'

test_done
