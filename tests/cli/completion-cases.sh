# SPDX-License-Identifier: MIT
# completion-cases.sh - the cases that the bash and the zsh completion
# (t0160, t0161) must both pass, sourced by each after tmux.sh.  The test
# defines start_shell, LIST (the keys that list the matches: Tab Tab in
# bash, Tab in zsh), shows_options OPTION... (the pane lists those), and
# offered_options COMMAND (the options its completion offers for COMMAND,
# one a line).

test_expect_success 'each command completes its own options' '
	statusdir init S &&
	start_shell &&
	type_keys "statusdir put S --if-c" Tab &&
	shows "^\\\$ statusdir put S --if-changed\$" &&
	type_keys "statusdir update S --ret" Tab &&
	shows "^\\\$ statusdir update S --retries\$" &&
	type_keys "statusdir init S --format " $LIST &&
	shows "^1 +2\$" &&
	type_keys "statusdir log S --fo" Tab &&
	shows "^\\\$ statusdir log S --format\$" &&
	type_keys "statusdir get S --" $LIST &&
	shows_options --help --id-file --id-to-stderr --no-verify --strict &&
	shows_not "if-changed" &&
	type_keys "statusdir --v" Tab &&
	shows "^\\\$ statusdir --version\$" &&
	stop_shell
'

test_expect_success 'STORE is completed with folders only' '
	mkdir store1 && : >store1.txt &&
	start_shell &&
	type_keys "statusdir info sto" Tab &&
	shows "^\\\$ statusdir info store1/\$" &&
	stop_shell
'

test_expect_success 'version ids and @N come from the store named before them' '
	make_store S 3 &&
	oldest=$(nth_id S 1) &&
	start_shell &&
	type_keys "statusdir get S @" $LIST &&
	shows "^@0 +@1 +@2\$" &&
	shows_not "@3" &&
	type_keys "statusdir rollback S ${oldest%?????}" Tab &&
	shows "^\\\$ statusdir rollback S $oldest\$" &&
	type_keys "statusdir diff S @2 @" $LIST &&
	shows "^@0 +@1 +@2\$" &&
	type_keys "statusdir watch S --after ${oldest%?????}" Tab &&
	shows "^\\\$ statusdir watch S --after $oldest\$" &&
	type_keys "statusdir get --strict S @" $LIST &&
	shows "^@0 +@1 +@2\$" &&
	stop_shell
'

test_expect_success 'put --if-newest offers ids and none, never @N' '
	statusdir init S2 --format 2 &&
	echo a | statusdir put S2 >/dev/null && echo b | statusdir put S2 >/dev/null &&
	start_shell &&
	type_keys "statusdir put S2 --if-newest " $LIST &&
	shows "^00000000000000000001 +00000000000000000002 +none\$" &&
	shows_not "@0" &&
	stop_shell
'

# Every option a command's usage names is one the completion offers, and
# no other: the two lists cannot drift apart.
test_expect_success 'the options offered are those of each command'"'"'s usage' '
	for c in init config put update get log prune verify info watch upgrade path rollback diff; do
		statusdir help $c 2>&1 | sed "/^\$/q" | grep -o -- "[][ |]-[-a-z]*" | cut -c2- | grep -v -- "^-\$" |
			grep -v -- "^--\$" | sort -u >usage.$c &&
		offered_options $c | grep . | sort -u >offered.$c &&
		test_cmp usage.$c offered.$c || return 1
	done
'

test_expect_success 'no version is offered for a folder that is not a store' '
	mkdir D &&
	start_shell &&
	type_keys "statusdir get D @" $LIST &&
	sleep 0.5 &&
	shows "^\\\$ statusdir get D @\$" &&
	shows_not "@0" &&
	stop_shell
'

test_expect_success 'put --run and update --run complete the command they run' '
	statusdir init S &&
	start_shell &&
	type_keys "statusdir put S --run printen" Tab &&
	shows "^\\\$ statusdir put S --run printenv\$" &&
	type_keys "statusdir update S --no-sync --run printen" Tab &&
	shows "^\\\$ statusdir update S --no-sync --run printenv\$" &&
	type_keys "statusdir put S --run printenv --if-" Tab &&
	sleep 0.5 &&
	shows_not "if-changed" &&
	stop_shell
'
