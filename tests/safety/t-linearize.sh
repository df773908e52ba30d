#!/bin/sh
# SPDX-License-Identifier: MIT
# TAP: tests/safety/linearize.py on the hand-written histories in
# tests/safety/histories/.  Each history says what the checker must do in
# its header:
#     # options: --counter              (optional)
#     # expect: 0                        linearizable
#     # expect: 1 MESSAGE                not: the first violation contains MESSAGE
#     # expect: 2 MESSAGE                bad input: the error contains MESSAGE
# valid-* histories must pass, invalid-* fail with the rule they break,
# bad-* be refused.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
python=${PYTHON3:-/usr/bin/python3}
checker="$top_srcdir/tests/safety/linearize.py"
if ! "$python" -c 'import sys' 2>/dev/null; then
	echo "1..0 # SKIP $python not found"
	exit 0
fi
set -- "$top_srcdir"/tests/safety/histories/*.txt
echo "1..$#"
n=0
for h in "$@"; do
	n=$((n + 1))
	name=${h##*/}
	opts=$(sed -n 's/^# options: //p' "$h")
	expect=$(sed -n 's/^# expect: //p' "$h")
	want_rc=${expect%% *}
	want_msg=
	[ "$want_rc" = "$expect" ] || want_msg=${expect#* }
	# shellcheck disable=SC2086
	out=$("$python" "$checker" $opts "$h" 2>&1)
	rc=$?
	if [ -z "$expect" ]; then
		echo "not ok $n - $name: no '# expect:' line"
	elif [ "$rc" != "$want_rc" ]; then
		echo "not ok $n - $name: exit $rc, not $want_rc"
		printf '%s\n' "$out" | sed 's/^/# /'
	elif [ -n "$want_msg" ] && ! printf '%s\n' "$out" | head -n 1 | grep -qF -- "$want_msg"; then
		echo "not ok $n - $name: the first line does not say: $want_msg"
		printf '%s\n' "$out" | sed 's/^/# /'
	else
		echo "ok $n - $name: exit $rc${want_msg:+: $want_msg}"
	fi
done
