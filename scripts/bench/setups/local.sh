# SPDX-License-Identifier: GPL-3.0-or-later
# local.sh: our client over a local volume: BUILD/bin/glusterfs -f VOL MNT with a 2.0 volfile
# of storage/posix under features/locks (the layout of scripts/demo.sh).
BENCH_ORDER_local=20

check_local() {
	[ -x "$BENCH_BUILD/bin/glusterfs" ] || { echo "$BENCH_BUILD/bin/glusterfs is not built"; return 1; }
	bench_check_fuse
}

setup_local() {
	local wd=$1
	mkdir -p "$wd/brick" "$wd/mnt" || return 1
	cat >"$wd/local.vol" <<VOL
volume brick
  type storage/posix
  option directory $wd/brick
end-volume

volume locks
  type features/locks
  subvolumes brick
end-volume
VOL
	bench_ours_mount "$wd" "$wd/local.vol" || return 1
	echo "dir $wd/mnt"
	echo "note our glusterfs client ($BENCH_BUILD/bin/glusterfs, FUSE: $(bench_fuse_flavour "$BENCH_BUILD/bin/glusterfs")) over storage/posix + features/locks"
}

teardown_local() {
	bench_unmount "$1/mnt" "$(cat "$1/client.pid" 2>/dev/null)"
}
