#!/bin/sh
# SPDX-License-Identifier: MIT
# TAP: the torture run and the crash rounds, short forms (make check).
# TORTURE_SECONDS and CRASH_ROUNDS make them longer (make check-long).
torture="$top_builddir/tests/safety/torture"
dir=$(mktemp -d "${TEST_ROOT:-${TMPDIR:-/tmp}}/torture.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT
echo "1..4"
out=$("$torture" -w 4 -r 3 -c 2 -k 10 -d "${TORTURE_SECONDS:-3}" "$dir/store" 2>&1)
status=$?
printf '%s\n' "$out" | sed -n 's/^#/#/p' | head -20
[ $status -eq 0 ] && echo "ok 1 - torture: 4 writers, 3 readers, 2 cleaners" ||
	echo "not ok 1 - torture: 4 writers, 3 readers, 2 cleaners"
out=$("$torture" --crash "${CRASH_ROUNDS:-15}" -w 4 -c 2 -k 10 "$dir/crash" 2>&1)
status=$?
printf '%s\n' "$out" | sed -n 's/^#/#/p' | head -20
[ $status -eq 0 ] && echo "ok 2 - crash: writers and cleaners killed with SIGKILL" ||
	echo "not ok 2 - crash: writers and cleaners killed with SIGKILL"
# Format 2: the same, and the watcher's check is exact (torture.c, -2):
# every number it passes is handed out or was freed.
out=$("$torture" -2 -w 4 -r 3 -c 2 -k 10 -d "${TORTURE_SECONDS:-3}" "$dir/store2" 2>&1)
status=$?
printf '%s\n' "$out" | sed -n 's/^#/#/p' | head -20
[ $status -eq 0 ] && echo "ok 3 - format 2 torture: 4 writers, 3 readers, 2 cleaners, a watcher that misses nothing" ||
	echo "not ok 3 - format 2 torture: 4 writers, 3 readers, 2 cleaners, a watcher that misses nothing"
out=$("$torture" -2 --crash "${CRASH_ROUNDS:-15}" -w 4 -c 2 -k 10 "$dir/crash2" 2>&1)
status=$?
printf '%s\n' "$out" | sed -n 's/^#/#/p' | head -20
[ $status -eq 0 ] && echo "ok 4 - format 2 crash: writers and cleaners killed with SIGKILL" ||
	echo "not ok 4 - format 2 crash: writers and cleaners killed with SIGKILL"
