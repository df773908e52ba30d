#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='bash completion, typed with Tab in an interactive bash (tmux)'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

# The completion as it is installed (completion/bash/statusdir), found by
# bash-completion's own loader through BASH_COMPLETION_USER_DIR.
bash_completion=/usr/share/bash-completion/bash_completion
completion=$top_builddir/completion/bash/statusdir
missing=
command -v tmux >/dev/null 2>&1 || missing="$missing tmux"
command -v bash >/dev/null 2>&1 || missing="$missing bash"
test -f "$bash_completion" || missing="$missing bash-completion"
test -f "$completion" || missing="$missing $completion"
test_needs_here "$missing"

. "$top_srcdir/tests/cli/tmux.sh"

# start_shell: an interactive bash in a detached tmux session of its own,
# in the case's folder, with bash-completion and nothing else of the
# machine's set-up; "$ " is its prompt.
start_shell () {
	mkdir -p home/completions &&
	cp "$completion" home/completions/statusdir &&
	printf '%s\n' "PS1='\$ '" ". $bash_completion" >home/bashrc &&
	tmux_shell "env -i HOME='$PWD/home' TERM=screen PATH='$PATH' LC_ALL=C \
		BASH_COMPLETION_USER_DIR='$PWD/home' bash --noprofile --rcfile '$PWD/home/bashrc' -i"
}

# completion-cases.sh's parameters
LIST='Tab Tab'
offered_options () {
	bash -c ". \"\$1\"; _statusdir_options \"\$2\"" sh "$top_srcdir/completion/statusdir.bash" "$1" |
		tr " " "\n"
}
# shows_options OPTION...: the options listed, in one row
shows_options () {
	shows "^$(echo "$*" | sed "s/ / +/g")\$"
}

test_expect_success 'a command is completed' '
	start_shell &&
	type_keys "statusdir pu" Tab &&
	shows "^\\\$ statusdir put\$" &&
	type_keys "statusdir ro" Tab &&
	shows "^\\\$ statusdir rollback\$" &&
	type_keys "statusdir " Tab Tab &&
	for c in config diff get help info init log path prune put rollback update upgrade verify watch; do
		shows "(^| )$c( |\$)" || return 1
	done &&
	stop_shell
'

. "$top_srcdir/tests/cli/completion-cases.sh"

test_expect_success 'an option the completion does not know does not hide STORE' '
	make_store S 3 &&
	start_shell &&
	type_keys "statusdir path --no-such-store-here S @" Tab Tab &&
	shows "^@0 +@1 +@2\$" &&
	stop_shell
'

tm kill-server 2>/dev/null
test_done
