#!/bin/sh
# SPDX-License-Identifier: MIT
# man-lint.sh - checks every man page with `groff -man -ww -z` (TAP).
# A page passes when groff prints nothing and exits 0: every warning, from
# an unknown macro to a bad escape, fails it.  Skips when groff is missing.
# $top_srcdir comes from the Makefile; run by hand, it defaults to the
# directory above this script.

pages='man/statusdir.1 man/statusdir.3 man/statusdir.5'

if [ -z "${top_srcdir-}" ]; then
	top_srcdir=$(dirname "$0")/..
fi

if ! command -v groff >/dev/null 2>&1; then
	echo '1..0 # SKIP groff not found'
	exit 0
fi

set -- $pages
echo "1..$#"
i=0
for page; do
	i=$((i + 1))
	file=$top_srcdir/$page
	if [ ! -f "$file" ]; then
		echo "not ok $i - $page: no such file"
		continue
	fi
	out=$(LC_ALL=C groff -man -ww -z "$file" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		echo "ok $i - $page"
	else
		echo "not ok $i - $page: groff -man -ww -z exited $rc with output:"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
done
exit 0
