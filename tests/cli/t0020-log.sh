#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='log: the three columns, newest first, -n, --json, no locale or TZ'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# id_time ID: the time part of ID as log must print it.
id_time () {
	it_t_=${1%%.*}
	it_s_=${it_t_%?????????}
	it_ns_=${it_t_#"$it_s_"}
	echo "$(date -u -d "@$it_s_" +%Y-%m-%dT%H:%M:%S).${it_ns_}Z"
}

# expected_log S: what "log S" must print, from S.ids (make_store).
expected_log () {
	sed -n '1!G;h;$p' "$1.ids" | while read -r el_id_; do
		el_size_=${el_id_#*.*.}
		printf '%s\t%s\t%s\n' "$el_id_" "$(id_time "$el_id_")" "${el_size_%.*}"
	done
}

# check_json TSV JSON: every line of JSON is an object with the id, time and
# size of the same line of TSV, and a location; prints "ID LOCATION" lines.
check_json () {
	python3 - "$1" "$2" <<-\EOF
	import json, sys
	tsv = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
	objs = [json.loads(l) for l in open(sys.argv[2])]
	assert len(tsv) == len(objs), (len(tsv), len(objs))
	for (i, t, s), o in zip(tsv, objs):
	    assert isinstance(o, dict), o
	    assert o["id"] == i and o["time"] == t, (o, i, t)
	    assert type(o["size"]) is int and o["size"] == int(s), (o, s)
	    assert o["location"] in ("cur", "old"), o
	    print(o["id"], o["location"])
	EOF
}

test_expect_success 'log of an empty store prints nothing, exit 0' '
	statusdir init S &&
	statusdir log S >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	statusdir log S --json >out &&
	test_must_be_empty out &&
	statusdir log S -n 3 >out &&
	test_must_be_empty out
'

test_expect_success 'log prints ID TAB TIME TAB SIZE, newest first' '
	make_store S 3 &&
	statusdir log S >out 2>err &&
	test_must_be_empty err &&
	test_line_count 3 out &&
	test_all_lines_match "$ID_RE$TAB$TIME_RE$TAB(0|[1-9][0-9]*)" out &&
	expected_log S >expect &&
	test_cmp expect out
'

test_expect_success 'log lists versions in old/ too, newest first, with their sizes' '
	statusdir init S &&
	: >S.ids &&
	i=1 &&
	while test $i -le 12; do
		head -c $((i * 100)) /dev/zero >p &&
		statusdir put S p >>S.ids || return 1
		i=$((i + 1))
	done &&
	test "$(ls S/old | wc -l)" -gt 0 &&
	statusdir log S >out &&
	expected_log S >expect &&
	test_cmp expect out &&
	cut -f 3 out >sizes &&
	printf "%s\n" 1200 1100 1000 900 800 700 600 500 400 300 200 100 >expect &&
	test_cmp expect sizes
'

test_expect_success 'log TIME at the edges: 1970, past 2038, the last representable ns' '
	statusdir init S &&
	echo x >f &&
	id=$(statusdir put S f) &&
	cp "S/cur/$id" "S/old/$(id_with_time "$id" 0000000000000000000)" &&
	cp "S/cur/$id" "S/cur/$(id_with_time "$id" 4102444800000000001)" &&
	cp "S/cur/$id" "S/cur/$(id_with_time "$id" 9223372036854775807)" &&
	statusdir log S | cut -f 2 >times &&
	printf "%s\n" 2262-04-11T23:47:16.854775807Z 2100-01-01T00:00:00.000000001Z \
		"$(id_time "$id")" 1970-01-01T00:00:00.000000000Z >expect &&
	test_cmp expect times
'

test_expect_success 'log shows 0-byte versions with size 0' '
	statusdir init S &&
	statusdir put S </dev/null >id &&
	statusdir log S >out &&
	test "$(cut -f 3 out)" = 0 &&
	test "$(cut -f 1 out)" = "$(cat id)"
'

test_expect_success 'log -n N prints the N newest' '
	make_store S 5 &&
	expected_log S >all &&
	statusdir log S -n 2 >out &&
	head -n 2 all >expect && test_cmp expect out &&
	statusdir log S -n 1 >out &&
	head -n 1 all >expect && test_cmp expect out &&
	statusdir log -n 5 S >out && test_cmp all out &&
	statusdir log S -n 100 >out && test_cmp all out
'

test_expect_success 'log -n with a bad N is a usage error' '
	make_store S 2 &&
	for n in abc -1 "" 1x 2.0 99999999999999999999999; do
		test_expect_code 2 statusdir log S -n "$n" >out 2>err &&
		test_must_be_empty out &&
		test_usage_error log err || { echo "N: [$n]" >&4; return 1; }
	done &&
	test_expect_code 2 statusdir log S -n 2>err &&
	test_usage_error log err
'

test_expect_success 'log --json: one object per line, the same id, time, size' '
	make_store S 3 &&
	statusdir log S >tsv &&
	statusdir log S --json >json 2>err &&
	test_must_be_empty err &&
	test_line_count 3 json &&
	test_all_lines_match "\{.*\}" json &&
	while IFS="$TAB" read -r id time size; do
		grep -F "\"$id\"" json | grep -F "\"$time\"" >/dev/null ||
			test_fail_ "no JSON line for $id $time" || return 1
	done <tsv
'

test_expect_success 'log --json lines are exactly as documented' '
	make_store S 12 &&
	statusdir log S --json >json &&
	test_all_lines_match "\{\"id\":\"$ID_RE\",\"time\":\"$TIME_RE\",\"size\":(0|[1-9][0-9]*),\"location\":\"(cur|old)\"\}" json
'

test_expect_success PYTHON3 'log --json lines parse; fields and location are right' '
	make_store S 12 &&
	statusdir log S >tsv &&
	statusdir log S --json >json &&
	python3 -c "import json,sys; [json.loads(l) for l in sys.stdin]" <json &&
	check_json tsv json >locations &&
	test_line_count 12 locations &&
	while read -r id loc; do
		test "$(where_is S "$id")" = "$loc" ||
			test_fail_ "$id is in $(where_is S "$id"), log says $loc" || return 1
	done <locations &&
	statusdir log S --json -n 3 >json3 &&
	head -n 3 json >expect && test_cmp expect json3
'

test_expect_success 'log output does not depend on TZ or LC_*' '
	make_store S 4 &&
	statusdir log S >base &&
	statusdir log S --json >base.json &&
	for env in "TZ=Asia/Kolkata LC_ALL=C.UTF-8" "TZ=IST-5:30" \
		"TZ=America/St_Johns LC_ALL= LANG=C.UTF-8" "TZ=UTC+12 LC_TIME=C.UTF-8 LC_NUMERIC=C.UTF-8" \
		"TZ=Pacific/Kiritimati LC_ALL=POSIX"; do
		env $env statusdir log S >out &&
		test_cmp base out &&
		env $env statusdir log S --json >out &&
		test_cmp base.json out || { echo "env: $env" >&4; return 1; }
	done &&
	expected_log S >expect &&
	test_cmp expect base
'

# fill_old S N: N more versions in S/old/, older than every other, made by
# name alone (log opens no version, so their bytes do not matter).
fill_old () {
	fo_id_=$(nth_id "$1" 1) &&
	fo_i_=0 &&
	fo_names_= &&
	while test "$fo_i_" -lt "$2"; do
		fo_names_="$fo_names_ $(id_with_time "$fo_id_" $((1000000000000000000 + fo_i_)))"
		fo_i_=$((fo_i_ + 1))
	done &&
	(cd "$1/old" && touch $fo_names_)
}

# getdents_of ARGS...: how many getdents64 calls "statusdir ARGS" makes.
getdents_of () {
	traced -f -e trace=getdents64 -o trace statusdir "$@" >/dev/null &&
	grep -c getdents64 trace
}

test_expect_success 'log -n prints what log prints first, with or without --json' '
	make_store S 20 &&
	fill_old S 50 &&
	statusdir log S >all &&
	for n in 1 3 8 9 30 200; do
		statusdir log -n $n S >out &&
		head -n $n all >expect &&
		test_cmp expect out &&
		statusdir log --json S | head -n $n >expect &&
		statusdir log --json -n $n S >out &&
		test_cmp expect out &&
		statusdir log --format "%i %l %S" S | head -n $n >expect &&
		statusdir log --format "%i %l %S" -n $n S >out &&
		test_cmp expect out || return 1
	done
'

test_expect_success 'log -n shows same_as from beyond the N it lists' '
	statusdir init S &&
	echo same >a && echo other >b &&
	statusdir put S a >id1 &&
	statusdir put S b >/dev/null &&
	statusdir put S a >/dev/null &&
	statusdir log --json -n 1 S >out &&
	test_grep -F "\"same_as\":\"$(cat id1)\"" out
'

test_expect_success STRACE 'log -n 1 reads cur/ alone: no more directory reads with 2,000 old versions' '
	make_store S 10 &&
	getdents_of log -n 1 S >small &&
	fill_old S 2000 &&
	getdents_of log S >whole &&
	getdents_of log -n 8 S >large &&
	test "$(cat whole)" -gt "$(cat small)" &&
	test "$(cat large)" = "$(cat small)"
'

test_expect_success 'log of a missing store exits 4' '
	test_expect_code 4 statusdir log S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_grep "^statusdir: S: " err
'

test_expect_success 'log >/dev/full exits 4' '
	make_store S 2 &&
	test_expect_code 4 statusdir log S >/dev/full 2>err &&
	test_stderr_ok err
'

test_expect_success 'log with an extra argument is a usage error' '
	make_store S 1 &&
	test_expect_code 2 statusdir log S extra >out 2>err &&
	test_must_be_empty out &&
	test_usage_error log err
'

test_done
