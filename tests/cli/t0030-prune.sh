#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='prune: --keep, --max-age, DURATION, --dry-run, -v, tmp/ sweep'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# snapshot S FILE: every path under S, to tell whether anything changed.
snapshot () {
	find "$1" -print | sort >"$2"
}

# expected_lines S PREFIX I J: "PREFIX DIR/ID" for versions I..J of S.ids.
expected_lines () {
	el_i_=$3
	while test "$el_i_" -le "$4"; do
		el_id_=$(nth_id "$1" "$el_i_") &&
		echo "$2 $(where_is "$1" "$el_id_")/$el_id_" || return 1
		el_i_=$((el_i_ + 1))
	done
}

# kill_a_put S: leaves in S/tmp/ the file of a put killed by SIGKILL.
kill_a_put () {
	start_slow_put "$1" &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; test $? = 137; } &&
	exec 3>&- &&
	test "$(ls "$1/tmp" | wc -l)" = 1
}

# check_prune_json FILE DRY_RUN VERSIONS REMOVED MOVED TMP: FILE holds one
# JSON object on one line, prune --json's, with exactly the keys and types
# statusdir(1) lists; DRY_RUN is true or false, VERSIONS a number or "-"
# for null; REMOVED and MOVED are files of ids, TMP a file of "DIR/NAME"
# lines (any order; empty or missing: none).
check_prune_json () {
	/usr/bin/python3 -c '
import json, os, sys
path, dry, versions, removed, moved, tmp = sys.argv[1:]
def lines(f):
    return sorted(open(f).read().splitlines()) if os.path.exists(f) else []
text = open(path).read()
assert text.endswith("}\n") and text.count("\n") == 1, "not one line: %r" % text
d = json.loads(text)
keys = {"dry_run", "versions", "removed", "moved", "tmp_removed",
        "removed_versions", "moved_versions", "removed_tmp"}
assert set(d) == keys, "keys: %s" % sorted(set(d) ^ keys)
assert d["dry_run"] is (dry == "true"), d["dry_run"]
if versions == "-":
    assert d["versions"] is None, d["versions"]
else:
    assert type(d["versions"]) is int and d["versions"] == int(versions), d["versions"]
for k in ("removed_versions", "moved_versions", "removed_tmp"):
    assert type(d[k]) is list, (k, d[k])
for k in ("removed", "moved", "tmp_removed"):
    assert type(d[k]) is int, (k, d[k])
assert d["removed"] == len(d["removed_versions"]), d
assert d["moved"] == len(d["moved_versions"]), d
assert d["tmp_removed"] == len(d["removed_tmp"]), d
for v in d["removed_versions"] + d["moved_versions"]:
    assert type(v) is str, v
assert sorted(d["removed_versions"]) == lines(removed), (d["removed_versions"], lines(removed))
assert sorted(d["moved_versions"]) == lines(moved), (d["moved_versions"], lines(moved))
for t in d["removed_tmp"]:
    assert type(t) is dict and set(t) == {"dir", "name"}, t
    assert type(t["dir"]) is str and type(t["name"]) is str, t
got = sorted(t["dir"] + "/" + t["name"] for t in d["removed_tmp"])
assert got == lines(tmp), (got, lines(tmp))
' "$@"
}

test_expect_success 'prune with no flags on a tidy store: no output, nothing removed' '
	make_store S 12 &&
	snapshot S before &&
	statusdir prune S >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	snapshot S after &&
	test_cmp before after &&
	statusdir prune S -v >out &&
	test_must_be_empty out
'

test_expect_success 'prune moves versions beyond the head from cur/ to old/' '
	make_store S 12 &&
	mv S/old/* S/cur/ &&
	test "$(ls S/cur | wc -l)" = 12 &&
	statusdir log S >log.before &&
	expected_lines S moved 1 4 | sed "s,\$, to old/," | sort >expect &&
	statusdir prune S --dry-run >out &&
	sed "s/^/would /; s/would moved/would move/" expect >expect.dry &&
	sort out >out.sorted &&
	test_cmp expect.dry out.sorted &&
	test "$(ls S/cur | wc -l)" = 12 &&
	statusdir prune S -v >out &&
	sort out >out.sorted &&
	test_cmp expect out.sorted &&
	test "$(ls S/cur | wc -l)" = 8 &&
	test "$(ls S/old | wc -l)" = 4 &&
	statusdir log S >log.after &&
	cut -f 1,3 log.before >a && cut -f 1,3 log.after >b && test_cmp a b
'

test_expect_success 'prune --keep N keeps the N newest, prints nothing' '
	make_store S 12 &&
	statusdir prune S --keep 3 >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	statusdir log S | cut -f 1 >ids &&
	sed -n "10,12p" S.ids | sort -r >expect &&
	test_cmp expect ids &&
	test_dir_is_empty S/old &&
	statusdir verify S >/dev/null
'

test_expect_success 'prune --keep N -v names every removed version' '
	make_store S 12 &&
	expected_lines S removed 1 9 | sort >expect &&
	test_grep "^removed old/" expect &&
	test_grep "^removed cur/" expect &&
	statusdir prune S --keep 3 -v >out &&
	sort out >out.sorted &&
	test_cmp expect out.sorted &&
	make_store T 4 &&
	expected_lines T removed 1 2 | sort >expect &&
	statusdir prune T --verbose --keep 2 >out &&
	sort out >out.sorted &&
	test_cmp expect out.sorted
'

test_expect_success 'prune --keep N --dry-run says what it would remove, changes nothing' '
	make_store S 12 &&
	snapshot S before &&
	expected_lines S "would remove" 1 9 | sort >expect &&
	statusdir prune S --keep 3 --dry-run >out 2>err &&
	test_must_be_empty err &&
	sort out >out.sorted &&
	test_cmp expect out.sorted &&
	snapshot S after &&
	test_cmp before after &&
	statusdir prune S --keep 3 --dry-run -v >out &&
	sort out >out.sorted &&
	test_cmp expect out.sorted
'

test_expect_success 'prune --keep 1 keeps the newest only' '
	make_store S 5 &&
	statusdir prune S --keep 1 &&
	statusdir log S | cut -f 1 >ids &&
	nth_id S 5 >expect &&
	test_cmp expect ids &&
	echo "version 5" >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success 'prune --keep 0 is a usage error and removes nothing' '
	make_store S 3 &&
	snapshot S before &&
	test_expect_code 2 statusdir prune S --keep 0 >out 2>err &&
	test_must_be_empty out &&
	test_usage_error prune err &&
	for n in -1 abc "" 1x 99999999999999999999999; do
		test_expect_code 2 statusdir prune S --keep "$n" 2>err &&
		test_usage_error prune err || { echo "N: [$n]" >&4; return 1; }
	done &&
	test_expect_code 2 statusdir prune S --keep 2>err &&
	test_usage_error prune err &&
	snapshot S after &&
	test_cmp before after
'

test_expect_success 'prune --max-age removes versions older than DURATION' '
	make_store S 3 &&
	a=$(craft_aged S 90000) &&
	b=$(craft_aged S 200000) &&
	statusdir verify S >/dev/null &&
	statusdir log S >log && test_line_count 5 log &&
	statusdir prune S --max-age 1d --dry-run >out &&
	printf "would remove old/%s\n" "$a" "$b" | sort >expect &&
	sort out >out.sorted && test_cmp expect out.sorted &&
	statusdir log S >log && test_line_count 5 log &&
	statusdir prune S --max-age 1d -v >out &&
	sed "s/^would remove/removed/" expect >expect.v &&
	sort out >out.sorted && test_cmp expect.v out.sorted &&
	statusdir log S | cut -f 1 >ids &&
	sort -r S.ids >expect && test_cmp expect ids
'

test_expect_success 'prune --max-age never removes the newest' '
	statusdir init S &&
	echo only >f &&
	id=$(statusdir put S f) &&
	ancient=$(id_with_time "$id" 0000000001000000000) &&
	mv "S/cur/$id" "S/cur/$ancient" &&
	test "$(newest_id S)" = "$ancient" &&
	statusdir prune S --max-age 1s &&
	statusdir prune S --max-age 1s --keep 1 &&
	test "$(newest_id S)" = "$ancient" &&
	statusdir get S >out && test_cmp f out &&
	older=$(id_with_time "$id" 0000000000500000000) &&
	cp "S/cur/$ancient" "S/old/$older" &&
	statusdir prune S --max-age 1w -v >out &&
	echo "removed old/$older" >expect && test_cmp expect out &&
	statusdir log S | cut -f 1 >ids &&
	echo "$ancient" >expect && test_cmp expect ids
'

test_expect_success 'DURATION units: s, m, h, d, w and bare seconds' '
	make_store S 1 &&
	kept=$(craft_aged S 7200) &&
	for d in 3h 121m 7260s 7260 1d 1w 2d 3w; do
		statusdir prune S --max-age "$d" &&
		test -f "S/old/$kept" || { echo "DURATION $d removed a version 2h old" >&4; return 1; }
	done &&
	for d in 1h 119m 7140s 7140 60 1s; do
		gone=$(craft_aged S 7200) &&
		statusdir prune S --max-age "$d" &&
		! test -f "S/old/$gone" || { echo "DURATION $d kept a version 2h old" >&4; return 1; }
	done
'

test_expect_success 'DURATION and N are decimal: 010 is ten, 08 is eight' '
	make_store S 12 &&
	kept=$(craft_aged S 540) &&
	statusdir prune S --max-age 010m &&
	test -f "S/old/$kept" &&
	statusdir prune S --max-age 08m &&
	! test -f "S/old/$kept" &&
	statusdir prune S --keep 010 &&
	statusdir log S >log && test_line_count 10 log &&
	statusdir prune S --keep 08 &&
	statusdir log S >log && test_line_count 8 log &&
	statusdir log S -n 010 >log && test_line_count 8 log &&
	statusdir log S -n 09 >log && test_line_count 8 log &&
	statusdir log S -n 07 >log && test_line_count 7 log
'

test_expect_success '--keep and --max-age together: beyond N or older than DURATION' '
	make_store S 4 &&
	a=$(craft_aged S 7200) &&
	statusdir prune S --keep 10 --max-age 1h &&
	! test -f "S/old/$a" &&
	statusdir log S >log && test_line_count 4 log &&
	statusdir prune S --keep 2 --max-age 1w &&
	statusdir log S | cut -f 1 >ids &&
	sed -n "3,4p" S.ids | sort -r >expect && test_cmp expect ids
'

test_expect_success 'DURATION does not depend on the locale' '
	make_store S 1 &&
	gone=$(craft_aged S 7200) &&
	LC_ALL=C.UTF-8 statusdir prune S --max-age 1h &&
	! test -f "S/old/$gone"
'

test_expect_success 'bad DURATION is a usage error, for --max-age and --tmp-age' '
	make_store S 2 &&
	snapshot S before &&
	for opt in --max-age --tmp-age; do
		for d in "" 1x -1 +1 1,5h " 1" "1 " 1h1 h 1hh 1H 1S 0x10 1e3 \
			99999999999999999999 99999999999999999w 1m1h 1h1h 1s1ms1s .5s 1.s \
			"1h 30m" 0.0000000001s 1ms5 1.5.5s 1sm; do
			test_expect_code 2 statusdir prune S $opt "$d" >out 2>err &&
			test_must_be_empty out &&
			test_usage_error prune err || { echo "$opt [$d]" >&4; return 1; }
		done || return 1
	done &&
	snapshot S after &&
	test_cmp before after
'

test_expect_success 'DURATION takes ms, fractions and compound units, largest first' '
	make_store S 2 &&
	for d in 90 1h30m 0.5s 250ms 1.5h 2w3d4h5m6s7ms 0.001ms 1d; do
		statusdir prune S --dry-run --max-age "$d" --tmp-age "$d" >out 2>err &&
		test_must_be_empty err || { echo "[$d]" >&4; return 1; }
	done &&
	test_expect_code 2 statusdir prune S --max-age 1m1h 2>err &&
	test_grep "invalid --max-age .1m1h. (a number and a unit of ms, s, m, h, d or w" err
'

test_expect_success 'DURATION beyond the nanosecond range (20000w) is a usage error' '
	make_store S 2 &&
	test_expect_code 2 statusdir prune S --max-age 20000w 2>err &&
	test_usage_error prune err &&
	test_expect_code 2 statusdir prune S --tmp-age 9223372037s 2>err &&
	test_usage_error prune err
'

test_expect_success 'prune sweeps the tmp/ file of a killed put' '
	make_store S 2 &&
	kill_a_put S &&
	name=$(ls S/tmp) &&
	echo "version 2" >expect &&
	statusdir get S >out && test_cmp expect out &&
	statusdir prune S --dry-run >out &&
	echo "would remove tmp/$name" >expect && test_cmp expect out &&
	test -f "S/tmp/$name" &&
	statusdir prune S -v >out &&
	echo "removed tmp/$name" >expect && test_cmp expect out &&
	test_dir_is_empty S/tmp &&
	statusdir log S >log && test_line_count 2 log
'

test_expect_success 'prune without -v sweeps tmp/ silently' '
	make_store S 1 &&
	kill_a_put S &&
	statusdir prune S >out &&
	test_must_be_empty out &&
	test_dir_is_empty S/tmp
'

test_expect_success 'prune leaves the tmp/ file of a live put alone' '
	make_store S 1 &&
	start_slow_put S &&
	statusdir prune S &&
	statusdir prune S --keep 1 --max-age 1s &&
	test "$(ls S/tmp | wc -l)" = 1 &&
	printf " and the rest\n" >&3 &&
	finish_slow_put &&
	printf "partial and the rest\n" >expect &&
	statusdir get S >out && test_cmp expect out &&
	test_dir_is_empty S/tmp
'

test_expect_success '--tmp-age: any tmp/ file older than DURATION is stale' '
	make_store S 1 &&
	echo junk >S/tmp/leftover &&
	statusdir prune S &&
	statusdir prune S --tmp-age 1h &&
	test -f S/tmp/leftover &&
	sleep 1.2 &&
	statusdir prune S --tmp-age 1 --dry-run >out &&
	echo "would remove tmp/leftover" >expect && test_cmp expect out &&
	test -f S/tmp/leftover &&
	statusdir prune S --tmp-age 1s -v >out &&
	echo "removed tmp/leftover" >expect && test_cmp expect out &&
	test_dir_is_empty S/tmp &&
	statusdir log S >log && test_line_count 1 log
'

test_expect_success 'prune of a missing store exits 4; extra argument exits 2' '
	test_expect_code 4 statusdir prune S 2>err &&
	test_stderr_ok err &&
	make_store T 1 &&
	test_expect_code 2 statusdir prune T extra 2>err &&
	test_usage_error prune err
'

test_expect_success PYTHON3 'prune --json: what was removed and moved, and nothing else' '
	make_store S 12 &&
	mv S/old/* S/cur/ &&
	kill_a_put S &&
	echo "tmp/$(ls S/tmp)" >tmp &&
	sed -n "1,9p" S.ids >removed &&
	sed -n "1,4p" S.ids >moved &&
	statusdir prune S --keep 3 --json >out 2>err &&
	test_must_be_empty err &&
	check_prune_json out false 12 removed moved tmp &&
	statusdir log S | cut -f 1 >ids &&
	sed -n "10,12p" S.ids | sort -r >expect && test_cmp expect ids &&
	test_dir_is_empty S/tmp
'

test_expect_success PYTHON3 'prune --dry-run --json: what would be done; changes nothing' '
	make_store S 12 &&
	mv S/old/* S/cur/ &&
	kill_a_put S &&
	echo "tmp/$(ls S/tmp)" >tmp &&
	sed -n "1,9p" S.ids >removed &&
	sed -n "1,4p" S.ids >moved &&
	snapshot S before &&
	statusdir prune S --keep 3 --dry-run --json >out &&
	check_prune_json out true 12 removed moved tmp &&
	statusdir prune S --keep 3 --dry-run --json -v >out &&
	check_prune_json out true 12 removed moved tmp &&
	snapshot S after &&
	test_cmp before after
'

test_expect_success PYTHON3 'prune --json without a policy: versions is null, lists are empty' '
	make_store S 12 &&
	statusdir prune S --json >out &&
	check_prune_json out false - none none none &&
	statusdir prune S --json -v >out &&
	check_prune_json out false - none none none &&
	statusdir log S >log && test_line_count 12 log
'

test_expect_success PYTHON3 'prune --json applies the recorded policy and says so' '
	make_store S 5 &&
	statusdir config S --keep 2 &&
	sed -n "1,3p" S.ids >removed &&
	statusdir prune S --json >out &&
	check_prune_json out false 5 removed none none &&
	statusdir prune S --json >out &&
	check_prune_json out false 2 none none none
'

test_expect_success PYTHON3 'prune --json escapes a tmp/ file name with quotes, backslash, tab' '
	make_store S 1 &&
	name=$(printf "a \"q\" b\\\\c\td") &&
	echo junk >"S/tmp/$name" &&
	sleep 1.2 &&
	printf "tmp/%s\n" "$name" >tmp &&
	statusdir prune S --tmp-age 1s --json >out &&
	check_prune_json out false - none none tmp &&
	test_dir_is_empty S/tmp
'

test_expect_success 'prune --json keeps the exit codes: 2, 4, and 4 when stdout fails' '
	test_expect_code 4 statusdir prune S --json >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	make_store S 3 &&
	test_expect_code 2 statusdir prune S --json --keep 0 >out 2>err &&
	test_must_be_empty out &&
	test_usage_error prune err &&
	test_expect_code 4 statusdir prune S --keep 1 --json >/dev/full 2>err &&
	test_stderr_ok err &&
	statusdir log S >log && test_line_count 1 log
'

test_done
