#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='path and config'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# config_out MODE GROUP [KEEP [MAX_AGE]]: what config prints.
config_out () {
	printf '%s\n' "format 1" "checksum xxh3-64" "mode $1" "group $2" \
		"keep ${3:-none}" "max-age ${4:-none}"
}

test_expect_success 'path prints STORE/cur/ID of the newest' '
	make_store S 3 &&
	statusdir path S >out 2>err &&
	test_must_be_empty err &&
	echo "S/cur/$(nth_id S 3)" >expect &&
	test_cmp expect out &&
	echo "version 3" >expect &&
	test_cmp expect "$(cat out)"
'

test_expect_success 'path with an absolute STORE prints an absolute path' '
	make_store S 1 &&
	statusdir path "$PWD/S" >out &&
	echo "$PWD/S/cur/$(nth_id S 1)" >expect &&
	test_cmp expect out
'

test_expect_success 'path ID: cur/ or old/, wherever the version is' '
	make_store S 12 &&
	old=$(nth_id S 1) && cur=$(nth_id S 11) &&
	statusdir path S "$old" >out &&
	echo "S/old/$old" >expect && test_cmp expect out &&
	echo "version 1" >expect && test_cmp expect "$(cat out)" &&
	statusdir path S "$cur" >out &&
	echo "S/cur/$cur" >expect && test_cmp expect out
'

test_expect_success 'path through a store path that is a symlink' '
	make_store S 1 &&
	ln -s S L &&
	statusdir path L >out &&
	echo "L/cur/$(nth_id S 1)" >expect &&
	test_cmp expect out
'

test_expect_success 'path: empty store 1, unknown id 1, bad id 2, missing store 4' '
	statusdir init E &&
	test_expect_code 1 statusdir path E >out &&
	test_must_be_empty out &&
	make_store S 2 &&
	other=$(id_with_time "$(nth_id S 1)" 0000000000000000007) &&
	test_expect_code 1 statusdir path S "$other" >out &&
	test_must_be_empty out &&
	test_expect_code 2 statusdir path S "../cur/$(nth_id S 1)" >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_expect_code 2 statusdir path S nonsense 2>err &&
	test_stderr_ok err &&
	test_expect_code 4 statusdir path M 2>err &&
	test_stderr_ok err &&
	test_expect_code 2 statusdir path S "$(nth_id S 1)" extra 2>err &&
	test_usage_error path err
'

test_expect_success 'path >/dev/full exits 4' '
	make_store S 1 &&
	test_expect_code 4 statusdir path S >/dev/full 2>err &&
	test_stderr_ok err
'

test_expect_success 'config shows the defaults' '
	statusdir init S &&
	statusdir config S >out 2>err &&
	test_must_be_empty err &&
	config_out none none >expect &&
	test_cmp expect out
'

# group_shown GID: how config shows a group: its name, or the number.
group_shown () {
	getent group "$1" | cut -d: -f1 | grep . || echo "$1"
}

test_expect_success 'config shows the mode and group given to init' '
	g=$(id -g) &&
	statusdir init S --mode 640 --group "$g" &&
	statusdir config S >out &&
	config_out 0640 "$(group_shown "$g")" >expect &&
	test_cmp expect out
'

test_expect_success 'config --mode records a new mode for new versions' '
	statusdir init S --mode 0640 &&
	echo a >f &&
	id1=$(statusdir put S f) &&
	statusdir config S --mode 0600 >out 2>err &&
	test_must_be_empty err &&
	statusdir config S >out &&
	config_out 0600 none >expect &&
	test_cmp expect out &&
	id2=$(umask 000 && statusdir put S f) &&
	test "$(stat -c %a S/cur/$id2)" = 600 &&
	test "$(stat -c %a S/cur/$id1)" = 640 &&
	statusdir init S --mode 0600 &&
	test_expect_code 2 statusdir init S --mode 0640 2>err &&
	test_grep "statusdir config" err
'

test_expect_success 'config --mode keeps the group, config --group keeps the mode' '
	g=$(id -g) &&
	statusdir init S --mode 0640 --group "$g" &&
	statusdir config S --mode 0600 &&
	statusdir config S >out &&
	config_out 0600 "$(group_shown "$g")" >expect && test_cmp expect out &&
	statusdir config S --group "$g" &&
	statusdir config S >out &&
	test_cmp expect out
'

test_expect_success 'config --mode applies to the folders too' '
	statusdir init S &&
	statusdir config S --mode 0640 &&
	for d in tmp cur old; do
		test "$(stat -c %a S/$d)" = 750 || test_fail_ "S/$d: $(stat -c %a S/$d)" || return 1
	done
'

test_expect_success 'config --mode 755 is shown as 0755' '
	statusdir init S &&
	statusdir config S --mode 755 &&
	statusdir config S >out &&
	config_out 0755 none >expect &&
	test_cmp expect out
'

test_expect_success 'config --group records a group, folders follow' '
	g=$(id -g) &&
	statusdir init S &&
	statusdir config S --group "$g" &&
	statusdir config S >out &&
	config_out none "$(group_shown "$g")" >expect &&
	test_cmp expect out &&
	for d in tmp cur old; do
		test -g S/$d && test "$(stat -c %g S/$d)" = "$g" ||
			test_fail_ "S/$d: $(stat -c "%A %g" S/$d)" || return 1
	done &&
	statusdir init S --group "$g"
'

test_expect_success ROOT 'config --group by name moves the folders to that group' '
	name=$(getent group 65534 | cut -d: -f1) &&
	statusdir init S --mode 0660 &&
	statusdir config S --group "$name" &&
	statusdir config S >out &&
	config_out 0660 "$name" >expect &&
	test_cmp expect out &&
	test "$(stat -c %g S/cur)" = 65534 && test -g S/cur &&
	echo x >f &&
	id=$(statusdir put S f) &&
	test "$(stat -c %g:%a S/cur/$id)" = 65534:660
'

test_expect_success ROOT 'config shows a group that has no name by its number' '
	statusdir init S --group 54321 &&
	statusdir config S >out &&
	config_out none 54321 >expect &&
	test_cmp expect out
'

test_expect_success 'config --mode none and --group none remove them; the folders keep theirs' '
	g=$(id -g) &&
	statusdir init S --mode 0640 --group "$g" --keep 5 --max-age 1d &&
	statusdir config S --mode none &&
	statusdir config S >out &&
	config_out none "$(group_shown "$g")" 5 1d >expect &&
	test_cmp expect out &&
	test "$(stat -c %a S/cur)" = 2750 &&
	statusdir config S --group none --keep none --max-age none &&
	statusdir config S >out &&
	config_out none none >expect &&
	test_cmp expect out &&
	echo x >f &&
	id=$(umask 077 && statusdir put S f) &&
	test "$(stat -c %a S/cur/$id)" = 600 &&
	test_expect_code 2 statusdir init T --mode none 2>err &&
	test_usage_error init err
'

test_expect_success 'config shows max-age in its largest whole unit' '
	statusdir init S &&
	for pair in 30d:30d 14d:2w 7200s:2h 90m:90m 1h30m:90m 45s:45s 1500ms:1500ms 2w1d:15d; do
		statusdir config S --max-age "${pair%%:*}" &&
		statusdir config S >out &&
		test_grep -x "max-age ${pair#*:}" out || { echo "$pair" >&4; return 1; }
	done
'

test_expect_success 'config --json: one object with the documented keys and types' '
	g=$(id -g) &&
	statusdir init S --mode 0640 --group "$g" --keep 7 --max-age 30d &&
	statusdir config S --json >out &&
	test_line_count 1 out &&
	/usr/bin/python3 -c "
import json, sys
c = json.load(open(\"out\"))
assert sorted(c) == [\"checksum\", \"format\", \"gid\", \"group\", \"keep\", \"max_age_s\", \"mode\"], c
assert c[\"format\"] == 1 and c[\"checksum\"] == \"xxh3-64\"
assert c[\"mode\"] == \"0640\" and c[\"gid\"] == $g and c[\"keep\"] == 7
assert c[\"max_age_s\"] == 2592000, c
assert c[\"group\"] is None or isinstance(c[\"group\"], str)
" &&
	statusdir init T &&
	statusdir config T --json >out &&
	/usr/bin/python3 -c "
import json
c = json.load(open(\"out\"))
assert [c[k] for k in (\"mode\", \"gid\", \"group\", \"keep\", \"max_age_s\")] == [None] * 5, c
" &&
	test_expect_code 2 statusdir init U --json 2>err &&
	test_usage_error init err
'

test_expect_success 'config with a bad MODE or GROUP exits 2 and changes nothing' '
	statusdir init S --mode 0640 &&
	cp S/format format.before &&
	for m in 999 abc "" -1; do
		test_expect_code 2 statusdir config S --mode "$m" 2>err &&
		test_usage_error config err || return 1
	done &&
	test_expect_code 2 statusdir config S --group no-such-group-zq 2>err &&
	test_usage_error config err &&
	cmp format.before S/format
'

test_expect_success 'config of a missing store or a non-store exits 4' '
	test_expect_code 4 statusdir config S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	mkdir D &&
	test_expect_code 4 statusdir config D 2>err &&
	test_stderr_ok err &&
	test_expect_code 4 statusdir config D --mode 0640 2>err &&
	test_dir_is_empty D
'

test_expect_success 'config output does not depend on umask or locale' '
	statusdir init S --mode 0640 &&
	statusdir config S >base &&
	(umask 077 && LC_ALL=C.UTF-8 TZ=Asia/Kolkata statusdir config S) >out &&
	test_cmp base out
'

test_done
