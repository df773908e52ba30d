#!/bin/sh
# SPDX-License-Identifier: MIT
# The shared library exports exactly the symbols of lib/libstatusdir.sym.
so="$top_builddir/lib/.libs/libstatusdir.so"
if ! command -v nm >/dev/null 2>&1 || [ ! -f "$so" ]; then
	echo "1..0 # SKIP nm or the shared library is missing"
	exit 0
fi
tmp=${TMPDIR:-/tmp}/exports.$$
trap 'rm -f "$tmp".*' EXIT
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBR]$/ { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp.have"
sed -n 's/^[[:space:]]*\(statusdir_[a-z_0-9]*\);$/\1/p' "$top_srcdir/lib/libstatusdir.sym" | sort -u >"$tmp.want"
echo "1..2"
if cmp -s "$tmp.have" "$tmp.want"; then
	echo "ok 1 - exported symbols match lib/libstatusdir.sym"
else
	echo "not ok 1 - exported symbols match lib/libstatusdir.sym"
	diff "$tmp.want" "$tmp.have" | sed 's/^/# /'
fi
# every function declared STATUSDIR_API in the header is in the script
sed -n 's/^STATUSDIR_API [^(]*[ *]\(statusdir_[a-z_0-9]*\)(.*/\1/p' "$top_srcdir/lib/statusdir.h" | sort -u >"$tmp.api"
if cmp -s "$tmp.api" "$tmp.want"; then
	echo "ok 2 - every public function of statusdir.h is exported"
else
	echo "not ok 2 - every public function of statusdir.h is exported"
	diff "$tmp.api" "$tmp.want" | sed 's/^/# /'
fi
