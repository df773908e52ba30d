#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='zsh completion, typed with Tab in an interactive zsh (tmux)'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# The completion file as it is installed, found by compinit in $fpath.
completion=$top_srcdir/completion/_statusdir
missing=
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v zsh >/dev/null 2>&1 || missing="$missing zsh"
if test -n "$missing"; then
	if test "$CI" = true; then
		test_expect_success "zsh completion can be tested here (CI=true; missing:$missing)" 'false'
		test_done
	fi
	skip_all="missing:$missing"
	test_done
fi

TMUX_SOCKET=$TRASH_DIRECTORY/tmux.socket
unset TMUX
tm () {
	tmux -S "$TMUX_SOCKET" "$@"
}

# start_shell: an interactive zsh in a detached tmux session of its own, in
# the case's folder, with compinit and nothing else of the machine's
# set-up (-f: no start-up files but ours); "$ " is its prompt.
start_shell () {
	mkdir -p home/functions &&
	cp "$completion" home/functions/_statusdir &&
	printf '%s\n' "fpath=('$PWD/home/functions' \$fpath)" \
		"autoload -Uz compinit && compinit -u -d '$PWD/home/zcompdump'" "PS1='\$ '" >home/.zshrc &&
	session=case$test_count &&
	tm -f /dev/null new-session -d -s "$session" -x 150 -y 40 \
		"env -i HOME='$PWD/home' ZDOTDIR='$PWD/home' TERM=screen PATH='$PATH' LC_ALL=C zsh -i" &&
	test_wait_for "screen_is '\$'"
}

stop_shell () {
	tm kill-session -t "$session"
}

screen () {
	tm capture-pane -p -t "$session" | sed '/^$/d'
}

# screen_is TEXT: the pane shows TEXT alone.
screen_is () {
	test "$(screen)" = "$1"
}

# type_keys TEXT KEY...: a fresh line on a cleared screen, TEXT typed on
# it, then the tmux KEYs (Tab).
type_keys () {
	tm send-keys -t "$session" C-u C-l &&
	test_wait_for "screen_is '\$'" &&
	tm send-keys -t "$session" -l "$1" &&
	shift &&
	tm send-keys -t "$session" "$@"
}

# shows ERE: some line of the pane matches ERE, within 5 seconds.
shows () {
	test_wait_for "screen | grep -E -e '$1' >/dev/null" 5 ||
		{ screen | sed 's/^/| /' >&4; return 1; }
}

# shows_not ERE: no line of the pane matches ERE (after shows has waited).
shows_not () {
	if screen | grep -E -e "$1" >/dev/null; then
		screen | sed 's/^/| /' >&4
		test_fail_ "the pane shows $1"
	fi
}

test_expect_success 'a command is completed, and listed with what it does' '
	start_shell &&
	type_keys "statusdir pu" Tab &&
	shows "^\\\$ statusdir put\$" &&
	type_keys "statusdir ro" Tab &&
	shows "^\\\$ statusdir rollback\$" &&
	type_keys "statusdir " Tab &&
	for c in config diff get help info init log path prune put rollback update upgrade verify watch; do
		shows "^$c +-- " || return 1
	done &&
	shows "^update +-- read-modify-write" &&
	type_keys "statusdir help upg" Tab &&
	shows "^\\\$ statusdir help upgrade\$" &&
	stop_shell
'

test_expect_success 'each command completes its own options' '
	statusdir init S &&
	start_shell &&
	type_keys "statusdir put S --if-c" Tab &&
	shows "^\\\$ statusdir put S --if-changed\$" &&
	type_keys "statusdir update S --ret" Tab &&
	shows "^\\\$ statusdir update S --retries\$" &&
	type_keys "statusdir init S --format " Tab &&
	shows "^1 +2\$" &&
	type_keys "statusdir log S --fo" Tab &&
	shows "^\\\$ statusdir log S --format\$" &&
	type_keys "statusdir get S --" Tab &&
	for o in help id-file id-to-stderr no-verify strict; do
		shows "^--$o +-- " || return 1
	done &&
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
	type_keys "statusdir get S @" Tab &&
	shows "^@0 +@1 +@2\$" &&
	shows_not "@3" &&
	type_keys "statusdir rollback S ${oldest%?????}" Tab &&
	shows "^\\\$ statusdir rollback S $oldest\$" &&
	type_keys "statusdir diff S @2 @" Tab &&
	shows "^@0 +@1 +@2\$" &&
	type_keys "statusdir watch S --after ${oldest%?????}" Tab &&
	shows "^\\\$ statusdir watch S --after $oldest\$" &&
	type_keys "statusdir get --strict S @" Tab &&
	shows "^@0 +@1 +@2\$" &&
	stop_shell
'

test_expect_success 'put --if-newest offers ids and none, never @N' '
	statusdir init S2 --format 2 &&
	echo a | statusdir put S2 >/dev/null && echo b | statusdir put S2 >/dev/null &&
	start_shell &&
	type_keys "statusdir put S2 --if-newest " Tab &&
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
		zsh -fc "source \"\$1\" && _statusdir_specs \"\$2\" && print -rl -- \${\${specs##\\(*\\)}%%\\[*}" \
			sh "$completion" $c | grep . | sort -u >offered.$c &&
		test_cmp usage.$c offered.$c || return 1
	done
'

test_expect_success 'no version is offered for a folder that is not a store' '
	mkdir D &&
	start_shell &&
	type_keys "statusdir get D @" Tab &&
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

tm kill-server 2>/dev/null
test_done
