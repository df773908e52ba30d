#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='put and get: sources, exact bytes, put --run, stdout failures'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# check_id FILE SIZE: FILE is one line, an id of a SIZE-byte payload.
check_id () {
	test_line_count 1 "$1" &&
	test_grep -x -E "$ID_RE" "$1" &&
	ck_id_=$(cat "$1") &&
	ck_size_=${ck_id_#*.*.} && ck_size_=${ck_size_%.*} &&
	test "$ck_size_" = "$2" || test_fail_ "check_id: size part $ck_size_, wanted $2"
}

test_expect_success 'put FILE prints the new id and a newline, nothing else' '
	statusdir init S &&
	printf "hello\n" >f &&
	statusdir put S f >out 2>err &&
	test_must_be_empty err &&
	check_id out 6 &&
	printf "%s\n" "$(cat out)" >expect && cmp expect out &&
	id=$(cat out) &&
	test_cmp f S/cur/$id
'

test_expect_success 'get prints the newest version, exact' '
	statusdir init S &&
	printf "one\n" >f1 && printf "two\n" >f2 &&
	statusdir put S f1 >id1 && statusdir put S f2 >id2 &&
	statusdir get S >out 2>err &&
	test_must_be_empty err &&
	test_cmp_bin f2 out &&
	statusdir get S "$(cat id1)" >out &&
	test_cmp_bin f1 out
'

test_expect_success 'put with no FILE reads stdin (a file)' '
	statusdir init S &&
	printf "from stdin\n" >f &&
	statusdir put S <f >id &&
	check_id id 11 &&
	statusdir get S >out && test_cmp_bin f out
'

test_expect_success 'put - reads stdin' '
	statusdir init S &&
	printf "dash\n" >f &&
	statusdir put S - <f >id &&
	check_id id 5 &&
	statusdir get S >out && test_cmp_bin f out
'

test_expect_success 'put - means stdin even when a file named - exists; ./- is the file' '
	statusdir init S &&
	echo "the file" >./- &&
	echo "the input" >in &&
	statusdir put S - <in >id &&
	statusdir get S >out && test_cmp in out &&
	statusdir put S ./- <in >id &&
	statusdir get S >out && test_cmp ./- out
'

test_expect_success 'put FILE where FILE is /dev/stdin or a FIFO' '
	statusdir init S &&
	echo "via dev stdin" >in &&
	statusdir put S /dev/stdin <in >id &&
	statusdir get S >out && test_cmp in out &&
	mkfifo fifo &&
	{ cat in >fifo & } &&
	statusdir put S fifo >id &&
	wait &&
	statusdir get S >out && test_cmp in out
'

test_expect_success 'put reads stdin from a pipe' '
	statusdir init S &&
	printf "a\nb\nc\n" | statusdir put S >id &&
	check_id id 6 &&
	printf "a\nb\nc\n" >expect &&
	statusdir get S >out && test_cmp_bin expect out
'

test_expect_success '0-byte versions: from /dev/null, an empty file, an empty pipe' '
	statusdir init S &&
	statusdir put S </dev/null >id1 && check_id id1 0 &&
	: >empty &&
	statusdir put S empty >id2 && check_id id2 0 &&
	printf "" | statusdir put S >id3 && check_id id3 0 &&
	statusdir put S --run true >id4 && check_id id4 0 &&
	statusdir get S >out && test_must_be_empty out &&
	statusdir get S "$(cat id1)" >out && test_must_be_empty out &&
	statusdir log S >log && test_line_count 4 log
'

test_expect_success 'binary data with NULs and every byte value, exact' '
	statusdir init S &&
	i=0 && : >bin &&
	while test $i -lt 256; do
		printf "\\$(printf %03o $i)" >>bin && i=$((i + 1))
	done &&
	printf "\000\000\377\000" >>bin &&
	test "$(wc -c <bin)" = 260 &&
	id=$(statusdir put S bin) &&
	statusdir get S >out && test_cmp_bin bin out &&
	statusdir get S "$id" | cat >out && test_cmp_bin bin out &&
	test_cmp_bin bin "S/cur/$id"
'

test_expect_success 'a few MiB, exact: to a file, a pipe, an O_APPEND file' '
	statusdir init S &&
	head -c 3145745 /dev/urandom >big &&
	id=$(statusdir put S big) &&
	check_id_s=${id#*.*.} && test "${check_id_s%.*}" = 3145745 &&
	statusdir get S >out && test_cmp_bin big out &&
	statusdir get S | cat >out && test_cmp_bin big out &&
	printf "head\n" >app && printf "head\n" >expect && cat big >>expect &&
	statusdir get S >>app && test_cmp_bin expect app &&
	head -c 3000000 /dev/urandom | statusdir put S >id2 &&
	statusdir get S "$id" >out && test_cmp_bin big out
'

test_expect_success 'get writes at the current offset of a shared stdout' '
	statusdir init S &&
	head -c 300000 /dev/urandom >big &&
	statusdir put S big >/dev/null &&
	{ echo before; statusdir get S; echo after; } >out &&
	{ echo before; cat big; echo after; } >expect &&
	test_cmp_bin expect out
'

test_expect_success 'get ID reads every version, also those moved to old/' '
	make_store S 12 &&
	test "$(ls S/old | wc -l)" -gt 0 &&
	i=1 &&
	while test $i -le 12; do
		echo "version $i" >expect &&
		statusdir get S "$(nth_id S $i)" >out &&
		test_cmp expect out || return 1
		i=$((i + 1))
	done
'

test_expect_success 'ids grow with every put; the newest is the last put' '
	make_store S 10 &&
	sort S.ids >sorted && test_cmp S.ids sorted &&
	sort -u S.ids >uniq && test_cmp S.ids uniq &&
	echo "version 10" >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success 'put --no-sync commits' '
	statusdir init S &&
	echo fast >f &&
	statusdir put S --no-sync f >id &&
	check_id id 5 &&
	statusdir get S >out && test_cmp f out &&
	statusdir put --no-sync S <f >id &&
	statusdir put S --no-sync --run cat f >id &&
	statusdir log S >log && test_line_count 3 log
'

# LeakSanitizer cannot run under ptrace: with make check-sanitizers the leak
# check is turned off for the traced runs (the other cases still do it).
test_expect_success STRACE 'put syncs before it prints the id, and not with --no-sync' '
	statusdir init S &&
	echo x >f &&
	traced -f -qq -e trace=fsync,fdatasync,syncfs,sync_file_range,write -o t1 \
		statusdir put S f >id &&
	grep -n -E "(fsync|fdatasync|syncfs|sync_file_range)\(" t1 >syncs &&
	test "$(wc -l <syncs)" -ge 2 &&
	grep -n -F "write(1, \"$(cut -c 1-20 id)" t1 >idwrite &&
	test_line_count 1 idwrite &&
	test "$(tail -n 1 syncs | cut -d: -f 1)" -lt "$(cut -d: -f 1 idwrite)" &&
	traced -f -qq -e trace=fsync,fdatasync,syncfs,sync_file_range -o t2 \
		statusdir put S --no-sync f &&
	test_must_be_empty t2
'

test_expect_success STRACE 'put --one-flush: one fsync, of the file, after its move into cur/' '
	statusdir init S &&
	echo once >f &&
	statusdir put S f >/dev/null &&
	traced -f -qq -e trace=fsync,fdatasync,syncfs,renameat2,link,linkat -o t1 \
		statusdir put S --one-flush f >id &&
	grep -E "^[0-9]+ +(fsync|fdatasync|syncfs)\(" t1 >syncs &&
	test_line_count 1 syncs &&
	grep -n -E "(renameat2|linkat?)\(.*$(cut -c 1-20 id)" t1 >move &&
	grep -n -E "fsync\(" t1 >sync &&
	test "$(cut -d: -f 1 move)" -lt "$(cut -d: -f 1 sync)" &&
	statusdir get S >out && test_cmp f out &&
	statusdir put S --one-flush --no-sync f >/dev/null &&
	statusdir put S --one-flush --run echo run >/dev/null &&
	statusdir get S >out && echo run >expect && test_cmp expect out
'

test_expect_success GNU_TIME 'put and get stream: memory does not grow with the payload' '
	statusdir init S &&
	head -c 33554432 /dev/zero | /usr/bin/time -o mem.put -f %M statusdir put S >id &&
	/usr/bin/time -o mem.get -f %M statusdir get S | cksum >sum &&
	head -c 33554432 /dev/zero | cksum >expect && test_cmp expect sum &&
	statusdir prune S --keep 1 &&
	/usr/bin/time -o mem.run -f %M statusdir put S --run head -c 33554432 /dev/zero >id2 &&
	statusdir prune S --keep 1 &&
	for m in put get run; do
		test "$(tail -n 1 mem.$m)" -lt 16384 ||
			test_fail_ "$m: max RSS $(tail -n 1 mem.$m) KiB for a 32 MiB payload" || return 1
	done
'

test_expect_success 'put of a missing FILE exits 4 and commits nothing' '
	statusdir init S &&
	test_expect_code 4 statusdir put S no-such-file >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_expect_code 1 statusdir get S &&
	test_dir_is_empty S/tmp
'

test_expect_success 'put of a directory exits 4 and commits nothing' '
	statusdir init S &&
	mkdir d &&
	test_expect_code 4 statusdir put S d >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_expect_code 1 statusdir get S &&
	test_dir_is_empty S/tmp
'

test_expect_success 'get of an empty store exits 1, prints nothing' '
	statusdir init S &&
	test_expect_code 1 statusdir get S >out &&
	test_must_be_empty out
'

test_expect_success 'get of an unknown id exits 1' '
	make_store S 2 &&
	id=$(nth_id S 1) &&
	other=$(id_with_time "$id" 0000000000000000001) &&
	test_expect_code 1 statusdir get S "$other" >out &&
	test_must_be_empty out &&
	test_expect_code 1 statusdir get S 1111111111111111111.00000000000000000000000000000000.8.0000000000000000
'

test_expect_success 'get of an id that does not match the grammar exits 2' '
	make_store S 2 &&
	id=$(nth_id S 2) &&
	upper=$(echo "$id" | tr a-f A-F) &&
	for bad in nonsense "../cur/$id" "$id/../$id" "./$id" "../../../etc/passwd" \
		"/etc/passwd" . .. "$upper" "${id}x" "x$id" "$id.0" "${id%.*}" \
		"${id#?}" "$id " " $id" "$id$LF" "9999999999999999999.${id#*.}" \
		"$(echo "$id" | sed "s/\.\([0-9]*\)\./.0\1./")"; do
		test_expect_code 2 statusdir get S "$bad" >out 2>err &&
		test_must_be_empty out &&
		test_stderr_ok err || { echo "bad id: $bad" >&4; return 1; }
	done
'

test_expect_success 'get >/dev/full exits 4 with a message' '
	make_store S 1 &&
	test_expect_code 4 statusdir get S >/dev/full 2>err &&
	test_stderr_ok err &&
	test_grep "^statusdir: " err
'

test_expect_success 'get with stdout closed exits 4' '
	make_store S 1 &&
	test_expect_code 4 statusdir get S >&- 2>err &&
	test_stderr_ok err
'

test_expect_success 'get | head -c 1: get dies of SIGPIPE quietly (141)' '
	statusdir init S &&
	head -c 4194304 /dev/urandom >big &&
	statusdir put S big >/dev/null &&
	{ statusdir get S 2>err; echo $? >status; } | head -c 1 >first &&
	test "$(cat status)" = 141 &&
	test_must_be_empty err &&
	test "$(wc -c <first)" = 1
'

test_expect_success 'put >/dev/full: exit 5, id named on stderr, version committed' '
	statusdir init S &&
	echo payload >f &&
	test_expect_code 5 statusdir put S f >/dev/full 2>err &&
	test_stderr_ok err &&
	id=$(statusdir log S | cut -f 1) &&
	test -n "$id" &&
	test_grep -x -F "statusdir: S: committed $id, but could not write it to stdout: No space left on device" err &&
	statusdir get S "$id" >out && test_cmp f out &&
	statusdir log S >log && test_line_count 1 log
'

test_expect_success 'put with stdout closed: exit 5, id named on stderr, committed' '
	statusdir init S &&
	echo payload >f &&
	test_expect_code 5 statusdir put S f >&- 2>err &&
	test_stderr_ok err &&
	id=$(statusdir log S | cut -f 1) &&
	test_grep -F "statusdir: S: committed $id, but could not write it to stdout: " err &&
	statusdir get S "$id" >out && test_cmp f out
'

test_expect_success 'put --run with stdout full or closed: exit 5, committed' '
	statusdir init S &&
	test_expect_code 5 statusdir put S --run echo one >/dev/full 2>err &&
	id=$(newest_id S) &&
	test_grep -F "statusdir: S: committed $id, but could not write it to stdout: " err &&
	test_expect_code 5 statusdir put S --run echo two >&- 2>err &&
	id=$(newest_id S) &&
	test_grep -F "statusdir: S: committed $id, but could not write it to stdout: " err &&
	echo two >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success 'put into a pipe nobody reads: exit 5 (SIGPIPE ignored), committed' '
	statusdir init S &&
	mkfifo in &&
	{ { sleep 0.5; echo late; } >in & } &&
	{ statusdir put S <in 2>err; echo $? >status; } | true &&
	wait &&
	test "$(cat status)" = 5 &&
	id=$(statusdir log S | cut -f 1) &&
	test_grep -F "statusdir: S: committed $id, but could not write it to stdout: " err &&
	echo late >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success SCRIPT 'put with stdin a terminal and no FILE exits 2, commits nothing' '
	statusdir init S &&
	test_expect_code 2 script -qec "statusdir put S" /dev/null </dev/null >out &&
	test_grep "^statusdir: " out &&
	test_expect_code 1 statusdir get S &&
	test_dir_is_empty S/tmp
'

test_expect_success SCRIPT 'put - with stdin a terminal reads it' '
	statusdir init S &&
	printf "typed\n" >typed &&
	script -qec "statusdir put S -" /dev/null <typed >out &&
	statusdir get S >got &&
	test_cmp typed got
'

test_expect_success 'put with fd 0 closed exits 2, commits nothing' '
	statusdir init S &&
	test_expect_code 2 statusdir put S <&- >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_expect_code 2 statusdir put S - <&- 2>err &&
	test_stderr_ok err &&
	test_expect_code 1 statusdir get S &&
	test_dir_is_empty S/tmp
'

test_expect_success 'put with fd 0 closed: a usage error, with the hint line' '
	statusdir init S &&
	test_expect_code 2 statusdir put S <&- 2>err &&
	test_usage_error put err
'

test_expect_success SCRIPT 'put with stdin a terminal: a usage error, with the hint line' '
	statusdir init S &&
	test_expect_code 2 script -qec "statusdir put S 2>err" /dev/null </dev/null >/dev/null &&
	test_usage_error put err
'

test_expect_success 'put --run CMD commits its stdout' '
	statusdir init S &&
	statusdir put S --run printf "hello %s\n" world >id 2>err &&
	test_must_be_empty err &&
	check_id id 12 &&
	echo "hello world" >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success 'put --run: every word after --run is the command' '
	statusdir init S &&
	statusdir put S --run printf "%s|" --keep -n -- --run x >id &&
	printf "%s|" --keep -n -- --run x >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success 'put --run searches PATH' '
	statusdir init S &&
	mkdir bin &&
	printf "#!/bin/sh\necho from-path\n" >bin/producer &&
	chmod +x bin/producer &&
	PATH="$PWD/bin:$PATH" statusdir put S --run producer >id &&
	echo from-path >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success 'put --run: CMD runs with the default SIGPIPE (put ignores it itself)' '
	statusdir init S &&
	statusdir put S --run sh -c "yes | head -n 3" >id 2>err &&
	test_must_be_empty err &&
	printf "y\ny\ny\n" >expect &&
	statusdir get S >out && test_cmp expect out
'

test_expect_success 'put --run: CMD inherits no descriptor of statusdir or the store' '
	statusdir init S &&
	sh -c "ls /proc/\$\$/fd" >direct &&
	statusdir put S --run sh -c "ls /proc/\$\$/fd" >id &&
	statusdir get S >via-put &&
	test_cmp direct via-put
'

# run_fails_on_v2 MSG CMD...: in S (make_store S 2), put --run CMD exits 4
# with exactly MSG on stderr and nothing on stdout, and S is as it was.
run_fails_on_v2 () {
	rf_msg_=$1
	shift
	test_expect_code 4 statusdir put S --run "$@" >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_grep -x -F "$rf_msg_" err &&
	echo "version 2" >expect &&
	statusdir get S >got && test_cmp expect got &&
	statusdir log S >log && test_line_count 2 log &&
	test_dir_is_empty S/tmp
}

test_expect_success 'put --run: CMD exits 3: exit 4, nothing committed, status in the message' '
	make_store S 2 &&
	run_fails_on_v2 "statusdir: S: put --run: sh exited with status 3; nothing committed" \
		sh -c "echo partial; exit 3"
'

test_expect_success 'put --run: CMD not found: exit 4, nothing committed' '
	make_store S 1 &&
	# a PATH of searchable folders only: otherwise execvp may say EACCES
	PATH="$top_builddir/cli:/usr/bin:/bin" &&
	test_expect_code 4 statusdir put S --run no-such-command-zq arg >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_grep -x -F "statusdir: S: put --run: no-such-command-zq: No such file or directory; nothing committed" err &&
	test_expect_code 4 statusdir put S --run ./no/such/path 2>err &&
	test_grep -F "nothing committed" err &&
	test_expect_code 4 statusdir put S --run / 2>err &&
	test_grep -F "nothing committed" err &&
	test_expect_code 4 statusdir put S --run false 2>err &&
	test_grep -x -F "statusdir: S: put --run: false exited with status 1; nothing committed" err &&
	statusdir log S >log && test_line_count 1 log &&
	test_dir_is_empty S/tmp
'

test_expect_success 'put --run: CMD killed half-way: exit 4, nothing committed, newest unchanged' '
	make_store S 2 &&
	run_fails_on_v2 "statusdir: S: put --run: sh was killed by signal 9; nothing committed" \
		sh -c "head -c 100000 /dev/zero; kill -9 \$\$"
'

test_expect_success 'put --run: a big output then exit 1 commits nothing' '
	make_store S 1 &&
	test_expect_code 4 statusdir put S --run sh -c "head -c 3000000 /dev/zero; exit 1" 2>err &&
	test_grep -F "exited with status 1; nothing committed" err &&
	statusdir log S >log && test_line_count 1 log &&
	test_dir_is_empty S/tmp
'

test_expect_success 'put --run with no CMD is a usage error' '
	statusdir init S &&
	test_expect_code 2 statusdir put S --run 2>err &&
	test_usage_error put err &&
	test_expect_code 1 statusdir get S
'

test_expect_success 'put with two FILEs is a usage error' '
	statusdir init S &&
	echo a >a && echo b >b &&
	test_expect_code 2 statusdir put S a b 2>err &&
	test_usage_error put err &&
	test_expect_code 1 statusdir get S
'

test_expect_success 'put does not create a store' '
	echo a >a &&
	test_expect_code 4 statusdir put S a 2>err &&
	test_stderr_ok err &&
	! test -e S
'

test_done
