#!/bin/sh
# SPDX-License-Identifier: MIT
# pytest.sh - runs the Python module's tests (python/tests) with Debian's
# pytest against the library and CLI of this build, and prints each test
# case as a TAP line (through pytest's JUnit XML) for automake.
#
# The module is imported from the source tree, the library loaded from
# $top_builddir/lib/.libs.  Without /usr/bin/python3 (or $PYTHON3) or its
# pytest the suite is skipped, except in CI (CI=true), where it fails.
if test -z "$top_srcdir"; then
	top_srcdir=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
fi
. "$top_srcdir/tests/python/lib.sh"
"$PYTHON3" -c 'import pytest' 2>/dev/null || missing "pytest is missing for $PYTHON3 (Debian: python3-pytest)"

STATUSDIR_LIBRARY="$top_builddir/lib/.libs/libstatusdir.so.0"
STATUSDIR_CLI="$top_builddir/cli/statusdir"
STATUSDIR_ABI="$top_builddir/tests/python/abi"
STATUSDIR_HEADER="$top_srcdir/lib/statusdir.h"
test -f "$STATUSDIR_LIBRARY" || { echo "Bail out! $STATUSDIR_LIBRARY is not built"; exit 1; }
export STATUSDIR_LIBRARY STATUSDIR_CLI STATUSDIR_ABI STATUSDIR_HEADER
PYTHONPATH="$top_srcdir/python${PYTHONPATH:+:$PYTHONPATH}"
PYTHONDONTWRITEBYTECODE=1 # leave no __pycache__ in a read-only source tree
export PYTHONPATH PYTHONDONTWRITEBYTECODE

# A library built with AddressSanitizer (make check-sanitizers) needs its
# runtime loaded before the interpreter; Python's own allocations are not
# the library's, so leaks are not checked here.
asan=$(ldd "$STATUSDIR_LIBRARY" 2>/dev/null | sed -n 's/^[[:space:]]*libasan\.so[^ ]* => \([^ ]*\) .*/\1/p')
if test -n "$asan"; then
	LD_PRELOAD="$asan${LD_PRELOAD:+ $LD_PRELOAD}"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
	export LD_PRELOAD ASAN_OPTIONS
fi

out="$top_builddir/tests/python/pytest.out"
rm -rf "$out" && mkdir -p "$out" || exit 1
# pytest's own report goes to stderr, which the test's .log keeps.
"$PYTHON3" -m pytest -p no:cacheprovider -rA -v --rootdir="$top_srcdir/python" --basetemp="$out/tmp" \
	--junitxml="$out/junit.xml" "$top_srcdir/python/tests" >&2
rc=$?
"$PYTHON3" "$top_srcdir/tests/python/junit_tap.py" "$out/junit.xml" "$rc"
