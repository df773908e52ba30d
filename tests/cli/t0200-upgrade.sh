#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='statusdir upgrade: a format-1 store becomes format 2 in place'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

N1=00000000000000000001
N10=00000000000000000010
N11=00000000000000000011

# S: a format-1 store with versions v1 to v10 (two in old/), ids in ids.
make_v1_store() {
	statusdir init S &&
	for i in 1 2 3 4 5 6 7 8 9 10; do
		echo "v$i" | statusdir put S >>ids || return 1
	done
}

test_expect_success 'upgrade numbers the versions in id order; old ids still name them' '
	make_v1_store &&
	test "$(ls S/old | wc -l)" -eq 2 &&
	statusdir upgrade S --late-wait 0 >out &&
	echo "S: format 2; format-1 ids of versions 1 to 10 in ids-1; 10 numbered, 10 format-1 names removed, 0 late versions adopted" >expect &&
	test_cmp expect out &&
	test_grep "^statusdir-format 2$" S/format &&
	test_grep "^from-1 10$" S/format &&
	! test -e S/old &&
	ls S/cur >names &&
	test "$(wc -l <names)" -eq 10 && test "$(head -n 1 names)" = $N1 &&
	test "$(tail -n 1 names)" = $N10 &&
	echo v10 >expect && statusdir get S >out && test_cmp expect out &&
	i=0 &&
	while read id; do
		i=$((i + 1)) &&
		echo "v$i" >expect &&
		statusdir get S "$id" >out && test_cmp expect out &&
		cat S/cur/$(printf %020d $i) >out && test_cmp expect out || return 1
	done <ids &&
	echo v11 | statusdir put S >id && echo $N11 >expect && test_cmp expect id
'

test_expect_success 'an upgrading store is refused by every command until upgrade runs again' '
	make_v1_store &&
	printf "statusdir-format 2\nchecksum xxh3-64\nintegrity xattr\nupgrading 1\n" >S/format &&
	test_expect_code 4 statusdir get S 2>err &&
	test_grep "an upgrade to format 2 is under way: statusdir upgrade STORE finishes it" err &&
	echo x | test_expect_code 4 statusdir put S 2>err &&
	test_grep "statusdir upgrade" err &&
	test_dir_is_empty S/tmp &&
	statusdir upgrade S --late-wait 0 >out &&
	test_grep "10 numbered" out &&
	echo v10 >expect && statusdir get S >out && test_cmp expect out
'

test_expect_success 'upgrade --keep-names stops at format 2; a second run adopts a late version' '
	make_v1_store &&
	statusdir upgrade S --keep-names --late-wait 0 >out &&
	test_grep "(format-1 names kept)" out &&
	test "$(ls S/cur | wc -l)" -eq 18 &&
	id=$(tail -n 1 ids) && echo v10 >expect && cat S/cur/$id >out && test_cmp expect out &&
	statusdir init T && late=$(echo late | statusdir put T) &&
	cp T/cur/$late S/cur/ &&
	statusdir upgrade S --late-wait 0 >out &&
	test_grep "0 numbered, 10 format-1 names removed, 1 late versions adopted" out &&
	test "$(ls S/cur | wc -l)" -eq 11 &&
	echo late >expect &&
	statusdir get S >out && test_cmp expect out &&
	statusdir get S $late >out && test_cmp expect out &&
	statusdir get S $N11 >out && test_cmp expect out &&
	statusdir upgrade S --late-wait 0 >out &&
	test_grep "0 numbered, 0 format-1 names removed, 0 late versions adopted" out &&
	: the wait counts from when the store became format 2: none long after &&
	touch -d "1 hour ago" S/format &&
	timeout 30 statusdir upgrade S >out &&
	test_grep "0 late versions adopted" out
'

test_expect_success 'upgrade of a store made as format 2 changes nothing' '
	statusdir init S --format 2 &&
	echo a | statusdir put S >/dev/null &&
	cp S/format format.before &&
	statusdir upgrade S >out &&
	echo "S: made as format 2: nothing to upgrade" >expect &&
	test_cmp expect out &&
	test_cmp format.before S/format
'

test_expect_success 'upgrade: usage errors exit 2, a missing store 4' '
	test_expect_code 2 statusdir upgrade 2>err &&
	test_grep "no STORE given" err &&
	statusdir init S &&
	test_expect_code 2 statusdir upgrade S --late-wait soon 2>err &&
	test_grep "invalid --late-wait" err &&
	test_grep "^statusdir-format 1$" S/format &&
	test_expect_code 4 statusdir upgrade missing 2>err &&
	test_grep "missing: cannot upgrade" err &&
	statusdir --help >out && test_grep "statusdir upgrade STORE" out &&
	statusdir upgrade --help >out && test_grep "late-wait" out
'

test_done
