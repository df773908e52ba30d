#!/bin/sh
# SPDX-License-Identifier: MIT
# TAP: the torture run, the crash rounds and the CLI tests on ext4, xfs,
# btrfs and tmpfs, each freshly made on a loop device (root only).
# FS_LIST (default "ext4 xfs btrfs tmpfs"), FS_SECONDS (torture, default 2).
if [ -n "${STATUSDIR_QUICK:-}" ]; then
	echo "1..0 # SKIP STATUSDIR_QUICK is set (make distcheck in CI: make check ran it)"
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (loop devices and mounts)"
	exit 0
fi
for tool in losetup mkfs.ext4 mkfs.xfs mkfs.btrfs; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not found"
		exit 0
	fi
done
torture="$top_builddir/tests/safety/torture"
filesystems=${FS_LIST:-ext4 xfs btrfs tmpfs}
work=$(mktemp -d /tmp/fsmatrix.XXXXXX) || exit 1
mkdir "$work/disk" "$work/mnt"
mount -t tmpfs -o size=3g tmpfs "$work/disk" || exit 1
cleanup() {
	umount "$work/mnt" 2>/dev/null
	for d in $(losetup -j "$work/disk/img" -O NAME -n 2>/dev/null); do losetup -d "$d"; done
	umount "$work/disk"
	rm -rf "$work"
}
trap cleanup EXIT

cli_tests=$(ls "$top_srcdir"/tests/cli/t[0-9]*.sh 2>/dev/null)
n_cli=0
for t in $cli_tests; do n_cli=$((n_cli + 1)); done
set -- $filesystems
echo "1..$(( $# * (4 + n_cli) ))"

mount_fs() {
	case $1 in
	tmpfs) mount -t tmpfs -o size=1g tmpfs "$work/mnt"; return ;;
	esac
	truncate -s 1G "$work/disk/img"
	case $1 in
	ext4) mkfs.ext4 -q -F "$work/disk/img" ;;
	xfs) mkfs.xfs -q -f "$work/disk/img" ;;
	btrfs) mkfs.btrfs -q -f "$work/disk/img" >/dev/null ;;
	esac
	dev=$(losetup -f --show "$work/disk/img") && mount "$dev" "$work/mnt"
}

unmount_fs() {
	umount "$work/mnt"
	for d in $(losetup -j "$work/disk/img" -O NAME -n 2>/dev/null); do losetup -d "$d"; done
	rm -f "$work/disk/img"
}

tap() { # n status title
	if [ "$2" -eq 0 ]; then echo "ok $1 - $3"; else echo "not ok $1 - $3"; fi
}

n=0
for fs in $filesystems; do
	mount_fs "$fs" || { echo "Bail out! cannot make $fs"; exit 1; }
	n=$((n + 1))
	out=$("$torture" -w 4 -r 2 -c 2 -k 10 -d "${FS_SECONDS:-2}" "$work/mnt/torture" 2>&1)
	st=$?
	printf '%s\n' "$out" | grep '^#' | head -5
	tap $n $st "$fs: torture"
	n=$((n + 1))
	out=$("$torture" --crash 10 -w 4 -c 2 -k 10 "$work/mnt/crash" 2>&1)
	st=$?
	printf '%s\n' "$out" | grep '^#' | head -5
	tap $n $st "$fs: crash rounds"
	rm -rf "$work/mnt/torture" "$work/mnt/torture.acks" "$work/mnt/crash" "$work/mnt/crash.acks"
	# format 2: its watcher may miss nothing on any of them
	n=$((n + 1))
	out=$("$torture" -2 -w 4 -r 2 -c 2 -k 10 -d "${FS_SECONDS:-2}" "$work/mnt/torture" 2>&1)
	st=$?
	printf '%s\n' "$out" | grep '^#' | head -5
	tap $n $st "$fs: format 2 torture"
	n=$((n + 1))
	out=$("$torture" -2 --crash 10 -w 4 -c 2 -k 10 "$work/mnt/crash" 2>&1)
	st=$?
	printf '%s\n' "$out" | grep '^#' | head -5
	tap $n $st "$fs: format 2 crash rounds"
	rm -rf "$work/mnt/torture" "$work/mnt/torture.acks" "$work/mnt/crash" "$work/mnt/crash.acks"
	for t in $cli_tests; do
		n=$((n + 1))
		out=$(TEST_ROOT="$work/mnt" sh "$t" 2>&1)
		st=$?
		# a script that printed "not ok" failed even if it exited 0
		printf '%s\n' "$out" | grep -q '^not ok' && st=1
		printf '%s\n' "$out" | grep '^not ok' | head -3 | sed 's/^/# /'
		tap $n $st "$fs: CLI tests $(basename "$t")"
	done
	unmount_fs "$fs"
done
