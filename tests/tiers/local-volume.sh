#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Mount tier for a local volume: mounts storage/posix + features/locks through the glusterfs
# client and runs the shared POSIX mount suite on it; then checks the daemon's life cycle
# (SIGTERM and umount both end it cleanly) and the mount.glusterfs helper via mount(8).
set -u
cd "$(dirname "$0")/../.."
build=build
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	*) echo "local-volume: unknown argument $1" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" && pwd)
gfs=$build/bin/glusterfs
[ -x "$gfs" ] || { echo "SKIP: $gfs not built"; exit 77; }
[ -x "$build/tests/mount_tests" ] || { echo "SKIP: $build/tests/mount_tests not built"; exit 77; }

work=$(mktemp -d /tmp/gf-local.XXXXXX)
brick=$work/brick mnt=$work/mnt vol=$work/local.vol
mkdir -p "$brick" "$mnt"
cleanup() {
	umount -l "$mnt" 2>/dev/null
	[ -f "$work/pid" ] && kill -9 "$(cat "$work/pid")" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
cat >"$vol" <<VOL
volume brick
  type storage/posix
  option directory $brick
end-volume

volume locks
  type features/locks
  subvolumes brick
end-volume
VOL

fails=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}
mounted() { grep -q " $mnt fuse" /proc/mounts; }
wait_gone() { # wait_gone PID: up to 10 s for the process to exit
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
mount_volume() { "$gfs" -f "$vol" -l "$work/client.log" -p "$work/pid" "$@" "$mnt"; }

mount_volume || { echo "FAIL: could not mount"; cat "$work/client.log"; exit 1; }
check "mounted" mounted

# --- the POSIX suite ------------------------------------------------------------------------
tests/mount/run-on-dir.sh --build "$build" --dir "$mnt" --brick "$brick" --expect all \
	--remount "umount $mnt && $gfs -f $vol -l $work/client.log -p $work/pid $mnt" ||
	fails=$((fails + 1))

# st_blksize follows the negotiated request size (1 MiB or more, as the 2009 patch set it), so
# cp and friends move data in large pieces.
echo x >"$mnt/bs"
check "st_blksize is the request size ($(stat -c %o "$mnt/bs"))" test "$(stat -c %o "$mnt/bs")" -ge 1048576

# --- xattrs that need a mount option, as with GlusterFS (-o acl, --selinux) -----------------
xattr_error() { getfattr --absolute-names -n "$1" "$2" 2>&1 >/dev/null; }
echo x >"$mnt/xa"
check "security.selinux: not supported without --selinux" \
	grep -q "Operation not supported" <<<"$(xattr_error security.selinux "$mnt/xa")"
check "system.posix_acl_access: not supported without --acl" \
	grep -q "Operation not supported" <<<"$(xattr_error system.posix_acl_access "$mnt/xa")"
check "other security.* names work without --selinux" \
	bash -c "setfattr -n security.test -v on '$mnt/xa' && getfattr --absolute-names -n security.test '$mnt/xa' | grep -q on"
umount "$mnt"
wait_gone "$(cat "$work/pid" 2>/dev/null)"
mount_volume --acl --selinux
check "security.selinux: asked for with --selinux" \
	grep -q "No such attribute" <<<"$(xattr_error security.selinux "$mnt/xa")"
check "system.posix_acl_access: asked for with --acl" \
	grep -q "No such attribute" <<<"$(xattr_error system.posix_acl_access "$mnt/xa")"

# --volume-name mounts another volume of the volfile (the bare brick, below locks); -L ERROR
# leaves out the informational lines (such as "mounted ...") that the default level logs.
umount "$mnt"
wait_gone "$(cat "$work/pid" 2>/dev/null)"
mv "$work/client.log" "$work/client.log.1"
mount_volume --volume-name brick -L ERROR
echo named >"$mnt/named"
check "--volume-name brick mounts that volume" grep -qx named "$brick/named"
check "-L ERROR logs no informational lines" bash -c "! grep -q '\] N \[' '$work/client.log'"
check "the default level logs them" grep -q '\] N \[glusterfs\] mounted' "$work/client.log.1"
umount "$mnt"
wait_gone "$(cat "$work/pid" 2>/dev/null)"
mount_volume

# --- life cycle -----------------------------------------------------------------------------
pid=$(cat "$work/pid")
check "pid file names the running client" bash -c "[ -n '$pid' ] && kill -0 '$pid'"
kill -TERM "$pid"
check "SIGTERM ends the client" wait_gone "$pid"
check "SIGTERM unmounts" bash -c "! grep -q ' $mnt fuse' /proc/mounts"

mount_volume
pid=$(cat "$work/pid")
umount "$mnt"
check "umount ends the client" wait_gone "$pid"

# A client shutting down leaves a pid file that a newer client (mounted again on the same
# mountpoint meanwhile) has rewritten.
mount_volume
pid=$(cat "$work/pid")
echo 999999 >"$work/pid"
kill -TERM "$pid"
wait_gone "$pid"
check "an exiting client keeps another client's pid file" grep -qx 999999 "$work/pid"
rm -f "$work/pid"

# A stale mount is refused with a clear message.
mount_volume
pid=$(cat "$work/pid")
kill -9 "$pid"
wait_gone "$pid"
out=$("$gfs" -f "$vol" -N "$mnt" 2>&1)
check "dead mount is named" grep -q "Transport endpoint is not connected" <<<"$out"
umount -l "$mnt"

# --- mount -t glusterfs, through our helper, in a private mount namespace ------------------
helper=$work/mount.glusterfs
sed "s|^GLUSTERFS=.*|GLUSTERFS=$gfs|" glusterfs/daemon/mount.glusterfs.in >"$helper"
chmod 755 "$helper"
if command -v unshare >/dev/null; then
	out=$(unshare -m --propagation private bash -c "
		set -e
		if [ -e /sbin/mount.glusterfs ]; then mount --bind '$helper' /sbin/mount.glusterfs
		else mount -t tmpfs tmpfs /sbin && cp '$helper' /sbin/mount.glusterfs && ln -s /usr/bin/mount /sbin/mount 2>/dev/null || true; fi
		mount -t glusterfs -o log-file=$work/helper.log,attribute-timeout=2 '$vol' '$mnt'
		echo data >'$mnt/via-helper'
		cat '$brick/via-helper'
		umount '$mnt'
	" 2>&1)
	check "mount -t glusterfs through mount.glusterfs" grep -qx data <<<"$out"
else
	echo "skip mount -t glusterfs: unshare(1) missing"
fi

[ $fails = 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "local volume tier passed"
