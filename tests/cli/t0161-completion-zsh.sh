#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='zsh completion, typed with Tab in an interactive zsh (tmux)'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# The completion file as it is installed, found by compinit in $fpath.
completion=$top_srcdir/completion/_statusdir
missing=
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v zsh >/dev/null 2>&1 || missing="$missing zsh"
test_needs_here "$missing"

. "$top_srcdir/tests/cli/tmux.sh"

# start_shell: an interactive zsh in a detached tmux session of its own, in
# the case's folder, with compinit and nothing else of the machine's
# set-up (ZDOTDIR: no start-up files but ours); "$ " is its prompt.
start_shell () {
	mkdir -p home/functions &&
	cp "$completion" home/functions/_statusdir &&
	printf '%s\n' "fpath=('$PWD/home/functions' \$fpath)" \
		"autoload -Uz compinit && compinit -u -d '$PWD/home/zcompdump'" "PS1='\$ '" >home/.zshrc &&
	tmux_shell "env -i HOME='$PWD/home' ZDOTDIR='$PWD/home' TERM=screen PATH='$PATH' LC_ALL=C zsh -i"
}

# completion-cases.sh's parameters
LIST=Tab
offered_options () {
	zsh -fc "source \"\$1\" && _statusdir_specs \"\$2\" && print -rl -- \${\${specs##\\(*\\)}%%\\[*}" \
		sh "$completion" "$1"
}
# shows_options OPTION...: the options listed, each with what it does
shows_options () {
	for o in "$@"; do
		shows "^$o +-- " || return 1
	done
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

. "$top_srcdir/tests/cli/completion-cases.sh"

tm kill-server 2>/dev/null
test_done
