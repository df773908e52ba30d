#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='info: counts, bytes, newest and oldest, policy, tmp/ files; --json'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# The keys of info's human output, in order.
info_keys='format checksum versions versions-cur versions-old bytes bytes-cur
bytes-old newest newest-time newest-age oldest oldest-time keep max-age
tmp-stale tmp-stale-bytes tmp-busy tmp-busy-bytes'

# info_value FILE KEY: the value of KEY in info's human output FILE.
info_value () {
	sed -n "s/^$2: *//p" "$1"
}

# payload_bytes S DIR...: the sizes of the versions in S/DIR, summed.
payload_bytes () {
	pb_s_=$1
	shift
	pb_n_=0
	for pb_d_; do
		for pb_f_ in "$pb_s_/$pb_d_"/*; do
			test -f "$pb_f_" || continue
			pb_n_=$((pb_n_ + $(wc -c <"$pb_f_")))
		done
	done
	echo "$pb_n_"
}

# check_info_json FILE STORE VERSIONS CUR OLD NEWEST OLDEST KEEP MAX_AGE_S
#                 TMP_STALE TMP_STALE_BYTES TMP_BUSY TMP_BUSY_BYTES
# FILE holds one JSON object, info --json's, with exactly the keys and the
# types statusdir(1) lists, and these values ("-" for null).  bytes must
# be the sizes of the files in STORE/cur/ and STORE/old/, summed; times
# must agree with the ids.
check_info_json () {
	/usr/bin/python3 -c '
import datetime, json, os, re, sys
(path, store, versions, cur, old, newest, oldest, keep, max_age,
 tmp_stale, tmp_stale_bytes, tmp_busy, tmp_busy_bytes) = sys.argv[1:]
text = open(path).read()
assert text.endswith("}\n") and text.count("\n") == 1, "not one line: %r" % text
d = json.loads(text)
keys = {"format", "checksum", "versions", "versions_cur", "versions_old",
        "bytes", "bytes_cur", "bytes_old", "newest", "oldest", "keep",
        "max_age_s", "tmp_stale", "tmp_stale_bytes", "tmp_busy",
        "tmp_busy_bytes"}
assert set(d) == keys, "keys: %s" % sorted(set(d) ^ keys)
def is_int(v):
    return type(v) is int
def opt(s):
    return None if s == "-" else int(s)
for k in keys - {"checksum", "newest", "oldest", "keep", "max_age_s"}:
    assert is_int(d[k]) and d[k] >= 0, (k, d[k])
assert d["format"] == 1 and d["checksum"] == "xxh3-64", d
assert d["versions"] == int(versions), d
assert d["versions_cur"] == int(cur) and d["versions_old"] == int(old), d
assert d["versions"] == d["versions_cur"] + d["versions_old"], d
def size_of(sub):
    folder = os.path.join(store, sub)
    return sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
assert d["bytes_cur"] == size_of("cur"), (d["bytes_cur"], size_of("cur"))
assert d["bytes_old"] == size_of("old"), (d["bytes_old"], size_of("old"))
assert d["bytes"] == d["bytes_cur"] + d["bytes_old"], d
assert d["keep"] == opt(keep), d["keep"]
assert d["max_age_s"] == opt(max_age), d["max_age_s"]
assert (d["tmp_stale"], d["tmp_stale_bytes"], d["tmp_busy"], d["tmp_busy_bytes"]) == \
    (int(tmp_stale), int(tmp_stale_bytes), int(tmp_busy), int(tmp_busy_bytes)), d
def check_version(v, want_id, with_age):
    if want_id == "-":
        assert v is None, v
        return
    want = {"id", "time", "time_ns"} | ({"age_s"} if with_age else set())
    assert type(v) is dict and set(v) == want, v
    assert v["id"] == want_id, (v["id"], want_id)
    assert is_int(v["time_ns"]) and v["time_ns"] == int(want_id.split(".")[0]), v
    t = datetime.datetime.fromtimestamp(v["time_ns"] // 10**9, datetime.timezone.utc)
    iso = t.strftime("%Y-%m-%dT%H:%M:%S") + ".%09dZ" % (v["time_ns"] % 10**9)
    assert v["time"] == iso, (v["time"], iso)
    if with_age:
        assert type(v["age_s"]) in (int, float), v
        assert 0 <= v["age_s"] < 3600, v
check_version(d["newest"], newest, True)
check_version(d["oldest"], oldest, False)
' "$@"
}

test_expect_success 'info on an empty store: 0 versions, no newest, exit 0' '
	statusdir init S &&
	statusdir info S >out 2>err &&
	test_must_be_empty err &&
	cat >expect <<-\EOF &&
	format:          1
	checksum:        xxh3-64
	versions:        0
	versions-cur:    0
	versions-old:    0
	bytes:           0
	bytes-cur:       0
	bytes-old:       0
	newest:          none
	newest-time:     none
	newest-age:      none
	oldest:          none
	oldest-time:     none
	keep:            none
	max-age:         none
	tmp-stale:       0
	tmp-stale-bytes: 0
	tmp-busy:        0
	tmp-busy-bytes:  0
	EOF
	test_cmp expect out
'

test_expect_success 'info: aligned "key: value" lines, the documented keys in order' '
	make_store S 3 &&
	statusdir info S >out &&
	sed "s/:.*//" out >keys &&
	printf "%s\n" $info_keys >expect &&
	test_cmp expect keys &&
	test_all_lines_match "[a-z-]+: +[^ ].*" out &&
	cut -c 18- out >values &&
	test_all_lines_match "[^ ].*" values &&
	cut -c 1-17 out | sed "s/: *\$//" >keys2 &&
	test_cmp expect keys2
'

test_expect_success 'info counts versions and bytes in cur/ and old/' '
	make_store S 11 &&
	statusdir info S >out &&
	test "$(info_value out versions)" = 11 &&
	test "$(info_value out versions-cur)" = 8 &&
	test "$(info_value out versions-old)" = 3 &&
	test "$(ls S/cur | wc -l)" = 8 &&
	cur=$(payload_bytes S cur) && old=$(payload_bytes S old) &&
	test "$cur" -gt 0 && test "$old" -gt 0 &&
	test "$(info_value out bytes-cur)" = "$cur" &&
	test "$(info_value out bytes-old)" = "$old" &&
	test "$(info_value out bytes)" = "$((cur + old))" &&
	test "$(payload_bytes S cur old)" = 112
'

test_expect_success 'info names the newest (as path does) and the oldest, with their times' '
	make_store S 10 &&
	statusdir info S >out &&
	p=$(statusdir path S) &&
	test "$(info_value out newest)" = "${p##*/}" &&
	test "$(info_value out newest)" = "$(nth_id S 10)" &&
	test "$(info_value out oldest)" = "$(nth_id S 1)" &&
	statusdir log S >log &&
	test "$(info_value out newest-time)" = "$(head -n 1 log | cut -f 2)" &&
	test "$(info_value out oldest-time)" = "$(tail -n 1 log | cut -f 2)" &&
	info_value out newest-age >age &&
	test_all_lines_match "[0-9]+s" age &&
	test "$(sed "s/s//" age)" -lt 600
'

test_expect_success 'info: the age of the newest, in whole seconds' '
	make_store S 1 &&
	aged=$(craft_aged S 7300) &&
	mv "S/old/$aged" S/cur/ &&
	rm "S/cur/$(nth_id S 1)" &&
	test "$(newest_id S)" = "$aged" &&
	statusdir info S >out &&
	test "$(info_value out newest)" = "$aged" &&
	age=$(info_value out newest-age) &&
	test "${age%s}" -ge 7300 && test "${age%s}" -lt 7400
'

test_expect_success 'info shows keep and max-age as config does' '
	make_store S 2 &&
	statusdir config S --keep 100 --max-age 30d &&
	statusdir info S >out &&
	statusdir config S >cfg &&
	test "$(info_value out keep)" = 100 &&
	test "$(info_value out keep)" = "$(sed -n "s/^keep //p" cfg)" &&
	test "$(info_value out max-age)" = "$(sed -n "s/^max-age //p" cfg)" &&
	statusdir config S --keep 0 --max-age 90m &&
	statusdir info S >out &&
	test "$(info_value out keep)" = none &&
	test "$(info_value out max-age)" = 90m
'

test_expect_success 'info counts stale and busy tmp/ files and their bytes' '
	make_store S 2 &&
	start_slow_put S &&
	busy=$(ls S/tmp) &&
	test_wait_for "test \$(wc -c <\"S/tmp/$busy\") = 7" &&
	printf 0123456789 >S/tmp/leftover &&
	statusdir info S >out &&
	test "$(info_value out tmp-busy)" = 2 &&
	test "$(info_value out tmp-busy-bytes)" = 17 &&
	test "$(info_value out tmp-stale)" = 0 &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; test $? = 137; } &&
	exec 3>&- &&
	statusdir info S >out &&
	test "$(info_value out tmp-busy)" = 1 &&
	test "$(info_value out tmp-busy-bytes)" = 10 &&
	test "$(info_value out tmp-stale)" = 1 &&
	test "$(info_value out tmp-stale-bytes)" = 7 &&
	test -f "S/tmp/$busy" && test -f S/tmp/leftover &&
	statusdir prune S --dry-run >dry &&
	echo "would remove tmp/$busy" >expect && test_cmp expect dry
'

test_expect_success PYTHON3 'info --json on an empty store: the keys, nulls and zeros' '
	statusdir init S &&
	statusdir info S --json >out 2>err &&
	test_must_be_empty err &&
	check_info_json out S 0 0 0 - - - - 0 0 0 0
'

test_expect_success PYTHON3 'info --json: keys, types and values after 11 puts' '
	make_store S 11 &&
	statusdir info --json S >out &&
	p=$(statusdir path S) &&
	check_info_json out S 11 8 3 "${p##*/}" "$(nth_id S 1)" - - 0 0 0 0 &&
	statusdir config S --keep 20 --max-age 1h30m &&
	statusdir info S --json >out &&
	check_info_json out S 11 8 3 "${p##*/}" "$(nth_id S 1)" 20 5400 0 0 0 0 &&
	statusdir config S --keep 0 --max-age 1500ms &&
	statusdir info S --json >out &&
	/usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); assert d[\"max_age_s\"] == 1.5 and d[\"keep\"] is None, d" out
'

test_expect_success PYTHON3 'info --json counts stale and busy tmp/ files and their bytes' '
	make_store S 4 &&
	start_slow_put S &&
	test_wait_for "test \$(cat S/tmp/* | wc -c) = 7" &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; test $? = 137; } &&
	exec 3>&- &&
	printf 12345 >S/tmp/young &&
	printf 123 >S/tmp/younger &&
	statusdir info S --json >out &&
	check_info_json out S 4 4 0 "$(nth_id S 4)" "$(nth_id S 1)" - - 1 7 2 8
'

test_expect_success 'info reads no payload: a damaged version changes nothing it says' '
	make_store S 3 &&
	statusdir info S >before &&
	id=$(nth_id S 2) &&
	echo "garbage of another length" >"S/cur/$id" &&
	test_expect_code 3 statusdir verify S >/dev/null &&
	statusdir info S >after 2>err &&
	test_must_be_empty err &&
	grep -v "^newest-age:" before >a && grep -v "^newest-age:" after >b &&
	test_cmp a b &&
	test "$(info_value after bytes)" = 30
'

test_expect_success STRACE 'info opens no version file' '
	make_store S 10 &&
	traced -f -e trace=open,openat -o trace statusdir info S --json >out &&
	test_grep -F "\"cur\", O_RDONLY" trace &&
	for id in $(cat S.ids); do
		! grep -F "$id" trace || { echo "opened $id" >&4; return 1; }
	done
'

test_expect_success 'info changes nothing in the store' '
	make_store S 12 &&
	mv S/old/* S/cur/ &&
	echo x >S/tmp/leftover &&
	touch -d "3 days ago" S/tmp/leftover &&
	find S -exec ls -ld --time-style=+%s.%N {} + >before &&
	statusdir info S >out &&
	statusdir info S --json >json &&
	find S -exec ls -ld --time-style=+%s.%N {} + >after &&
	test_cmp before after &&
	test "$(info_value out versions-cur)" = 12
'

test_expect_success NOBODY 'info needs only read permission on the store' '
	make_store S 3 &&
	chmod -R a+rX,go-w S &&
	test_as_nobody statusdir info S >out 2>err &&
	test_must_be_empty err &&
	test "$(info_value out versions)" = 3 &&
	test_as_nobody statusdir info S --json >out
'

test_expect_success 'info of a missing store exits 4; extra words and bad options exit 2' '
	test_expect_code 4 statusdir info S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	make_store T 1 &&
	test_expect_code 2 statusdir info T extra 2>err &&
	test_usage_error info err &&
	test_expect_code 2 statusdir info T --json=yes 2>err &&
	test_usage_error info err &&
	test_expect_code 2 statusdir info 2>err &&
	test_usage_error info err
'

test_expect_success 'info with stdout failing exits 4' '
	make_store S 1 &&
	test_expect_code 4 statusdir info S >/dev/full 2>err &&
	test_stderr_ok err &&
	test_expect_code 4 statusdir info S --json >/dev/full 2>err &&
	test_stderr_ok err
'

test_done
