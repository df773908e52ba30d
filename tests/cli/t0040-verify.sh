#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='verify: clean stores, junk and stale tmp files, damage, unreadable versions, --json'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# counted N ONE MANY: "1 ONE", "N MANY".
counted () {
	if test "$1" = 1; then echo "1 $2"; else echo "$1 $3"; fi
}

# summary V D J T [U]: verify's last line (U, unreadable, only when not 0).
summary () {
	echo "$(counted "$1" version versions), $2 damaged,${5:+ $5 unreadable,} $3 junk, $(counted "$4" "stale tmp file" "stale tmp files")"
}

# verify_out_is V D J T <FINDINGS: out (verify's stdout) holds FINDINGS, in
# any order, then the summary line for V D J T.
verify_out_is () {
	sed "\$d" out | sort >findings &&
	sort >expect &&
	test_cmp expect findings &&
	tail -n 1 out >last &&
	summary "$@" >expect &&
	test_cmp expect last
}

test_expect_success 'verify of an empty store: exit 0, the summary only' '
	statusdir init S &&
	statusdir verify S >out 2>err &&
	test_must_be_empty err &&
	summary 0 0 0 0 >expect &&
	test_cmp expect out
'

test_expect_success 'verify of a clean store: exit 0, the summary only' '
	make_store S 12 &&
	statusdir verify S >out 2>err &&
	test_must_be_empty err &&
	summary 12 0 0 0 >expect &&
	test_cmp expect out
'

test_expect_success 'verify reports junk in cur/ and old/, exits 0' '
	make_store S 3 &&
	echo swap >S/cur/.status.swp &&
	echo nfs >S/old/.nfs000000000123 &&
	mkdir S/cur/subdir &&
	id=$(nth_id S 3) &&
	bigger=$(id_with_time "$id" 9000000000000000000) &&
	mkdir "S/cur/$bigger" &&
	statusdir verify S >out 2>err &&
	test_must_be_empty err &&
	verify_out_is 3 0 4 0 <<-EOF
	junk cur/.status.swp: not a version id
	junk old/.nfs000000000123: not a version id
	junk cur/subdir: not a regular file
	junk cur/$bigger: not a regular file
	EOF
'

test_expect_success 'verify reports a symlink named like a version as junk' '
	make_store S 2 &&
	id=$(nth_id S 2) &&
	bigger=$(id_with_time "$id" 9000000000000000000) &&
	ln -s "$id" "S/cur/$bigger" &&
	statusdir verify S >out &&
	test_grep -x -F "junk cur/$bigger: not a regular file" out &&
	tail -n 1 out >last &&
	summary 2 0 1 0 >expect &&
	test_cmp expect last
'

test_expect_success 'verify reports the tmp/ file of a killed put as stale, exits 0' '
	make_store S 2 &&
	start_slow_put S &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; test $? = 137; } &&
	exec 3>&- &&
	name=$(ls S/tmp) &&
	statusdir verify S >out &&
	printf "%s\n" "stale tmp/$name" "$(summary 2 0 0 1)" >expect &&
	test_cmp expect out &&
	test -f "S/tmp/$name"
'

test_expect_success 'verify reports the tmp/ file of a live put as busy, exits 0' '
	make_store S 2 &&
	start_slow_put S &&
	name=$(ls S/tmp) &&
	statusdir verify S >out &&
	printf "%s\n" "busy tmp/$name" "$(summary 2 0 0 0)" >expect &&
	test_cmp expect out &&
	finish_slow_put &&
	statusdir verify S >out &&
	summary 3 0 0 0 >expect &&
	test_cmp expect out
'

test_expect_success 'a version edited in cur/ (same size) is damage: exit 3' '
	make_store S 3 &&
	id=$(nth_id S 2) &&
	printf "VERSION 2\n" >"S/cur/$id" &&
	test_expect_code 3 statusdir verify S >out 2>err &&
	printf "%s\n" "damaged cur/$id: checksum mismatch" "$(summary 3 1 0 0)" >expect &&
	test_cmp expect out
'

test_expect_success 'a version of the wrong size is damage: exit 3' '
	statusdir init S &&
	printf hello >f &&
	id=$(statusdir put S f) &&
	printf hel >"S/cur/$id" &&
	test_expect_code 3 statusdir verify S >out &&
	printf "%s\n" "damaged cur/$id: size 3, expected 5" "$(summary 1 1 0 0)" >expect &&
	test_cmp expect out
'

test_expect_success 'damage in old/ is found too' '
	make_store S 12 &&
	id=$(nth_id S 1) &&
	test "$(where_is S "$id")" = old &&
	echo "version X" >"S/old/$id" &&
	id2=$(nth_id S 7) &&
	echo "version 77" >"S/cur/$id2" &&
	test_expect_code 3 statusdir verify S >out &&
	verify_out_is 12 2 0 0 <<-EOF
	damaged old/$id: checksum mismatch
	damaged cur/$id2: size 11, expected 10
	EOF
'

test_expect_success 'damage, junk and a stale tmp file together' '
	make_store S 3 &&
	echo junk >S/cur/junk &&
	start_slow_put S &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; test $? = 137; } &&
	exec 3>&- &&
	id=$(nth_id S 1) &&
	printf "VERSION 1\n" >"S/cur/$id" &&
	test_expect_code 3 statusdir verify S >out &&
	tail -n 1 out >last &&
	summary 3 1 1 1 >expect &&
	test_cmp expect last &&
	test_line_count 4 out
'

test_expect_success 'get of a damaged version exits 3 and prints nothing' '
	make_store S 3 &&
	id=$(nth_id S 2) &&
	printf "VERSION 2\n" >"S/cur/$id" &&
	test_expect_code 3 statusdir get S "$id" >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_grep "^statusdir: S: " err &&
	echo "version 3" >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success 'get of a damaged newest version exits 3 and prints nothing' '
	statusdir init S &&
	head -c 200000 /dev/zero >big &&
	id=$(statusdir put S big) &&
	printf X | dd of="S/cur/$id" bs=1 seek=150000 conv=notrunc 2>/dev/null &&
	test_expect_code 3 statusdir get S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_expect_code 3 statusdir verify S >/dev/null
'

test_expect_success 'verify of a missing store exits 4; extra argument exits 2' '
	test_expect_code 4 statusdir verify S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	make_store T 1 &&
	test_expect_code 2 statusdir verify T extra 2>err &&
	test_usage_error verify err
'

test_expect_success 'verify >/dev/full exits 4' '
	make_store S 1 &&
	test_expect_code 4 statusdir verify S >/dev/full 2>err &&
	test_stderr_ok err
'

test_expect_success 'the summary says 1 version and 1 stale tmp file, in the singular' '
	make_store S 1 &&
	start_slow_put S &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; test $? = 137; } &&
	exec 3>&- &&
	statusdir verify S >out &&
	tail -n 1 out >last &&
	echo "1 version, 0 damaged, 0 junk, 1 stale tmp file" >expect &&
	test_cmp expect last
'

# Making a version unreadable: chmod 000 stops any user but root, so root
# runs verify as nobody (the NOBODY prerequisite); without root, as itself.
if test_have_prereq '!ROOT'; then
	reader_prereq='!ROOT'
else
	reader_prereq=NOBODY
fi
as_reader () {
	if test_have_prereq ROOT; then
		test_as_nobody "$@"
	else
		"$@"
	fi
}

# unreadable_store: S with 12 versions, the 3rd (in old/) and the 11th (in
# cur/) unreadable, the 7th damaged; their ids in id3, id11 and id7.
unreadable_store () {
	make_store S 12 &&
	id3=$(nth_id S 3) id7=$(nth_id S 7) id11=$(nth_id S 11) &&
	test "$(where_is S "$id3")" = old &&
	test "$(where_is S "$id11")" = cur &&
	dir7=$(where_is S "$id7") &&
	echo "version 77" >"S/$dir7/$id7" &&
	chmod 000 "S/old/$id3" "S/cur/$id11"
}

test_expect_success "$reader_prereq" 'verify goes on past unreadable versions, names each, exits 4' '
	unreadable_store &&
	test_expect_code 4 as_reader statusdir verify S >out 2>err &&
	verify_out_is 12 1 0 0 2 <<-EOF &&
	unreadable old/$id3: Permission denied
	unreadable cur/$id11: Permission denied
	damaged $dir7/$id7: size 11, expected 10
	EOF
	echo "statusdir: S: 2 versions could not be read" >expect &&
	test_cmp expect err &&
	chmod 644 "S/old/$id3" "S/cur/$id11" &&
	test_expect_code 3 as_reader statusdir verify S >out 2>err &&
	test_must_be_empty err
'

test_expect_success "$reader_prereq" 'one unreadable version and no damage: exit 4, the summary says so' '
	make_store S 2 &&
	id=$(nth_id S 1) &&
	chmod 000 "S/cur/$id" &&
	test_expect_code 4 as_reader statusdir verify S >out 2>err &&
	printf "%s\n" "unreadable cur/$id: Permission denied" \
		"2 versions, 0 damaged, 1 unreadable, 0 junk, 0 stale tmp files" >expect &&
	test_cmp expect out &&
	echo "statusdir: S: 1 version could not be read" >expect &&
	test_cmp expect err
'

# check_json EXPECTED: out (verify --json) is one line, one JSON object whose
# counts and findings (as "kind dir name detail" lines, in any order) equal
# the Python expression EXPECTED: (counts dict, sorted list of finding lines).
check_json () {
	test_line_count 1 out &&
	python3 -c "
import json, sys
o = json.load(open(\"out\"))
counts, findings = $1
keys = {\"versions\", \"damaged\", \"unreadable\", \"junk\", \"tmp_stale\", \"tmp_busy\", \"findings\"}
assert set(o) == keys, sorted(o)
for k in keys - {\"findings\"}:
    assert type(o[k]) is int, (k, o[k])
assert {k: o[k] for k in counts} == counts, o
assert type(o[\"findings\"]) is list
for f in o[\"findings\"]:
    assert set(f) == {\"kind\", \"dir\", \"name\", \"detail\"}, f
    assert all(type(v) is str for v in f.values()), f
got = sorted(\" \".join((f[\"kind\"], f[\"dir\"], f[\"name\"], f[\"detail\"])) for f in o[\"findings\"])
assert got == findings, (got, findings)
" "$@"
}

test_expect_success PYTHON3 'verify --json: counts and findings of a clean store, exit 0' '
	make_store S 3 &&
	statusdir verify S --json >out 2>err &&
	test_must_be_empty err &&
	check_json "({\"versions\": 3, \"damaged\": 0, \"unreadable\": 0, \"junk\": 0, \"tmp_stale\": 0, \"tmp_busy\": 0}, [])"
'

test_expect_success PYTHON3 'verify --json: damage, junk with a quote in its name, a stale tmp file; exit 3' '
	make_store S 3 &&
	id=$(nth_id S 2) &&
	printf "VERSION 2\n" >"S/cur/$id" &&
	printf x >"S/cur/a\"b\\\\c" &&
	start_slow_put S &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; test $? = 137; } &&
	exec 3>&- &&
	tmp=$(ls S/tmp) &&
	test_expect_code 3 statusdir verify S --json >out 2>err &&
	test_must_be_empty err &&
	check_json "({\"versions\": 3, \"damaged\": 1, \"junk\": 1, \"tmp_stale\": 1, \"tmp_busy\": 0},
		sorted([\"damaged cur $id checksum mismatch\",
		        \"junk cur a\\\"b\\\\\\\\c not a version id\",
		        \"stale tmp $tmp stale\"]))"
'

test_expect_success PYTHON3,$reader_prereq 'verify --json: unreadable versions are findings, exit 4' '
	unreadable_store &&
	test_expect_code 4 as_reader statusdir verify S --json >out 2>err &&
	echo "statusdir: S: 2 versions could not be read" >expect &&
	test_cmp expect err &&
	check_json "({\"versions\": 12, \"damaged\": 1, \"unreadable\": 2},
		sorted([\"unreadable old $id3 Permission denied\",
		        \"unreadable cur $id11 Permission denied\",
		        \"damaged $dir7 $id7 size 11, expected 10\"]))"
'

test_expect_success 'verify --json >/dev/full exits 4; a bad option exits 2' '
	make_store S 1 &&
	test_expect_code 4 statusdir verify S --json >/dev/full 2>err &&
	test_stderr_ok err &&
	test_expect_code 2 statusdir verify S --jsn 2>err &&
	test_usage_error verify err
'

test_done
