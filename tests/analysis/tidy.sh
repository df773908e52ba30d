#!/bin/sh
# SPDX-License-Identifier: MIT
# tidy.sh - clang-tidy on lib/*.c and cli/*.c with the checks of .clang-tidy.
#
# Usage: tests/analysis/tidy.sh [BUILDDIR]
# BUILDDIR (or $top_builddir) is a configured build directory: its config.h
# is used, as the compiler uses it.  Prints one line per finding and a
# summary; exits 0 when there is none, 1 when there is any, 77 ("skipped")
# when clang-tidy is missing, 99 on a usage error.  CLANG_TIDY names another
# binary; TIDY_JOBS sets how many files are checked at once.
#
# False positives are listed at the end of this file, each with its reason,
# as CHECK:FILE:@TEXT: a finding of CHECK in FILE on a line that contains
# TEXT is not reported.  Anchoring to the text rather than a line number
# keeps an entry narrow (one line) and valid while the rest of the file
# changes.  An entry that matches nothing is reported as unused.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${1:-${top_builddir:-}}
tidy=${CLANG_TIDY:-clang-tidy}

if ! command -v "$tidy" >/dev/null 2>&1; then
	echo "skipped: $tidy not found"
	exit 77
fi
if [ -z "$builddir" ] || [ ! -f "$builddir/config.h" ]; then
	echo "tidy.sh: no config.h in '${builddir}': pass a configured build directory" >&2
	exit 99
fi
srcdir=$(cd "$srcdir" && pwd)
builddir=$(cd "$builddir" && pwd)

# The project's warnings (configure.ac's WARN_CFLAGS); clang-tidy reports
# them as clang-diagnostic-* findings.
warn="-Wall -Wextra -Wshadow -Wformat=2 -Wconversion -Wstrict-prototypes \
-Wmissing-prototypes -Wno-missing-field-initializers"
deps=$(pkg-config --cflags libxxhash 2>/dev/null || true)
flags="-std=gnu11 $warn -I$builddir -I$srcdir/lib -I$srcdir/cli $deps"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tidy.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
log=$builddir/tests/analysis/tidy.log
mkdir -p "$(dirname "$log")"

cd "$srcdir" || exit 99
files=$(ls lib/*.c cli/*.c)
nfiles=$(echo "$files" | wc -l)
jobs=${TIDY_JOBS:-$(nproc 2>/dev/null || echo 2)}

# One clang-tidy per file, in parallel; the library's files are compiled as
# the library is (-DSTATUSDIR_BUILDING).
export tidy flags tmp
echo "$files" | xargs -P "$jobs" -n 1 sh -c '
	f=$1
	case $f in lib/*) extra=-DSTATUSDIR_BUILDING ;; *) extra= ;; esac
	out=$tmp/$(echo "$f" | tr / _).out
	"$tidy" -quiet "$f" -- $flags $extra >"$out" 2>&1
	echo $? >"$out.rc"
' sh
cat "$tmp"/*.out >"$log"

# A file that did not compile is a failure even without a finding line.
broken=$(grep -l '^Error while processing' "$tmp"/*.out 2>/dev/null | wc -l)

sed -n '/^# ---- false positives/,$p' "$0" | grep -v '^#' | grep -v '^$' >"$tmp/supp"

# Findings, without duplicates (a header is seen from every file that
# includes it), matched against the false positives.
awk -v srcdir="$srcdir/" -v supp="$tmp/supp" -v unused="$tmp/unused" '
BEGIN {
	n = 0
	while ((getline line < supp) > 0) {
		i = index(line, ":"); check = substr(line, 1, i - 1); rest = substr(line, i + 1)
		i = index(rest, ":"); file = substr(rest, 1, i - 1); text = substr(rest, i + 2)
		n++; s_check[n] = check; s_file[n] = file; s_text[n] = text; s_used[n] = 0
	}
	found = 0; suppressed = 0
}
function source_line(file, nr,    l, k) {
	if (!(file in loaded)) {
		loaded[file] = 1; k = 0
		while ((getline l < (srcdir file)) > 0)
			src[file, ++k] = l
		close(srcdir file)
	}
	return src[file, nr]
}
/^[^ ]+:[0-9]+:[0-9]+: (warning|error): .*\]$/ {
	split($0, p, ":")
	file = p[1]; nr = p[2]
	if (index(file, srcdir) == 1)
		file = substr(file, length(srcdir) + 1)
	check = $0; sub(/.*\[/, "", check); sub(/\]$/, "", check)
	sub(/,-warnings-as-errors$/, "", check)
	key = file ":" nr ":" p[3] ":" check
	if (key in seen)
		next
	seen[key] = 1
	text = source_line(file, nr)
	for (i = 1; i <= n; i++)
		if (s_check[i] == check && s_file[i] == file && index(text, s_text[i])) {
			s_used[i] = 1; suppressed++
			next
		}
	msg = $0; sub(/^[^ ]+ (warning|error): /, "", msg); sub(/ \[[^]]*\]$/, "", msg)
	printf "%s:%s: %s [%s]\n    %s\n", file, nr, msg, check, text
	found++
}
END {
	for (i = 1; i <= n; i++)
		if (!s_used[i])
			printf "%s:%s:@%s\n", s_check[i], s_file[i], s_text[i] > unused
	printf "%d %d\n", found, suppressed > (unused ".counts")
}' "$log"

read -r found suppressed <"$tmp/unused.counts"
if [ -s "$tmp/unused" ]; then
	echo "tidy: unused false-positive entries (the code changed; remove them):"
	sed 's/^/    /' "$tmp/unused"
fi
echo "tidy: $nfiles files, $found findings, $suppressed known false positives," \
	"$broken files that did not compile (full output: $log)"
[ "$found" -eq 0 ] && [ "$broken" -eq 0 ]
exit $?

# ---- false positives: CHECK:FILE:@TEXT, each with its reason ----------------

# statusdir_put() and statusdir_put_fd() use txn after statusdir_put_begin()
# returned 0, and begin sets *out whenever it returns 0.  The analyzer sees
# neither into statusdir__writable() (open.c: 0 or -EROFS) nor that errno is
# positive after a failed openat(2), so it invents a "return 0 without
# setting *out" path.  (statusdir_txn *txn = NULL; would silence it too.)
clang-analyzer-core.CallAndMessage:lib/put.c:@r = statusdir_put_write(txn, buf, len);
clang-analyzer-core.CallAndMessage:lib/put.c:@r = statusdir_put_write(txn, buf, (size_t)n);
clang-analyzer-core.CallAndMessage:lib/put.c:@return statusdir_put_commit(txn, id);
clang-analyzer-core.CallAndMessage:lib/put.c:@statusdir_put_abort(txn);

# load_boot_id(): the loop runs only when read_small_file() returned at
# least 32 and so wrote buf; the analyzer assumes -errno >= 32 on the path
# where open(2) failed.
clang-analyzer-core.uninitialized.Branch:lib/tmpname.c:@for (size_t i = 0; buf[i] && j < 32; i++)

# write_id_file(): line is not a string; the id and a newline are written
# with write(2) and a length.
bugprone-not-null-terminated-result:cli/cmd_get.c:@memcpy(line, id, len);

# find_same(): an array of pointers, so the element size is a pointer's.
bugprone-sizeof-expression:cli/cmd_log.c:@**order = malloc((n ? n : 1) * sizeof(*order));
bugprone-sizeof-expression:cli/cmd_log.c:@**same = calloc(n ? n : 1, sizeof(*same));
bugprone-sizeof-expression:cli/cmd_log.c:@qsort(order, n, sizeof(*order), by_content_then_id);
