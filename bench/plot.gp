# SPDX-License-Identifier: MIT
# plot.gp - the benchmark's plots, drawn from its CSV:
#   gnuplot -e "csv='bench-results.csv'; outdir='.'" bench/plot.gp
# history=0 or writers=0 leaves out a plot whose section was not run.
# Columns: 1 section, 2 key, 3 payload, 4 history, 5 writers, 8 median.
if (!exists("csv")) csv = "bench-results.csv"
if (!exists("outdir")) outdir = "."
if (!exists("history")) history = 1
if (!exists("writers")) writers = 1
set datafile separator ","
set terminal pngcairo size 960,600 noenhanced font ",10"
set key below
set grid
# Points of other series are NaN: leave them out instead of breaking lines.
set datafile missing NaN

title(k) = k eq "plain" ? "plain open+read+close" : \
           k eq "statusdir" ? "statusdir_get (library)" : \
           k eq "floor" ? "raw floor: list cur/, read greatest" : \
           k eq "sqlite-full" ? "SQLite last row" : \
           k eq "lmdb" ? "LMDB last key" : \
           k eq "cat" ? "cat FILE (process)" : \
           k eq "cli" ? "statusdir get (process)" : \
           k eq "floor-cmd" ? "bench-floor get (process)" : k
sect(a) = strcol(1) eq a

if (history) {
set output outdir."/bench-get-history.png"
set title "newest-get, 100 B payload: median latency against versions in the store"
set logscale xy
set format x "%.0e"
set xlabel "versions in the store"
set ylabel "median µs"
plot for [k in "plain statusdir floor sqlite-full lmdb cat cli floor-cmd"] csv \
	using ((sect("history-get") || sect("history-get-process")) && strcol(2) eq k ? $4 : NaN):8 \
	with linespoints lw 2 title title(k)
}

if (writers) {
set output outdir."/bench-writers.png"
set title "durable 4 KiB puts from concurrent writer processes (median of rounds)"
unset logscale
set logscale x 2
set format x "%g"
set xtics (1, 2, 4, 8)
set xrange [0.9:9]
set xlabel "writer processes"
set ylabel "puts/s, all writers together"
set yrange [0:*]
wtitle(k) = k eq "floor" ? "raw protocol floor" : k eq "statusdir" ? "statusdir_put" : \
            k eq "statusdir-oneflush" ? "statusdir_put, one flush" : \
            k eq "sqlite-full" ? "SQLite WAL FULL" : k
plot for [k in "floor statusdir statusdir-oneflush sqlite-full"] csv \
	using (sect("writers") && strcol(2) eq k ? $5 : NaN):8 \
	with linespoints lw 2 title wtitle(k)
}
