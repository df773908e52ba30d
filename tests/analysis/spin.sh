#!/bin/sh
# SPDX-License-Identifier: MIT
# spin.sh - checks spec/model.pml with spin (spec/model.md): the model must
# pass an exhaustive search, and every mutation of it (a protocol step
# removed or moved, listed at the head of model.pml) must fail, so that a
# model that has gone blind fails too.
#
# Usage: tests/analysis/spin.sh [--model | --mutations | --variants] [BUILDDIR]
#   (no option)   the model, then every mutation: what CI runs (about 80 s
#                 on 2 cores, at most 1.1 GB at a time)
#   --model       the model alone (about 40 s, 0.85 GB)
#   --mutations   the mutations alone (about 40 s)
#   --variants    variants that must hold like the model: the link(2)
#                 fallback of P6 (exhaustive, about a minute), retention in
#                 every put and two readers (bitstate: approximate, about
#                 10 minutes and 1 GB each)
#   SPIN_MUTATIONS="NO_FSYNC_CUR ..." checks only those mutations.
# Each mutation is searched breadth first, so that its counterexample is a
# shortest one; it is printed as the protocol steps of the trail ("MSC:").
# SPIN_MEMLIM is the memory bound of one search in MB (default 2048); a
# search that hits it, or any other incomplete search, fails.
# Exits 0 when every run went as it must, 1 otherwise (the model has an
# error trail, a mutation is not caught, a search did not complete), 77
# ("skipped") when spin or a C compiler is missing.
set -u

mode=default
case ${1:-} in
--model) mode=model; shift ;;
--mutations) mode=mutations; shift ;;
--variants) mode=variants; shift ;;
--*) echo "usage: $0 [--model | --mutations | --variants] [BUILDDIR]" >&2; exit 2 ;;
esac

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
spin=${SPIN:-spin}
cc=${CC:-cc}
memlim=${SPIN_MEMLIM:-2048}
mutations=${SPIN_MUTATIONS:-"NO_FSYNC_FILE FSYNC_FILE_LATE NO_FSYNC_CUR FSYNC_CUR_EARLY
	CLOCK_ONLY HISTORY_BEFORE_CUR NEWEST_NO_RETRY GET_OLDEST PRUNE_NEWEST MOVE_NEWEST
	DELETE_THEN_RENAME SWEEP_FRESH_TMP"}

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

# search NAME SEARCH PANFLAGS [-DMACRO ...]: spin -a, compile pan, search.
# SEARCH is dfs (exhaustive, compressed states), bfs (exhaustive, shortest
# counterexample) or bitstate (approximate).  Leaves pan's output in
# out.NAME and sets states, transitions, depth, mem, secs, errors,
# at_depth; returns 0 (no error), 1 (an error trail) or 2 (the search
# could not be made or did not complete).
search() {
	name=$1 how=$2 panflags=$3
	shift 3
	rm -f pan pan.* "$model.trail"
	if ! "$spin" "$@" -a "$model" >"spin.$name" 2>&1; then
		cat "spin.$name"
		echo "spin: $name: spin -a failed"
		return 2
	fi
	# SAFETY: assertions and end states only (no never claim, no cycles)
	case $how in
	dfs) ccflags="-DSAFETY -DCOLLAPSE" ;;
	bfs) ccflags="-DSAFETY -DBFS -DCOLLAPSE" ;;
	bitstate) ccflags="-DSAFETY -DBITSTATE" ;;
	esac
	# shellcheck disable=SC2086
	"$cc" -O2 $ccflags -DMEMLIM="$memlim" -o pan pan.c >"cc.$name" 2>&1 ||
		{ cat "cc.$name"; echo "spin: $name: pan did not compile"; return 2; }
	# shellcheck disable=SC2086
	./pan $panflags >"out.$name" 2>&1
	num() { awk -v pat="$1" '$0 ~ pat { printf "%.0f", $1; exit }' "out.$name"; }
	states=$(num 'states, stored')
	transitions=$(num 'transitions \\(= stored')
	mem=$(num 'total actual memory usage')
	depth=$(sed -n 's/.*depth reached \([0-9]*\).*/\1/p' "out.$name")
	secs=$(sed -n 's/^pan: elapsed time \([0-9.e+]*\).*/\1/p' "out.$name")
	errors=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' "out.$name")
	at_depth=$(sed -n 's/.*(at depth \([0-9]*\)).*/\1/p' "out.$name" | head -n 1)
	# a search that stopped at an error says "not completed" too
	if [ "${errors:-0}" -eq 0 ] && grep -q -i -e 'out of memory' -e 'MEMLIM bound' \
		-e 'max search depth too small' -e 'search not completed' "out.$name"; then
		echo "spin: $name: the search did not complete:"
		grep -i -e 'out of memory' -e 'max search depth' -e 'not completed' \
			-e 'MEMLIM' "out.$name"
		return 2
	fi
	if [ -z "$errors" ]; then
		cat "out.$name"
		echo "spin: $name: no result from pan"
		return 2
	fi
	[ "$errors" -eq 0 ] || return 1
}

# figures: one line of the last search's figures
figures() {
	echo "${states:-?} states, ${transitions:-?} transitions, depth ${depth:-?}," \
		"${mem:-?} MB, ${secs:-?} s"
}

# trail [-DMACRO ...]: replays the trail; sets tag to the tag of the failed
# assert ([name] on its line in model.pml), and leaves the protocol steps
# of the trail in the file steps, indented
trail() {
	"$spin" "$@" -t "$model" >replay 2>&1
	line=$(sed -n 's/^spin: model\.pml:\([0-9]*\), Error: .*/\1/p' replay | head -n 1)
	tag=
	[ -n "$line" ] && tag=$(sed -n "${line}p" "$model" | sed -n 's|.*/\* \(\[[a-z-]*\]\).*|\1|p')
	[ -n "$tag" ] || tag="[line ${line:-?}]"
	sed -n "s/^ *MSC: //p" replay | sed "s/  */ /g; s/^/	    /" >steps
}

fail=0

run_model() {
	search model dfs "-m100000"
	case $? in
	0) echo "ok: the model holds: $(figures)" ;;
	1)
		fail=1
		echo "FAIL: the model does not hold: $(figures)"
		grep -m1 'assertion violated\|invalid end state' "out.model"
		trail
		echo "	the assert: $tag; the trail:"
		cat steps ;;
	*) fail=1; echo "FAIL: the model could not be checked" ;;
	esac
}

run_mutations() {
	for m in $mutations; do
		search "$m" bfs "" "-D$m"
		rc=$?
		# a breadth-first search that runs out of memory before it finds
		# an error decides nothing: search depth first, which needs less
		if [ $rc -eq 2 ] && grep -q 'MEMLIM bound' "out.$m"; then
			echo "spin: $m: searching depth first instead"
			search "$m" dfs "-m100000" "-D$m"
			rc=$?
		fi
		case $rc in
		1)
			trail "-D$m"
			echo "ok: $m is caught by $tag: a trail of $at_depth steps; $(figures)"
			cat steps ;;
		0) echo "FAIL: $m is not caught: $(figures)"; fail=1 ;;
		*) echo "FAIL: $m could not be checked"; fail=1 ;;
		esac
	done
}

run_variants() {
	for v in LINK_FALLBACK RETENTION READERS=2; do
		case $v in
		LINK_FALLBACK) how=dfs; flags="-m100000" ;;
		*) how=bitstate; flags="-m100000 -w33 -k3" ;;
		esac
		search "$v" $how "$flags" "-D$v"
		case $? in
		0) echo "ok: the variant $v holds ($how): $(figures)" ;;
		1)
			fail=1
			echo "FAIL: the variant $v does not hold: $(figures)"
			trail "-D$v"
			echo "	the assert: $tag; the trail:"
			cat steps ;;
		*) fail=1; echo "FAIL: the variant $v could not be checked" ;;
		esac
	done
}

start=$(date +%s)
case $mode in
default) run_model; run_mutations ;;
model) run_model ;;
mutations) run_mutations ;;
variants) run_variants ;;
esac
echo "spin: $(( $(date +%s) - start )) s in all"
exit $fail
