#!/bin/sh
# SPDX-License-Identifier: MIT
# cppcheck.sh - cppcheck on lib/*.c and cli/*.c.
#
# Usage: tests/analysis/cppcheck.sh [BUILDDIR]
# BUILDDIR (or $top_builddir) is a configured build directory: its config.h
# decides the configuration checked (the HAVE_* macros), as it does for the
# compiler.  Checks: warning, style, performance, portability, with the
# POSIX library model.  Exits 0 when there is no finding, 1 when there is
# any, 77 ("skipped") when cppcheck is missing, 99 on a usage error.
# Suppressions, each with its reason: tests/analysis/cppcheck.supp.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${1:-${top_builddir:-}}
cppcheck=${CPPCHECK:-cppcheck}

if ! command -v "$cppcheck" >/dev/null 2>&1; then
	echo "skipped: $cppcheck not found"
	exit 77
fi
if [ -z "$builddir" ] || [ ! -f "$builddir/config.h" ]; then
	echo "cppcheck.sh: no config.h in '${builddir}': pass a configured build directory" >&2
	exit 99
fi
srcdir=$(cd "$srcdir" && pwd)
builddir=$(cd "$builddir" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cppcheck.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cd "$srcdir" || exit 99

# cppcheck.supp with every @TEXT turned into line numbers.
stale=0
grep -v '^[[:space:]]*#' tests/analysis/cppcheck.supp | grep -v '^[[:space:]]*$' |
while IFS= read -r entry; do
	case $entry in
	*:*:@*)
		head=${entry%%:@*}
		text=${entry#*:@}
		file=${head#*:}
		lines=$(grep -nF -- "$text" "$file" 2>/dev/null | cut -d: -f1)
		if [ -z "$lines" ]; then
			echo "cppcheck: unused suppression (the code changed; remove it): $entry" >&2
			continue
		fi
		for n in $lines; do
			echo "$head:$n"
		done ;;
	*)
		echo "$entry" ;;
	esac
done >"$tmp/supp"

jobs=${CPPCHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}
"$cppcheck" -q -j "$jobs" --std=c11 --platform=unix64 --library=posix \
	--enable=warning,style,performance,portability --inline-suppr \
	--suppressions-list="$tmp/supp" \
	-D__GNUC__ -D__linux__ -DSTATUSDIR_BUILDING \
	-I "$builddir" -I lib -I cli \
	--template='{file}:{line}: {severity}: {message} [{id}]' \
	lib/*.c cli/*.c >"$tmp/out" 2>&1
rc=$?
grep -v '^[[:space:]]*$' "$tmp/out" | grep -v 'nofile:0' >"$tmp/findings" || true
cat "$tmp/findings"
found=$(grep -c ': \(error\|warning\|style\|performance\|portability\|information\): ' "$tmp/findings")
nfiles=$(ls lib/*.c cli/*.c | wc -l)
echo "cppcheck: $nfiles files, $found findings, $(wc -l <"$tmp/supp") suppressions in use"
[ "$found" -eq 0 ] && [ "$rc" -eq 0 ]
