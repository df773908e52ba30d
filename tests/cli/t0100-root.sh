#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='as root: other users, groups, read-only mounts'

# Mounts are made in a mount namespace of this script's own, so that they
# vanish with it whatever happens.
if test -z "$TEST_UNSHARED" && test "$(id -u)" = 0 &&
	unshare -m --propagation private true 2>/dev/null; then
	TEST_UNSHARED=1 exec unshare -m --propagation private sh "$0" "$@"
fi

. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

if ! test_have_prereq ROOT; then
	skip_all='not root'
	test_done
fi

# reads_work S N [COMMAND...]: every read path works on S, which holds the
# N versions of make_store, run through COMMAND (e.g. test_as_nobody).
reads_work () {
	rw_s_=$1 rw_n_=$2
	shift 2
	"$@" statusdir get "$rw_s_" >out.r &&
	echo "version $rw_n_" >expect.r && test_cmp expect.r out.r &&
	"$@" statusdir get "$rw_s_" "$(nth_id "$rw_s_" 1)" >out.r &&
	echo "version 1" >expect.r && test_cmp expect.r out.r &&
	"$@" statusdir log "$rw_s_" >log.r && test_line_count "$rw_n_" log.r &&
	"$@" statusdir log "$rw_s_" --json >log.r && test_line_count "$rw_n_" log.r &&
	"$@" statusdir verify "$rw_s_" >verify.r &&
	"$@" statusdir path "$rw_s_" >path.r &&
	echo "$rw_s_/cur/$(nth_id "$rw_s_" "$rw_n_")" >expect.r && test_cmp expect.r path.r &&
	"$@" statusdir config "$rw_s_" >config.r &&
	test_grep -x "format 1" config.r &&
	"$@" statusdir prune "$rw_s_" --keep 1 --max-age 1s --dry-run >dry.r &&
	test_all_lines_match "would (remove (cur|old|tmp)/.+|move cur/$ID_RE to old/)" dry.r &&
	test "$(grep -c -E "^would remove (cur|old)/" dry.r)" = $((rw_n_ - 1))
}

# ro_checks S N: S (N versions, cur/ beyond the head, a junk file, a stale
# tmp/ file) is on a read-only filesystem.
ro_checks () {
	! touch "$1/x" 2>/dev/null &&
	reads_work "$1" "$2" &&
	test_grep -x "$2 versions, 0 damaged, 1 junk, 1 stale tmp file" verify.r &&
	test_grep "^stale tmp/" verify.r &&
	statusdir prune "$1" --dry-run >dry &&
	test "$(grep -c "^would move cur/" dry)" = $(($2 - 8)) &&
	test "$(grep -c "^would remove tmp/" dry)" = 1 &&
	echo x >f &&
	test_expect_code 4 statusdir put "$1" f >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_grep "Read-only file system" err &&
	test_expect_code 4 statusdir prune "$1" --keep 1 2>err &&
	test_stderr_ok err
}

# untidy S: cur/ beyond the head, a junk file and the tmp/ file of a killed put.
untidy () {
	mv "$1"/old/* "$1/cur/" &&
	echo junk >"$1/cur/junk" &&
	start_slow_put "$1" &&
	kill -KILL "$slow_pid" &&
	{ wait "$slow_pid"; test $? = 137; } &&
	exec 3>&- &&
	rm slow
}

test_expect_success NOBODY 'a store another user cannot read: exit 4 for every command' '
	make_store S 2 &&
	chmod 700 S &&
	echo x >f &&
	for c in get log verify prune path config info; do
		test_expect_code 4 test_as_nobody statusdir $c S >out 2>err &&
		test_must_be_empty out &&
		test_stderr_ok err &&
		test_grep -F "statusdir: S: " err &&
		test_grep "Permission denied" err || { echo "command $c" >&4; return 1; }
	done &&
	test_expect_code 4 test_as_nobody statusdir put S f >out 2>err &&
	test_must_be_empty out &&
	test_grep "Permission denied" err &&
	test_expect_code 4 test_as_nobody statusdir init S 2>err &&
	test_stderr_ok err &&
	chmod 755 S &&
	statusdir log S >log && test_line_count 2 log
'

test_expect_success NOBODY 'a version another user cannot read: get exits 4' '
	statusdir init S &&
	echo secret >f &&
	id=$(umask 077 && statusdir put S f) &&
	test "$(stat -c %a "S/cur/$id")" = 600 &&
	test_expect_code 4 test_as_nobody statusdir get S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_grep "Permission denied" err
'

test_expect_success NOBODY 'reads work without write permission; writes exit 4' '
	make_store S 10 &&
	untidy S &&
	find S -print | sort >before &&
	reads_work S 10 test_as_nobody &&
	test_grep -x "10 versions, 0 damaged, 1 junk, 1 stale tmp file" verify.r &&
	echo x >f &&
	test_expect_code 4 test_as_nobody statusdir put S f >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_expect_code 4 test_as_nobody statusdir prune S --keep 1 2>err &&
	test_stderr_ok err &&
	test_expect_code 4 test_as_nobody statusdir config S --mode 0600 2>err &&
	test_stderr_ok err &&
	find S -print | sort >after &&
	test_cmp before after
'

test_expect_success NOBODY 'a group store: another user in the group puts, root reads' '
	statusdir init S --mode 0660 --group 65534 &&
	echo "from nobody" >f &&
	id=$(test_as_nobody statusdir put S f) &&
	test "$(stat -c %u:%g:%a "S/cur/$id")" = 65534:65534:660 &&
	statusdir get S >out && test_cmp f out &&
	echo "from root" >g &&
	id2=$(umask 077 && statusdir put S g) &&
	test "$(stat -c %g:%a "S/cur/$id2")" = 65534:660 &&
	test_as_nobody statusdir get S >out && test_cmp g out &&
	test_as_nobody statusdir prune S --keep 1 &&
	statusdir log S | cut -f 1 >log &&
	echo "$id2" >expect && test_cmp expect log
'

test_expect_success MOUNT 'a read-only tmpfs: reads and prune --dry-run work, writes exit 4' '
	mkdir m &&
	mount -t tmpfs tmpfs m &&
	{
		make_store m/S 10 && untidy m/S &&
		mount -o remount,ro m &&
		ro_checks m/S 10
		r=$?
		umount m
		test $r = 0
	}
'

test_expect_success MOUNT 'a read-only bind mount of a store: reads work, writes exit 4' '
	make_store S 10 &&
	untidy S &&
	mkdir R &&
	cp S.ids R.ids &&
	mount --bind S R &&
	{
		mount -o remount,bind,ro R &&
		ro_checks R 10
		r=$?
		umount R
		test $r = 0
	} &&
	statusdir verify S >/dev/null
'

test_done
