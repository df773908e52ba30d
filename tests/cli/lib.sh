# SPDX-License-Identifier: MIT
# lib.sh - a small TAP test library for the CLI tests, after git's t/.
#
# A test script sets test_description, sources this file and runs cases:
#
#     test_expect_success [PREREQ[,PREREQ...]] 'title' '
#             statusdir init S &&
#             test_expect_code 1 statusdir get S
#     '
#     test_done
#
# Every case runs in a subshell, in a fresh empty directory of its own, with
# stdin from /dev/null, so cases never depend on each other; the steps of a
# case are chained with && so that the first failing step fails the case.
# The output is TAP for automake's tap-driver.sh: "ok N - title",
# "not ok N - title", "ok N # skip title (missing PREREQ)", and the plan
# "1..N" at the end (or "1..0 # SKIP reason" for a script that cannot run
# here).  A failing case's output is printed as "#" comment lines; run a
# script with TEST_TRACE=1 to add a shell trace of its commands.
#
# TEST_ROOT=DIR runs the cases under DIR instead of the build tree.
# The statusdir under test is $top_builddir/cli/statusdir (a libtool wrapper
# or the binary itself), found first in PATH.  top_builddir and top_srcdir
# are absolute paths exported by "make check"; run by hand:
#     top_builddir=/tmp/b top_srcdir=$PWD tests/cli/t0010-put-get.sh

if test -z "$top_srcdir"; then
	top_srcdir=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
fi
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir

this_test=$(basename "$0" .sh)
SD="$top_builddir/cli/statusdir"
if ! test -x "$SD"; then
	echo "Bail out! $SD is not built"
	exit 1
fi

PATH="$top_builddir/cli:$PATH"
export PATH
# A known environment: the C locale for the tools the tests use, no TZ.
# Cases that check that statusdir does not depend on them set them again.
LC_ALL=C
LANG=C
export LC_ALL LANG
unset TZ LANGUAGE LC_CTYPE LC_NUMERIC LC_TIME LC_COLLATE LC_MESSAGES
umask 022

# TEST_ROOT puts the cases' directories on another filesystem (as git's
# --root does), e.g. a freshly made xfs or btrfs.
TRASH_DIRECTORY="${TEST_ROOT:-$top_builddir/tests/cli}/trash.$this_test"
chmod -R u+rwx "$TRASH_DIRECTORY" 2>/dev/null
rm -rf "$TRASH_DIRECTORY" || exit 1
mkdir -p "$TRASH_DIRECTORY" || exit 1

test_count=0
test_failures=0

# An id: TIME "." UNIQUE "." SIZE "." SUM (statusdir(5)), as an ERE.
ID_RE='[0-9]{19}\.[0-9a-f]{32}\.(0|[1-9][0-9]*)\.[0-9a-f]{16}'
# A time in log output: UTC, nanoseconds.
TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z'
TAB=$(printf '\t')
LF='
'

# ---- Prerequisites ---------------------------------------------------------

# test_have_prereq "A,B,!C": true when every named prerequisite holds; sets
# test_missing_prereq to the first that does not.  Each is checked once.
test_have_prereq () {
	test_saved_ifs_=$IFS
	IFS=,
	set -- $1
	IFS=$test_saved_ifs_
	for test_p_; do
		test_neg_=
		case $test_p_ in
		!*) test_neg_=! test_p_=${test_p_#!} ;;
		esac
		eval "test_r_=\${test_prereq_$test_p_-}"
		if test -z "$test_r_"; then
			if test_prereq_check_ "$test_p_" >/dev/null 2>&1; then
				test_r_=yes
			else
				test_r_=no
			fi
			eval "test_prereq_$test_p_=$test_r_"
		fi
		if test "$test_neg_$test_r_" = yes || test "$test_neg_$test_r_" = "!no"; then
			continue
		fi
		test_missing_prereq=$test_neg_$test_p_
		return 1
	done
	return 0
}

test_prereq_check_ () {
	case $1 in
	ROOT) test "$(id -u)" = 0 ;;
	# script(1) from util-linux, to give statusdir a terminal on stdin
	SCRIPT) command -v script && script -qec 'test -t 0' /dev/null </dev/null ;;
	PYTHON3) python3 -c 'import json' ;;
	STRACE) strace -f -o /dev/null true ;;
	# setfattr(1) from attr, to take an extended attribute off a file
	SETFATTR) command -v setfattr ;;
	GNU_TIME) /usr/bin/time -f %M -o /dev/null true ;;
	# libfaketime's faketime(1), to step the clock back for one process
	FAKETIME) test "$(faketime -f -1d date -u +%Y%m%d)" != "$(date -u +%Y%m%d)" ;;
	# env --default-signal: background jobs of a script ignore SIGINT
	DEFAULT_SIGNAL) env --default-signal=INT true ;;
	# a user without privileges who can run the statusdir under test
	NOBODY)
		test "$(id -u)" = 0 && command -v setpriv &&
		test_as_nobody sh -c 'cd "$1" && statusdir --version' sh "$TRASH_DIRECTORY"
		;;
	MOUNT)
		test "$(id -u)" = 0 && command -v unshare &&
		unshare -m sh -c 'mkdir -p "$1/.m" && mount -t tmpfs tmpfs "$1/.m" &&
			umount "$1/.m" && rmdir "$1/.m"' sh "$TRASH_DIRECTORY"
		;;
	*) echo "bug in the test script: unknown prerequisite $1" >&2; return 1 ;;
	esac
}

test_as_nobody () {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}

# ---- Running cases -----------------------------------------------------------

# The body runs in a function, so that it may "return 1" from a loop.
test_run_ () {
	eval "$1"
}

test_expect_success () {
	test_prereq_=
	if test $# = 3; then
		test_prereq_=$1
		shift
	fi
	if test $# != 2; then
		echo "Bail out! bug in the test script: test_expect_success needs 2 or 3 arguments"
		exit 1
	fi
	test_count=$((test_count + 1))
	if test -n "$test_prereq_" && ! test_have_prereq "$test_prereq_"; then
		echo "ok $test_count # skip $1 (missing $test_missing_prereq)"
		return 0
	fi
	test_dir_="$TRASH_DIRECTORY/$test_count"
	test_out_="$TRASH_DIRECTORY/$test_count.out"
	mkdir "$test_dir_" || exit 1
	(
		cd "$test_dir_" || exit 1
		if test -n "$TEST_TRACE"; then
			set -x
		fi
		test_run_ "$2"
	) </dev/null >"$test_out_" 2>&1 4>&1
	test_r_=$?
	if test -f "$test_out_.say"; then
		cat "$test_out_.say"
		rm -f "$test_out_.say"
	fi
	if test "$test_r_" = 0; then
		echo "ok $test_count - $1"
		chmod -R u+rwx "$test_dir_" 2>/dev/null
		rm -rf "$test_dir_" "$test_out_"
	else
		test_failures=$((test_failures + 1))
		echo "not ok $test_count - $1"
		sed -e 's/^/#   /' "$test_out_"
		echo "#   (the case exited with $test_r_; its directory: $test_dir_)"
	fi
}

# test_needs_here MISSING: with MISSING (what the script needs and the
# machine lacks) empty, nothing; else the script ends, skipped, or under
# CI=true failed: CI installs everything a test needs.
test_needs_here () {
	test -z "$1" && return 0
	if test "$CI" = true; then
		test_expect_success "$this_test can run here (CI=true; missing:$1)" 'false'
		test_done
	fi
	skip_all="missing:$1"
	test_done
}

test_done () {
	if test -n "$skip_all" && test "$test_count" = 0; then
		echo "1..0 # SKIP $skip_all"
		rm -rf "$TRASH_DIRECTORY"
		exit 0
	fi
	echo "1..$test_count"
	if test "$test_failures" != 0; then
		# The "not ok" lines are the result; a non-zero exit would make
		# tap-driver.sh count the script once more, as an ERROR.
		echo "# failed $test_failures of $test_count"
		exit 0
	fi
	chmod -R u+rwx "$TRASH_DIRECTORY" 2>/dev/null
	rm -rf "$TRASH_DIRECTORY"
	exit 0
}

# ---- Checks for use inside cases -----------------------------------------------
# Each says what went wrong on fd 4 (the case's log), whatever the case did
# with stdout and stderr around it.

test_fail_ () {
	echo "$*" >&4
	return 1
}

# test_say TEXT: a "#" line in the TAP output (for numbers worth seeing),
# printed when the case ends.
test_say () {
	echo "# $*" >>"$test_out_.say"
}

# traced ARGS...: strace ARGS..., with LeakSanitizer's check off, since it
# cannot run under ptrace (make check-sanitizers); other runs still check.
traced () {
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"
}

# test_expect_code N command...: the command must exit with status N.
test_expect_code () {
	test_want_=$1
	shift
	"$@"
	test_got_=$?
	test "$test_got_" = "$test_want_" ||
		test_fail_ "test_expect_code: exit status $test_got_, wanted $test_want_: $*"
}

# test_cmp expected actual: same text (diff -u on failure).
test_cmp () {
	diff -u "$1" "$2" >&4 || test_fail_ "test_cmp: $1 and $2 differ"
}

# test_cmp_bin expected actual: same bytes.
test_cmp_bin () {
	cmp "$1" "$2" >&4 2>&4 || test_fail_ "test_cmp_bin: $1 and $2 differ"
}

test_must_be_empty () {
	if test -s "$1"; then
		echo "test_must_be_empty: $1 is not empty:" >&4
		sed -e 's/^/| /' "$1" >&4
		return 1
	fi
}

# test_grep [-v] [-E|-F|-x...] PATTERN FILE: like grep -q, with the file
# shown on failure.
test_grep () {
	test_neg_=
	if test "$1" = "-v"; then
		test_neg_=1
		shift
	fi
	eval "test_file_=\${$#}"
	if test -n "$test_neg_"; then
		! grep "$@" >/dev/null && return 0
	else
		grep "$@" >/dev/null && return 0
	fi
	echo "test_grep: ${test_neg_:+unwanted }match failed: grep $*; the file:" >&4
	sed -e 's/^/| /' "$test_file_" >&4
	return 1
}

# test_all_lines_match ERE FILE: every line of FILE matches ERE, whole.
test_all_lines_match () {
	if grep -v -x -E -e "$1" "$2" >/dev/null; then
		echo "test_all_lines_match: lines of $2 do not match $1:" >&4
		grep -v -x -E -e "$1" "$2" | sed -e 's/^/| /' >&4
		return 1
	fi
}

# test_line_count N FILE
test_line_count () {
	test_n_=$(wc -l <"$2")
	test "$test_n_" -eq "$1" ||
		{ sed -e 's/^/| /' -e 40q "$2" >&4; test_fail_ "test_line_count: $2 has $test_n_ lines, wanted $1"; }
}

# test_dir_is_empty DIR
test_dir_is_empty () {
	test_ls_=$(ls -A "$1") || return 1
	test -z "$test_ls_" || test_fail_ "test_dir_is_empty: $1 holds: $test_ls_"
}

# test_wait_for 'condition' [seconds]: polls every 20 ms, 10 s at most.
test_wait_for () {
	test_tries_=$(( ${2:-10} * 50 ))
	while ! eval "$1"; do
		test_tries_=$((test_tries_ - 1))
		test "$test_tries_" -gt 0 || test_fail_ "test_wait_for: timed out: $1" || return 1
		sleep 0.02
	done
}

# test_stderr_ok FILE: FILE (stderr of a failed statusdir) starts with
# "statusdir: ", with the constant program name (never lt-statusdir).
test_stderr_ok () {
	test -s "$1" || test_fail_ "test_stderr_ok: $1 is empty" || return 1
	if ! head -n 1 "$1" | grep "^statusdir: " >/dev/null ||
		grep lt-statusdir "$1" >/dev/null; then
		echo "test_stderr_ok: $1 is not a statusdir message:" >&4
		sed -e 's/^/| /' "$1" >&4
		return 1
	fi
}

# test_each_exits N S CMD...: "statusdir CMD S" exits N for every CMD, with
# nothing on stdout and a statusdir message on stderr.
test_each_exits () {
	te_n_=$1 te_s_=$2
	shift 2
	for te_c_; do
		test_expect_code "$te_n_" statusdir "$te_c_" "$te_s_" >out 2>err &&
		test_must_be_empty out &&
		test_stderr_ok err || { echo "command $te_c_" >&4; return 1; }
	done
}

# test_usage_error CMD FILE: FILE (stderr of a usage error) starts with
# "statusdir: " and ends with the hint line for CMD.
test_usage_error () {
	test_stderr_ok "$2" &&
	test "$(tail -n 1 "$2")" = "Try 'statusdir $1 --help'." ||
		{ sed -e 's/^/| /' "$2" >&4; test_fail_ "test_usage_error: no hint for $1 at the end"; }
}

# ---- Stores ------------------------------------------------------------------

# make_store S N: a new store S holding N versions, version i being the
# line "version i"; their ids go to S.ids, oldest first.
make_store () {
	statusdir init "$1" &&
	: >"$1.ids" &&
	mk_i_=1 &&
	while test "$mk_i_" -le "$2"; do
		echo "version $mk_i_" >"$1.payload" &&
		statusdir put "$1" "$1.payload" >>"$1.ids" || return 1
		mk_i_=$((mk_i_ + 1))
	done
	rm -f "$1.payload" &&
	test_line_count "$2" "$1.ids" &&
	test_all_lines_match "$ID_RE" "$1.ids"
}

# nth_id S I: the id of the Ith version put by make_store (1: oldest).
nth_id () {
	sed -n "$2p" "$1.ids"
}

# newest_id S: the id of the newest version, from log.
newest_id () {
	statusdir log "$1" -n 1 | cut -f 1
}

# id_with_time ID TIME: ID with its time part replaced (19 digits); the
# result is a valid id of the same payload.
id_with_time () {
	echo "$2.${1#*.}"
}

# where_is S ID: prints "cur" or "old".
where_is () {
	if test -f "$1/cur/$2"; then
		echo cur
	elif test -f "$1/old/$2"; then
		echo old
	else
		test_fail_ "where_is: $2 is not in $1"
	fi
}

# now_ns: the time now in nanoseconds since the epoch, 19 digits.
now_ns () {
	date +%s%N
}

# craft_aged S SECONDS: adds to S/old/ a copy of S's newest version whose id
# says it was put SECONDS ago (a valid version); prints its id.
craft_aged () {
	ca_id_=$(newest_id "$1") &&
	ca_t_=$(( $(now_ns) - $2 * 1000000000 )) &&
	ca_new_=$(id_with_time "$ca_id_" "$(printf %019d "$ca_t_")") &&
	cp "$1/cur/$ca_id_" "$1/old/$ca_new_" &&
	echo "$ca_new_"
}

# A put that stays in progress: start_slow_put S [ARG...] starts
# "statusdir put S ARG..." reading from the fifo ./slow, writes a few bytes
# into it through fd 3 and waits until the tmp/ file exists; slow_pid is
# its pid.  The case then kills it, or ends it with finish_slow_put.
start_slow_put () {
	mkfifo slow &&
	{ statusdir put "$@" <slow >slow.out 2>slow.err & } &&
	slow_pid=$! &&
	exec 3>slow &&
	printf 'partial' >&3 &&
	test_wait_for "test -n \"\$(ls -A '$1/tmp')\""
}

finish_slow_put () {
	exec 3>&- &&
	wait "$slow_pid"
}
