#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='exit codes, usage errors, --help, --version, --, messages'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

commands='init config put get log prune verify path info'

test_expect_success '--version and -V print "statusdir 0.1.0" and the licence' '
	for opt in --version -V; do
		statusdir $opt >out 2>err &&
		test_must_be_empty err &&
		echo "statusdir 0.1.0" >expect &&
		head -n 1 out >first &&
		test_cmp expect first &&
		test_grep "Copyright (c) 2026 the statusdir authors" out &&
		test_grep "MIT License" out || return 1
	done
'

test_expect_success '--help prints usage on stdout, naming every command' '
	statusdir --help >out 2>err &&
	test_must_be_empty err &&
	test -s out &&
	for c in $commands; do
		test_grep -w "$c" out || return 1
	done
'

test_expect_success 'help is --help; help COMMAND is COMMAND --help and -h' '
	statusdir --help >expect &&
	statusdir help >out 2>err &&
	test_must_be_empty err &&
	test_cmp expect out &&
	for c in $commands watch rollback diff help; do
		statusdir $c --help >expect &&
		statusdir help $c >out &&
		test_cmp expect out &&
		statusdir $c -h >out &&
		test_cmp expect out || { echo "command $c" >&4; return 1; }
	done &&
	test_expect_code 2 statusdir help no-such-command >out 2>err &&
	test_must_be_empty out &&
	test_usage_error help err &&
	test_expect_code 2 statusdir help put get 2>err &&
	test_usage_error help err
'

test_expect_success 'the demo keeps its store in a temporary folder and says where' '
	mkdir tmp here &&
	(cd here && STATUSDIR="$SD" TMPDIR="$OLDPWD/tmp" sh "$top_srcdir/examples/demo.sh") >out 2>err &&
	test_must_be_empty err &&
	test_dir_is_empty here &&
	store=$(sed -n "s/^--- the demo store is \([^ ]*\) (remove it with: rm -r .*)$/\1/p" out) &&
	case $store in "$PWD"/tmp/statusdir-demo.*/store) ;; *) false ;; esac &&
	test_grep -x "3 versions, 0 damaged, 0 junk, 0 stale tmp files" out &&
	"$SD" log "$store" >log &&
	test_line_count 3 log
'

test_expect_success 'COMMAND --help prints its usage on stdout, exit 0' '
	for c in $commands; do
		statusdir $c --help >out 2>err &&
		test_must_be_empty err &&
		test_grep -w "$c" out || { echo "command $c" >&4; return 1; }
	done
'

test_expect_success 'no command prints the short usage on stderr and exits 2' '
	test_expect_code 2 statusdir >out 2>err &&
	test_must_be_empty out &&
	test_grep "^usage: statusdir COMMAND" err &&
	for c in $commands watch rollback diff help; do
		test_grep -w "$c" err || return 1
	done
'

test_expect_success 'no command: the hint points to statusdir help' '
	test_expect_code 2 statusdir 2>err &&
	test_grep "'"'"'statusdir help COMMAND'"'"'" err
'

test_expect_success 'every command whose stdout fails exits 4 with a message' '
	make_store S 3 &&
	for args in "log S" "log S --json" "get S" "path S" "config S" "verify S" \
		"info S" "info S --json" \
		"prune S --keep 1 --dry-run" "log S -n 1"; do
		test_expect_code 4 statusdir $args >/dev/full 2>err &&
		test_stderr_ok err || { echo "args: $args" >&4; return 1; }
	done &&
	statusdir log S >log && test_line_count 3 log &&
	test_expect_code 4 statusdir prune S --keep 1 -v >/dev/full 2>err &&
	test_stderr_ok err
'

test_expect_success '--help and --version with stdout failing: exit 4 with a message' '
	test_expect_code 4 statusdir --help >/dev/full 2>err &&
	test_stderr_ok err &&
	test_expect_code 4 statusdir --version >/dev/full 2>err &&
	test_stderr_ok err &&
	test_expect_code 4 statusdir get --help >/dev/full 2>err &&
	test_stderr_ok err
'

test_expect_success 'an unknown option before the command is called an option' '
	test_expect_code 2 statusdir --frob S >out 2>err &&
	test_must_be_empty out &&
	test_grep -x "statusdir: unknown option '"'"'--frob'"'"'" err &&
	test_expect_code 2 statusdir frob S 2>err &&
	test_grep -x "statusdir: unknown command '"'"'frob'"'"'" err
'

test_expect_success 'an unknown command is a usage error' '
	test_expect_code 2 statusdir frobnicate S >out 2>err &&
	test_must_be_empty out &&
	test_stderr_ok err &&
	test_expect_code 2 statusdir --frobnicate 2>err &&
	test_stderr_ok err
'

test_expect_success 'an unknown option of each command: exit 2, message and hint' '
	statusdir init S &&
	for c in $commands; do
		test_expect_code 2 statusdir $c S --bogus >out 2>err &&
		test_must_be_empty out &&
		test_usage_error $c err &&
		test_expect_code 2 statusdir $c S -Z 2>err &&
		test_usage_error $c err || { echo "command $c" >&4; return 1; }
	done
'

test_expect_success 'a usage error is two lines: "statusdir: message" and the hint' '
	statusdir init S &&
	test_expect_code 2 statusdir log S --bogus 2>err &&
	test_line_count 2 err &&
	test_grep -x -E "statusdir: .+" err &&
	test_expect_code 2 statusdir prune S --keep 0 2>err &&
	test_line_count 2 err &&
	test_expect_code 2 statusdir get S 2>err extra-1 extra-2 &&
	test_line_count 2 err
'

test_expect_success 'a missing STORE is a usage error for every command' '
	for c in $commands; do
		test_expect_code 2 statusdir $c >out 2>err &&
		test_must_be_empty out &&
		test_usage_error $c err || { echo "command $c" >&4; return 1; }
	done
'

test_expect_success 'a missing option argument is a usage error' '
	statusdir init S &&
	test_expect_code 2 statusdir log S -n 2>err && test_usage_error log err &&
	test_expect_code 2 statusdir prune S --keep 2>err && test_usage_error prune err &&
	test_expect_code 2 statusdir prune S --max-age 2>err && test_usage_error prune err &&
	test_expect_code 2 statusdir prune S --tmp-age 2>err && test_usage_error prune err &&
	test_expect_code 2 statusdir init T --mode 2>err && test_usage_error init err &&
	test_expect_code 2 statusdir init T --group 2>err && test_usage_error init err &&
	test_expect_code 2 statusdir config S --mode 2>err && test_usage_error config err &&
	test_expect_code 2 statusdir put S --run 2>err && test_usage_error put err &&
	! test -e T
'

test_expect_success 'too many arguments are a usage error' '
	make_store S 1 &&
	id=$(nth_id S 1) &&
	echo x >f &&
	test_expect_code 2 statusdir get S "$id" extra 2>err && test_usage_error get err &&
	test_expect_code 2 statusdir path S "$id" extra 2>err && test_usage_error path err &&
	test_expect_code 2 statusdir put S f f 2>err && test_usage_error put err &&
	test_expect_code 2 statusdir log S extra 2>err && test_usage_error log err &&
	test_expect_code 2 statusdir verify S extra 2>err && test_usage_error verify err &&
	test_expect_code 2 statusdir prune S extra 2>err && test_usage_error prune err &&
	test_expect_code 2 statusdir config S extra 2>err && test_usage_error config err &&
	test_expect_code 2 statusdir init S extra 2>err && test_usage_error init err &&
	statusdir log S >log && test_line_count 1 log
'

test_expect_success 'options may come before or after STORE' '
	make_store S 3 &&
	statusdir log -n 1 S >a &&
	statusdir log S -n 1 >b &&
	test_cmp a b &&
	test_line_count 1 a &&
	statusdir log --json S -n 2 >c &&
	test_line_count 2 c &&
	statusdir prune --keep 2 S &&
	statusdir log S >log && test_line_count 2 log
'

test_expect_success '-- ends options: a store named -x, with every command' '
	echo data >f &&
	statusdir init -- -x &&
	test -d ./-x/cur &&
	statusdir config -- -x >out && test_grep "^format 1$" out &&
	id=$(statusdir put -- -x f) &&
	statusdir put -- -x <f >/dev/null &&
	statusdir get -- -x >out && test_cmp f out &&
	statusdir get -- -x "$id" >out && test_cmp f out &&
	statusdir log -- -x >out && test_line_count 2 out &&
	statusdir log -n 1 -- -x >out && test_line_count 1 out &&
	statusdir path -- -x "$id" >out &&
	echo "-x/cur/$id" >expect && test_cmp expect out &&
	statusdir verify -- -x >/dev/null &&
	statusdir prune --keep 1 -- -x &&
	statusdir log -- -x >out && test_line_count 1 out
'

test_expect_success 'without --, -x is an option (a usage error), not a store' '
	statusdir init -- -x &&
	for c in $commands; do
		test_expect_code 2 statusdir $c -x >out 2>err &&
		test_usage_error $c err || { echo "command $c" >&4; return 1; }
	done
'

test_expect_success '-- ends options: a FILE named -f, and -- before the FILE' '
	statusdir init S &&
	echo dash-f >-f &&
	statusdir put S -- -f >id &&
	statusdir get S >out && test_cmp ./-f out &&
	statusdir put -- S -f >id &&
	statusdir get S >out && test_cmp ./-f out &&
	test_expect_code 2 statusdir put S -f 2>err &&
	test_usage_error put err
'

test_expect_success 'after --, words that look like options are arguments' '
	make_store S 2 &&
	test_expect_code 2 statusdir log -- S -n 1 2>err &&
	test_usage_error log err &&
	test_expect_code 2 statusdir get -- S --help >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'the exit code table: 0 1 2 3 4 5' '
	statusdir init S &&
	test_expect_code 1 statusdir get S &&
	echo ok >f &&
	test_expect_code 0 statusdir put S f >/dev/null &&
	test_expect_code 0 statusdir get S >/dev/null &&
	test_expect_code 2 statusdir get S not-an-id 2>/dev/null &&
	test_expect_code 4 statusdir get missing 2>/dev/null &&
	test_expect_code 5 statusdir put S f >/dev/full 2>/dev/null &&
	id=$(newest_id S) &&
	echo ko >"S/cur/$id" &&
	test_expect_code 3 statusdir verify S >/dev/null
'

test_expect_success 'errors read "statusdir: STORE: what failed: why"' '
	test_expect_code 4 statusdir get missing >out 2>err &&
	test_must_be_empty out &&
	test_line_count 1 err &&
	test_grep -E -x "statusdir: missing: .+: No such file or directory" err &&
	echo x >file &&
	test_expect_code 4 statusdir log file 2>err &&
	test_line_count 1 err &&
	test_grep -E -x "statusdir: file: .+: .+" err
'

test_expect_success 'the program name is always statusdir (never lt-statusdir)' '
	statusdir init S &&
	for c in $commands; do
		statusdir $c missing/store >/dev/null 2>>err
		statusdir $c S --bogus >/dev/null 2>>err
		statusdir $c S not-an-id x >/dev/null 2>>err
	done
	test_stderr_ok err &&
	test_grep -v "lt-" err &&
	statusdir --help >out && test_grep -v "lt-statusdir" out &&
	statusdir --version >out && test_grep -v "lt-statusdir" out
'

test_expect_success 'a missing store exits 4 for every command but init' '
	echo x >f &&
	for c in config get log prune verify path info; do
		test_expect_code 4 statusdir $c S >out 2>err &&
		test_must_be_empty out &&
		test_stderr_ok err &&
		test_grep "^statusdir: S: " err || { echo "command $c" >&4; return 1; }
	done &&
	test_expect_code 4 statusdir put S f >out 2>err &&
	test_must_be_empty out &&
	test_grep "^statusdir: S: " err &&
	! test -e S
'

test_expect_success 'a store that is a file exits 4 for every command' '
	echo "not a store" >S &&
	echo x >f &&
	test_each_exits 4 S init config get log prune verify path info &&
	test_expect_code 4 statusdir put S f >out 2>err &&
	test_must_be_empty out &&
	echo "not a store" >expect && test_cmp expect S
'

test_expect_success 'a directory that is not a store exits 4 and stays as it is' '
	mkdir S &&
	echo x >f &&
	test_each_exits 4 S config get log prune verify path info &&
	test_expect_code 4 statusdir put S f >out 2>err &&
	test_dir_is_empty S
'

test_done
