#!/bin/sh
# SPDX-License-Identifier: MIT
test_description='writers, readers and cleaners at once: every read is a complete version'
. "${top_srcdir:-$(dirname "$0")/../..}/tests/cli/lib.sh"

: "${WRITERS:=4}" "${PUTS:=100}" "${READERS:=2}"

# payload W S: "writer W seq S", lines whose number depends on W and S (up
# to about 100 KiB, so that some versions take the path for big payloads),
# then a last line "sum CKSUM" of everything before it.
payload () {
	awk -v w="$1" -v s="$2" 'BEGIN {
		n = (w * 7919 + s * 104729) % 1600
		if (s % 5 == 0) n = 0
		printf "writer %d seq %d\n", w, s
		for (i = 1; i <= n; i++)
			printf "%d.%d.%06d.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n", w, s, i
	}' >"p.$1" &&
	echo "sum $(cksum <"p.$1")" >>"p.$1"
}

# is_complete FILE: FILE is a payload as written, with its sum line right.
is_complete () {
	test "$(tail -n 1 "$1")" = "sum $(sed '$d' "$1" | cksum)"
}

writer () {
	w=$1 s=1
	while test $s -le "$PUTS"; do
		payload "$w" "$s" &&
		statusdir put S "p.$w" >>"ids.$w" 2>>"err.$w" || {
			echo "writer $w: put $s failed" >>errors
			return 1
		}
		echo "writer $w seq $s" >>"written.$w"
		: >first.put.returned
		s=$((s + 1))
	done
}

reader () {
	r=$1 n=0
	while ! test -e writers.done; do
		seen=
		test -e first.put.returned && seen=1
		statusdir get S >"r.$r" 2>>"err.r$r"
		st=$?
		n=$((n + 1))
		case $st in
		0)
			if is_complete "r.$r"; then
				head -n 1 "r.$r" >>"reads.$r"
			else
				cp "r.$r" "bad.$r.$n"
				echo "reader $r: read $n is not a complete version" >>errors
			fi
			;;
		1)
			test -z "$seen" ||
				echo "reader $r: read $n found the store empty after a put had returned" >>errors
			;;
		*)
			echo "reader $r: read $n: get exited $st" >>errors
			;;
		esac
	done
	echo "$n" >"nreads.$r"
}

# A reader by id: takes the newest id from log, then gets that version,
# which a cleaner may have removed meanwhile (exit 1) but which, when read,
# has exactly the size its id names.
id_reader () {
	n=0 got=0
	while ! test -e writers.done; do
		n=$((n + 1))
		id=$(statusdir log S -n 1 2>>err.i | cut -f 1)
		test -n "$id" || continue
		statusdir get S "$id" >r.i 2>/dev/null
		st=$?
		case $st in
		0)
			got=$((got + 1))
			size=${id#*.*.}
			if ! is_complete r.i || test "$(wc -c <r.i)" != "${size%.*}"; then
				cp r.i "bad.i.$id"
				echo "id reader: $id read back incomplete" >>errors
			fi
			;;
		1) ;;
		*) echo "id reader: get $id exited $st" >>errors ;;
		esac
	done
	echo "$got of $n" >nidreads
}

cleaner () {
	n=0
	while ! test -e writers.done; do
		statusdir prune S --keep 5 2>>err.c ||
			echo "cleaner: prune --keep 5 exited $?" >>errors
		n=$((n + 1))
	done
	echo "$n" >nprunes
}

# A second cleaner that only sweeps and moves, and checks that log never
# comes back empty once a put has returned.
sweeper () {
	while ! test -e writers.done; do
		seen=
		test -e first.put.returned && seen=1
		statusdir prune S 2>>err.s || echo "sweeper: prune exited $?" >>errors
		statusdir log S >log.s 2>>err.s || echo "sweeper: log exited $?" >>errors
		if test -n "$seen" && ! test -s log.s; then
			echo "sweeper: log was empty after a put had returned" >>errors
		fi
		# newest first, each version once, even while versions move
		cut -f 1 log.s >sweep.ids
		if ! sort -r -u -c sweep.ids 2>/dev/null; then
			cp log.s "bad.log.$(date +%s%N)"
			echo "sweeper: log not strictly newest first" >>errors
		fi
	done
}

test_expect_success "$WRITERS writers x $PUTS puts, $READERS + 1 readers, 2 cleaners" '
	statusdir init S &&
	i=1 &&
	while test $i -le "$READERS"; do
		reader $i & i=$((i + 1))
	done &&
	{ cleaner & } &&
	{ sweeper & } &&
	{ id_reader & } &&
	pids= && w=1 &&
	while test $w -le "$WRITERS"; do
		writer $w & pids="$pids $!" && w=$((w + 1))
	done &&
	ok=1 &&
	for p in $pids; do
		wait $p || ok=
	done &&
	: >writers.done &&
	wait &&
	test -n "$ok" &&
	if test -e errors; then
		cat errors >&4
		false
	fi &&
	cat err.[0-9]* err.c err.s err.i >all.err &&
	test_must_be_empty all.err &&
	cat ids.* >ids && test_line_count $((WRITERS * PUTS)) ids &&
	test_all_lines_match "$ID_RE" ids &&
	sort ids | uniq -d >dups && test_must_be_empty dups &&
	w=1 &&
	while test $w -le "$WRITERS"; do
		sort "ids.$w" >sorted && test_cmp "ids.$w" sorted || return 1
		w=$((w + 1))
	done &&
	cat written.* | sort >written &&
	cat reads.* | sort -u >read &&
	test -s read &&
	comm -13 written read >unknown &&
	test_must_be_empty unknown &&
	test_say "reads: $(cat nreads.* | tr "\n" " ")by id: $(cat nidreads), prunes: $(cat nprunes)" &&
	statusdir prune S --keep 5 &&
	statusdir log S >log && test_line_count 5 log &&
	statusdir verify S >out &&
	echo "5 versions, 0 damaged, 0 junk, 0 stale tmp files" >expect &&
	test_cmp expect out &&
	test_dir_is_empty S/tmp &&
	statusdir get S >last && is_complete last &&
	test_grep -x -E "writer [0-9]+ seq $PUTS" last
'

test_done
