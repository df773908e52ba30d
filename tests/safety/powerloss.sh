#!/bin/sh
# SPDX-License-Identifier: MIT
# TAP: power loss on ext4, xfs and btrfs (root only), with put's two
# flushes and with one (STATUSDIR_ONE_FLUSH).
#
# Method: a filesystem on a loop device whose backing file lives on tmpfs;
# background writeback is switched off (vm.dirty_*, commit= on ext4 and
# btrfs, fs.xfs.xfssyncd_centisecs), so only what put fsync'd reaches the
# "disk".  The writer is frozen with SIGSTOP, either right after an
# acknowledgement or at a random point mid-put, and the backing file is
# copied without sync or unmount: the copy is what a power cut at that
# instant leaves.  The copy is then mounted (journal replay; without a
# journal, e2fsck -p first, as a boot would), checked by "powerloss check"
# (every acknowledged put present and intact, no version damaged; with one
# flush, damage only above every acknowledged id, and the newest get intact
# and at least as new as the last acknowledgement) and fsck'd.  The same
# rounds with put's file fsync or cur/ fsync removed (powerloss-broken) must
# fail: that shows the test can tell.
#
# The init round: "statusdir init" makes a store two new directories deep
# (the parents init makes are flushed one by one, then the store), the
# image is copied as soon as init returned, and the store must be there
# and open as an empty store (get exits 1, not 4).  Without the fsync of
# the new store's own directory once its format file is in place
# (statusdir-broken, PL_SKIP_FSYNC=holder:format) it must fail.  Without
# the fsync of its parent (holder:store) it does not fail on ext4, XFS or
# btrfs, whose later fsyncs make the name durable too: that round is
# reported as a TODO, to turn into a real check wherever it can tell.
#
# Nothing is left behind: every wait is bounded, every exit (signals
# included) unmounts (lazily if busy) and detaches what the run made, and a
# run first clears what a killed one left (its mounts under
# /tmp/powerloss.XXXXXX, the loop devices of its images, its sysctls).
#
# POWERLOSS_FS (default "ext4 xfs btrfs"; "ext4nj", ext4 without a journal,
# is left out: it loses acknowledged puts whatever put does, see
# spec/filesystems.md),
# POWERLOSS_ROUNDS (default 4 with two flushes, half that with one).
if [ -n "${STATUSDIR_QUICK:-}" ]; then
	echo "1..0 # SKIP STATUSDIR_QUICK is set (make distcheck in CI: make check ran it)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (loop devices, mounts, sysctls)"
	exit 0
fi
for tool in losetup mkfs.ext4 mkfs.xfs mkfs.btrfs e2fsck xfs_repair btrfs sysctl flock \
	timeout mountpoint findmnt unshare; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not found"
		exit 0
	fi
done

# One run at a time on a machine: each saves the sysctls it changes and
# restores them on exit, and two at once would restore each other's
# settings (background writeback off) for good.  The wait is bounded; the
# processes this script starts do not inherit the lock (9>&-), so one that
# hangs after a run was killed does not hold it.
lock=/tmp/statusdir-powerloss.lock
lock_wait=${POWERLOSS_LOCK_WAIT:-1800}
if [ -z "${POWERLOSS_IN_NS:-}" ]; then
	exec 9>"$lock"
	if ! flock -w "$lock_wait" 9; then
		echo "Bail out! another power-loss run has held $lock for ${lock_wait}s"
		exit 1
	fi
fi

bin="$top_builddir/tests/safety/powerloss"
broken="$top_builddir/tests/safety/powerloss-broken"
sd="$top_builddir/cli/statusdir"
sd_broken="$top_builddir/tests/safety/statusdir-broken"
filesystems=${POWERLOSS_FS:-ext4 xfs btrfs}
rounds=${POWERLOSS_ROUNDS:-4}
for b in "$bin" "$broken" "$sd" "$sd_broken"; do
	if ! [ -x "$b" ]; then
		echo "Bail out! $b is not built (make check builds it; by hand, set top_builddir)"
		exit 1
	fi
done

# ---- Mounts and loop devices: never left behind ------------------------------

# unmount_all DIR: every filesystem mounted on DIR, stacked ones included;
# lazily (umount -l) when one is busy, so that this never waits for good.
unmount_all() {
	i=0
	while mountpoint -q "$1" 2>/dev/null && [ $i -lt 64 ]; do
		if ! timeout 60 umount "$1" 2>/dev/null; then
			echo "# $1 is busy: unmounting it lazily"
			umount -l "$1" 2>/dev/null
		fi
		i=$((i + 1))
	done
}

# detach_backed_by ERE: detaches every loop device whose backing file
# matches; one still mounted is marked to detach itself at its unmount.
detach_backed_by() {
	for d in $(losetup -l -n -O NAME,BACK-FILE 2>/dev/null |
	           awk -v re="$1" '$2 ~ re { print $1 }'); do
		timeout 60 losetup -d "$d" 2>/dev/null
	done
}

# wait_detached ERE: until no loop device is backed by a matching file, 10 s
# at most (the kernel lets a device go a moment after its last close).
wait_detached() {
	i=0
	while [ $i -lt 1000 ] && losetup -l -n -O BACK-FILE 2>/dev/null | grep -Eq "$1"; do
		sleep 0.01
		i=$((i + 1))
	done
}

# A run killed before its cleanup (SIGKILL, a reboot of the container)
# leaves its loop devices and mounts; as this run holds the lock, every
# /tmp/powerloss.XXXXXX is such a leftover.  Its images first (a mounted
# one is detached at its unmount), then its mounts: the copy, the live
# filesystem, and the tmpfs under their images once these are let go.
clear_leftovers() {
	old='^/tmp/powerloss[.][A-Za-z0-9]+/disk/(img|copy)$'
	losetup -l -n -O NAME,BACK-FILE 2>/dev/null | awk -v re="$old" '$2 ~ re {
		print "# an earlier run left " $1 " attached to " $2 ": detaching it" }'
	detach_backed_by "$old"
	for w in $(findmnt -rn -o TARGET 2>/dev/null |
	           sed -n -E 's#^(/tmp/powerloss\.[A-Za-z0-9]+)/(after|live|disk)$#\1#p' |
	           sort -u); do
		for m in after live disk; do
			mountpoint -q "$w/$m" || continue
			echo "# an earlier run left $w/$m mounted: unmounting it"
			[ $m = disk ] && wait_detached "^$w/disk/"
			unmount_all "$w/$m"
		done
	done
	for w in /tmp/powerloss.*; do
		[ -d "$w" ] && ! findmnt -rn -o TARGET | grep -q "^$w/" &&
			rm -rf --one-file-system "$w"
	done
}
# The rounds run in a mount namespace of their own.  A namespace another
# process makes while a round's filesystem is mounted (unshare -m, a
# container) would hold a copy of the mount: the filesystem would outlive
# its umount, so that the copy of its image could not be mounted (XFS: a
# duplicate UUID) or fsck'd (btrfs: device busy), as seen on a shared
# machine.  And whatever way the run ends, its mounts end with the
# namespace.  Leftovers of a run made before are cleared out here, where
# they are mounted; the lock (fd 9) goes along.
if [ -z "${POWERLOSS_IN_NS:-}" ]; then
	clear_leftovers
	POWERLOSS_IN_NS=1
	export POWERLOSS_IN_NS
	exec unshare -m --propagation private -- /bin/sh "$0"
fi

work=$(mktemp -d /tmp/powerloss.XXXXXX) || exit 1
mkdir "$work/disk" "$work/live" "$work/after"
mount -t tmpfs -o size=3g tmpfs "$work/disk" || exit 1

# release: this run's mounts and loop devices, between rounds and at exit.
release() {
	detach_backed_by "^$work/disk/(img|copy)\$"
	unmount_all "$work/after"
	unmount_all "$work/live"
}

# stop_writer PID: kills it and reaps it, waiting 10 s at most (a process
# stuck in the kernel cannot be killed; it is left, its mount lazily gone).
stop_writer() {
	kill -KILL "$1" 2>/dev/null
	kill -CONT "$1" 2>/dev/null
	i=0
	while [ $i -lt 1000 ]; do
		state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
		case $state in
		'' | Z) wait "$1" 2>/dev/null; return 0 ;;
		esac
		sleep 0.01
		i=$((i + 1))
	done
	echo "# pid $1 did not die"
	return 1
}

# The settings from before the run are kept in a file as well, until they
# are restored: a run killed before its cleanup leaves writeback off, and
# the next run must restore what was there before, not save what it finds.
sysctls="vm.dirty_writeback_centisecs vm.dirty_expire_centisecs vm.dirty_background_ratio vm.dirty_ratio fs.xfs.xfssyncd_centisecs"
saved_file=/tmp/statusdir-powerloss.sysctl
if [ -s "$saved_file" ]; then
	echo "# an earlier run left writeback off: restoring $(cat "$saved_file")"
	for s in $(cat "$saved_file"); do sysctl -qw "$s"; done
fi
saved=$(for s in $sysctls; do printf '%s=%s ' "$s" "$(sysctl -n "$s")"; done)
printf '%s\n' "$saved" >"$saved_file.new" && mv "$saved_file.new" "$saved_file" || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && stop_writer "$pid"
	release
	for s in $saved; do sysctl -qw "$s"; done
	rm -f "$saved_file"
	wait_detached "^$work/disk/"
	unmount_all "$work/disk"
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
sysctl -qw vm.dirty_writeback_centisecs=0 vm.dirty_expire_centisecs=360000 \
	vm.dirty_background_ratio=80 vm.dirty_ratio=90 fs.xfs.xfssyncd_centisecs=720000

# ---- One round ----------------------------------------------------------------

make_fs() {
	rm -f "$work/disk/img"
	truncate -s 320M "$work/disk/img"
	case $1 in
	ext4) timeout 120 mkfs.ext4 -q -F "$work/disk/img" ;;
	ext4nj) timeout 120 mkfs.ext4 -q -F -O ^has_journal "$work/disk/img" ;;
	xfs) timeout 120 mkfs.xfs -q -f "$work/disk/img" ;;
	btrfs) timeout 120 mkfs.btrfs -q -f "$work/disk/img" >/dev/null ;;
	esac
}

mount_opts() {
	case $1 in
	ext4 | btrfs) echo "commit=300" ;;
	*) echo "defaults" ;;
	esac
}

# fsck_ro FS FILE: a read-only check of the unmounted copy, in its file.
fsck_ro() {
	case $1 in
	ext4 | ext4nj) timeout 300 e2fsck -fn "$2" >"$work/fsck.out" 2>&1 ;;
	xfs) timeout 300 xfs_repair -n -f "$2" >"$work/fsck.out" 2>&1 ;;
	btrfs) timeout 300 btrfs check --readonly "$2" >"$work/fsck.out" 2>&1 ;;
	esac
}

wait_state() { # pid: until stopped
	i=0
	while [ $i -lt 3000 ]; do
		state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
		[ "$state" = T ] && return 0
		[ -z "$state" ] && return 1
		sleep 0.01
		i=$((i + 1))
	done
	return 1
}

wait_acks() { # file count
	i=0
	while [ $i -lt 3000 ]; do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.01
		i=$((i + 1))
	done
	return 1
}

# live_fs FS: a new filesystem FS mounted on live/, all of it on the "disk"
# (from here on only what is fsync'd reaches it).
live_fs() {
	release
	make_fs "$1" || return 1
	dev=$(losetup -f --show "$work/disk/img") || return 1
	timeout 60 mount -o "$(mount_opts "$1")" "$dev" "$work/live"
	rc=$?
	losetup -d "$dev" # mounted: it goes with the unmount
	[ $rc = 0 ] && timeout 60 sync -f "$work/live"
}

# power_cut: copies the image without sync or unmount: what a power cut at
# this instant leaves.
power_cut() {
	timeout 300 cp --sparse=always "$work/disk/img" "$work/disk/copy"
}

# mount_copy FS: the copy mounted on after/ as a boot would (journal
# replay; without a journal, e2fsck -p first); 1 if it cannot be.
mount_copy() {
	release
	rm -f "$work/disk/img"
	dev=$(losetup -f --show "$work/disk/copy") || return 2
	if [ "$1" = ext4nj ]; then
		# no journal to replay: a power cut can leave any metadata the
		# kernel was writing back half-done, so repair as an admin would
		timeout 300 e2fsck -fy "$dev" >"$work/fsck.out" 2>&1
		rc=$?
		if [ $rc -gt 1 ]; then
			echo "# e2fsck -fy (exit $rc) repaired the copy:"
			grep -v '^Pass\|^$' "$work/fsck.out" | sed 's/^/#   /' | head -8
		fi
		[ $rc -gt 3 ] && return 1
	fi
	timeout 120 mount "$dev" "$work/after"
	rc=$?
	losetup -d "$dev" # mounted: it goes with the unmount
	if [ $rc != 0 ]; then
		echo "# the copy does not mount"
		return 1
	fi
}

# check_copy FS RESULT: unmounts the copy, fscks it; RESULT, or 1 if fsck
# finds errors.
check_copy() {
	unmount_all "$work/after"
	if ! fsck_ro "$1" "$work/disk/copy"; then
		echo "# fsck after the crash reports errors:"
		sed 's/^/#   /' "$work/fsck.out" | tail -5
		release
		return 1
	fi
	release
	rm -f "$work/disk/copy"
	return "$2"
}

# one_round FS WRITER MODE SKIP ONE_FLUSH: 0 if the copy passed the checks
one_round() {
	fs=$1 writer=$2 mode=$3 skip=$4
	PL_ONE_FLUSH=$5
	export PL_ONE_FLUSH
	acks="$work/acks"
	rm -f "$acks"
	live_fs "$fs" || return 2
	if [ "$mode" = after-ack ]; then
		stop_after=$(( $(od -An -N2 -tu2 /dev/urandom) % 40 + 5 ))
		PL_SKIP_FSYNC=$skip "$writer" write "$work/live/store" "$acks" "$stop_after" 9>&- &
		pid=$!
		wait_state $pid || { stop_writer $pid; pid=; return 2; }
	else
		PL_SKIP_FSYNC=$skip "$writer" write "$work/live/store" "$acks" 9>&- &
		pid=$!
		wait_acks "$acks" 3 || { stop_writer $pid; pid=; return 2; }
		sleep "0.$(( $(od -An -N2 -tu2 /dev/urandom) % 300 ))"
		kill -STOP $pid
		wait_state $pid
	fi
	power_cut
	stop_writer $pid
	pid=
	mount_copy "$fs" || return $?
	timeout 300 "$bin" check "$work/after/store" "$acks" 9>&-
	check_copy "$fs" $?
}

# init_round FS CLI SKIP: 0 if the store "CLI init" made, with two new
# parents above it, is there and opens after a power cut right after init
# returned: get exits 1, "the store is empty", not 4.
init_round() {
	fs=$1 cli=$2
	live_fs "$fs" || return 2
	PL_SKIP_FSYNC=$3 timeout 60 "$cli" init "$work/live/a/b/store" 9>&- || return 2
	power_cut
	mount_copy "$fs" || return $?
	timeout 60 "$sd" get "$work/after/a/b/store" >/dev/null 2>"$work/get.err" 9>&-
	rc=$?
	result=0
	if [ $rc -ne 1 ] || ! grep -q "the store is empty" "$work/get.err"; then
		echo "# get of the store after the crash: exit $rc, $(head -1 "$work/get.err")"
		result=1
	fi
	check_copy "$fs" $result
}

# ---- The rounds -----------------------------------------------------------------

n=0
plan=0
one_rounds=$(( (rounds + 1) / 2 ))
for fs in $filesystems; do plan=$((plan + 1 + rounds + one_rounds + 3)); done
plan=$((plan + 8))
echo "1..$plan"
for fs in $filesystems; do
	n=$((n + 1))
	what="$fs: power cut right after init: the store and its new parents are there, empty"
	if init_round "$fs" "$sd" ""; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
	fi
	for one in 0 1; do
		r=0
		count=$rounds how="two flushes"
		[ $one = 1 ] && count=$one_rounds how="one flush"
		while [ $r -lt $count ]; do
			mode=random
			[ $((r % 2)) -eq 0 ] && mode=after-ack
			n=$((n + 1))
			what="$fs, $how: power cut ($mode): acknowledged puts intact, nothing half-written read"
			if one_round "$fs" "$bin" $mode "" $one; then
				echo "ok $n - $what"
			else
				echo "not ok $n - $what"
			fi
			r=$((r + 1))
		done
	done
	# format 2 (PL_FORMAT2): the claim is the commit; one round each way
	for one in 0 1; do
		how="two flushes" mode=after-ack
		[ $one = 1 ] && how="one flush" mode=random
		n=$((n + 1))
		what="$fs, format 2, $how: power cut ($mode): acknowledged puts intact, nothing half-written read"
		if PL_FORMAT2=1 one_round "$fs" "$bin" $mode "" $one; then
			echo "ok $n - $what"
		else
			echo "not ok $n - $what"
		fi
	done
	n=$((n + 1))
	what="$fs, format 2, no-sync: power cut (random), next boot: holes sealed, the next put above every survivor"
	if PL_FORMAT2=1 PL_NOSYNC=1 one_round "$fs" "$bin" random "" 0; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
	fi
done

# The test must notice a missing fsync: up to 3 tries each, on ext4.
# selftest LABEL TODO ROUND ARGS...: "ok" if the round fails (exits 1) in
# one of 3 tries.  A TODO reason marks a planted bug these filesystems
# hide (automake counts "not ok # TODO" as an expected failure, and an
# "ok # TODO" as an unexpected pass, which fails the run: then the test
# can tell, and the TODO must go).
selftest() {
	label=$1 todo=${2:+ # TODO $2}
	shift 2
	n=$((n + 1))
	noticed=no
	for try in 1 2 3; do
		"$@" >"$work/selftest.out" 2>&1
		[ $? -eq 1 ] && { noticed=yes; break; }
	done
	sed "s/^#/# (without $label)/" "$work/selftest.out" | grep '^#' | head -3
	if [ $noticed = yes ]; then
		echo "ok $n - without $label the power-loss check fails, as it must$todo"
	else
		echo "not ok $n - without $label the power-loss check fails, as it must$todo"
	fi
}
selftest "put's file fsync" "" one_round ext4 "$broken" after-ack file 0
selftest "put's dir fsync" "" one_round ext4 "$broken" after-ack dir 0
selftest "the one fsync of a one-flush put" "" one_round ext4 "$broken" after-ack file 1
export PL_FORMAT2=1
selftest "format 2 put's file fsync" "" one_round ext4 "$broken" after-ack file 0
selftest "format 2 put's fsync of cur/" "" one_round ext4 "$broken" after-ack dir 0
unset PL_FORMAT2
# btrfs, whose one-flush fsync keeps only its own name, leaves holes for
# the next boot to seal; without the seal (the marker left this boot's)
# the check finds them
same_boot_round() { PL_FORMAT2=1 PL_NOSYNC=1 PL_SAME_BOOT=1 one_round "$@"; }
selftest "the seal of the holes of a no-sync power cut" "" \
	same_boot_round btrfs "$bin" random "" 0
selftest "the fsync of the new store's own directory at init" "" \
	init_round ext4 "$sd_broken" holder:format
# The parent's fsync (spec/protocol.md, O2) is what POSIX asks for, but
# ext4 (with or without a journal), XFS and btrfs also make the new name
# durable with the store's own later fsyncs (a journal commits in order,
# ext4 without one flushes the parent of a new inode, btrfs logs new
# ancestors), so no power cut after init returned can show it missing.
selftest "the fsync of the new store's parent at init" \
	"ext4 makes the name durable with the store's own later fsyncs" \
	init_round ext4 "$sd_broken" holder:store
