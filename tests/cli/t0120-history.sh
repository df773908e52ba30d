#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='history: watch, rollback, retention in the store, put --if-changed, self-healing get, @N, log --format, diff'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# damage S ID: changes the first byte of version ID in place (same size).
damage () {
	dm_f_=$(statusdir path "$1" "$2") &&
	chmod u+w "$dm_f_" &&
	printf '#' | dd of="$dm_f_" bs=1 seek=0 conv=notrunc 2>/dev/null &&
	statusdir verify "$1" >/dev/null 2>&1
	test $? = 3
}

# truncate_version S ID BYTES: cuts version ID down to BYTES bytes.
truncate_version () {
	tv_f_=$(statusdir path "$1" "$2") &&
	chmod u+w "$tv_f_" &&
	head -c "$3" "$tv_f_" >tv.tmp &&
	cat tv.tmp >"$tv_f_" &&
	rm -f tv.tmp
}

# ids_of S: every id of S, oldest first.
ids_of () {
	statusdir log "$1" | cut -f 1 | sort
}

# is_strictly_increasing FILE: each line greater than the one before.
is_strictly_increasing () {
	LC_ALL=C sort -c -u "$1" 2>&4 || test_fail_ "$1 is not strictly increasing"
}

# elapsed_ms START_NS: milliseconds since START_NS (from now_ns).
elapsed_ms () {
	echo $(( ($(now_ns) - $1) / 1000000 ))
}

# A recorder of the commits into S/cur, in the order they happened
# (inotify, through python3): start_commit_log S FILE, stop_commit_log.
write_commit_recorder () {
	cat >commits.py <<-\EOF
	import ctypes, os, struct, sys
	libc = ctypes.CDLL(None, use_errno=True)
	fd = libc.inotify_init()
	IN_CREATE, IN_MOVED_TO, IN_Q_OVERFLOW = 0x100, 0x80, 0x4000
	if fd < 0 or libc.inotify_add_watch(fd, sys.argv[1].encode(), IN_CREATE | IN_MOVED_TO) < 0:
	    sys.exit(1)
	out = open(sys.argv[2], "w")
	open(sys.argv[2] + ".ready", "w").close()
	while True:
	    data = os.read(fd, 65536)
	    i = 0
	    while i < len(data):
	        wd, mask, cookie, n = struct.unpack_from("iIII", data, i)
	        name = data[i + 16:i + 16 + n].split(b"\0")[0].decode()
	        i += 16 + n
	        out.write("OVERFLOW\n" if mask & IN_Q_OVERFLOW else name + "\n")
	    out.flush()
	EOF
}

start_commit_log () {
	write_commit_recorder &&
	{ python3 commits.py "$1/cur" "$2" & } &&
	recorder_pid=$! &&
	test_wait_for "test -e '$2.ready'"
}

stop_commit_log () {
	kill "$recorder_pid" && wait "$recorder_pid"
	return 0
}

# ---- init and config: retention recorded in the store --------------------------

test_expect_success 'init --keep --max-age records the policy; config shows it' '
	statusdir init S --keep 5 --max-age 2h &&
	statusdir config S >out &&
	test_grep -x "keep 5" out &&
	test_grep -x "max-age 2h" out &&
	test_grep -x "format 1" out &&
	test_grep -x "checksum xxh3-64" out &&
	test_grep "^keep 5\$" S/format &&
	statusdir init T &&
	statusdir config T >out &&
	test_grep -x "keep none" out &&
	test_grep -x "max-age none" out
'

test_expect_success 'config --keep / --max-age change the policy; 0 removes a limit' '
	statusdir init S &&
	statusdir config S --keep 7 >out &&
	statusdir config S >out &&
	test_grep -x "keep 7" out &&
	test_grep -x "max-age none" out &&
	statusdir config S --max-age 3d &&
	statusdir config S >out &&
	test_grep -x "keep 7" out &&
	test_grep -x "max-age 3d" out &&
	statusdir config S --keep 0 &&
	statusdir config S >out &&
	test_grep -x "keep none" out &&
	test_grep -x "max-age 3d" out &&
	statusdir config S --max-age 0 &&
	statusdir config S >out &&
	test_grep -x "max-age none" out &&
	test_grep -x "keep none" out
'

test_expect_success 'the format file is replaced by rename, never rewritten in place' '
	statusdir init S --keep 3 &&
	ln S/format old-format &&
	statusdir config S --keep 4 &&
	test_grep "^keep 3\$" old-format &&
	test_grep "^keep 4\$" S/format &&
	test_dir_is_empty S/tmp
'

test_expect_success 'init --keep 0 and bad values are usage errors' '
	test_expect_code 2 statusdir init S --keep 0 2>err &&
	test_usage_error init err &&
	! test -e S &&
	for bad in -1 x 1.5 ""; do
		test_expect_code 2 statusdir init S --keep "$bad" 2>err &&
		test_usage_error init err || return 1
	done &&
	test_expect_code 2 statusdir init S --max-age 1x 2>err &&
	test_usage_error init err &&
	! test -e S &&
	statusdir init S &&
	test_expect_code 2 statusdir config S --keep x 2>err &&
	test_usage_error config err &&
	test_expect_code 2 statusdir config S --max-age -5 2>err &&
	test_usage_error config err &&
	statusdir config S >out &&
	test_grep -x "keep none" out
'

# ---- retention applied by put and by plain prune ---------------------------------

test_expect_success 'put applies --keep: after 3N puts exactly the newest N remain' '
	statusdir init S --keep 4 &&
	: >ids &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		echo "version $i" | statusdir put S >>ids || return 1
	done &&
	ids_of S >have &&
	tail -n 4 ids >want &&
	test_cmp want have &&
	test "$(ls S/cur S/old | grep -c "^[0-9]")" = 4 &&
	echo "version 12" >expect &&
	statusdir get S >out && test_cmp expect out &&
	statusdir verify S >/dev/null
'

test_expect_success 'config on a full store removes nothing until the next put; reads never prune' '
	make_store S 10 &&
	statusdir config S --keep 2 &&
	statusdir log S >log && test_line_count 10 log &&
	statusdir get S >/dev/null &&
	statusdir get S "$(nth_id S 1)" >/dev/null &&
	statusdir log S --json >/dev/null &&
	statusdir verify S >/dev/null &&
	test_expect_code 1 statusdir watch S --timeout 1 >/dev/null &&
	test_expect_code 1 statusdir diff S >/dev/null &&
	statusdir log S >log && test_line_count 10 log &&
	echo eleven | statusdir put S >id &&
	ids_of S >have &&
	{ nth_id S 10 && cat id; } >want &&
	test_cmp want have
'

test_expect_success 'plain prune applies the recorded policy; --keep on prune overrides it' '
	make_store S 10 &&
	statusdir config S --keep 6 &&
	statusdir prune S &&
	ids_of S >have &&
	sed -n "5,10p" S.ids >want &&
	test_cmp want have &&
	statusdir prune S --keep 2 &&
	ids_of S >have &&
	sed -n "9,10p" S.ids >want &&
	test_cmp want have &&
	statusdir config S >out &&
	test_grep -x "keep 6" out
'

test_expect_success 'prune --dry-run with the recorded policy changes nothing' '
	make_store S 5 &&
	statusdir config S --keep 2 &&
	statusdir prune S --dry-run >out &&
	test_line_count 3 out &&
	test_all_lines_match "would remove (cur|old)/$ID_RE" out &&
	statusdir log S >log && test_line_count 5 log
'

test_expect_success 'put applies --max-age: versions older than it go with the next put' '
	make_store S 2 &&
	a=$(craft_aged S 7200) &&
	b=$(craft_aged S 90000) &&
	statusdir log S >log && test_line_count 4 log &&
	statusdir config S --max-age 1h &&
	statusdir log S >log && test_line_count 4 log &&
	echo three | statusdir put S >id &&
	! test -e "S/old/$a" &&
	! test -e "S/old/$b" &&
	ids_of S >have &&
	{ cat S.ids id; } | sort >want &&
	test_cmp want have
'

test_expect_success 'plain prune applies a recorded --max-age' '
	make_store S 3 &&
	a=$(craft_aged S 7200) &&
	statusdir config S --max-age 1h &&
	statusdir prune S -v >out &&
	echo "removed old/$a" >expect &&
	test_cmp expect out &&
	ids_of S >have &&
	test_cmp S.ids have &&
	statusdir init T --max-age 1d &&
	echo only | statusdir put T >/dev/null &&
	statusdir prune T &&
	statusdir log T >log && test_line_count 1 log
'

test_expect_success 'retention never removes the newest (the greatest id), even when old' '
	statusdir init S &&
	echo only >f &&
	id=$(statusdir put S f) &&
	ancient=$(id_with_time "$id" 0000000001000000000) &&
	mv "S/cur/$id" "S/cur/$ancient" &&
	statusdir config S --keep 1 --max-age 1s &&
	statusdir prune S &&
	test "$(newest_id S)" = "$ancient" &&
	statusdir get S >out && test_cmp f out
'

test_expect_success 'retention with thousands of puts: keep 10 leaves exactly the newest 10' '
	statusdir init S --keep 10 &&
	i=0 &&
	while test $i -lt 2500; do
		echo "put $i" | statusdir put S --no-sync >>ids || return 1
		i=$((i + 1))
	done &&
	test_line_count 2500 ids &&
	ids_of S >have &&
	tail -n 10 ids >want &&
	test_cmp want have &&
	test "$(ls S/cur S/old | grep -c "^[0-9]")" = 10 &&
	test_dir_is_empty S/tmp &&
	echo "put 2499" >expect &&
	statusdir get S >out && test_cmp expect out &&
	statusdir verify S >/dev/null
'

test_expect_success 'retention with concurrent writers: keep 10 leaves the 10 greatest ids' '
	statusdir init S --keep 10 &&
	for w in 1 2 3 4; do
		(
			i=0
			while test $i -lt 250; do
				echo "writer $w put $i" | statusdir put S --no-sync >>"ids.$w" ||
					{ echo "writer $w failed" >>errors; exit 1; }
				i=$((i + 1))
			done
		) &
	done &&
	wait &&
	! test -e errors &&
	cat ids.1 ids.2 ids.3 ids.4 | sort >all &&
	test_line_count 1000 all &&
	ids_of S >have &&
	tail -n 10 all >want &&
	test_cmp want have &&
	test_dir_is_empty S/tmp &&
	statusdir verify S >/dev/null
'

# ---- put --if-changed --------------------------------------------------------------

test_expect_success 'put --if-changed: the same bytes commit nothing and print the newest id' '
	statusdir init S &&
	echo "status: ok" >f &&
	id=$(statusdir put S f) &&
	statusdir put S --if-changed f >out 2>err &&
	echo "$id" >expect &&
	test_cmp expect out &&
	echo "statusdir: S: unchanged, newest is $id" >expect &&
	test_cmp expect err &&
	statusdir put S --if-changed <f >out 2>err &&
	echo "$id" >expect && test_cmp expect out &&
	statusdir log S >log && test_line_count 1 log &&
	test_dir_is_empty S/tmp
'

test_expect_success 'put --if-changed: different bytes of the same size are committed' '
	statusdir init S &&
	echo "status: ok" >f &&
	echo "status: KO" >g &&
	a=$(statusdir put S f) &&
	b=$(statusdir put S --if-changed g 2>err) &&
	test_must_be_empty err &&
	test "$a" != "$b" &&
	test "$(newest_id S)" = "$b" &&
	c=$(statusdir put S --if-changed f) &&
	test "$(newest_id S)" = "$c" &&
	statusdir log S >log && test_line_count 3 log &&
	statusdir get S >out && test_cmp f out
'

test_expect_success 'put --if-changed: an empty store commits; an empty payload compares too' '
	statusdir init S &&
	a=$(statusdir put S --if-changed </dev/null) &&
	echo "$a" | grep -E -x "$ID_RE" >/dev/null &&
	b=$(statusdir put S --if-changed </dev/null 2>err) &&
	test "$a" = "$b" &&
	test_grep "unchanged, newest is $a" err &&
	statusdir log S >log && test_line_count 1 log &&
	printf x | statusdir put S --if-changed >/dev/null &&
	c=$(statusdir put S --if-changed </dev/null) &&
	test "$c" != "$a" &&
	statusdir log S >log && test_line_count 3 log
'

test_expect_success 'put --if-changed --run: the output of the command is compared' '
	statusdir init S &&
	a=$(statusdir put S --if-changed --run echo hello) &&
	b=$(statusdir put S --if-changed --run echo hello 2>err) &&
	test "$a" = "$b" &&
	test_grep "unchanged" err &&
	c=$(statusdir put S --if-changed --run echo hello there) &&
	test "$c" != "$a" &&
	statusdir log S >log && test_line_count 2 log
'

test_expect_success 'put --if-changed confirms by bytes: a damaged newest is not "the same"' '
	statusdir init S &&
	echo "the real status" >f &&
	a=$(statusdir put S f) &&
	damage S "$a" &&
	b=$(statusdir put S --if-changed f) &&
	test "$a" != "$b" &&
	statusdir get S >out 2>err &&
	test_cmp f out &&
	test_must_be_empty err
'

# ---- self-healing get ----------------------------------------------------------------

test_expect_success 'get: a damaged newest gives the newest intact version and a warning' '
	make_store S 3 &&
	damage S "$(nth_id S 3)" &&
	statusdir get S >out 2>err &&
	echo "version 2" >expect &&
	test_cmp expect out &&
	echo "statusdir: S: $(nth_id S 3) damaged, returned $(nth_id S 2)" >expect &&
	test_cmp expect err &&
	test -f "S/cur/$(nth_id S 3)"
'

test_expect_success 'get: the warning names the store as given' '
	make_store S 2 &&
	damage S "$(nth_id S 2)" &&
	statusdir get ./S >out 2>err &&
	echo "statusdir: ./S: $(nth_id S 2) damaged, returned $(nth_id S 1)" >expect &&
	test_cmp expect err &&
	statusdir get "$PWD/S" >out 2>err &&
	echo "statusdir: $PWD/S: $(nth_id S 2) damaged, returned $(nth_id S 1)" >expect &&
	test_cmp expect err
'

test_expect_success 'get: a newest damaged by size (cut short, emptied) heals as well' '
	make_store S 3 &&
	truncate_version S "$(nth_id S 3)" 4 &&
	statusdir get S >out 2>err &&
	echo "version 2" >expect && test_cmp expect out &&
	echo "statusdir: S: $(nth_id S 3) damaged, returned $(nth_id S 2)" >expect &&
	test_cmp expect err &&
	truncate_version S "$(nth_id S 2)" 0 &&
	statusdir get S >out 2>err &&
	echo "version 1" >expect && test_cmp expect out &&
	echo "statusdir: S: $(nth_id S 3) damaged, returned $(nth_id S 1)" >expect &&
	test_cmp expect err
'

test_expect_success 'get: a large damaged newest heals, and nothing of it is written' '
	statusdir init S &&
	awk "BEGIN { for (i = 0; i < 20000; i++) print \"first\", i }" >big1 &&
	awk "BEGIN { for (i = 0; i < 20000; i++) print \"second\", i }" >big2 &&
	a=$(statusdir put S big1) &&
	b=$(statusdir put S big2) &&
	f=$(statusdir path S "$b") &&
	printf "#" | dd of="$f" bs=1 seek=150000 conv=notrunc 2>/dev/null &&
	statusdir get S >out 2>err &&
	test_cmp_bin big1 out &&
	echo "statusdir: S: $b damaged, returned $a" >expect &&
	test_cmp expect err &&
	test_expect_code 3 statusdir get S --strict >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'get --strict: a damaged newest exits 3 with nothing on stdout' '
	make_store S 3 &&
	damage S "$(nth_id S 3)" &&
	test_expect_code 3 statusdir get S --strict >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_grep "$(nth_id S 3)" err &&
	statusdir get S --strict @1 >out &&
	echo "version 2" >expect && test_cmp expect out
'

test_expect_success 'get: two damaged on top; no intact version at all exits 3' '
	make_store S 3 &&
	damage S "$(nth_id S 3)" &&
	damage S "$(nth_id S 2)" &&
	statusdir get S >out 2>err &&
	echo "version 1" >expect && test_cmp expect out &&
	echo "statusdir: S: $(nth_id S 3) damaged, returned $(nth_id S 1)" >expect &&
	test_cmp expect err &&
	damage S "$(nth_id S 1)" &&
	test_expect_code 3 statusdir get S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err
'

test_expect_success 'get ID of a damaged version exits 3, without falling back' '
	make_store S 3 &&
	damage S "$(nth_id S 2)" &&
	test_expect_code 3 statusdir get S "$(nth_id S 2)" >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_expect_code 3 statusdir get S @1 >out 2>err &&
	test_must_be_empty out &&
	damage S "$(nth_id S 3)" &&
	test_expect_code 3 statusdir get S @0 >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'get --no-verify: a damaged newest of the right size goes out as it is' '
	make_store S 2 &&
	damage S "$(nth_id S 2)" &&
	statusdir get S --no-verify >out 2>err &&
	echo "#ersion 2" >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	statusdir get S "$(nth_id S 2)" --no-verify >out &&
	test_cmp expect out
'

test_expect_success 'get --no-verify still compares the size: a cut newest heals' '
	make_store S 2 &&
	truncate_version S "$(nth_id S 2)" 5 &&
	statusdir get S --no-verify >out 2>err &&
	echo "version 1" >expect && test_cmp expect out &&
	echo "statusdir: S: $(nth_id S 2) damaged, returned $(nth_id S 1)" >expect &&
	test_cmp expect err &&
	test_expect_code 3 statusdir get S --no-verify --strict >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'prune keeps the newest intact version; verify lists every damaged one' '
	make_store S 4 &&
	damage S "$(nth_id S 4)" &&
	damage S "$(nth_id S 3)" &&
	test_expect_code 3 statusdir verify S >out &&
	test_grep "^damaged cur/$(nth_id S 4): " out &&
	test_grep "^damaged cur/$(nth_id S 3): " out &&
	test "$(grep -c "^damaged " out)" = 2 &&
	statusdir prune S --keep 1 &&
	ids_of S >have &&
	{ nth_id S 2 && nth_id S 4; } >want &&
	test_cmp want have &&
	statusdir get S >out 2>/dev/null &&
	echo "version 2" >expect && test_cmp expect out
'

# ---- get --id-to-stderr, --id-file ----------------------------------------------------------

test_expect_success 'get --id-to-stderr: stdout stays exact, the id read goes to stderr' '
	make_store S 3 &&
	statusdir get S --id-to-stderr >out 2>err &&
	echo "version 3" >expect && test_cmp expect out &&
	nth_id S 3 >expect && test_cmp expect err &&
	statusdir get S @2 --id-to-stderr >out 2>err &&
	echo "version 1" >expect && test_cmp expect out &&
	nth_id S 1 >expect && test_cmp expect err
'

test_expect_success 'get --id-to-stderr after healing: the warning, then the id read' '
	make_store S 2 &&
	damage S "$(nth_id S 2)" &&
	statusdir get S --id-to-stderr >out 2>err &&
	echo "version 1" >expect && test_cmp expect out &&
	{
		echo "statusdir: S: $(nth_id S 2) damaged, returned $(nth_id S 1)" &&
		nth_id S 1
	} >expect &&
	test_cmp expect err
'

test_expect_success 'get --id-file F: F holds the id read; created, or replaced' '
	make_store S 3 &&
	statusdir get S --id-file F >out 2>err &&
	echo "version 3" >expect && test_cmp expect out &&
	test_must_be_empty err &&
	nth_id S 3 >expect && test_cmp expect F &&
	printf "%0200d\n" 0 >F &&
	statusdir get S @1 --id-file F >out &&
	nth_id S 2 >expect && test_cmp expect F &&
	damage S "$(nth_id S 3)" &&
	statusdir get S --id-file F >out 2>/dev/null &&
	nth_id S 2 >expect && test_cmp expect F &&
	echo "version 2" >expect && test_cmp expect out
'

test_expect_success 'get --id-file into a missing folder fails; --strict on damage writes no id' '
	make_store S 2 &&
	test_expect_code 4 statusdir get S --id-file no/such/F >out 2>err &&
	test_stderr_ok err &&
	damage S "$(nth_id S 2)" &&
	test_expect_code 3 statusdir get S --strict --id-file F >out 2>err &&
	! test -s F
'

# ---- @N references ----------------------------------------------------------------------------

test_expect_success '@N in get and path: @0 newest, @1 the one before, across old/' '
	make_store S 12 &&
	for n in 0 1 2 7 8 9 11; do
		i=$((12 - n)) &&
		echo "version $i" >expect &&
		statusdir get S "@$n" >out &&
		test_cmp expect out &&
		statusdir path S "@$n" >p &&
		id=$(nth_id S $i) &&
		echo "S/$(where_is S "$id")/$id" >expect &&
		test_cmp expect p || return 1
	done &&
	echo "version 5" >expect &&
	statusdir get S @007 >out && test_cmp expect out
'

test_expect_success '@N beyond the history exits 1 "no version @N"' '
	make_store S 3 &&
	for cmd in get path rollback; do
		test_expect_code 1 statusdir $cmd S @3 >out 2>err &&
		test_must_be_empty out &&
		echo "statusdir: S: no version @3" >expect &&
		test_cmp expect err || return 1
	done &&
	test_expect_code 2 statusdir diff S @3 >out 2>err &&
	test_grep "no version @3" err &&
	statusdir init E &&
	test_expect_code 1 statusdir get E @0 2>err &&
	test_grep "no version @0" err &&
	statusdir log S >log && test_line_count 3 log
'

test_expect_success 'a ref that is neither an id nor @N is a usage error everywhere' '
	make_store S 2 &&
	for ref in @ @x @-1 @+1 @1x "@ 1" @1.0 @@0 junk 0; do
		for cmd in get path rollback; do
			test_expect_code 2 statusdir $cmd S "$ref" >out 2>err &&
			test_must_be_empty out &&
			test_stderr_ok err || { echo "$cmd [$ref]" >&4; return 1; }
		done &&
		test_expect_code 2 statusdir diff S "$ref" >out 2>err &&
		test_must_be_empty out &&
		test_expect_code 2 statusdir watch S --after "$ref" --timeout 1 >out 2>err &&
		test_must_be_empty out || { echo "[$ref]" >&4; return 1; }
	done &&
	statusdir log S >log && test_line_count 2 log
'

# ---- log --format, log --json same_as ----------------------------------------------------------------

test_expect_success 'log --format: every field' '
	make_store S 10 &&
	statusdir log S --format "%i|%t|%T|%s|%c|%l|%S" >out &&
	test_line_count 10 out &&
	statusdir log S >plain &&
	cut -f 1,2,3 plain | tr "$TAB" "|" >want &&
	cut -d "|" -f 1,2,4 out >have &&
	test_cmp want have &&
	while IFS="|" read -r id t tns size sum loc same; do
		rest=${id#*.} && rest=${rest#*.} &&
		test "$tns" = "${id%%.*}" &&
		test "$sum" = "${rest#*.}" &&
		test "$loc" = "$(where_is S "$id")" &&
		test "$same" = "-" &&
		echo "$t" | grep -E -x "$TIME_RE" >/dev/null || { echo "bad line for $id" >&4; return 1; }
	done <out &&
	test "$(grep -c "|cur|" out)" = 8 &&
	test "$(grep -c "|old|" out)" = 2
'

test_expect_success 'log --format: %n, %%, tab and newline escapes; a newline unless FMT ends in %n' '
	make_store S 2 &&
	statusdir log S --format "%s%%" >out &&
	printf "10%%\n10%%\n" >expect && test_cmp expect out &&
	statusdir log S --format "a\tb\nc" >out &&
	printf "a\tb\nc\na\tb\nc\n" >expect && test_cmp expect out &&
	statusdir log S --format "[%s]%n" >out &&
	printf "[10]\n[10]\n" >expect && test_cmp expect out &&
	statusdir log S --format "%s%n%n" >out &&
	printf "10\n\n10\n\n" >expect && test_cmp expect out &&
	statusdir log S -n 1 --format "%i" >out &&
	nth_id S 2 >expect && test_cmp expect out &&
	statusdir log S --format "" >out &&
	printf "\n\n" >expect && test_cmp expect out
'

test_expect_success 'log --format: an unknown escape is a usage error' '
	make_store S 1 &&
	for fmt in "%q" "%" "abc%" "%I" "%-s"; do
		test_expect_code 2 statusdir log S --format "$fmt" >out 2>err &&
		test_must_be_empty out &&
		test_usage_error log err || { echo "[$fmt]" >&4; return 1; }
	done
'

test_expect_success 'log --json: same_as names the nearest older version with the same bytes' '
	statusdir init S &&
	echo A >a && echo B >b && echo C >c &&
	a1=$(statusdir put S a) &&
	b1=$(statusdir put S b) &&
	a2=$(statusdir put S a) &&
	c1=$(statusdir put S c) &&
	a3=$(statusdir put S a) &&
	statusdir log S --json >json &&
	test_line_count 5 json &&
	test_grep -F "{\"id\":\"$a3\"" json &&
	grep -F "\"id\":\"$a3\"" json >l && test_grep -F "\"same_as\":\"$a2\"" l &&
	grep -F "\"id\":\"$a2\"" json >l && test_grep -F "\"same_as\":\"$a1\"" l &&
	grep -F "\"id\":\"$a1\"" json >l && test_grep -v same_as l &&
	grep -F "\"id\":\"$b1\"" json >l && test_grep -v same_as l &&
	grep -F "\"id\":\"$c1\"" json >l && test_grep -v same_as l &&
	statusdir log S --format "%S" >out &&
	printf "%s\n" "$a2" - "$a1" - - >expect &&
	test_cmp expect out &&
	statusdir log S >plain &&
	test_all_lines_match "$ID_RE$TAB$TIME_RE${TAB}2" plain
'

test_expect_success PYTHON3 'log --json with same_as is valid JSON' '
	make_store S 3 &&
	statusdir rollback S @2 >/dev/null &&
	statusdir log S --json >json &&
	python3 -c "
import json, sys
objs = [json.loads(l) for l in open(\"json\")]
assert len(objs) == 4, objs
assert objs[0][\"same_as\"] == objs[3][\"id\"], objs
assert all(\"same_as\" not in o for o in objs[1:]), objs
"
'

# ---- rollback -------------------------------------------------------------------------------

test_expect_success 'rollback: a new newest with the old bytes; history is not rewritten' '
	make_store S 3 &&
	statusdir log S >before &&
	statusdir rollback S "$(nth_id S 1)" >out 2>err &&
	test_must_be_empty err &&
	test_line_count 1 out &&
	new=$(cat out) &&
	echo "$new" | grep -E -x "$ID_RE" >/dev/null &&
	test "$(newest_id S)" = "$new" &&
	echo "version 1" >expect &&
	statusdir get S >got && test_cmp expect got &&
	statusdir log S >after &&
	test_line_count 4 after &&
	sed 1d after >rest && test_cmp before rest &&
	for i in 1 2 3; do
		echo "version $i" >expect &&
		statusdir get S "$(nth_id S $i)" >got && test_cmp expect got || return 1
	done &&
	statusdir log S --json -n 1 >json &&
	test_grep -F "\"same_as\":\"$(nth_id S 1)\"" json
'

test_expect_success 'rollback @N, twice: each is a new version' '
	make_store S 3 &&
	a=$(statusdir rollback S @1) &&
	echo "version 2" >expect &&
	statusdir get S >got && test_cmp expect got &&
	b=$(statusdir rollback S @1) &&
	test "$b" != "$a" &&
	echo "version 3" >expect &&
	statusdir get S >got && test_cmp expect got &&
	statusdir log S --format "%S" -n 2 >out &&
	{ nth_id S 3 && nth_id S 2; } >expect &&
	test_cmp expect out
'

test_expect_success 'rollback exit codes: missing 1, bad id 2, damaged 3, not a store 4' '
	make_store S 2 &&
	id=$(nth_id S 1) &&
	gone=$(id_with_time "$id" 0000000000000000001) &&
	test_expect_code 1 statusdir rollback S "$gone" >out 2>err &&
	test_must_be_empty out && test_stderr_ok err &&
	test_expect_code 2 statusdir rollback S nonsense >out 2>err &&
	test_must_be_empty out && test_stderr_ok err &&
	test_expect_code 2 statusdir rollback S 2>err &&
	test_usage_error rollback err &&
	damage S "$id" &&
	test_expect_code 3 statusdir rollback S "$id" >out 2>err &&
	test_must_be_empty out && test_stderr_ok err &&
	statusdir log S >log && test_line_count 2 log &&
	test_dir_is_empty S/tmp &&
	mkdir N &&
	test_expect_code 4 statusdir rollback N @0 2>err &&
	test_stderr_ok err
'

test_expect_success 'a missing version has one wording in get, path, rollback and diff' '
	make_store S 2 &&
	gone=$(id_with_time "$(nth_id S 1)" 0000000000000000001) &&
	echo "statusdir: S: no version $gone" >expect &&
	for c in get:1 path:1 rollback:1 diff:2; do
		test_expect_code ${c#*:} statusdir ${c%:*} S "$gone" >out 2>err &&
		test_cmp expect err || { echo "command $c" >&4; return 1; }
	done &&
	echo "statusdir: S: no version @5" >expect &&
	for c in get:1 path:1 rollback:1 diff:2; do
		test_expect_code ${c#*:} statusdir ${c%:*} S @5 >out 2>err &&
		test_cmp expect err || { echo "command $c @5" >&4; return 1; }
	done
'

test_expect_success 'no message about a path uses the library wording for a missing version' '
	make_store S 1 &&
	mkdir ro && echo x >ro/file &&
	for args in "get missing" "log missing" "put missing/deeper/S ro/file" \
		"verify missing" "prune missing" "config missing" "watch missing" \
		"put S missing-file" "diff missing"; do
		{ statusdir $args </dev/null >out 2>err; test $? -ne 0; } &&
		test_grep -v "no such version, or the store is empty" err ||
			{ echo "statusdir $args" >&4; return 1; }
	done
'

test_expect_success 'rollback applies the recorded retention' '
	statusdir init S --keep 2 &&
	echo one | statusdir put S >/dev/null &&
	echo two | statusdir put S >/dev/null &&
	statusdir rollback S @1 >/dev/null &&
	statusdir log S >log && test_line_count 2 log &&
	echo one >expect &&
	statusdir get S >out && test_cmp expect out
'

# ---- diff -------------------------------------------------------------------------------------

test_expect_success 'diff: default @1 @0, diff -u labelled a/ID b/ID, exit 1' '
	statusdir init S &&
	printf "a\nb\nc\n" | statusdir put S >id1 &&
	printf "a\nB\nc\n" | statusdir put S >id2 &&
	test_expect_code 1 statusdir diff S >out 2>err &&
	test_must_be_empty err &&
	printf "a\nb\nc\n" >x && printf "a\nB\nc\n" >y &&
	test_expect_code 1 diff -u --label "a/$(cat id1)" --label "b/$(cat id2)" x y >expect &&
	test_cmp expect out &&
	test_expect_code 1 statusdir diff S @1 @0 >out2 &&
	test_cmp expect out2 &&
	test_expect_code 1 statusdir diff S @1 >out3 &&
	test_cmp expect out3 &&
	test_expect_code 1 statusdir diff S "$(cat id1)" "$(cat id2)" >out4 &&
	test_cmp expect out4 &&
	test_expect_code 1 statusdir diff S @0 @1 >rev &&
	test_grep -x -e "--- a/$(cat id2)" rev &&
	test_grep -x -e "+++ b/$(cat id1)" rev &&
	test_grep -x -e "-B" rev
'

test_expect_success 'diff: the same bytes exit 0 with no output' '
	make_store S 2 &&
	statusdir rollback S @1 >/dev/null &&
	statusdir diff S @0 @2 >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	statusdir diff S @0 @0 >out &&
	test_must_be_empty out &&
	statusdir diff S "$(nth_id S 1)" >out &&
	test_must_be_empty out
'

test_expect_success 'diff: trouble exits 2 (missing version, bad id, not a store, damage)' '
	make_store S 1 &&
	test_expect_code 2 statusdir diff S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	echo two | statusdir put S >/dev/null &&
	test_expect_code 2 statusdir diff S @5 >out 2>err &&
	test_expect_code 2 statusdir diff S junk @0 >out 2>err &&
	test_stderr_ok err &&
	test_expect_code 2 statusdir diff S @0 junk >out 2>err &&
	test_expect_code 2 statusdir diff S @1 @0 extra >out 2>err &&
	test_expect_code 2 statusdir diff missing >out 2>err &&
	test_stderr_ok err &&
	mkdir N &&
	test_expect_code 2 statusdir diff N >out 2>err &&
	test_expect_code 2 statusdir diff 2>err &&
	damage S "$(nth_id S 1)" &&
	test_expect_code 2 statusdir diff S >out 2>err &&
	test_stderr_ok err
'

test_expect_success 'diff: a store with one version, or none, says there is nothing to compare' '
	statusdir init S &&
	test_expect_code 2 statusdir diff S >out 2>err &&
	test_must_be_empty out &&
	test_grep -x "statusdir: S: the store is empty; nothing to compare" err &&
	echo one | statusdir put S >/dev/null &&
	test_expect_code 2 statusdir diff S >out 2>err &&
	test_must_be_empty out &&
	test_grep -x "statusdir: S: the store has one version; nothing to compare" err
'

test_expect_success 'diff: options after -- go to diff(1)' '
	statusdir init S &&
	printf "a b\nc\n" | statusdir put S >/dev/null &&
	printf "a  b\nc\n" | statusdir put S >/dev/null &&
	test_expect_code 1 statusdir diff S >out &&
	statusdir diff S -- -w >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	statusdir diff S @1 @0 -- -w -b >out &&
	test_must_be_empty out &&
	test_expect_code 1 statusdir diff S -- --brief >out &&
	test_grep "^Files a/.* and b/.* differ$" out &&
	test_expect_code 2 statusdir diff S -- --no-such-diff-option >out 2>err
'

test_expect_success 'diff: a temporary folder that fails is named, not blamed on the store' '
	make_store S 2 &&
	test_expect_code 2 env TMPDIR="$PWD/no-such-dir" "$SD" diff S >out 2>err &&
	test_grep -x "statusdir: S: cannot make a temporary file in $PWD/no-such-dir: No such file or directory" err
'

test_expect_success ROOT 'diff: a full temporary folder is named, not blamed on the store' '
	statusdir init S &&
	head -c 300000 /dev/zero | statusdir put S >/dev/null &&
	head -c 300001 /dev/zero | statusdir put S >/dev/null &&
	mkdir small &&
	mount -t tmpfs -o size=64k none small &&
	test_expect_code 2 env TMPDIR="$PWD/small" "$SD" diff S >out 2>err
	rc=$?
	umount small
	test $rc = 0 &&
	test_grep "cannot write a temporary file in $PWD/small: No space left on device" err &&
	test_dir_is_empty small
'

test_expect_success 'diff without diff(1) in PATH exits 2' '
	make_store S 2 &&
	mkdir bin &&
	test_expect_code 2 env PATH="$PWD/bin" "$SD" diff S >out 2>err &&
	test_stderr_ok err
'

# ---- watch ------------------------------------------------------------------------------------

test_expect_success 'watch --after ID: existing ids above it first, in order; --count ends it' '
	make_store S 5 &&
	statusdir watch S --after "$(nth_id S 2)" --count 3 >out 2>err &&
	sed -n "3,5p" S.ids >expect &&
	test_cmp expect out &&
	test_must_be_empty err &&
	statusdir watch S --after @3 --count 2 >out &&
	sed -n "3,4p" S.ids >expect &&
	test_cmp expect out
'

test_expect_success 'watch without --after: the newest at start is not printed, new ids are' '
	make_store S 3 &&
	{ statusdir watch S --count 2 --timeout 20 >out 2>err & } &&
	pid=$! &&
	sleep 1 &&
	echo four | statusdir put S >ids &&
	echo five | statusdir put S >>ids &&
	wait "$pid" &&
	test_cmp ids out &&
	test_must_be_empty err
'

test_expect_success 'watch prints each id as it comes (flushed), strictly increasing' '
	make_store S 1 &&
	{ statusdir watch S --after "$(nth_id S 1)" --count 3 --timeout 20 >out & } &&
	pid=$! &&
	echo a | statusdir put S >>ids &&
	test_wait_for "test -s out" &&
	test_line_count 1 out &&
	echo b | statusdir put S >>ids &&
	test_wait_for "test \$(wc -l <out) = 2" &&
	echo c | statusdir put S >>ids &&
	wait "$pid" &&
	test_cmp ids out
'

test_expect_success 'watch --timeout: nothing new exits 1 after about that long' '
	make_store S 2 &&
	t0=$(now_ns) &&
	test_expect_code 1 statusdir watch S --timeout 1 >out 2>err &&
	ms=$(elapsed_ms "$t0") &&
	test_must_be_empty out &&
	test "$ms" -ge 900 &&
	test "$ms" -lt 8000 &&
	statusdir init E &&
	test_expect_code 1 statusdir watch E --timeout 1 >out &&
	test_must_be_empty out &&
	test_expect_code 1 statusdir watch S --after @0 --timeout 1s >out &&
	test_must_be_empty out
'

test_expect_success 'watch --timeout counts from the last id printed; --count not reached exits 1' '
	make_store S 1 &&
	{ statusdir watch S --after "$(nth_id S 1)" --count 5 --timeout 2 >out & } &&
	pid=$! &&
	echo a | statusdir put S >>ids &&
	sleep 1 &&
	echo b | statusdir put S >>ids &&
	sleep 1 &&
	echo c | statusdir put S >>ids &&
	{ wait "$pid"; st=$?; } &&
	test "$st" = 1 &&
	test_cmp ids out
'

test_expect_success 'watch on an empty store prints the first put' '
	statusdir init S &&
	{ statusdir watch S --count 1 --timeout 20 >out & } &&
	pid=$! &&
	sleep 1 &&
	echo first | statusdir put S >id &&
	wait "$pid" &&
	test_cmp id out
'

test_expect_success 'watch --after a pruned id says so on stderr and goes on' '
	make_store S 5 &&
	first=$(nth_id S 1) &&
	statusdir prune S --keep 3 &&
	! test -e "S/old/$first" &&
	statusdir watch S --after "$first" --count 3 >out 2>err &&
	sed -n "3,5p" S.ids >expect &&
	test_cmp expect out &&
	test_stderr_ok err &&
	test_grep -F "$first" err
'

test_expect_success 'watch notes versions retention removed before they were seen' '
	statusdir init S --keep 2 &&
	: >ids &&
	for i in 1 2 3 4 5; do
		echo "v $i" | statusdir put S >>ids || return 1
	done &&
	statusdir watch S --after "$(sed -n 1p ids)" --count 2 >out 2>err &&
	tail -n 2 ids >expect &&
	test_cmp expect out &&
	test_stderr_ok err &&
	test_grep "^statusdir: S: .*may have been" err
'

test_expect_success 'watch --exec: once per id, in order, with STATUSDIR_ID and STATUSDIR_STORE' '
	make_store S 4 &&
	statusdir watch S --after @3 --count 3 \
		--exec "echo \"\$STATUSDIR_ID \$STATUSDIR_STORE\" >>exec.log" >out 2>err &&
	sed -n "2,4p" S.ids >expect &&
	test_cmp expect out &&
	sed "s/\$/ S/" expect >expect.exec &&
	test_cmp expect.exec exec.log &&
	test_must_be_empty err
'

test_expect_success 'watch --exec runs /bin/sh -c CMD, one after another, while puts go on' '
	make_store S 1 &&
	{ statusdir watch S --after "$(nth_id S 1)" --count 6 --timeout 20 \
		--exec "sleep 0.1; echo \$STATUSDIR_ID >>exec.log" >out & } &&
	pid=$! &&
	for i in 1 2 3 4 5 6; do
		echo "quick $i" | statusdir put S >>ids || return 1
	done &&
	wait "$pid" &&
	test_cmp ids out &&
	test_cmp ids exec.log
'

test_expect_success 'watch --poll: polling sees new versions too' '
	make_store S 1 &&
	{ statusdir watch S --poll 1 --after "$(nth_id S 1)" --count 2 --timeout 20 >out & } &&
	pid=$! &&
	echo a | statusdir put S >>ids &&
	sleep 0.3 &&
	echo b | statusdir put S >>ids &&
	wait "$pid" &&
	test_cmp ids out &&
	t0=$(now_ns) &&
	test_expect_code 1 statusdir watch S --poll 1 --timeout 2 >out &&
	test_must_be_empty out &&
	test "$(elapsed_ms "$t0")" -ge 1900
'

test_expect_success 'watch: bad options are usage errors' '
	make_store S 1 &&
	test_expect_code 2 statusdir watch S --count 0 2>err &&
	test_usage_error watch err &&
	test_expect_code 2 statusdir watch S --count x 2>err &&
	test_usage_error watch err &&
	test_expect_code 2 statusdir watch S --timeout 1.5 2>err &&
	test_usage_error watch err &&
	test_expect_code 2 statusdir watch S --poll x 2>err &&
	test_usage_error watch err &&
	test_expect_code 2 statusdir watch 2>err &&
	test_usage_error watch err &&
	test_expect_code 4 statusdir watch missing --timeout 1 2>err &&
	test_stderr_ok err
'

test_expect_success 'watch: SIGTERM ends it with the usual signal status' '
	make_store S 1 &&
	{ statusdir watch S >out 2>err & } &&
	pid=$! &&
	sleep 0.5 &&
	kill -TERM "$pid" &&
	{ wait "$pid"; st=$?; } &&
	test "$st" = 143 &&
	test_must_be_empty out
'

test_expect_success PYTHON3 'watch under a burst: 4 writers x 25 puts, no id twice, none skipped above the watermark' '
	make_store S 1 &&
	start=$(nth_id S 1) &&
	start_commit_log S commits &&
	{ statusdir watch S --count 100 --timeout 3 >out 2>err & } &&
	wpid=$! &&
	sleep 0.5 &&
	writers= &&
	for w in 1 2 3 4; do
		(
			i=0
			while test $i -lt 25; do
				echo "writer $w put $i" | statusdir put S >>"ids.$w" ||
					{ echo "writer $w failed" >>errors; exit 1; }
				i=$((i + 1))
			done
		) &
		writers="$writers $!"
	done &&
	wait $writers &&
	{ wait "$wpid"; st=$?; } &&
	stop_commit_log &&
	! test -e errors &&
	{ test "$st" = 0 || test "$st" = 1; } &&
	cat ids.1 ids.2 ids.3 ids.4 | sort >all &&
	test_line_count 100 all &&
	is_strictly_increasing out &&
	sort out >printed &&
	comm -13 all printed >phantoms &&
	test_must_be_empty phantoms &&
	test_grep -v OVERFLOW commits &&
	comm -23 all printed >missed &&
	python3 - "$start" commits out missed >verdict <<-\EOF &&
	import sys
	start, commits, printed, missed = sys.argv[1], *[
	    [l.strip() for l in open(f)] for f in sys.argv[2:]]
	pos = {c: i for i, c in enumerate(commits)}
	shown = set(printed)
	bad = []
	for x in missed:
	    # a slow writer: an id committed after a greater one was printed
	    if x <= start or x not in pos or not any(
	            c > x and c in shown for c in commits[:pos[x]]):
	        bad.append(x)
	print("printed %d, late commits not printed %d, skipped %d"
	      % (len(printed), len(missed) - len(bad), len(bad)))
	for x in bad:
	    print("skipped", x)
	sys.exit(1 if bad else 0)
	EOF
	test_say "watch burst: $(cat verdict)" &&
	if test "$st" = 0; then test_line_count 100 out; fi
'

test_expect_success 'watch: the ids printed match the log when one writer puts quickly' '
	make_store S 1 &&
	{ statusdir watch S --after "$(nth_id S 1)" --count 60 --timeout 20 >out & } &&
	pid=$! &&
	i=0 &&
	while test $i -lt 60; do
		echo "put $i" | statusdir put S --no-sync >>ids || return 1
		i=$((i + 1))
	done &&
	wait "$pid" &&
	test_cmp ids out &&
	statusdir log S | cut -f 1 | sed "\$d" | sort >logged &&
	test_cmp logged out
'

test_done
