# SPDX-License-Identifier: MIT
# tmux.sh - an interactive shell in tmux for the completion tests (t0160
# bash, t0161 zsh), sourced after lib.sh: keys typed into it, its screen
# read back.  The test's start_shell prepares the shell's files and calls
# tmux_shell with the command that runs it; "$ " must be its prompt.

TMUX_SOCKET=$TRASH_DIRECTORY/tmux.socket
unset TMUX
tm () {
	tmux -S "$TMUX_SOCKET" "$@"
}

# tmux_shell CMD: CMD in a detached tmux session of the case's own, 150x40;
# returns once its prompt shows.
tmux_shell () {
	session=case$test_count &&
	tm -f /dev/null new-session -d -s "$session" -x 150 -y 40 "$1" &&
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
