# SPDX-License-Identifier: MIT
# lib.sh - bring up and tear down a MooseFS cluster or a GlusterFS volume
# on this machine, to run statusdir on a filesystem shared by two clients
# (spec/filesystems.md, "MooseFS", "GlusterFS").  Root only.
#
#     MH_FS=moosefs|glusterfs     # which one (moosefs when unset)
#     . tests/multihost/lib.sh
#     mh_missing || ...           # what is missing to run, if anything
#     mh_clear_stale              # what runs killed with SIGKILL left
#     mh_up || ...                # network namespace, and MooseFS's master
#                                 # and chunkserver or glusterd and a
#                                 # volume of two bricks
#     mh_mount default|nocache    # mounts $MH_A and $MH_B, pinned caches
#     mh_on_b CMD...              # CMD as host $MH_HOST_B: own host name
#                                 # and pid namespace, on the same kernel
#     mh_down                     # always: trap mh_down EXIT
#
# Every process of the filesystem runs in a network namespace made for the run
# (MH_NETNS), with one address, 192.0.2.1 (TEST-NET-1), on one end of a
# veth pair whose both ends are in the namespace: nothing it sends leaves
# it.  Every MooseFS tool (mfssetgoal, ...) must run there too (mh_nsx):
# it talks to its mount's proxy on 192.0.2.1, which outside the namespace
# may be a real address of the machine's network.
# The chunkserver refuses loopback addresses, hence the veth.  The
# FUSE mounts are made with nsenter --net only, so they stay in the
# ordinary mount namespace, where every process sees them.
#
# A run's files live in $MH_BASE/NAME (NAME unique to the run, holding the
# pid of the shell that made it); mh_clear_stale removes those of runs
# whose shell is gone, since a trap cannot catch SIGKILL.

MH_FS=${MH_FS:-moosefs}
MH_BASE=${MH_BASE:-/var/tmp/statusdir-multihost}
MH_ADDR=192.0.2.1
MH_HOST_B=statusdir-mh-b
case $MH_FS in
glusterfs)
	MH_FS_NAME=GlusterFS
	# The client caches, pinned: "default" spells out 10.3's defaults
	# (glusterfs(8): attributes and entries 1 s, negative entries 0; the
	# volume's md-cache keeps attributes 1 s), "nocache" turns them off,
	# with the volume's caching translators.
	MH_OPTS_default="--attribute-timeout=1 --entry-timeout=1 --negative-timeout=0"
	MH_OPTS_nocache="--attribute-timeout=0 --entry-timeout=0 --negative-timeout=0"
	MH_VOLSET_default="performance.md-cache-timeout 1"
	MH_VOLSET_nocache="performance.stat-prefetch off performance.quick-read off performance.io-cache off performance.read-ahead off performance.readdir-ahead off performance.open-behind off performance.write-behind off"
	MH_CACHE_MS_default=1000
	MH_CACHE_MS_nocache=0
	;;
*)
	MH_FS_NAME=MooseFS
	# The client caches, pinned (mfsmount(8)): "default" spells out
	# 3.0.117's defaults, "nocache" turns every cache off.
	MH_OPTS_default=mfsattrcacheto=1,mfsentrycacheto=0,mfsdirentrycacheto=1,mfsnegentrycacheto=0,mfscachemode=AUTO
	MH_OPTS_nocache=mfsattrcacheto=0,mfsentrycacheto=0,mfsdirentrycacheto=0,mfsnegentrycacheto=0,mfscachemode=DIRECT
	# the longest of the attribute and directory entry timeouts
	MH_CACHE_MS_default=1000
	MH_CACHE_MS_nocache=0
	;;
esac

mh_log () {
	echo "# multihost: $*" >&2
}

# mh_missing: prints what this machine lacks to run the cluster; returns
# 1 when nothing is missing.
mh_missing () {
	if test "$(id -u)" != 0; then
		echo "not root"
		return 0
	fi
	if test "$MH_FS" = glusterfs; then
		for mh_c_ in glusterd gluster glusterfs ip ss nsenter unshare timeout findmnt; do
			if ! command -v "$mh_c_" >/dev/null 2>&1; then
				echo "no $mh_c_ (apt-get install glusterfs-server glusterfs-client iproute2 util-linux)"
				return 0
			fi
		done
		if ! test -c /dev/fuse; then
			echo "no /dev/fuse"
			return 0
		fi
		return 1
	fi
	for mh_c_ in mfsmaster mfschunkserver mfsmount mfssetgoal ip ss nsenter unshare timeout findmnt; do
		if ! command -v "$mh_c_" >/dev/null 2>&1; then
			echo "no $mh_c_ (apt-get install moosefs-master moosefs-chunkserver moosefs-client iproute2 util-linux)"
			return 0
		fi
	done
	if ! test -c /dev/fuse || ! test -f /var/lib/mfs/metadata.mfs.empty || ! id mfs >/dev/null 2>&1; then
		echo "no /dev/fuse, /var/lib/mfs/metadata.mfs.empty or user mfs"
		return 0
	fi
	return 1
}

# mh_mounts_under DIR: the mount points under DIR (findmnt shows MooseFS
# as type "fuse", source mfs#HOST:PORT; GlusterFS as "fuse.glusterfs").
mh_mounts_under () {
	findmnt -rn -o TARGET 2>/dev/null | grep -F "$1/"
}

# mh_teardown DIR: unmounts, stops the daemons and removes the namespace
# and files of the run in DIR.  Unmounting comes first: a mount whose
# master is gone hangs every process that touches it.
mh_teardown () {
	mh_d_=$1
	test -f "$mh_d_/netns" || { rm -rf "$mh_d_"; return 0; }
	mh_ns_=$(cat "$mh_d_/netns")
	for mh_m_ in $(mh_mounts_under "$mh_d_"); do
		umount "$mh_m_" 2>/dev/null || umount -l "$mh_m_" 2>/dev/null
	done
	# glusterd and the bricks: what they leave outside the run's folder
	# (the bricks' sockets and logs, the volume's pid files) goes too
	mh_gl_=
	if test -f "$mh_d_/volume" && test -e "/run/netns/$mh_ns_"; then
		mh_gl_=$(for mh_p_ in $(ip netns pids "$mh_ns_" 2>/dev/null); do
			tr '\0' '\n' <"/proc/$mh_p_/cmdline" 2>/dev/null | grep -x '/var/run/gluster/[0-9a-f]*\.socket'
		done)
		mh_gl_="$mh_gl_ /var/run/gluster/vols/$(cat "$mh_d_/volume") /var/run/glusterd.socket"
		mh_gl_="$mh_gl_ $(echo "$mh_d_" | sed 's|^/||; s|/|-|g')-b1.log"
		mh_gl_="$mh_gl_ $(echo "$mh_d_" | sed 's|^/||; s|/|-|g')-b2.log"
	fi
	for mh_cfg_ in "$mh_d_/chunkserver.cfg" "$mh_d_/master.cfg"; do
		case $mh_cfg_ in
		*chunkserver*) mh_bin_=mfschunkserver ;;
		*) mh_bin_=mfsmaster ;;
		esac
		test -f "$mh_cfg_" &&
			timeout 20 nsenter --net="/run/netns/$mh_ns_" "$mh_bin_" -c "$mh_cfg_" stop >/dev/null 2>&1
	done
	# whatever is left in the namespace (the mfsmount processes, a daemon
	# that did not stop): only processes of this run are in it
	if test -e "/run/netns/$mh_ns_"; then
		for mh_p_ in $(ip netns pids "$mh_ns_" 2>/dev/null); do
			kill -KILL "$mh_p_" 2>/dev/null
		done
		mh_t_=0
		while test -n "$(ip netns pids "$mh_ns_" 2>/dev/null)" && test $mh_t_ -lt 50; do
			sleep 0.1
			mh_t_=$((mh_t_ + 1))
		done
		ip netns del "$mh_ns_" 2>/dev/null
	fi
	for mh_f_ in $mh_gl_; do
		case $mh_f_ in
		/*) rm -rf "$mh_f_" ;;
		*) rm -f "/var/log/glusterfs/bricks/$mh_f_" ;;
		esac
	done
	rm -rf "$mh_d_"
}

# mh_clear_stale: tears down the runs whose shell is gone.
mh_clear_stale () {
	for mh_s_ in "$MH_BASE"/*/owner; do
		test -f "$mh_s_" || continue
		mh_o_=$(cat "$mh_s_")
		if test -n "$mh_o_" && ! kill -0 "$mh_o_" 2>/dev/null; then
			mh_log "clearing a run left by pid $mh_o_: ${mh_s_%/owner}"
			mh_teardown "${mh_s_%/owner}"
		fi
	done
	# a namespace made by a run killed before it wrote its files
	for mh_ns_ in $(ip netns list 2>/dev/null | sed -n 's/^\(statusdir-mh-[0-9]*\)-.*/\1/p'); do
		mh_o_=${mh_ns_#statusdir-mh-}
		kill -0 "$mh_o_" 2>/dev/null && continue
		for mh_n_ in $(ip netns list | awk -v p="$mh_ns_-" 'index($1, p) == 1 { print $1 }'); do
			test -d "$MH_BASE/$mh_n_" && continue
			for mh_p_ in $(ip netns pids "$mh_n_" 2>/dev/null); do
				kill -KILL "$mh_p_" 2>/dev/null
			done
			ip netns del "$mh_n_" 2>/dev/null
		done
	done
}

# mh_nsx CMD...: CMD in the run's network namespace.
mh_nsx () {
	nsenter --net="/run/netns/$MH_NETNS" "$@"
}

# mh_up: the namespace, and MooseFS's master and chunkserver or glusterd
# and a volume; sets MH_DIR, MH_NETNS.
mh_up () {
	MH_NETNS=statusdir-mh-$$-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')
	MH_DIR=$MH_BASE/$MH_NETNS
	mkdir -p "$MH_DIR/master" "$MH_DIR/cs" "$MH_DIR/chunks" "$MH_DIR/a" "$MH_DIR/b" || return 1
	echo $$ >"$MH_DIR/owner"
	echo "$MH_NETNS" >"$MH_DIR/netns"
	chmod 755 "$MH_BASE" "$MH_DIR"
	ip netns add "$MH_NETNS" &&
	ip -n "$MH_NETNS" link add v0 type veth peer name v1 &&
	ip -n "$MH_NETNS" addr add "$MH_ADDR/24" dev v0 &&
	ip -n "$MH_NETNS" link set lo up &&
	ip -n "$MH_NETNS" link set v0 up &&
	ip -n "$MH_NETNS" link set v1 up || { mh_log "cannot make network namespace $MH_NETNS"; return 1; }
	test "$MH_FS" = glusterfs && { mh_up_glusterfs; return; }
	cp /var/lib/mfs/metadata.mfs.empty "$MH_DIR/master/metadata.mfs" &&
	chown -R mfs:mfs "$MH_DIR/master" "$MH_DIR/cs" "$MH_DIR/chunks" || return 1
	echo "$MH_ADDR/24 / rw,alldirs,maproot=0" >"$MH_DIR/exports.cfg"
	echo "$MH_DIR/chunks" >"$MH_DIR/hdd.cfg"
	cat >"$MH_DIR/master.cfg" <<-END
	WORKING_USER = mfs
	WORKING_GROUP = mfs
	DATA_PATH = $MH_DIR/master
	EXPORTS_FILENAME = $MH_DIR/exports.cfg
	MATOML_LISTEN_HOST = $MH_ADDR
	MATOCS_LISTEN_HOST = $MH_ADDR
	MATOCL_LISTEN_HOST = $MH_ADDR
	NICE_LEVEL = 0
	DISABLE_OOM_KILLER = 0
	END
	cat >"$MH_DIR/chunkserver.cfg" <<-END
	WORKING_USER = mfs
	WORKING_GROUP = mfs
	DATA_PATH = $MH_DIR/cs
	HDD_CONF_FILENAME = $MH_DIR/hdd.cfg
	HDD_LEAVE_SPACE_DEFAULT = 16MiB
	HDD_TEST_SPEED = 0
	MASTER_HOST = $MH_ADDR
	BIND_HOST = $MH_ADDR
	CSSERV_LISTEN_HOST = $MH_ADDR
	NICE_LEVEL = 0
	DISABLE_OOM_KILLER = 0
	END
	mh_nsx mfsmaster -c "$MH_DIR/master.cfg" start >"$MH_DIR/master.log" 2>&1 ||
		{ mh_log "mfsmaster did not start:"; sed 's/^/# /' "$MH_DIR/master.log" >&2; return 1; }
	mh_nsx mfschunkserver -c "$MH_DIR/chunkserver.cfg" start >"$MH_DIR/chunkserver.log" 2>&1 ||
		{ mh_log "mfschunkserver did not start:"; sed 's/^/# /' "$MH_DIR/chunkserver.log" >&2; return 1; }
}

# mh_mount default|nocache: (re)mounts $MH_A and $MH_B with those caches,
# and waits until a file written through A can be read through B.
mh_mount () {
	mh_umount
	eval "mh_o_=\$MH_OPTS_$1"
	MH_CACHE=$1
	MH_A=$MH_DIR/a
	MH_B=$MH_DIR/b
	test "$MH_FS" = glusterfs && { mh_mount_glusterfs "$1"; return; }
	for mh_m_ in "$MH_A" "$MH_B"; do
		timeout -k 1 30 nsenter --net="/run/netns/$MH_NETNS" \
			mfsmount "$mh_m_" -H "$MH_ADDR" -B "$MH_ADDR" -L "$MH_ADDR" -o "$mh_o_" \
			>"$MH_DIR/mount.log" 2>&1 ||
			{ mh_log "mfsmount $mh_m_ failed:"; sed 's/^/# /' "$MH_DIR/mount.log" >&2; return 1; }
	done
	# The chunkserver registered (a write before that waits in mfsmount's
	# retries, for minutes), then a file written through A read through B.
	mh_t_=0
	until test -n "$(mh_nsx ss -Htn state established '( dport = :9420 )' 2>/dev/null)" &&
		timeout -k 1 5 sh -c 'echo ready >"$1/.ready" && test "$(cat "$2/.ready")" = ready' \
			sh "$MH_A" "$MH_B" 2>/dev/null; do
		mh_t_=$((mh_t_ + 1))
		test $mh_t_ -lt 120 || { mh_log "the cluster did not become ready in a minute"; return 1; }
		sleep 0.5
	done
	# one copy of each chunk: there is one chunkserver (the tool talks to
	# the mount's proxy, which listens in the namespace)
	timeout -k 1 10 nsenter --net="/run/netns/$MH_NETNS" mfssetgoal -r 1 "$MH_A" >/dev/null 2>&1
	rm -f "$MH_A/.ready"
}

mh_umount () {
	for mh_m_ in $(mh_mounts_under "$MH_DIR"); do
		umount "$mh_m_" 2>/dev/null || umount -l "$mh_m_"
	done
}

mh_down () {
	test -n "$MH_DIR" && mh_teardown "$MH_DIR"
	MH_DIR=
}

# mh_on_b CMD...: CMD as the second host: its own host name and pid
# namespace (and /proc), the same kernel, boot id and clock.
mh_on_b () {
	unshare --uts --pid --fork --kill-child --mount-proc sh -c \
		'echo "$0" >/proc/sys/kernel/hostname && exec "$@"' "$MH_HOST_B" "$@"
}

# ---- GlusterFS ----------------------------------------------------------------
#
# glusterd runs from a volume file of the run's own, with its working
# directory in the run's folder; its command socket is the default one,
# /var/run/glusterd.socket (the gluster tool's --glusterd-sock did not
# reach it), so runs cannot overlap.  The bricks it starts keep their pid
# files, sockets and logs under /var/run/gluster and /var/log/glusterfs;
# mh_teardown removes them.  Every gluster call runs in the namespace.

# mh_gluster ARGS...: the gluster tool, in the namespace, time-limited.
mh_gluster () {
	timeout -k 1 60 nsenter --net="/run/netns/$MH_NETNS" \
		gluster --mode=script --log-file="$MH_DIR/log/cli.log" "$@"
}

mh_up_glusterfs () {
	MH_VOLUME=sd$$
	echo "$MH_VOLUME" >"$MH_DIR/volume"
	mkdir -p "$MH_DIR/wd" "$MH_DIR/log" "$MH_DIR/b1" "$MH_DIR/b2" || return 1
	rmdir "$MH_DIR/master" "$MH_DIR/cs" "$MH_DIR/chunks"
	if pgrep -x glusterd >/dev/null; then
		mh_log "another glusterd runs"
		return 1
	fi
	cp -r /var/lib/glusterd/groups /var/lib/glusterd/hooks "$MH_DIR/wd/" 2>/dev/null
	cat >"$MH_DIR/glusterd.vol" <<-END
	volume management
	    type mgmt/glusterd
	    option working-directory $MH_DIR/wd
	    option transport-type socket
	    option transport.address-family inet
	    option transport.socket.listen-port 24007
	    option ping-timeout 0
	    option event-threads 1
	    option max-port 60999
	end-volume
	END
	mh_nsx glusterd -f "$MH_DIR/glusterd.vol" -p "$MH_DIR/glusterd.pid" \
		-l "$MH_DIR/log/glusterd.log" >"$MH_DIR/up.log" 2>&1 ||
		{ mh_log "glusterd did not start:"; sed 's/^/# /' "$MH_DIR/up.log" >&2; return 1; }
	mh_t_=0
	until mh_gluster volume list >/dev/null 2>&1; do
		mh_t_=$((mh_t_ + 1))
		test $mh_t_ -lt 40 || { mh_log "glusterd does not answer"; return 1; }
		sleep 0.5
	done
	# two bricks, distribute: a name lives on the brick its hash picks
	mh_gluster volume create "$MH_VOLUME" transport tcp \
		"$MH_ADDR:$MH_DIR/b1" "$MH_ADDR:$MH_DIR/b2" force >"$MH_DIR/up.log" 2>&1 &&
	mh_gluster volume start "$MH_VOLUME" >>"$MH_DIR/up.log" 2>&1 ||
		{ mh_log "the volume did not start:"; sed 's/^/# /' "$MH_DIR/up.log" >&2; return 1; }
}

mh_mount_glusterfs () {
	eval "mh_v_=\$MH_VOLSET_$1"
	mh_gluster volume set "$MH_VOLUME" $mh_v_ >"$MH_DIR/mount.log" 2>&1 ||
		{ mh_log "gluster volume set failed:"; sed 's/^/# /' "$MH_DIR/mount.log" >&2; return 1; }
	for mh_m_ in "$MH_A" "$MH_B"; do
		timeout -k 1 30 nsenter --net="/run/netns/$MH_NETNS" \
			glusterfs --volfile-server="$MH_ADDR" --volfile-id="$MH_VOLUME" $mh_o_ \
			-l "$MH_DIR/log/mount-${mh_m_##*/}.log" "$mh_m_" >"$MH_DIR/mount.log" 2>&1 ||
			{ mh_log "glusterfs $mh_m_ failed:"; sed 's/^/# /' "$MH_DIR/mount.log" >&2; return 1; }
	done
	mh_t_=0
	until timeout -k 1 5 sh -c 'echo ready >"$1/.ready" && test "$(cat "$2/.ready")" = ready' \
			sh "$MH_A" "$MH_B" 2>/dev/null; do
		mh_t_=$((mh_t_ + 1))
		test $mh_t_ -lt 60 || { mh_log "the volume did not become ready in 30 s"; return 1; }
		sleep 0.5
	done
	rm -f "$MH_A/.ready"
}
