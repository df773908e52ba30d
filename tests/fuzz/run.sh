#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - runs the libFuzzer targets of tests/fuzz for a bounded time each
# (make fuzz-short, make fuzz-long).
#
# Usage: tests/fuzz/run.sh short|long [TARGET...]   (from the build directory)
# Each target starts from its seed corpus, tests/fuzz/corpus/NAME/ in the
# source tree (read only: the regression inputs live there too, so a bug
# that came back fails at once), and keeps what it finds in
# tests/fuzz/work/NAME/ of the build tree.  A crash is saved as
# tests/fuzz/crashes/NAME-crash-SHA1; replay it with
#   FUZZ_TRACE=1 tests/fuzz/NAME FILE      (FUZZ_TRACE: fuzz_store's steps)
# and make it a regression test by copying it into the corpus.
# The stores live in $TMPDIR, /dev/shm (a tmpfs) when TMPDIR is unset.
# Seconds per target: short, about 4 minutes in all; long,
# FUZZ_LONG_SECONDS (default 1800) each.  Exits 1 if any target crashed.
set -u

mode=${1:-short}
shift 2>/dev/null
srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
targets=${*:-"fuzz_id fuzz_format fuzz_tmpname fuzz_cli fuzz_store"}

seconds_for() {
	if [ "$mode" = long ]; then
		echo "${FUZZ_LONG_SECONDS:-1800}"
		return
	fi
	case $1 in
	fuzz_store) echo 120 ;;
	fuzz_format) echo 40 ;;
	fuzz_id | fuzz_cli) echo 30 ;;
	*) echo 20 ;;
	esac
}

if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi
mkdir -p tests/fuzz/crashes
fail=0
for t in $targets; do
	name=${t#fuzz_}
	bin=tests/fuzz/$t
	if [ ! -x "$bin" ]; then
		echo "$t: not built (./configure --enable-fuzz CC=clang)"
		fail=1
		continue
	fi
	mkdir -p "tests/fuzz/work/$name"
	dict=
	[ -f "$srcdir/tests/fuzz/$name.dict" ] && dict=-dict=$srcdir/tests/fuzz/$name.dict
	secs=$(seconds_for "$t")
	log=tests/fuzz/$t.log
	start=$(date +%s)
	# -timeout: one input may take 10 s; -rss_limit_mb: the store target
	# keeps up to 1 MiB payloads, ASan's quarantine adds to that; exit 1,
	# not libFuzzer's 77 (which would read as "skipped"), on any failure.
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
		-error_exitcode=1 -timeout_exitcode=1 \
		-max_len=4200 -print_final_stats=1 $dict \
		-artifact_prefix="tests/fuzz/crashes/$name-" \
		"tests/fuzz/work/$name" "$srcdir/tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	took=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\).*corp: \([0-9]*\).*/cov \1, ft \2, corpus \3/p')
	if [ "$rc" -eq 0 ]; then
		echo "$t: ${execs:-?} runs in ${took}s, ${cov:-no coverage line}, no crash"
	else
		fail=1
		echo "$t: CRASH after ${took}s (exit $rc); see $log"
		grep -E 'property failed|ERROR: |SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
	fi
done
exit $fail
