# SPDX-License-Identifier: MIT
# lib.sh - what tests/python's scripts share, sourced after they set
# top_srcdir: the build folder, Debian's python3 ($PYTHON3), and missing(),
# which skips a suite for want of a tool ("1..0 # SKIP"), or fails it in
# CI (CI=true).
: "${top_builddir:=$top_srcdir}"
PYTHON3=${PYTHON3:-/usr/bin/python3}

missing() {
	if test "$CI" = true; then
		echo "Bail out! $1 (CI needs it)"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	exit 0
}
command -v "$PYTHON3" >/dev/null 2>&1 || missing "$PYTHON3 is missing"
