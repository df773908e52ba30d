#!/bin/sh
# SPDX-License-Identifier: MIT
# man-links.sh - "man statusdir_FUNCTION" opens statusdir(3) for every
# function the library exports (TAP).  The functions are read from
# lib/libstatusdir.sym, so a new export without its page fails here.
# For each: man/FUNCTION.3 is the .so link to statusdir(3), man/Makemodule.am
# installs it, and the NAME section of statusdir(3) names the function (for
# whatis and apropos).  Then no page links a function that is not exported,
# and groff, from a man tree like the installed one, follows one link.
# $top_srcdir comes from the Makefile; run by hand, it defaults to the
# directory above this script.

if [ -z "${top_srcdir-}" ]; then
	top_srcdir=$(dirname "$0")/..
fi
cd "$top_srcdir" || exit 1

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

sed -n 's/^[[:space:]]*\(statusdir_[a-z_0-9]*\);$/\1/p' lib/libstatusdir.sym >"$tmp/symbols"
# the NAME section: the lines from .SH NAME to the next .SH
sed -n '/^\.SH NAME/,/^\.SH /p' man/statusdir.3 | tr -s ', ' '\n\n' >"$tmp/names"
printf '.\\" SPDX-License-Identifier: MIT\n.so man3/statusdir.3\n' >"$tmp/link"

n=$(($(wc -l <"$tmp/symbols") + 2))
if [ "$n" -lt 3 ]; then
	echo "Bail out! no symbols found in lib/libstatusdir.sym"
	exit 1
fi
echo "1..$n"
i=0
while read -r sym; do
	i=$((i + 1))
	page=man/$sym.3
	why=
	if [ ! -f "$page" ]; then
		why="$page is missing"
	elif ! cmp -s "$tmp/link" "$page"; then
		why="$page is not the two lines of a .so link to man3/statusdir.3"
	elif ! grep -q "^[[:space:]]*$page[[:space:]\\\\]*\$" man/Makemodule.am; then
		why="man/Makemodule.am does not install $page"
	elif ! grep -qx "$sym" "$tmp/names"; then
		why="the NAME section of man/statusdir.3 does not name $sym"
	fi
	if [ -z "$why" ]; then
		echo "ok $i - man $sym opens statusdir(3)"
	else
		echo "not ok $i - man $sym opens statusdir(3): $why"
	fi
done <"$tmp/symbols"

i=$((i + 1))
stale=$(for page in man/statusdir_*.3; do
		[ -e "$page" ] || continue
		sym=${page#man/}
		grep -qx "${sym%.3}" "$tmp/symbols" || echo "$page"
	done)
if [ -z "$stale" ]; then
	echo "ok $i - every man/statusdir_*.3 names an exported function"
else
	echo "not ok $i - every man/statusdir_*.3 names an exported function"
	echo "$stale" | sed 's/^/# not exported: /'
fi

# groff resolves .so from the top of the man tree, as man(1) runs it.
i=$((i + 1))
if ! command -v groff >/dev/null 2>&1; then
	echo "ok $i # SKIP groff not found"
else
	mkdir "$tmp/man3" && cp man/statusdir.3 "$tmp/man3/" &&
		cp "$tmp/link" "$tmp/man3/link.3" || exit 1
	out=$(cd "$tmp" && LC_ALL=C groff -man -ww -Tutf8 man3/link.3 2>&1)
	if printf '%s\n' "$out" | grep -q 'statusdir_put_begin'; then
		echo "ok $i - groff follows a link page to statusdir(3)"
	else
		echo "not ok $i - groff follows a link page to statusdir(3)"
		printf '%s\n' "$out" | head -5 | sed 's/^/# /'
	fi
fi
exit 0
