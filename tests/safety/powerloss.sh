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
for tool in losetup mkfs.ext4 mkfs.xfs mkfs.btrfs e2fsck xfs_repair btrfs sysctl flock; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not found"
		exit 0
	fi
done

# One run at a time on a machine: each saves the sysctls it changes and
# restores them on exit, and two at once would restore each other's
# settings (background writeback off) for good.
exec 9>/tmp/statusdir-powerloss.lock
flock 9

bin="$top_builddir/tests/safety/powerloss"
broken="$top_builddir/tests/safety/powerloss-broken"
filesystems=${POWERLOSS_FS:-ext4 xfs btrfs}
rounds=${POWERLOSS_ROUNDS:-4}
work=$(mktemp -d /tmp/powerloss.XXXXXX) || exit 1
mkdir "$work/disk" "$work/live" "$work/after"
mount -t tmpfs -o size=3g tmpfs "$work/disk" || exit 1

sysctls="vm.dirty_writeback_centisecs vm.dirty_expire_centisecs vm.dirty_background_ratio vm.dirty_ratio fs.xfs.xfssyncd_centisecs"
saved=$(for s in $sysctls; do printf '%s=%s ' "$s" "$(sysctl -n "$s")"; done)
cleanup() {
	umount "$work/after" 2>/dev/null
	umount "$work/live" 2>/dev/null
	for d in $(losetup -j "$work/disk/img" -O NAME -n 2>/dev/null) \
	         $(losetup -j "$work/disk/copy" -O NAME -n 2>/dev/null); do
		losetup -d "$d"
	done
	for s in $saved; do sysctl -qw "$s"; done
	umount "$work/disk"
	rm -rf "$work"
}
trap cleanup EXIT
sysctl -qw vm.dirty_writeback_centisecs=0 vm.dirty_expire_centisecs=360000 \
	vm.dirty_background_ratio=80 vm.dirty_ratio=90 fs.xfs.xfssyncd_centisecs=720000

make_fs() {
	rm -f "$work/disk/img"
	truncate -s 320M "$work/disk/img"
	case $1 in
	ext4) mkfs.ext4 -q -F "$work/disk/img" ;;
	ext4nj) mkfs.ext4 -q -F -O ^has_journal "$work/disk/img" ;;
	xfs) mkfs.xfs -q -f "$work/disk/img" ;;
	btrfs) mkfs.btrfs -q -f "$work/disk/img" >/dev/null ;;
	esac
}

mount_opts() {
	case $1 in
	ext4 | btrfs) echo "commit=300" ;;
	*) echo "defaults" ;;
	esac
}

fsck_ro() { # fs device
	case $1 in
	ext4 | ext4nj) e2fsck -fn "$2" >"$work/fsck.out" 2>&1 ;;
	xfs) xfs_repair -n "$2" >"$work/fsck.out" 2>&1 ;;
	btrfs) btrfs check --readonly "$2" >"$work/fsck.out" 2>&1 ;;
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

# one_round FS WRITER MODE SKIP ONE_FLUSH: 0 if the copy passed the checks
one_round() {
	fs=$1 writer=$2 mode=$3 skip=$4
	PL_ONE_FLUSH=$5
	export PL_ONE_FLUSH
	acks="$work/acks"
	rm -f "$acks"
	make_fs "$fs" || return 2
	dev=$(losetup -f --show "$work/disk/img") || return 2
	mount -o "$(mount_opts "$fs")" "$dev" "$work/live" || return 2
	sync
	if [ "$mode" = after-ack ]; then
		stop_after=$(( $(od -An -N2 -tu2 /dev/urandom) % 40 + 5 ))
		PL_SKIP_FSYNC=$skip "$writer" write "$work/live/store" "$acks" "$stop_after" &
		pid=$!
		wait_state $pid || { kill -9 $pid; return 2; }
	else
		PL_SKIP_FSYNC=$skip "$writer" write "$work/live/store" "$acks" &
		pid=$!
		wait_acks "$acks" 3 || { kill -9 $pid; return 2; }
		sleep "0.$(( $(od -An -N2 -tu2 /dev/urandom) % 300 ))"
		kill -STOP $pid
		wait_state $pid
	fi
	cp --sparse=always "$work/disk/img" "$work/disk/copy" # the power cut
	kill -KILL $pid
	kill -CONT $pid 2>/dev/null
	wait $pid 2>/dev/null
	umount "$work/live" && losetup -d "$dev"
	rm -f "$work/disk/img"
	dev=$(losetup -f --show "$work/disk/copy") || return 2
	if [ "$fs" = ext4nj ]; then
		# no journal to replay: a power cut can leave any metadata the
		# kernel was writing back half-done, so repair as an admin would
		e2fsck -fy "$dev" >"$work/fsck.out" 2>&1
		rc=$?
		if [ $rc -gt 1 ]; then
			echo "# e2fsck -fy (exit $rc) repaired the copy:"
			grep -v '^Pass\|^$' "$work/fsck.out" | sed 's/^/#   /' | head -8
		fi
		[ $rc -gt 3 ] && { losetup -d "$dev"; return 1; }
	fi
	if ! mount "$dev" "$work/after"; then
		echo "# the copy does not mount"
		losetup -d "$dev"
		return 1
	fi
	"$bin" check "$work/after/store" "$acks"
	result=$?
	umount "$work/after"
	if ! fsck_ro "$fs" "$dev"; then
		echo "# fsck after the crash reports errors:"
		sed 's/^/#   /' "$work/fsck.out" | tail -5
		result=1
	fi
	losetup -d "$dev"
	rm -f "$work/disk/copy"
	return $result
}

n=0
plan=0
one_rounds=$(( (rounds + 1) / 2 ))
for fs in $filesystems; do plan=$((plan + rounds + one_rounds)); done
plan=$((plan + 3))
echo "1..$plan"
for fs in $filesystems; do
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
done

# The test must notice a missing fsync: up to 3 tries each, on ext4.
for case in "file 0" "dir 0" "file 1"; do
	set -- $case
	skip=$1 one=$2
	label="put's $skip fsync"
	[ $one = 1 ] && label="the one fsync of a one-flush put"
	n=$((n + 1))
	noticed=no
	for try in 1 2 3; do
		one_round ext4 "$broken" after-ack $skip $one >"$work/selftest.out" 2>&1
		[ $? -eq 1 ] && { noticed=yes; break; }
	done
	sed "s/^#/# (without $label)/" "$work/selftest.out" | grep '^#' | head -3
	if [ $noticed = yes ]; then
		echo "ok $n - without $label the power-loss check fails, as it must"
	else
		echo "not ok $n - without $label the power-loss check fails, as it must"
	fi
done
