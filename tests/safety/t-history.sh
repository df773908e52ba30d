#!/bin/sh
# SPDX-License-Identifier: MIT
# TAP: histories of put, conditional put and get of the newest, recorded
# from several processes on one format-2 store while cleaners prune it
# (tests/safety/history), checked for linearizability against a single
# register with compare-and-set (tests/safety/linearize.py): on this
# folder's filesystem and, as root, on tmpfs; a counter updated by
# conditional puts (no update lost, none applied twice), and a mix of puts
# and conditional puts with processes killed mid-operation.
# HISTORY_OPS (300) makes them longer.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
python=${PYTHON3:-/usr/bin/python3}
history="$top_builddir/tests/safety/history"
checker="$top_srcdir/tests/safety/linearize.py"
ops=${HISTORY_OPS:-300}
if ! "$python" -c 'import sys' 2>/dev/null; then
	[ "${CI:-}" = true ] && { echo "Bail out! $python not found"; exit 1; }
	echo "1..0 # SKIP $python not found"
	exit 0
fi
dir=$(mktemp -d "${TEST_ROOT:-${TMPDIR:-/tmp}}/history.XXXXXX") || exit 1
mounted=
cleanup() {
	[ -n "$mounted" ] && umount "$dir/tmpfs"
	rm -rf "$dir"
}
trap cleanup EXIT
places="$dir/here"
mkdir "$dir/here"
if [ "$(id -u)" = 0 ] && mkdir "$dir/tmpfs" && mount -t tmpfs -o size=256m none "$dir/tmpfs"; then
	mounted=yes
	places="$places $dir/tmpfs"
fi
set -- $places
echo "1..$(( $# * 2 ))"
n=0
# run WHAT CHECKER_OPTIONS HISTORY_ARGS...: records a history, checks it
run() {
	what=$1 opts=$2
	shift 2
	n=$((n + 1))
	rm -rf "$place/store" "$place/h"
	if ! "$history" "$@" "$place/store" "$place/h" >"$dir/out" 2>&1; then
		sed 's/^/# /' "$dir/out" | head -5
		echo "not ok $n - $what: the history could not be recorded"
		return
	fi
	# shellcheck disable=SC2086
	"$python" "$checker" $opts "$place/h" >"$dir/out" 2>&1
	rc=$?
	sed 's/^/# /' "$dir/out" | head -5
	if [ $rc -eq 0 ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
	fi
}
for place in $places; do
	fs=$(stat -f -c %T "$place")
	run "$fs: a counter by conditional puts, 4 processes, keep 5 and a cleaner: linearizable, no update lost or twice" \
		--counter -p 4 -n "$ops" -k 5 -c 1 --counter
	run "$fs: puts, conditional puts and gets, 6 processes, 2 killed, keep 5 and a cleaner: linearizable" \
		"" -p 6 -n "$ops" -k 5 -c 1 --kill 2
done
