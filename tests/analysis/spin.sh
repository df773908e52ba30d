#!/bin/sh
# spin.sh - checks spec/model.pml with spin: the model must pass an
# exhaustive search, and every mutation of it (a protocol step removed or
# moved, see the head of model.pml) must fail.
#
# Usage: tests/analysis/spin.sh [BUILDDIR]
# Works in a temporary directory (spin and pan write files where they run).
# SPIN_READERS=2 checks two readers instead of one (about 11 GB and half
# an hour, against 0.6 GB and half a minute: spec/model.md; set
# SPIN_MEMLIM=12000).  SPIN_MEMLIM is the search's memory bound in MB
# (default 4096); a search that hits it fails.  Exits 0 when every run went as it
# must, 1 otherwise, 77 ("skipped") when spin or a C compiler is missing.
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
spin=${SPIN:-spin}
cc=${CC:-cc}
readers=${SPIN_READERS:-1}
memlim=${SPIN_MEMLIM:-4096}
mutations="1 2 3 4 5 6 7"

if ! command -v "$spin" >/dev/null 2>&1; then
	echo "skipped: $spin not found"
	exit 77
fi
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "skipped: $cc not found"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/spin.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
cp "$srcdir/spec/model.pml" "$tmp/model.pml" || exit 99
cd "$tmp" || exit 99
model=model.pml # here, where spin -t looks for model.pml.trail

# check MUTATION: runs spin -a, compiles pan and searches; prints one line
# and leaves pan's output in out.MUTATION.
check() {
	m=$1
	rm -f pan pan.* model.pml.trail
	if ! "$spin" -DMUTATION="$m" -DR="$readers" -a "$model" >"spin.$m" 2>&1; then
		cat "spin.$m"
		echo "spin: mutation $m: spin -a failed"
		return 2
	fi
	# SAFETY: assertions only; COLLAPSE: compressed states; -E: processes
	# stopped by the crash do not count as deadlocks; -m: search depth.
	"$cc" -O2 -DSAFETY -DCOLLAPSE -DMEMLIM="$memlim" -o pan pan.c >"cc.$m" 2>&1 ||
		{ cat "cc.$m"; echo "spin: mutation $m: pan did not compile"; return 2; }
	start=$(date +%s)
	./pan -E -m1000000 >"out.$m" 2>&1
	secs=$(( $(date +%s) - start ))
	states=$(awk '/states, stored/ { print $1; exit }' "out.$m")
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "out.$m")
	# a search that stopped at an error says "not completed" too
	if [ "${errors:-0}" -eq 0 ] && grep -q -i -e 'out of memory' -e 'MEMLIM bound' \
		-e 'max search depth too small' -e 'search not completed' "out.$m"; then
		echo "spin: mutation $m: the search did not complete:"
		grep -i -e 'out of memory' -e 'max search depth' -e 'not completed' \
			-e 'MEMLIM' "out.$m"
		return 2
	fi
	what=$(grep -m1 'assertion violated' "out.$m" | sed 's/^pan:[0-9]*: //')
	echo "spin: mutation $m: ${states:-?} states, ${errors:-?} errors, ${secs}s${what:+: $what}"
	[ "${errors:-0}" -eq 0 ]
}

fail=0
check 0
case $? in
0) echo "ok: the model holds" ;;
1)
	fail=1
	echo "FAIL: the model does not hold; its counterexample:"
	"$spin" -DR="$readers" -t "$model" 2>&1 | grep -e MSC -e 'assertion' ;;
*) fail=1; echo "FAIL: the model could not be checked" ;;
esac
for m in $mutations; do
	check "$m"
	case $? in
	1) echo "ok: mutation $m is caught" ;;
	0) echo "FAIL: mutation $m is not caught"; fail=1 ;;
	*) echo "FAIL: mutation $m could not be checked"; fail=1 ;;
	esac
done
exit $fail
