#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='compare-and-set from the shell: put --if-newest and update, in format-2 stores'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

N1=00000000000000000001
N2=00000000000000000002
N3=00000000000000000003

test_expect_success 'put --if-newest commits on the newest, and only there (exit 6)' '
	statusdir init S --format 2 &&
	echo a | statusdir put S --if-newest none >id1 &&
	echo $N1 >expect && test_cmp expect id1 &&
	echo b | statusdir put S --if-newest $N1 >id2 &&
	echo $N2 >expect && test_cmp expect id2 &&
	echo c | test_expect_code 6 statusdir put S --if-newest $N1 >out 2>err &&
	test_must_be_empty out &&
	echo "statusdir: S: conflict: the newest version is $N2, not $N1; nothing committed" >expect &&
	test_cmp expect err &&
	echo c | test_expect_code 6 statusdir put S --if-newest none 2>err &&
	test_grep "the newest version is $N2, not none" err &&
	test_dir_is_empty S/tmp &&
	echo b >expect && statusdir get S >out && test_cmp expect out
'

test_expect_success 'put --if-newest refuses @N and what is not an id (exit 2), and format 1 (exit 4)' '
	statusdir init S --format 2 &&
	echo a | statusdir put S >/dev/null &&
	echo x | test_expect_code 2 statusdir put S --if-newest @0 2>err &&
	test_grep "needs an ID, not .@0.: a reference names whatever is newest" err &&
	echo x | test_expect_code 2 statusdir put S --if-newest 1 2>err &&
	test_grep "is not a version ID" err &&
	statusdir init F &&
	echo x | test_expect_code 4 statusdir put F --if-newest none 2>err &&
	test_grep "needs a format-2 store" err &&
	test_dir_is_empty F/cur
'

test_expect_success 'update: CMD reads the newest and STATUSDIR_ID; its output is the new version' '
	statusdir init S --format 2 &&
	statusdir update S --run sh -c "echo \"[\$STATUSDIR_ID]\"; cat; echo one" >id1 &&
	echo $N1 >expect && test_cmp expect id1 &&
	printf "[]\none\n" >expect && statusdir get S >out && test_cmp expect out &&
	statusdir update S --run sh -c "echo \"[\$STATUSDIR_ID]\"; cat" >id2 &&
	printf "[$N1]\n[]\none\n" >expect && statusdir get S >out && test_cmp expect out
'

# updater P N: N updates of the counter in S, each logging "ID VALUE" of
# the run that committed (the last run: its base is ID - 1) to log.P, or
# "FAILED" with the exit status.
updater () {
	i=0
	while [ $i -lt "$2" ]; do
		if id=$(statusdir update S --retries 1000 --run sh -c 'read n; v=$((${n:-0} + 1)); echo "$STATUSDIR_ID $v" >>runs.'"$1"'; echo $v'); then
			echo "$id $(tail -n 1 runs.$1 | cut -d" " -f2)" >>log.$1
		else
			echo "FAILED $?" >>log.$1
		fi
		i=$((i + 1))
	done
}

test_expect_success 'update: a counter from 4 processes, with retention and a cleaner: no update lost, none twice' '
	statusdir init S --format 2 --keep 5 &&
	: >stop &&
	{ ( while [ -e stop ]; do statusdir prune S --keep 3 >/dev/null || echo prune failed >>cleaner; done ) & } &&
	for p in 1 2 3 4; do updater $p 15 & done &&
	wait_for_updaters () { while [ "$(cat log.1 log.2 log.3 log.4 2>/dev/null | wc -l)" -lt 60 ]; do sleep 0.1; done; } &&
	wait_for_updaters && rm stop && wait &&
	! test -e cleaner &&
	! grep -h FAILED log.1 log.2 log.3 log.4 &&
	echo 60 >expect && statusdir get S >out && test_cmp expect out &&
	cat log.1 log.2 log.3 log.4 | sort >all &&
	test "$(wc -l <all)" -eq 60 &&
	# each committed update wrote the value of its number: numbers are
	# dense, so version N of a counter from an empty store holds N
	awk "{ if (\$1 + 0 != \$2 + 0) { print \"version \" \$1 \" holds \" \$2; bad = 1 } } END { exit bad }" all &&
	cut -d" " -f2 all | sort -n | uniq -d >twice && test_must_be_empty twice &&
	test "$(tail -n 1 all | cut -d" " -f1)" = 00000000000000000060 &&
	test "$(statusdir log S --format %i | wc -l)" -le 10
'

test_expect_success 'update: a CMD that fails is not run again; nothing committed (exit 4)' '
	statusdir init S --format 2 &&
	echo a | statusdir put S >id &&
	test_expect_code 4 statusdir update S --run sh -c "echo ran >>runs; exit 3" >out 2>err &&
	test_must_be_empty out &&
	test_grep "update --run: sh exited with status 3; nothing committed" err &&
	test "$(wc -l <runs)" -eq 1 &&
	test "$(newest_id S)" = "$(cat id)" && test_dir_is_empty S/tmp
'

test_expect_success 'update: when others always commit first, CMD runs 1 + --retries times, then exit 6' '
	statusdir init S --format 2 &&
	echo a | statusdir put S >/dev/null &&
	test_expect_code 6 statusdir update S --retries 2 --run sh -c "echo x | statusdir put S >/dev/null; echo ran >>runs; cat" >out 2>err &&
	test_must_be_empty out &&
	test "$(wc -l <runs)" -eq 3 &&
	test_grep "conflict: other writers kept committing first (3 attempts); the newest is 00000000000000000004; nothing committed" err &&
	test_dir_is_empty S/tmp
'

test_expect_success 'update: --timeout ends the retries' '
	statusdir init S --format 2 &&
	test_expect_code 6 statusdir update S --timeout 300ms --retries 100000 --run sh -c "echo x | statusdir put S >/dev/null; sleep 0.05; cat" 2>err &&
	test_grep "timeout passed" err &&
	test "$(statusdir log S --format %i | wc -l)" -lt 50
'

test_expect_success 'update: a damaged newest is not healed over (exit 3); --if-changed and --no-empty compose' '
	statusdir init S --format 2 &&
	echo a | statusdir put S >/dev/null &&
	test_expect_code 0 statusdir update S --if-changed --run cat >id 2>err &&
	echo $N1 >expect && test_cmp expect id &&
	test_grep "unchanged" err &&
	test_expect_code 4 statusdir update S --no-empty --run true 2>err &&
	test_grep "empty payload" err &&
	echo damage >>S/cur/$N1 &&
	test_expect_code 3 statusdir update S --run cat 2>err &&
	test_grep "newest version is damaged" err &&
	test "$(ls S/cur | wc -l)" -eq 1
'

test_expect_success 'update needs --run, and a format-2 store' '
	statusdir init S --format 2 &&
	test_expect_code 2 statusdir update S 2>err &&
	test_grep "run CMD is needed" err &&
	statusdir init F &&
	test_expect_code 4 statusdir update F --run cat 2>err &&
	test_grep "needs a format-2 store" err
'

test_expect_success 'the README examples: a JSON document merged with jq, a leader record' '
	command -v jq >/dev/null || { test "${CI:-}" != true && echo "# jq missing: skipped" && return 0; } &&
	statusdir init J --format 2 &&
	echo "{\"cpu\":\"ok\"}" | statusdir put J >/dev/null &&
	statusdir update J --run jq -c ". + {\"disk\": \"ok\"}" >/dev/null &&
	echo "{\"cpu\":\"ok\",\"disk\":\"ok\"}" >expect && statusdir get J >out && test_cmp expect out &&
	statusdir init L --format 2 &&
	cat >leader <<-\EOF &&
	read who until; now=$(date +%s)
	if [ -z "$who" ] || [ "$who" = "$(hostname)" ] || [ "$until" -lt "$now" ]
	then echo "$(hostname) $((now + 30))"; else exit 1; fi
	EOF
	statusdir update L --run sh leader >/dev/null &&
	statusdir get L >out && test "$(cut -d" " -f1 out)" = "$(hostname)" &&
	echo "other-host $(($(date +%s) + 30))" | statusdir put L >/dev/null &&
	test_expect_code 4 statusdir update L --run sh leader 2>err &&
	test_grep "exited with status 1; nothing committed" err &&
	echo "other-host $(($(date +%s) - 1))" | statusdir put L >/dev/null &&
	statusdir update L --run sh leader >/dev/null &&
	statusdir get L >out && test "$(cut -d" " -f1 out)" = "$(hostname)"
'

test_done
