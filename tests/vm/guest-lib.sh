# SPDX-License-Identifier: GPL-3.0-or-later
# guest-lib.sh: helpers for the guest side of the kernel-module tests and of scripts/kmod-compare
# (busybox sh inside Debian's 6.1 kernel under QEMU). Sourced, not run. Expects the staged tree
# in /opt: bin/ (static test programs), ko/patched/ and ko/stock/ (fuse modules).

PATH=/opt/bin:$PATH
SRC=/tmp/src      # backing directory of every test mount (tmpfs)
MNT=/mnt/fuse
STATS=/tmp/stats
mkdir -p "$SRC" "$MNT"

msg() { echo "vm: $*"; }

# ---- modules ------------------------------------------------------------------------------------
# load_fuse patched|stock [PARAMS...]: replace whatever fuse module is loaded.
load_fuse() {
	which=$1
	shift
	clear_mount
	umount /sys/fs/fuse/connections 2>/dev/null
	if grep -q '^fuse ' /proc/modules; then
		rmmod fuse || { msg "rmmod fuse failed"; return 1; }
	fi
	insmod "/opt/ko/$which/fuse.ko" "$@" || { msg "insmod $which fuse.ko failed"; return 1; }
	mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null
	LOADED=$which
	return 0
}

patch_level() { cat /sys/module/fuse/parameters/patch_level 2>/dev/null || echo none; }

# ext_backing DIR: mount an ext2 file system on a 256 MiB RAM disk at DIR (Debian's own ext4,
# brd and crc modules). tmpfs in 6.1 refuses O_DIRECT, so a daemon that passes O_DIRECT on to
# its backing files needs this to serve O_DIRECT at all.
ext_backing() {
	grep -q " $1 " /proc/mounts && return 0
	for m in crc32c_generic crc16 mbcache jbd2 ext4; do
		grep -q "^$m " /proc/modules || insmod "/opt/ko/ext/$m.ko" || return 1
	done
	grep -q "^brd " /proc/modules || insmod /opt/ko/ext/brd.ko rd_nr=1 rd_size=262144 max_part=0 ||
		return 1
	mke2fs -b 4096 /dev/ram0 >/dev/null 2>&1 || return 1
	mkdir -p "$1" && mount -t ext2 /dev/ram0 "$1"
}

# ---- mounts -------------------------------------------------------------------------------------
# wait_mounted: until $MNT is a FUSE mount that answers (INIT done), at most ~10 s.
wait_mounted() {
	i=0
	while [ $i -lt 200 ]; do
		if grep -q " $MNT fuse" /proc/mounts && stat "$MNT" >/dev/null 2>&1; then
			return 0
		fi
		if [ -n "${DPID:-}" ] && ! kill -0 "$DPID" 2>/dev/null; then
			msg "daemon exited before the mount came up"
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	msg "mount did not come up"
	return 1
}

# mount_fs DAEMON [ARGS...]: DAEMON is fusetestd, stockfs, passthrough or glusterfs-local;
# the daemon runs in the background with its statistics going to $STATS.
mount_fs() {
	d=$1
	shift
	clear_mount
	rm -f "$STATS"
	case $d in
	fusetestd) fusetestd --stats "$STATS" "$@" "$SRC" "$MNT" 2>/tmp/daemon.err & ;;
	stockfs) stockfs --stats "$STATS" "$SRC" "$MNT" "$@" 2>/tmp/daemon.err & ;;
	passthrough) passthrough-static -f --stats "$STATS" "$@" "$SRC" "$MNT" 2>/tmp/daemon.err & ;;
	*) msg "unknown daemon $d"; return 1 ;;
	esac
	DPID=$!
	if ! wait_mounted; then
		cat /tmp/daemon.err
		kill -9 "$DPID" 2>/dev/null
		DPID=
		clear_mount
		return 1
	fi
}

# clear_mount: make sure nothing is mounted on $MNT, e.g. the dead mount a crashed daemon leaves
# (which would fail every later mount there and keep the module from unloading).
clear_mount() {
	while grep -q " $MNT " /proc/mounts; do
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || break
	done
}

# unmount: umount $MNT and wait for the daemon to write its statistics and exit.
unmount() {
	clear_mount
	if [ -n "${DPID:-}" ]; then
		i=0
		while kill -0 "$DPID" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.05
			i=$((i + 1))
		done
		kill -0 "$DPID" 2>/dev/null && kill -9 "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		DPID=
	fi
	return 0
}

# ---- histograms ---------------------------------------------------------------------------------
# Histogram lines: "READ count=12 bytes=12582912 max=1048576 131072:4 1048576:11"
# hist_line OP: the line for opcode OP from $STATS.
hist_line() { grep "^$1 count=" "$STATS" 2>/dev/null | head -n1; }

# hist_max OP: largest request size seen (0 if none).
hist_max() { hist_line "$1" | sed -n 's/.* max=\([0-9]*\).*/\1/p' | grep . || echo 0; }

# hist_main OP: the size bucket carrying most of the bytes (power-of-two upper bound).
hist_main() {
	hist_line "$1" | awk '{ best = 0; bsz = 0
		for (i = 5; i <= NF; i++) { split($i, a, ":"); b = a[1] * a[2]
			if (b > best) { best = b; bsz = a[1] } }
		print bsz + 0 }'
}

# hist_share OP SIZE: percentage of OP's bytes in bucket SIZE.
hist_share() {
	hist_line "$1" | awk -v s="$2" '{ tot = 0; hit = 0
		for (i = 5; i <= NF; i++) { split($i, a, ":"); tot += a[1] * a[2]; if (a[1] == s) hit += a[1] * a[2] }
		if (tot) printf "%d\n", hit * 100 / tot; else print 0 }'
}

stat_value() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" "$STATS" 2>/dev/null | head -n1; }

kib() { echo $((${1:-0} / 1024)); }

# prepare_file NAME MIB: a file of MIB MiB in the backing directory (written there directly, so
# nothing of it is in the FUSE page cache).
prepare_file() { fsprobe seqwrite "$SRC/$1" "${2}M" 1M >/dev/null; }

# prepare_dir NAME N: N empty files in a backing directory.
prepare_dir() { rm -rf "${SRC:?}/$1"; fsprobe mkfiles "$SRC/$1" "$2" >/dev/null; }
