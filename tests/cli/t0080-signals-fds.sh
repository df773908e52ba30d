#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='signals during put, SIGPIPE, closed standard descriptors'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# store_is_intact S N: verify is clean and log has N versions.
store_is_intact () {
	statusdir verify "$1" >verify.out &&
	if test "$2" = 1; then siv_v_=version; else siv_v_=versions; fi &&
	test_grep -x "$2 $siv_v_, 0 damaged, 0 junk, 0 stale tmp files" verify.out &&
	statusdir log "$1" >log.out &&
	test_line_count "$2" log.out
}

test_expect_success 'init with fds 0, 1 and 2 closed makes a good store' '
	statusdir init S <&- >&- 2>&- &&
	store_is_intact S 0 &&
	statusdir config S >out &&
	test_grep -x "format 1" out &&
	echo x >f && statusdir put S f >/dev/null &&
	store_is_intact S 1
'

test_expect_success 'put FILE with fds 0-2 closed: committed, exit 5, store intact' '
	make_store S 2 &&
	echo payload >f &&
	test_expect_code 5 statusdir put S f <&- >&- 2>&- &&
	store_is_intact S 3 &&
	statusdir get S >out && test_cmp f out &&
	test_dir_is_empty S/tmp
'

test_expect_success 'put FILE with fds 0 and 1 closed: exit 5, the id on stderr' '
	statusdir init S &&
	echo payload >f &&
	test_expect_code 5 statusdir put S f <&- >&- 2>err &&
	id=$(newest_id S) &&
	test_grep -F "statusdir: S: committed $id, but could not write it to stdout: " err &&
	store_is_intact S 1
'

test_expect_success 'put from stdin with fds 0-2 closed: exit 2, nothing committed' '
	make_store S 1 &&
	test_expect_code 2 statusdir put S <&- >&- 2>&- &&
	store_is_intact S 1 &&
	test_dir_is_empty S/tmp
'

test_expect_success 'get with fds 0-2 closed: exit 4, no version touched' '
	make_store S 3 &&
	cp -p "S/cur/$(nth_id S 3)" saved &&
	cp -p S/format format.saved &&
	find S -print | sort >before &&
	test_expect_code 4 statusdir get S <&- >&- 2>&- &&
	test_expect_code 4 statusdir get S "$(nth_id S 1)" <&- >&- 2>&- &&
	test_cmp_bin saved "S/cur/$(nth_id S 3)" &&
	test_cmp_bin format.saved S/format &&
	find S -print | sort >after &&
	test_cmp before after &&
	store_is_intact S 3
'

test_expect_success 'commands with stdout closed exit 4: log, verify, path, config, info' '
	make_store S 2 &&
	for c in log verify path config info; do
		test_expect_code 4 statusdir $c S >&- 2>err &&
		test_stderr_ok err || { echo "command $c" >&4; return 1; }
	done &&
	store_is_intact S 2
'

test_expect_success 'prune with stdout closed works when it has nothing to say' '
	make_store S 3 &&
	statusdir prune S --keep 2 >&- &&
	statusdir log S >log && test_line_count 2 log
'

test_expect_success 'stdin or stderr closed does not matter to readers' '
	make_store S 2 &&
	echo "version 2" >expect &&
	statusdir get S <&- >out && test_cmp expect out &&
	statusdir get S 2>&- >out && test_cmp expect out &&
	statusdir log S <&- 2>&- >log && test_line_count 2 log &&
	test_expect_code 2 statusdir get S bad-id 2>&- &&
	test_expect_code 1 statusdir get S "$(id_with_time "$(nth_id S 1)" 0000000000000000001)" 2>&-
'

test_expect_success 'get | head -c 1: status 141, no message' '
	statusdir init S &&
	head -c 2000000 /dev/zero >big &&
	statusdir put S big >/dev/null &&
	{ statusdir get S 2>err; echo $? >status; } | head -c 1 >first &&
	test "$(cat status)" = 141 &&
	test_must_be_empty err &&
	{ statusdir get S "$(newest_id S)" 2>err; echo $? >status; } | head -c 1 >first &&
	test "$(cat status)" = 141 &&
	test_must_be_empty err
'

test_expect_success 'SIGTERM during a put: tmp/ empty, status 143, nothing committed' '
	make_store S 2 &&
	start_slow_put S &&
	kill -TERM "$slow_pid" &&
	{ wait "$slow_pid"; echo $? >status; } &&
	exec 3>&- &&
	test "$(cat status)" = 143 &&
	test_must_be_empty slow.out &&
	test_dir_is_empty S/tmp &&
	echo "version 2" >expect &&
	statusdir get S >out && test_cmp expect out &&
	store_is_intact S 2
'

test_expect_success DEFAULT_SIGNAL 'SIGINT during a put: tmp/ empty, status 130, nothing committed' '
	make_store S 2 &&
	mkfifo slow &&
	{ env --default-signal=INT statusdir put S <slow >slow.out 2>slow.err & } &&
	pid=$! &&
	exec 3>slow &&
	printf partial >&3 &&
	test_wait_for "test -n \"\$(ls -A S/tmp)\"" &&
	kill -INT "$pid" &&
	{ wait "$pid"; echo $? >status; } &&
	exec 3>&- &&
	test "$(cat status)" = 130 &&
	test_dir_is_empty S/tmp &&
	store_is_intact S 2
'

# killed_by SIG: runs "statusdir put S" on a pipe, sends SIG once its tmp/
# file exists, and checks that it died of SIG itself (re-raised), not of
# an exit with status 128 + SIG.
killed_by () {
	python3 - "$1" <<-\EOF
	import os, signal, subprocess, sys, time
	sig = getattr(signal, "SIG" + sys.argv[1])
	signal.signal(sig, signal.SIG_DFL)
	r, w = os.pipe()
	p = subprocess.Popen(["statusdir", "put", "S"], stdin=r,
	                     stdout=subprocess.DEVNULL)
	os.close(r)
	os.write(w, b"partial")
	deadline = time.time() + 10
	while not os.listdir("S/tmp"):
	    if time.time() > deadline:
	        sys.exit("no tmp/ file appeared")
	    time.sleep(0.02)
	p.send_signal(sig)
	status = p.wait()
	os.close(w)
	if status != -sig:
	    sys.exit("put ended with %d, not by signal %d" % (status, sig))
	EOF
}

test_expect_success PYTHON3 'SIGTERM and SIGINT during a put are re-raised: put dies of them' '
	make_store S 2 &&
	killed_by TERM &&
	test_dir_is_empty S/tmp &&
	killed_by INT &&
	test_dir_is_empty S/tmp &&
	store_is_intact S 2
'

test_expect_success 'SIGTERM during put --run: tmp/ empty, status 143, nothing committed' '
	make_store S 2 &&
	{ statusdir put S --run sh -c "echo \$\$ >producer.pid; printf partial; exec sleep 30" >out 2>err & } &&
	pid=$! &&
	test_wait_for "test -s producer.pid && test -n \"\$(ls -A S/tmp)\"" &&
	sleep 0.1 &&
	kill -TERM "$pid" &&
	{ wait "$pid"; echo $? >status; } &&
	{ kill "$(cat producer.pid)" 2>/dev/null; :; } &&
	test "$(cat status)" = 143 &&
	test_must_be_empty out &&
	test_dir_is_empty S/tmp &&
	store_is_intact S 2
'

test_expect_success 'a put killed by SIGKILL never becomes the newest' '
	make_store S 2 &&
	start_slow_put S &&
	printf " more" >&3 &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; echo $? >status; } &&
	exec 3>&- &&
	test "$(cat status)" = 137 &&
	echo "version 2" >expect &&
	statusdir get S >out && test_cmp expect out &&
	statusdir log S >log && test_line_count 2 log &&
	statusdir prune S &&
	test_dir_is_empty S/tmp
'

# A put sweeps tmp/ on one put in 64 at random (lib/put.c): 1,500 puts
# all missing it has a chance of (63/64)^1500, below 1e-10.
test_expect_success 'a put killed by SIGKILL: later puts sweep its tmp/ file' '
	make_store S 1 &&
	start_slow_put S &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; echo $? >status; } &&
	exec 3>&- &&
	test "$(cat status)" = 137 &&
	statusdir verify S >verify.out &&
	test_grep "1 stale tmp file$" verify.out &&
	echo again >payload &&
	puts=0 &&
	while test -n "$(ls -A S/tmp)" && test "$puts" -lt 1500; do
		statusdir put --no-sync S payload >/dev/null || return 1
		puts=$((puts + 1))
	done &&
	test_dir_is_empty S/tmp &&
	statusdir verify S >verify.out &&
	test_grep "0 stale tmp files" verify.out
'

test_expect_success 'a put that gets EOF after a slow start commits everything' '
	make_store S 1 &&
	start_slow_put S &&
	sleep 0.2 &&
	printf " then the rest\n" >&3 &&
	finish_slow_put &&
	printf "partial then the rest\n" >expect &&
	statusdir get S >out && test_cmp expect out &&
	test "$(cat slow.out)" = "$(newest_id S)" &&
	test_must_be_empty slow.err
'

test_done
