#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='format 2: put, get, log, watch, path, info, diff, rollback and @N on a store whose ids are numbers'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# A format-2 id: a number of 20 digits (statusdir(5)).
NUM_RE='[0-9]{20}'

# num I: version I's id.
num () {
	printf '%020d\n' "$1"
}

# make_store2 S N: a new format-2 store S holding N versions, version i
# being the line "version i"; their ids go to S.ids, oldest first.
make_store2 () {
	statusdir init "$1" --format 2 &&
	: >"$1.ids" &&
	mk_i_=1 &&
	while test "$mk_i_" -le "$2"; do
		echo "version $mk_i_" | statusdir put "$1" >>"$1.ids" || return 1
		mk_i_=$((mk_i_ + 1))
	done
	test_line_count "$2" "$1.ids" &&
	test_all_lines_match "$NUM_RE" "$1.ids"
}

# free_to S C: what retention does to free versions 1 to C: raise L (the
# size of S/low) to C, then remove their names.
free_to () {
	truncate -s "$2" "$1/low" &&
	fr_i_=1 &&
	while test "$fr_i_" -le "$2"; do
		rm -f "$1/cur/$(num "$fr_i_")" || return 1
		fr_i_=$((fr_i_ + 1))
	done
}

# drop_attribute S ID: the version's user.statusdir attribute removed, as a
# copy without xattrs leaves it: damaged.
drop_attribute () {
	/usr/bin/python3 -c 'import os, sys; os.removexattr(sys.argv[1], "user.statusdir")' "$1/cur/$2"
}

test_expect_success 'put prints numbers in commit order; cat STORE/cur/ID is the payload' '
	make_store2 S 3 &&
	num 1 >expect &&
	num 2 >>expect &&
	num 3 >>expect &&
	test_cmp expect S.ids &&
	echo hello >payload &&
	test_cmp payload "S/cur/$(statusdir put S payload)" &&
	statusdir get S >out &&
	test_cmp payload out
'

test_expect_success 'log: ID, time and size, newest first; -n N is its first N lines' '
	make_store2 S 5 &&
	statusdir log S >log &&
	test_line_count 5 log &&
	test_all_lines_match "$NUM_RE$TAB$TIME_RE${TAB}10" log &&
	cut -f 1 log >ids &&
	sort -r S.ids >expect &&
	test_cmp expect ids &&
	for n in 1 2 5 9; do
		statusdir log S -n $n >out &&
		head -n $n log >expect &&
		test_cmp expect out || return 1
	done &&
	statusdir log S --format "%i %l %s" -n 2 >out &&
	printf "%s cur 10\n%s cur 10\n" "$(num 5)" "$(num 4)" >expect &&
	test_cmp expect out
'

test_expect_success STRACE 'log -n 2 reads no folder: the newest by probing, then down by number' '
	make_store2 S 20 &&
	traced -f -e trace=getdents64,getdents -o trace statusdir log S -n 2 >out &&
	test_line_count 2 out &&
	test_grep -v getdents trace &&
	traced -f -e trace=getdents64,getdents -o trace statusdir log S >out &&
	test_line_count 20 out &&
	test_grep getdents trace
'

test_expect_success 'log --json: one object a line, location cur; same_as and damaged' '
	make_store2 S 3 &&
	echo "version 1" | statusdir put S >>S.ids &&
	drop_attribute S "$(num 2)" &&
	statusdir log S --json >out &&
	statusdir log S --json -n 2 >out2 &&
	head -n 2 out >expect &&
	test_cmp expect out2 &&
	/usr/bin/python3 -c "
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
ids = [r[\"id\"] for r in rows]
assert ids == [\"%020d\" % k for k in (4, 3, 2, 1)], ids
assert all(r[\"location\"] == \"cur\" for r in rows), rows
assert rows[0][\"same_as\"] == \"%020d\" % 1, rows[0]
assert rows[2].get(\"damaged\") is True and rows[2][\"size\"] == 0, rows[2]
assert all(\"damaged\" not in r for r in rows if r is not rows[2]), rows
assert all(\"same_as\" not in r for r in rows[1:]), rows
" out
'

test_expect_success 'get @N, path, and versions freed below L' '
	make_store2 S 4 &&
	statusdir get S @0 >out &&
	echo "version 4" >expect &&
	test_cmp expect out &&
	statusdir get S @3 >out &&
	echo "version 1" >expect &&
	test_cmp expect out &&
	test_expect_code 1 statusdir get S @4 &&
	echo "$PWD/S/cur/$(num 4)" >expect &&
	statusdir path "$PWD/S" >out &&
	test_cmp expect out &&
	echo "S/cur/$(num 2)" >expect &&
	statusdir path S @2 >out &&
	test_cmp expect out &&
	free_to S 2 &&
	test_expect_code 1 statusdir get S @2 2>err &&
	test_expect_code 1 statusdir get S "$(num 2)" 2>err &&
	statusdir get S @1 >out &&
	echo "version 3" >expect &&
	test_cmp expect out
'

test_expect_success 'a tombstone (a number lost in a power cut) is no version' '
	make_store2 S 3 &&
	rm "S/cur/$(num 2)" &&
	ln -s lost "S/cur/$(num 2)" &&
	statusdir log S | cut -f 1 >out &&
	printf "%s\n%s\n" "$(num 3)" "$(num 1)" >expect &&
	test_cmp expect out &&
	statusdir get S @1 >out &&
	echo "version 1" >expect &&
	test_cmp expect out &&
	test_expect_code 1 statusdir get S "$(num 2)" 2>err
'

test_expect_success 'get: a damaged newest heals to the newest intact one, by number' '
	make_store2 S 4 &&
	printf x >>"S/cur/$(num 4)" &&
	drop_attribute S "$(num 3)" &&
	statusdir get S >out 2>err &&
	echo "version 2" >expect &&
	test_cmp expect out &&
	echo "statusdir: S: $(num 4) damaged, returned $(num 2)" >expect &&
	test_cmp expect err &&
	test_expect_code 3 statusdir get S --strict >out 2>err
'

test_expect_success 'watch --after ID prints each later version once, in order; --exec runs for each' '
	make_store2 S 5 &&
	statusdir watch S --after "$(num 2)" --count 3 \
		--exec "echo \"\$STATUSDIR_ID \$STATUSDIR_STORE\" >>ran" >out 2>err &&
	printf "%s\n" "$(num 3)" "$(num 4)" "$(num 5)" >expect &&
	test_cmp expect out &&
	printf "%s S\n" "$(num 3)" "$(num 4)" "$(num 5)" >expect &&
	test_cmp expect ran &&
	test_must_be_empty err
'

test_expect_success 'watch: versions put while it waits are printed' '
	make_store2 S 2 &&
	{ statusdir watch S --after "$(num 2)" --count 2 --timeout 10 >out 2>err & } &&
	pid=$! &&
	sleep 0.2 &&
	echo three | statusdir put S >>ids &&
	echo four | statusdir put S >>ids &&
	wait "$pid" &&
	test_cmp ids out &&
	test_must_be_empty err
'

test_expect_success 'watch: versions removed before it looked are counted exactly' '
	make_store2 S 7 &&
	free_to S 4 &&
	statusdir watch S --after "$(num 1)" --count 2 >out 2>err &&
	printf "%s\n" "$(num 5)" "$(num 6)" >expect &&
	test_cmp expect out &&
	test_grep -x "statusdir: S: 3 versions removed before they were seen ($(num 2) to $(num 4))" err &&
	statusdir watch S --after "$(num 3)" --count 1 >out 2>err &&
	test_grep -x "statusdir: S: 1 version removed before it was seen ($(num 4))" err &&
	num 5 >expect &&
	test_cmp expect out &&
	statusdir watch S --after "$(num 5)" --count 2 >out 2>err &&
	test_grep -v removed err
'

test_expect_success 'watch: numbers lost in a power cut are told apart from removed ones' '
	make_store2 S 7 &&
	for n in 4 5; do
		rm "S/cur/$(num $n)" && ln -s lost "S/cur/$(num $n)" || return 1
	done &&
	statusdir watch S --after "$(num 3)" --count 1 >out 2>err &&
	num 6 >expect &&
	test_cmp expect out &&
	test_grep -x "statusdir: S: 2 versions lost in a power cut before they were seen ($(num 4) to $(num 5))" err &&
	free_to S 3 &&
	statusdir watch S --after "$(num 1)" --count 1 >out 2>err &&
	test_cmp expect out &&
	test_grep -x "statusdir: S: 4 versions not seen ($(num 2) to $(num 5)): 2 removed by retention, 2 lost in a power cut" err &&
	statusdir watch S --after "$(num 4)" --count 1 >out 2>err &&
	test_grep -x "statusdir: S: 1 version lost in a power cut before it was seen ($(num 5))" err
'

test_expect_success 'watch --after a format-1 id: refused' '
	make_store2 S 1 &&
	test_expect_code 2 statusdir watch S --count 1 \
		--after 1795808023123456789.0f1e2d3c4b5a69788796a5b4c3d2e1f0.4096.1a2b3c4d5e6f7a8b 2>err &&
	test_grep "format-1 id" err
'

test_expect_success 'info: format 2, every version in cur/; JSON keys as documented' '
	make_store2 S 3 &&
	statusdir info S >out &&
	test_grep -x "format: *2" out &&
	test_grep -x "versions: *3" out &&
	test_grep -x "bytes: *30" out &&
	test_grep -x "newest: *$(num 3)" out &&
	test_grep -x "oldest: *$(num 1)" out &&
	test_grep -x "versions-cur: *3" out &&
	test_grep -x "versions-old: *0" out &&
	test_grep -x "bytes-old: *0" out &&
	statusdir info S --json >json &&
	/usr/bin/python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
keys = {\"format\", \"checksum\", \"versions\", \"versions_cur\", \"versions_old\",
        \"bytes\", \"bytes_cur\", \"bytes_old\", \"newest\", \"oldest\", \"keep\",
        \"max_age_s\", \"tmp_stale\", \"tmp_stale_bytes\", \"tmp_busy\",
        \"tmp_busy_bytes\"}
assert set(d) == keys, sorted(set(d) ^ keys)
assert d[\"format\"] == 2, d
assert d[\"versions\"] == d[\"versions_cur\"] == 3 and d[\"versions_old\"] == 0, d
assert d[\"bytes\"] == d[\"bytes_cur\"] == 30 and d[\"bytes_old\"] == 0, d
assert d[\"newest\"][\"id\"] == \"%020d\" % 3 and d[\"oldest\"][\"id\"] == \"%020d\" % 1, d
assert d[\"newest\"][\"time_ns\"] >= d[\"oldest\"][\"time_ns\"] > 0, d
" json
'

test_expect_success 'diff: @1 against @0 by default, and two numbers' '
	make_store2 S 2 &&
	test_expect_code 1 statusdir diff S >out &&
	test_grep -x -- "--- a/$(num 1)" out &&
	test_grep -x -- "+++ b/$(num 2)" out &&
	test_grep -x -- "-version 1" out &&
	test_grep -x -- "+version 2" out &&
	echo "version 1" | statusdir put S &&
	statusdir diff S "$(num 1)" "$(num 3)" >out &&
	test_must_be_empty out
'

test_expect_success 'rollback: an old version again as the next number' '
	make_store2 S 3 &&
	statusdir rollback S @2 >id &&
	num 4 >expect &&
	test_cmp expect id &&
	statusdir get S >out &&
	echo "version 1" >expect &&
	test_cmp expect out &&
	statusdir log S --format "%S" | head -n 1 >out &&
	num 1 >expect &&
	test_cmp expect out
'

test_done
