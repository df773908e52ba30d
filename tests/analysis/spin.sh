#!/bin/sh
# SPDX-License-Identifier: MIT
# spin.sh - checks spec/model.pml and spec/model2.pml with spin
# (spec/model.md): each model must pass an exhaustive search, and every
# mutation of it (a protocol step removed or moved, listed at the head of
# the model) must fail, so that a model that has gone blind fails too.
# model.pml is format 1, model2.pml the design of format 2
# (spec/format2.md).
#
# Usage: tests/analysis/spin.sh [--model | --mutations | --variants |
#                                --model2 | --mutations2 | --variants2] [BUILDDIR]
#   (no option)   both models, then every mutation of each: what CI runs
#                 (about 80 s for model.pml and 120 s for model2.pml on
#                 2 cores, at most 1.1 GB at a time)
#   --model       model.pml alone (about 40 s, 0.85 GB)
#   --mutations   its mutations alone (about 40 s)
#   --variants    variants that must hold like the model: the link(2)
#                 fallback of P6 (exhaustive, about a minute), retention in
#                 every put and two readers (bitstate: approximate, about
#                 10 minutes and 1 GB each)
#   --model2      model2.pml alone, in its four runs (with the reader,
#                 with the watcher, with a power cut, with a conditional
#                 put; about 40 s, 0.7 GB)
#   --mutations2  its mutations alone (about 50-80 s)
#   --variants2   larger runs of model2.pml that must hold like it: both
#                 writers stale, two retention runs by the cleaner (each
#                 also with the conditional put), three puts by writer 0,
#                 two by the stale writer, three puts before the power cut
#                 (exhaustive; about 15 minutes, at most 3.5 GB:
#                 SPIN_MEMLIM is 4096 here unless set; spec/model.md)
#   SPIN_MUTATIONS="NO_FSYNC_CUR ..." and SPIN_MUTATIONS2="NO_CHECK ..."
#   check only those mutations.
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
--model2) mode=model2; shift ;;
--mutations2) mode=mutations2; shift ;;
--variants2) mode=variants2; shift ;;
--*) echo "usage: $0 [--model | --mutations | --variants | --model2 | --mutations2 | --variants2] [BUILDDIR]" >&2
	exit 2 ;;
esac

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
spin=${SPIN:-spin}
cc=${CC:-cc}
memlim=${SPIN_MEMLIM:-2048}
mutations=${SPIN_MUTATIONS:-"NO_FSYNC_FILE FSYNC_FILE_LATE NO_FSYNC_CUR FSYNC_CUR_EARLY
	CLOCK_ONLY HISTORY_BEFORE_CUR NEWEST_NO_RETRY GET_OLDEST PRUNE_NEWEST MOVE_NEWEST
	DELETE_THEN_RENAME SWEEP_FRESH_TMP"}
# model2.pml: each mutation with the run (WATCHER or READER) whose observer
# it concerns; mutations of writers and cleaners run with the watcher, the
# smaller of the two
mutations2=${SPIN_MUTATIONS2:-"NO_CHECK CHECK_BEFORE_CLAIM CHECK_L_ONLY NO_LOW
	UNLINK_BEFORE_RAISE RAISE_PAST_UNCHECKED VALIDATE_OLD_L PUBLISH_BEFORE_FSYNC
	NO_FSYNC_CUR NO_INODE_COMPARE READ_NO_L WATCH_NO_L NO_SEAL NO_MARKER
	L_NOT_DURABLE CAS_NO_CHECK CAS_ANY_NUMBER CAS_UNDO_SLOW"}

# cfgflags RUN: the spin flags of a run of model2.pml: READER, WATCHER,
# CRASH (a power cut; with one put by writer 0 in CI, two by hand) or CAS
# (a conditional put)
cfgflags() {
	case $1 in
	CRASH) echo "-DCRASH -DPUTS0=1" ;;
	CRASH-FULL) echo "-DCRASH" ;;
	*) echo "-D$1" ;;
	esac
}

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
cp "$srcdir/spec/model2.pml" "$tmp/model2.pml" || exit 99
cd "$tmp" || exit 99
model=model.pml # here, where spin -t looks for model.pml.trail; model2.pml
                # for the runs of format 2

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
	line=$(sed -n "s/^spin: ${model%.pml}\\.pml:\\([0-9]*\\), Error: .*/\\1/p" replay | head -n 1)
	tag=
	[ -n "$line" ] && tag=$(sed -n "${line}p" "$model" | sed -n 's|.*/\* \(\[[a-z-]*\]\).*|\1|p')
	# spin may name the line where an inline's atomic sequence begins:
	# then find the assert by its text
	if [ -z "$tag" ]; then
		want=$(sed -n 's/^spin: text of failed assertion: //p' replay | head -n 1 | tr -d ' \t()')
		if [ -n "$want" ]; then
			line=$(grep -n 'assert(' "$model" | while IFS=: read -r n text; do
				a=$(printf '%s' "$text" | sed 's|/\*.*||; s/;.*//' | tr -d ' \t()')
				if [ "$a" = "$want" ]; then echo "$n"; break; fi
			done)
			[ -n "$line" ] && tag=$(sed -n "${line}p" "$model" | sed -n 's|.*/\* \(\[[a-z-]*\]\).*|\1|p')
		fi
	fi
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

# model2.pml: the model holds in every run: with the reader and with the
# watcher (each observer only reads, so the store's runs are the same in
# both), with a power cut, and with a conditional put
run_model2() {
	model=model2.pml
	for cfg in READER WATCHER CRASH CAS; do
		# shellcheck disable=SC2046
		search "model2-$cfg" dfs "-m100000" $(cfgflags $cfg)
		case $? in
		0) echo "ok: model2 ($cfg) holds: $(figures)" ;;
		1)
			fail=1
			echo "FAIL: model2 ($cfg) does not hold: $(figures)"
			grep -m1 'assertion violated\|invalid end state' "out.model2-$cfg"
			# shellcheck disable=SC2046
			trail $(cfgflags $cfg)
			echo "	the assert: $tag; the trail:"
			cat steps ;;
		*) fail=1; echo "FAIL: model2 ($cfg) could not be checked" ;;
		esac
	done
	model=model.pml
}

run_mutations2() {
	model=model2.pml
	for m in $mutations2; do
		case $m in
		READ_NO_L) cfg=READER ;;
		NO_SEAL|NO_MARKER|L_NOT_DURABLE) cfg=CRASH ;;
		CAS_*) cfg=CAS ;;
		*) cfg=WATCHER ;;
		esac
		# shellcheck disable=SC2046
		search "2-$m" bfs "" $(cfgflags $cfg) "-D$m"
		rc=$?
		if [ $rc -eq 2 ] && grep -q 'MEMLIM bound' "out.2-$m"; then
			echo "spin: $m: searching depth first instead"
			# shellcheck disable=SC2046
			search "2-$m" dfs "-m100000" $(cfgflags $cfg) "-D$m"
			rc=$?
		fi
		case $rc in
		1)
			# shellcheck disable=SC2046
			trail $(cfgflags $cfg) "-D$m"
			echo "ok: model2 $m is caught by $tag: a trail of $at_depth steps; $(figures)"
			cat steps ;;
		0) echo "FAIL: model2 $m is not caught: $(figures)"; fail=1 ;;
		*) echo "FAIL: model2 $m could not be checked"; fail=1 ;;
		esac
	done
	model=model.pml
}

run_variants2() {
	model=model2.pml
	# the largest run (PUTS1=2 with the reader) needs 3.5 GB
	memlim=${SPIN_MEMLIM:-4096}
	for v in BOTH_STALE TWO_CLEANS PUTS0=3 PUTS1=2 CRASH-FULL; do
		for cfg in READER WATCHER CAS; do
			case $v in
			CRASH-FULL) [ $cfg = READER ] || continue; flags=$(cfgflags $v) ;;
			# a fourth put and the conditional one need more numbers
			# than the model has
			PUTS*) [ $cfg != CAS ] || continue; flags="-D$cfg -D$v" ;;
			*) flags="-D$cfg -D$v" ;;
			esac
			# shellcheck disable=SC2086
			search "2-$v-$cfg" dfs "-m100000" $flags
			case $? in
			0) echo "ok: the variant $v ($cfg) of model2 holds: $(figures)" ;;
			1)
				fail=1
				echo "FAIL: the variant $v ($cfg) of model2 does not hold: $(figures)"
				# shellcheck disable=SC2086
				trail $flags
				echo "	the assert: $tag; the trail:"
				cat steps ;;
			*) fail=1; echo "FAIL: the variant $v ($cfg) of model2 could not be checked" ;;
			esac
		done
	done
	model=model.pml
}

start=$(date +%s)
case $mode in
default) run_model; run_mutations; run_model2; run_mutations2 ;;
model) run_model ;;
mutations) run_mutations ;;
variants) run_variants ;;
model2) run_model2 ;;
mutations2) run_mutations2 ;;
variants2) run_variants2 ;;
esac
echo "spin: $(( $(date +%s) - start )) s in all"
exit $fail
