#!/bin/sh
# SPDX-License-Identifier: MIT
# targets-median.sh - the targets as the issues state them: the median of
# several runs (three unless told), each run one interleaved bench/bench.
#
# Usage: bench/targets-median.sh [-n RUNS] [-k DIR] [BENCH OPTION...]
#
# Runs `bench/bench BENCH OPTION... --no-plots` RUNS times one after the
# other, keeps each report as DIR/run-K.txt (DIR: a new folder under
# ${TMPDIR:-/tmp} unless -k names one), then prints, for every target line
# of the reports, the ratio of each run, their median and the verdict on
# the median.  A target missing from some run (not measured there) is
# printed with the runs that had it.
set -u

runs=3
keep=
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=${2-}; shift $(($# > 1 ? 2 : 1)) ;;
	-k) keep=${2-}; shift $(($# > 1 ? 2 : 1)) ;;
	*) break ;;
	esac
done
case $runs in '' | *[!0-9]* | 0) echo "targets-median.sh: -n wants a count" >&2; exit 2 ;; esac
bench=${BENCH:-$(dirname "$0")/bench}
out=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/targets.XXXXXX")} || exit 1
mkdir -p "$out" || exit 1

k=1
while [ "$k" -le "$runs" ]; do
	echo "targets-median.sh: run $k of $runs" >&2
	"$bench" "$@" --no-plots --csv "$out/run-$k.csv" >"$out/run-$k.txt" || {
		echo "targets-median.sh: run $k failed; its report: $out/run-$k.txt" >&2
		exit 1
	}
	k=$((k + 1))
done

echo "== targets: median of $runs runs (reports in $out)"
# A target line: its name, value and unit, <= or >=, the limit, met or
# MISSED, a remark (bench/targets.c, verdict()).
k=1
while [ "$k" -le "$runs" ]; do
	sed -n '/^== targets/,$p' "$out/run-$k.txt" | grep -E ' (<=|>=) ' | grep -Ev '^ *[(=]'
	k=$((k + 1))
done | awk '
match($0, / +[0-9.]+[A-Za-z]* +(<=|>=) +[0-9.]+ +(met|MISSED)/) {
	what = substr($0, 1, RSTART - 1)
	split(substr($0, RSTART, RLENGTH), f, " ")
	v = f[1]; unit = v; sub(/^[0-9.]+/, "", unit); sub(/[^0-9.].*$/, "", v)
	if (!(what in n)) { order[++count] = what; op[what] = f[2]; limit[what] = f[3] + 0; u[what] = unit }
	vals[what, ++n[what]] = v + 0
}
END {
	for (i = 1; i <= count; i++) {
		w = order[i]; m = n[w]
		for (a = 1; a <= m; a++) s[a] = vals[w, a]
		for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++)
			if (s[b] < s[a]) { t = s[a]; s[a] = s[b]; s[b] = t }
		med = m % 2 ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
		runs = ""
		for (a = 1; a <= m; a++) runs = runs sprintf("%s%.2f", a > 1 ? " " : "", vals[w, a])
		met = op[w] == "<=" ? med <= limit[w] : med >= limit[w]
		printf "%-58s %6.2f%-3s %s %-5s %-6s (runs: %s)\n", w, med, u[w], op[w], limit[w],
		       met ? "met" : "MISSED", runs
	}
}'
