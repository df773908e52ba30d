# SPDX-License-Identifier: MIT
# checks.sh - the body of t-moosefs.sh and t-glusterfs.sh, which set MH_FS
# and source it.  TAP: several hosts, one store.  Brings up the filesystem
# (tests/multihost/lib.sh) with two mounts of one volume, A used as this
# host, B as host statusdir-mh-b (own host name and pid namespace), and
# runs the checks of spec/filesystems.md, "MooseFS" and "GlusterFS": what
# the filesystem does, the torture split between the mounts, SIGKILLed
# writers, and, with the client caches at their defaults and then off, how
# fresh B's view of A's puts is, and format 2 across the two mounts: L
# raised from both at once, puts and a counter updated from both at once.
# Root only; "1..0 # SKIP" where the filesystem is missing (with CI=true: a
# failure) and under STATUSDIR_QUICK (make distcheck in CI).
# MH_TORTURE_SECONDS (30), MH_TRIES (200), MH_LOW_ROUNDS (300), MH_CLAIMS
# (200 puts per writer), MH_UPDATES (30 per process), MH_FIRSTS (200 fresh
# stores): longer or shorter runs.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$top_srcdir/tests/multihost/lib.sh"
test_description="statusdir on $MH_FS_NAME, from two hosts"
. "$top_srcdir/tests/cli/lib.sh"

XHOST=$top_builddir/tests/multihost/xhost
TORTURE=$top_builddir/tests/safety/torture
HISTORY=$top_builddir/tests/safety/history
LINEARIZE=$top_srcdir/tests/safety/linearize.py

if test -n "$STATUSDIR_QUICK"; then
	skip_all='STATUSDIR_QUICK is set'
	test_done
elif test "$MH_FS" = glusterfs && test "${STATUSDIR_GLUSTERFS:-}" != 1; then
	# Three open problems (spec/filesystems.md, "GlusterFS (measured)"), one
	# of them a damage report whose cause is not found, fail this run now
	# and then, and the format-2 checks fail in every run (link(2) is not
	# exclusive across clients): it is run by hand.
	skip_all='GlusterFS runs with STATUSDIR_GLUSTERFS=1 (open problems: spec/filesystems.md)'
	test_done
elif missing=$(mh_missing); then
	if test "$CI" = true && test "$(id -u)" = 0; then
		echo "1..1"
		echo "not ok 1 - $MH_FS_NAME can run here (CI=true: $missing)"
		rm -rf "$TRASH_DIRECTORY"
		exit 0
	fi
	skip_all=$missing
	test_done
fi

# ---- Bring-up ----------------------------------------------------------------

mh_clear_stale
trap 'mh_down' EXIT
trap 'exit 1' HUP INT TERM
if ! mh_up; then
	echo "1..1"
	echo "not ok 1 - $MH_FS_NAME comes up"
	exit 0
fi

# mh_limit SECONDS CMD...: CMD in a process group of its own, ended (TERM,
# then KILL) if it runs longer.
mh_limit () {
	mh_secs_=$1
	mh_start_=$SECONDS
	shift
	set -m
	"$@" &
	mh_job_=$!
	sleep "$mh_secs_" &
	mh_dog_=$!
	set +m
	# whichever ends first: the check, or the time limit
	while kill -0 "$mh_job_" 2>/dev/null && kill -0 "$mh_dog_" 2>/dev/null; do
		sleep 0.1
	done
	if kill -0 "$mh_job_" 2>/dev/null; then
		echo "timed out after $mh_secs_ s: $*" >&4
		kill -TERM -- -"$mh_job_" 2>/dev/null
		sleep 2
		kill -KILL -- -"$mh_job_" 2>/dev/null
	fi
	kill -- -"$mh_dog_" 2>/dev/null
	wait "$mh_job_"
	mh_rc_=$?
	test_say "($1: $((SECONDS - mh_start_)) s)"
	return $mh_rc_
}

# The cache timeout of the current mounts in ms: the longest of the
# attribute and directory entry timeouts they were mounted with.
cache_ms () {
	eval "echo \$MH_CACHE_MS_$MH_CACHE"
}

# stats FILE: "p50 p99 max" of the numbers in FILE (ns), in ms.
stats () {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- - -"; exit }
		i50 = int((NR - 1) * 0.50) + 1; i99 = int((NR - 1) * 0.99) + 1
		printf "%.1f %.1f %.1f\n", v[i50] / 1e6, v[i99] / 1e6, v[NR] / 1e6 }'
}

# ---- The checks ----------------------------------------------------------------

# What the filesystem does across two clients, as spec/filesystems.md
# states it.  GlusterFS: through B, a file removed through A keeps the link
# count B's attribute cache holds (2: it had two names a moment before).
check_probe () {
	mkdir "$MH_A/probe" &&
	"$XHOST" probe "$MH_A/probe" "$MH_B/probe" >probe &&
	sed "s/^# /# $MH_FS_NAME: /" probe >>"$test_out_.say" &&
	test_grep -x '# renameat2 RENAME_NOREPLACE: Invalid argument' probe &&
	test_grep -x '# link over an existing name: File exists' probe &&
	test_grep -x '# link count on the other mount: 2' probe &&
	test_grep -x '# fsync of a file: ok' probe &&
	test_grep -x '# fsync of a folder: ok' probe &&
	test_grep -x '# read on B of a file removed on A: ok' probe &&
	test_grep -x '# inotify on B, create on A: no event in 1.5 s' probe &&
	if test "$MH_FS" = glusterfs; then
		test_grep -x '# fstat on B of a file removed on A: ok, link count 2' probe
	else
		test_grep -x '# fstat on B of a file removed on A: ok, link count 0' probe
	fi &&
	# the link fallback commits, and no tmp/ name is left
	statusdir init "$MH_A/probe/s" &&
	echo one | statusdir put "$MH_A/probe/s" >id &&
	test_dir_is_empty "$MH_A/probe/s/tmp" &&
	echo one >expect &&
	mh_on_b statusdir get "$MH_B/probe/s" "$(cat id)" >actual &&
	test_cmp expect actual
}

# The torture, its writers, readers and cleaners split between the mounts,
# the watcher on B: every invariant it checks, across the two hosts.
# GlusterFS, an open problem (spec/filesystems.md, "GlusterFS"): a verify
# that fails with ENOENT (a read of a version pruned after its open) or
# ESTALE (an open of a name pruned moments before) is counted and said,
# not failed; any other violation fails.
MH_KNOWN_VIOLATION='verify: \(no such version, or the store is empty\|Stale file handle\)'
check_torture () {
	"$TORTURE" -w 4 -r 3 -c 2 -k 10 -d "${MH_TORTURE_SECONDS:-30}" \
		-B "$MH_B/torture" -H "$MH_HOST_B" "$MH_A/torture" >out 2>&1
	mh_t_=$?
	grep '^#' out | head -20 >>"$test_out_.say"
	test $mh_t_ = 0 && return 0
	if test "$MH_FS" = glusterfs; then
		mh_known_=$(grep -c "^# VIOLATION (pid [0-9]*): $MH_KNOWN_VIOLATION\$" out)
		if test "$mh_known_" -gt 0 &&
			test -z "$(grep '^# VIOLATION' out | grep -v ": $MH_KNOWN_VIOLATION\$")" &&
			grep -q "^# torture: .*, $mh_known_ violations\$" out; then
			test_say "torture: $mh_known_ verifies failed with ENOENT or ESTALE (the open" \
				"problem of spec/filesystems.md, GlusterFS); no other violation"
			return 0
		fi
	fi
	cat out >&4
	return 1
}

# tmp_by HOST STORE: how many tmp/ files of writers on HOST STORE holds.
tmp_by () {
	ls "$2/tmp" | grep -c "\.$1\$"
}

# Writers on A killed with SIGKILL while B's keep writing; then verify from
# both, and prune from both: B leaves A's leftovers to the age rule (another
# host), A removes them (its writers are gone).
check_kill () {
	mh_s_=kill.$MH_CACHE
	statusdir init "$MH_A/$mh_s_" || return 1
	"$XHOST" writer "$MH_A/$mh_s_" 0 8 >a1 &
	mh_a1_=$!
	"$XHOST" writer "$MH_A/$mh_s_" 0 8 >a2 &
	mh_a2_=$!
	mh_on_b "$XHOST" writer "$MH_B/$mh_s_" 0 5 >b1 &
	mh_b1_=$!
	mh_on_b "$XHOST" writer "$MH_B/$mh_s_" 0 5 >b2 &
	mh_b2_=$!
	sleep 2
	kill -KILL "$mh_a1_" "$mh_a2_"
	wait "$mh_a1_" "$mh_a2_"
	mh_k_=$("$XHOST" now)
	wait "$mh_b1_" && wait "$mh_b2_" || { test_fail_ "a writer on B failed"; return 1; }
	mh_after_=$(cat b1 b2 | awk -v k="$mh_k_" '$1 > k' | wc -l)
	mh_ahost_=$(hostname | sed 's/[^A-Za-z0-9_-]/./g')
	mh_left_=$(tmp_by "$mh_ahost_" "$MH_A/$mh_s_")
	test_say "kill: $(cat a1 a2 | wc -l) puts on A before the kill, $mh_after_ on B after it;" \
		"$mh_left_ tmp/ files left by the killed writers"
	# each step names itself when it fails: a failure seen once in CI
	# must say which step it was
	test "$mh_after_" -gt 0 || test_fail_ "no put on B after the kill" || return 1
	statusdir verify "$MH_A/$mh_s_" || test_fail_ "verify on A" || return 1
	mh_on_b statusdir verify "$MH_B/$mh_s_" || test_fail_ "verify on B" || return 1
	mh_on_b statusdir prune "$MH_B/$mh_s_" || test_fail_ "prune on B" || return 1
	test "$(tmp_by "$mh_ahost_" "$MH_A/$mh_s_")" = "$mh_left_" ||
		test_fail_ "prune on B took tmp/ files of A's writers, which B cannot know gone:" \
			"$(ls "$MH_A/$mh_s_/tmp")" || return 1
	statusdir prune "$MH_A/$mh_s_" || test_fail_ "prune on A" || return 1
	test "$(tmp_by "$mh_ahost_" "$MH_A/$mh_s_")" = 0 ||
		test_fail_ "prune on A left tmp/ files of its killed writers: $(ls "$MH_A/$mh_s_/tmp")" || return 1
	mh_on_b statusdir prune --tmp-age 1s "$MH_B/$mh_s_" || test_fail_ "prune --tmp-age 1s on B" || return 1
	test_dir_is_empty "$MH_A/$mh_s_/tmp" || return 1
	statusdir get "$MH_A/$mh_s_" >ga || test_fail_ "get on A" || return 1
	mh_on_b statusdir get "$MH_B/$mh_s_" >gb || test_fail_ "get on B" || return 1
	test_cmp ga gb || return 1
	statusdir verify "$MH_A/$mh_s_" || test_fail_ "verify on A at the end"
}

# The first puts of fresh stores from A and B at the same moment: both
# create STORE/has-versions, and through two MooseFS clients one of two
# such creates answers EEXIST (spec/filesystems.md): both puts must commit.
check_first () {
	mh_d_=first.$MH_CACHE
	mkdir "$MH_A/$mh_d_" && mkfifo ab ba || return 1
	mh_on_b "$XHOST" firstpeer "$MH_B/$mh_d_" ab ba &
	mh_p_=$!
	"$XHOST" first "$MH_A/$mh_d_" "${MH_FIRSTS:-200}" ab ba >first.out
	mh_rc_=$?
	wait "$mh_p_" || mh_rc_=1
	test_say "$(sed "s/^# //" first.out)"
	return $mh_rc_
}

# watch --poll 1s on B sees A's puts (inotify does not cross clients):
# every one, in order, within the poll interval plus the cache timeout.
check_watch () {
	mh_s_=$MH_A/watch.$MH_CACHE
	statusdir init "$mh_s_" && echo 0 | statusdir put "$mh_s_" >/dev/null || return 1
	mh_on_b statusdir watch "$MH_B/watch.$MH_CACHE" --poll 1s --count 10 --timeout 30s |
		while read -r mh_id_; do echo "$mh_id_ $("$XHOST" now)"; done >seen &
	mh_w_=$!
	sleep 1.5
	"$XHOST" put "$mh_s_" 10 300 >puts || return 1
	wait "$mh_w_"
	cut -d ' ' -f 1 puts >want && cut -d ' ' -f 1 seen >got && test_cmp want got &&
	paste -d ' ' puts seen | awk '{ print $4 - $2 }' >lag &&
	set -- $(stats lag) &&
	test_say "watch --poll 1s on B, puts on A, caches $MH_CACHE: late by p50 $1 ms, max $3 ms" &&
	awk -v b="$(( 1000 + $(cache_ms) + 500 ))" '$1 / 1e6 > b { exit 1 }' lag ||
		test_fail_ "a put was seen later than the poll interval plus the cache timeout"
}

# A put on B that begins after a put on A returned, B's clock 5 s behind:
# a greater id?  At once (best effort: protocol.md, 9.2; measured), and
# after the cache timeout (must hold).
# B's clock is put 5 s behind through libfaketime itself: faketime(1)
# names a semaphore by its pid, which in B's new pid namespace is the same
# small number every run, so one that a killed run left in /dev/shm made
# the next run's faketime fail.
faketime_lib () {
	for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
		test -f "$f" && echo "$f" && return 0
	done
	return 1
}

check_order () {
	mh_s_=order.$MH_CACHE
	faketime_lib >/dev/null || { test_fail_ "libfaketime not found"; return 1; }
	statusdir init "$MH_A/$mh_s_" && mkfifo ab ba ab2 ba2 || return 1
	mh_on_b env LD_PRELOAD="$(faketime_lib)" FAKETIME=-5s "$XHOST" order "$MH_B/$mh_s_" ab ba 0 &
	"$XHOST" put "$MH_A/$mh_s_" "${MH_TRIES:-200}" 0 ab ba >fast || return 1
	wait
	mh_on_b env LD_PRELOAD="$(faketime_lib)" FAKETIME=-5s \
		"$XHOST" order "$MH_B/$mh_s_" ab2 ba2 "$(( $(cache_ms) + 200 ))" &
	"$XHOST" put "$MH_A/$mh_s_" 5 0 ab2 ba2 >slow || return 1
	wait
	mh_bad_=$(awk '$3 == 0' fast | wc -l)
	test_say "order, B's clock 5 s behind, caches $MH_CACHE: $mh_bad_ of $(wc -l <fast) puts on B" \
		"right after A's returned got a smaller id; after $(cache_ms) ms: $(awk '$3 == 0' slow | wc -l) of 5"
	test "$(awk '$3 == 1' slow | wc -l)" = 5 || test_fail_ "misordered after the cache timeout"
}

# A config change on A reaches a writer on B (one handle, a put every
# 50 ms) within the attribute cache timeout plus twice the longest time
# from one put's return to the next's: the put under way when config
# returned, then the next, which reads the format again.
check_config () {
	mh_s_=config.$MH_CACHE
	statusdir init "$MH_A/$mh_s_" --keep 100 || return 1
	mh_on_b "$XHOST" writer "$MH_B/$mh_s_" 50 5 >w 2>err &
	sleep 1.5
	mh_t0_=$("$XHOST" now)
	statusdir config "$MH_A/$mh_s_" --keep 3 || return 1
	mh_t1_=$("$XHOST" now)
	if ! wait "$!"; then
		cat err >&4
		# GlusterFS, its caches on: the writer's put fails with ESTALE
		# (spec/filesystems.md, "GlusterFS"); said, not failed
		test "$MH_FS $MH_CACHE" = "glusterfs default" &&
		test_grep -x 'xhost: put (begin: the file in tmp/): Stale file handle' err ||
			return 1
		test_say "config on A, caches $MH_CACHE: the writer on B failed:" \
			"$(cat err) ($(wc -l <w) puts before)"
		return 0
	fi
	mh_first_=$(awk -v t="$mh_t1_" '$1 > t && $3 <= 3 { print $1; exit }' w)
	mh_put_=$(awk 'NR > 1 && $1 - p > m { m = $1 - p } { p = $1 } END { print m }' w)
	test -n "$mh_first_" || test_fail_ "the writer on B never applied keep 3" || return 1
	mh_lag_=$(( (mh_first_ - mh_t1_) / 1000000 ))
	test_say "config on A (took $(( (mh_t1_ - mh_t0_) / 1000000 )) ms), caches $MH_CACHE:" \
		"applied by the writer on B $mh_lag_ ms after it returned (longest put: $(( mh_put_ / 1000000 )) ms)"
	test "$mh_lag_" -le $(( $(cache_ms) + 2 * (mh_put_ / 1000000) )) ||
		test_fail_ "later than the attribute cache timeout plus two puts"
}

# get on B right after a put on A returned: how often older, for how long.
check_fresh () {
	mh_s_=fresh.$MH_CACHE
	statusdir init "$MH_A/$mh_s_" && mkfifo ab ba || return 1
	mh_on_b "$XHOST" get "$MH_B/$mh_s_" ab ba 5000 &
	"$XHOST" put "$MH_A/$mh_s_" "${MH_TRIES:-200}" 0 ab ba >res || return 1
	wait
	awk '{ print $3 }' res >stale
	awk '$4 == 1 { print $3 }' res >stale_only
	set -- $(stats stale)
	mh_max_=$3
	test_say "get on B right after a put on A, caches $MH_CACHE: older in" \
		"$(wc -l <stale_only) of $(wc -l <res); older for p50 $1 ms, p99 $2 ms, max $3 ms" \
		"(of those older: p50 $(stats stale_only | cut -d ' ' -f 1) ms)"
	awk -v b="$(( $(cache_ms) + 250 ))" '$1 / 1e6 > b { exit 1 }' stale ||
		test_fail_ "older for longer than the cache timeout ($mh_max_ ms)"
}

# puts/s of 4 writers (a put every... as fast as they go) for 3 s, all on
# A or split 2 + 2 between A and B; get latency; the same on local ext4.
# Contended: two cores also run the filesystem's daemons.
perf_puts () { # STORE_A STORE_B SPLIT
	statusdir init "$1" || return 1
	for mh_i_ in 1 2 3 4; do
		if test "$3" = split && test $((mh_i_ % 2)) = 0; then
			mh_on_b "$XHOST" writer "$2" 0 3 >"w$mh_i_" &
		else
			"$XHOST" writer "$1" 0 3 >"w$mh_i_" &
		fi
	done
	wait
	echo $(( $(cat w1 w2 w3 w4 | wc -l) / 3 ))
}

check_perf () {
	mh_one_=$(perf_puts "$MH_A/perf1" "$MH_B/perf1" one) &&
	mh_split_=$(perf_puts "$MH_A/perf2" "$MH_B/perf2" split) &&
	mh_local_=$(perf_puts "$PWD/local" "$PWD/local" one) &&
	mh_gm_=$("$XHOST" getlat "$MH_A/perf1" 500) &&
	mh_gl_=$("$XHOST" getlat "$PWD/local" 500) &&
	test_say "perf (contended, caches $MH_CACHE): 4 writers, puts/s: all on A $mh_one_," \
		"2 on A + 2 on B $mh_split_, local $(findmnt -n -o FSTYPE -T .) $mh_local_" &&
	test_say "perf: get newest, p50 p99 in us: $MH_FS_NAME $(echo $mh_gm_ | awk '{ print int($1/1000), int($2/1000) }')," \
		"local $(echo $mh_gl_ | awk '{ print int($1/1000), int($2/1000) }')" &&
	test "$mh_one_" -gt 0 && test "$mh_split_" -gt 0
}

# ---- Format 2 across the two mounts (spec/format2.md, sections 5, 7, 14, 15) ----

# L, the size of STORE/low, as a max-register: raised from A and from B at
# the same moment, many rounds, then read from both with
# AT_STATX_FORCE_SYNC (xhost lowmax): never below the maximum once both
# raises returned, never down as seen from either mount.
check_low () {
	mh_s_=low.$MH_CACHE
	statusdir init --format 2 "$MH_A/$mh_s_" && mkfifo ab ba || return 1
	mh_on_b "$XHOST" lowpeer "$MH_B/$mh_s_/low" ab ba 2>errb &
	"$XHOST" lowmax "$MH_A/$mh_s_/low" "${MH_LOW_ROUNDS:-300}" ab ba >res 2>err
	mh_r_=$?
	wait "$!" || { cat errb >&4; mh_r_=1; }
	sed "s/^# /# caches $MH_CACHE: /" res >>"$test_out_.say"
	test "$mh_r_" = 0 || { cat err >&4; return 1; }
}

# put_loop STORE N: N puts with statusdir put, one after another, of the
# payloads "HOST TAG PID SEQ"; prints "BEGIN END STATUS ID PAYLOAD" per put,
# BEGIN and END in microseconds of the realtime clock, which both hosts
# read from one kernel.  Run by bash on either host.
cat_put_loop () {
	cat <<-'END'
	s=$1 n=$2 tag=$3 h=$(hostname)
	i=0
	while test $i -lt "$n"; do
		i=$((i + 1))
		p="$h $tag $$ $i"
		b=${EPOCHREALTIME/./}
		id=$(echo "$p" | statusdir put "$s" 2>>"err.$tag")
		rc=$?
		e=${EPOCHREALTIME/./}
		echo "$b $e $rc ${id:--} $p"
	done
	END
}

# two_per_mount S N: loop.sh S N TAG twice on A and twice on B at once,
# through each host's mount; their outputs in a1 a2 b1 b2, and all four in
# all.
two_per_mount () {
	bash loop.sh "$MH_A/$1" "$2" a1 >a1 &
	bash loop.sh "$MH_A/$1" "$2" a2 >a2 &
	mh_on_b bash loop.sh "$MH_B/$1" "$2" b1 >b1 &
	mh_on_b bash loop.sh "$MH_B/$1" "$2" b2 >b2 &
	wait
	cat a1 a2 b1 b2 >all
}

# Writers on A and on B putting into one format-2 store at once, with the
# CLI: every put succeeds, the ids are distinct and dense 1..N, each id
# holds its put's payload as read from the other mount, and a put that
# began after another returned, on either host, got a greater number.
check_claims () {
	mh_s_=claims.$MH_CACHE
	mh_n_=${MH_CLAIMS:-200}
	statusdir init --format 2 "$MH_A/$mh_s_" && cat_put_loop >loop.sh || return 1
	mh_t0_=$SECONDS
	two_per_mount "$mh_s_" "$mh_n_"
	mh_secs_=$((SECONDS - mh_t0_))
	mh_all_=$((4 * mh_n_))
	mh_failed_=$(awk '$3 != 0' all | wc -l)
	test_say "claims, caches $MH_CACHE: $(wc -l <all) puts (2 writers on A, 2 on B) in $mh_secs_ s," \
		"$mh_failed_ failed; $(ls "$MH_A/$mh_s_/cur" | wc -l) names in cur/"
	test "$mh_failed_" = 0 || { cat err.* >&4; test_fail_ "$mh_failed_ puts failed"; return 1; }
	test_line_count "$mh_all_" all &&
	awk '{ print $4 }' all | sort >ids &&
	uniq -d ids >dup && test_line_count 0 dup &&
	awk '{ printf "%020d\n", NR }' ids >dense && test_cmp dense ids &&
	test_dir_is_empty "$MH_A/$mh_s_/tmp" &&
	# each payload, read through the other mount
	cat a1 a2 | cut -d ' ' -f 4- >on_a &&
	cat b1 b2 | cut -d ' ' -f 4- >on_b &&
	mh_on_b bash -c 'while read -r id p; do
			test "$(statusdir get "$1" "$id")" = "$p" || echo "$id $p"
		done <on_a' sh "$MH_B/$mh_s_" >bad_a &&
	while read -r mh_id_ mh_p_; do
		test "$(statusdir get "$MH_A/$mh_s_" "$mh_id_")" = "$mh_p_" || echo "$mh_id_ $mh_p_"
	done <on_b >bad_b &&
	test_line_count 0 bad_a && test_line_count 0 bad_b &&
	# order: for each pair, x ended before y began => id x < id y
	awk '{ b[NR] = $1; e[NR] = $2; id[NR] = $4 + 0; h[NR] = $5; p[NR] = $0 }
		END {
			for (x = 1; x <= NR; x++)
				for (y = 1; y <= NR; y++)
					if (e[x] < b[y]) {
						if (h[x] == h[y]) same++; else cross++
						if (id[x] >= id[y]) { bad++; if (bad <= 10) print "misordered: " p[x] " / " p[y] > "/dev/stderr" }
					}
			print same + 0, cross + 0, bad + 0
		}' all >order 2>&4 &&
	read -r mh_same_ mh_cross_ mh_bad_ <order &&
	test_say "claims: ids dense 1..$mh_all_, payloads read back through the other mount;" \
		"order: $mh_bad_ misordered of $mh_same_ pairs on one host and $mh_cross_ across hosts" \
		"where one put ended before the other began" &&
	test "$mh_bad_" = 0
}

# A counter updated from both mounts at once with statusdir update: no
# update lost (the final value is the number of updates that exited 0,
# and version k holds k), no id given twice.  The command also counts its
# runs: those beyond one per update were conflicts, retried.
cat_update_loop () {
	cat <<-'END'
	s=$1 n=$2 tag=$3
	i=0
	while test $i -lt "$n"; do
		i=$((i + 1))
		id=$(statusdir update "$s" --retries 10000 \
			--run sh -c 'echo >>"$0"; read n; echo $((${n:-0}+1))' "runs.$tag" 2>>"err.$tag")
		echo "$? ${id:--} $tag"
	done
	END
}

# Histories of gets, conditional puts and puts from 6 processes, half of
# them through B's mount, with a cleaner, checked for linearizability
# (tests/safety/linearize.py): a counter, then a mix with 2 killed.
check_history () {
	for mh_mode_ in counter mix; do
		mh_s_=history.$mh_mode_.$MH_CACHE
		if test $mh_mode_ = counter; then
			set -- --counter
		else
			set -- --kill 2
		fi
		"$HISTORY" -p 6 -n "${MH_HISTORY_OPS:-150}" -k 5 -c 1 "$@" -B "$MH_B/$mh_s_" \
			"$MH_A/$mh_s_" h.$mh_mode_ || return 1
		test $mh_mode_ = counter && set -- --counter || set --
		/usr/bin/python3 "$LINEARIZE" "$@" h.$mh_mode_ >lin.$mh_mode_ 2>&1
		mh_rc_=$?
		test_say "history ($mh_mode_), caches $MH_CACHE: $(cat lin.$mh_mode_ | head -n 1)"
		test $mh_rc_ -eq 0 || return 1
	done
}

check_counter () {
	mh_s_=counter.$MH_CACHE
	mh_n_=${MH_UPDATES:-30}
	statusdir init --format 2 "$MH_A/$mh_s_" && cat_update_loop >loop.sh || return 1
	mh_t0_=$SECONDS
	two_per_mount "$mh_s_" "$mh_n_"
	mh_secs_=$((SECONDS - mh_t0_))
	mh_ok_=$(awk '$1 == 0' all | wc -l)
	mh_other_=$(awk '$1 != 0 { print $1 }' all | sort | uniq -c | awk '{ printf " %s with exit %s", $1, $2 }')
	mh_final_=$(mh_on_b statusdir get "$MH_B/$mh_s_")
	test_say "counter, caches $MH_CACHE: $(wc -l <all) updates (2 on A, 2 on B) in $mh_secs_ s:" \
		"$mh_ok_ exited 0${mh_other_:+,$mh_other_}; final value $mh_final_;" \
		"$(($(cat runs.* | wc -l) - $(wc -l <all))) conflicts retried"
	test -z "$mh_other_" || cat err.* >&4
	test "$mh_final_" = "$mh_ok_" || test_fail_ "final value $mh_final_, $mh_ok_ updates exited 0" || return 1
	awk '$1 == 0 { print $2 }' all | sort >ids &&
	uniq -d ids >dup && test_line_count 0 dup &&
	awk '{ printf "%020d\n", NR }' ids >dense && test_cmp dense ids &&
	while read -r mh_id_; do
		test "$(statusdir get "$MH_A/$mh_s_" "$mh_id_")" = "$((10#$mh_id_))" || echo "$mh_id_"
	done <ids >bad && test_line_count 0 bad
}

# ---- Running them ----------------------------------------------------------------

mh_log "up in $SECONDS s"
if ! mh_mount default; then
	echo "1..1"
	echo "not ok 1 - $MH_FS_NAME mounts come up"
	exit 0
fi
mh_log "mounted in $SECONDS s"
test_expect_success "$MH_FS_NAME: renames, links, fsync, unlink and inotify across two clients" \
	'mh_limit 30 check_probe'
test_expect_success "torture split between hosts A and B for ${MH_TORTURE_SECONDS:-30} s" \
	'mh_limit $(( ${MH_TORTURE_SECONDS:-30} + 60 )) check_torture'
for MH_CACHE in default nocache; do
	test "$MH_CACHE" = default || mh_mount "$MH_CACHE" || { echo "Bail out! cannot remount"; exit 1; }
	test_expect_success "caches $MH_CACHE: writers on A killed, B writes on; verify and prune from both" \
		'mh_limit 40 check_kill'
	test_expect_success "caches $MH_CACHE: the first puts of a store, from A and B at once" \
		'mh_limit 60 check_first'
	test_expect_success "caches $MH_CACHE: watch --poll on B sees A's puts" \
		'mh_limit 40 check_watch'
	test_expect_success FAKETIME "caches $MH_CACHE: order of puts on A then B, B's clock behind" \
		'mh_limit 60 check_order'
	test_expect_success "caches $MH_CACHE: config on A reaches a writer on B" \
		'mh_limit 30 check_config'
	test_expect_success "caches $MH_CACHE: get on B right after a put on A" \
		'mh_limit 90 check_fresh'
	test "$MH_CACHE" = default &&
	test_expect_success "caches $MH_CACHE: puts/s on one mount and on two, get latency" \
		'mh_limit 40 check_perf'
	# Format 2 is for MooseFS, not GlusterFS, whose link(2) is not
	# exclusive across clients (spec/filesystems.md, "GlusterFS"): there
	# the checks run only when asked, to measure it again.
	if test "$MH_FS" = moosefs || test "${STATUSDIR_GLUSTERFS_FORMAT2:-}" = 1; then
		test_expect_success "caches $MH_CACHE: format 2, L raised from A and B at once, read from both" \
			'mh_limit 60 check_low'
		test_expect_success "caches $MH_CACHE: format 2, puts from A and B at once: distinct, dense, ordered" \
			'mh_limit 150 check_claims'
		test_expect_success "caches $MH_CACHE: format 2, a counter updated from A and B loses nothing" \
			'mh_limit 150 check_counter'
		test_expect_success "caches $MH_CACHE: format 2, histories through both mounts are linearizable" \
			'mh_limit 150 check_history'
	fi
done
mh_log "checks done in $SECONDS s"
test_done
