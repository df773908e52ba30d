#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='format 2: prune, verify and config --keep on a store of numbered versions'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# A format-2 id: 20 digits.
NUM_RE='[0-9]{20}'

# make_store2 S N: a format-2 store S holding "version I" for I = 1..N;
# the ids, in order, in S.ids.
make_store2 () {
	statusdir init --format 2 "$1" &&
	: >"$1.ids" &&
	mk_i_=1 &&
	while test "$mk_i_" -le "$2"; do
		echo "version $mk_i_" >"$1.payload" &&
		statusdir put "$1" "$1.payload" >>"$1.ids" || return 1
		mk_i_=$((mk_i_ + 1))
	done
	rm -f "$1.payload" &&
	test_line_count "$2" "$1.ids" &&
	test_all_lines_match "$NUM_RE" "$1.ids"
}

# num K: number K as a format-2 id.
num () {
	printf '%020d\n' "$1"
}

# low S: the low-water mark L, the size of S/low.
low () {
	stat -c %s "$1/low"
}

# cur_is S I J: S/cur/ holds exactly the numbers I..J.
cur_is () {
	ci_i_=$2 &&
	: >expect.cur &&
	while test "$ci_i_" -le "$3"; do
		num "$ci_i_" >>expect.cur || return 1
		ci_i_=$((ci_i_ + 1))
	done
	ls "$1/cur" >actual.cur &&
	test_cmp expect.cur actual.cur
}

test_expect_success 'prune --keep N -v on format 2: removes the oldest by number, raises L' '
	make_store2 S 8 &&
	statusdir prune S --keep 3 -v >out 2>err &&
	test_must_be_empty err &&
	for i in 1 2 3 4 5; do echo "removed cur/$(num $i)"; done >expect &&
	test_cmp expect out &&
	cur_is S 6 8 &&
	test "$(low S)" = 5 &&
	statusdir get S >got &&
	echo "version 8" >expect &&
	test_cmp expect got
'

test_expect_success 'prune --dry-run --json on format 2: what would go, nothing changes' '
	make_store2 S 5 &&
	statusdir prune S --keep 2 --dry-run --json >out 2>err &&
	test_must_be_empty err &&
	/usr/bin/python3 -c "
import json, sys
d = json.loads(open(\"out\").read())
assert d[\"dry_run\"] is True, d
assert d[\"versions\"] == 5, d
assert d[\"removed_versions\"] == [\"%020d\" % k for k in (1, 2, 3)], d
assert d[\"removed\"] == 3 and d[\"moved\"] == 0 and d[\"moved_versions\"] == [], d
" &&
	cur_is S 1 5 &&
	test "$(low S)" = 0
'

test_expect_success 'prune --max-age on format 2: the versions older than DURATION, never the newest' '
	make_store2 S 4 &&
	sleep 2 &&
	statusdir prune S --max-age 1s >out 2>err &&
	test_must_be_empty out &&
	cur_is S 4 4 &&
	test "$(low S)" = 3
'

test_expect_success 'config --keep N: every put of a format-2 store applies it' '
	make_store2 S 3 &&
	statusdir config S --keep 2 &&
	echo "four" | statusdir put S - >id &&
	test "$(cat id)" = "$(num 4)" &&
	cur_is S 3 4 &&
	echo "five" | statusdir put S - >/dev/null &&
	cur_is S 4 5 &&
	test "$(low S)" = 3
'

test_expect_success 'verify of a clean format-2 store: exit 0, the summary only' '
	make_store2 S 3 &&
	statusdir prune S --keep 2 &&
	statusdir verify S >out 2>err &&
	test_must_be_empty err &&
	echo "2 versions, 0 damaged, 0 junk, 0 stale tmp files" >expect &&
	test_cmp expect out
'

test_expect_success SETFATTR 'verify finds a version copied without its attribute: exit 3' '
	make_store2 S 3 &&
	setfattr -x user.statusdir "S/cur/$(num 2)" &&
	test_expect_code 3 statusdir verify S >out 2>err &&
	printf "%s\n" "damaged cur/$(num 2): no user.statusdir attribute (copied without xattrs?)" \
		"3 versions, 1 damaged, 0 junk, 0 stale tmp files" >expect &&
	test_cmp expect out &&
	test_expect_code 3 statusdir verify S --json >out.json 2>err &&
	/usr/bin/python3 -c "
import json
d = json.loads(open(\"out.json\").read())
assert d[\"damaged\"] == 1 and d[\"versions\"] == 3, d
f = d[\"findings\"]
assert len(f) == 1 and f[0][\"kind\"] == \"damaged\" and f[0][\"name\"] == \"%020d\" % 2, f
assert \"without xattrs\" in f[0][\"detail\"], f
"
'

test_expect_success 'verify reports names at or below L as junk; prune removes them' '
	make_store2 S 5 &&
	statusdir prune S --keep 2 &&
	echo left >"S/cur/$(num 2)" &&
	statusdir verify S >out 2>err &&
	printf "%s\n" "junk cur/$(num 2): freed, not yet removed" \
		"2 versions, 0 damaged, 1 junk, 0 stale tmp files" >expect &&
	test_cmp expect out &&
	statusdir prune S -v >out 2>err &&
	echo "removed cur/$(num 2)" >expect &&
	test_cmp expect out &&
	cur_is S 4 5
'

test_expect_success 'verify of a format-2 store reports a tombstone as lost, not damage' '
	make_store2 S 3 &&
	rm "S/cur/$(num 2)" &&
	ln -s lost "S/cur/$(num 2)" &&
	statusdir verify S >out 2>err &&
	printf "%s\n" "junk cur/$(num 2): lost in a power cut" \
		"2 versions, 0 damaged, 1 junk, 0 stale tmp files" >expect &&
	test_cmp expect out
'

test_done
