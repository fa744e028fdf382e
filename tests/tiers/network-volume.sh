#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Mount tier for a one-brick network volume: glusterfsd exports storage/posix + features/locks
# + performance/io-threads through protocol/server on 127.0.0.1, the glusterfs client mounts
# it over protocol/client, and the shared POSIX mount suite runs on the mount with every
# capability expected; a remount restarts only the client. Then the volfile fetch
# (glusterfs -s) mounts the same volume. Everything it started is killed (SIGKILL) and
# unmounted on exit, also after a failure.
#
#   tests/tiers/network-volume.sh [--build DIR] [-- gtest args for the suite]
# Exit status: 0 pass, 77 skip (last line says why), 1 fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
. scripts/lib/volfiles.sh
build=build
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "network-volume: unknown argument $1" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" && pwd) || exit 2
gfs=$build/bin/glusterfs gfsd=$build/bin/glusterfsd
for b in "$gfs" "$gfsd" "$build/tests/mount_tests"; do
	[ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: not root (FUSE mounts need it)"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: /dev/fuse is missing"; exit 77; }

work=$(mktemp -d /tmp/gf-netvol.XXXXXX)
brick=$work/brick mnt=$work/mnt
mkdir -p "$brick" "$mnt"
cleanup() {
	local p
	umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
	for p in "$work/client.pid" "$work/server.pid"; do
		[ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null
	done
	if [ "${fails:-1}" != 0 ]; then
		for p in "$work"/*.log; do [ -f "$p" ] && { echo "== $p"; tail -n 20 "$p"; }; done
	fi
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port on loopback (the kernel picks it; nothing else listens between this and the bind).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null) || port=$((20000 + $$ % 20000))

gf_client_vol 127.0.0.1 "$port" "ping-timeout 10" >"$work/client.vol"
gf_brick_server_vol "$brick" 127.0.0.1 "$port" 127.0.0.1 8 \
	"client-volume-filename $work/client.vol" >"$work/server.vol"

fails=0
check() { # check DESCRIPTION COMMAND...
	if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
mounted() { grep -q " $mnt fuse" /proc/mounts; }
wait_gone() { # wait_gone PID: up to 10 s for the process to exit (a hang guard; a zombie
	# left for init to reap counts as gone)
	local _ state
	for _ in $(seq 100); do
		state=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null)
		[ -z "$state" ] || [ "$state" = Z ] && return 0
		sleep 0.1
	done
	return 1
}

"$gfsd" -f "$work/server.vol" -l "$work/server.log" -p "$work/server.pid" ||
	{ echo "FAIL: glusterfsd did not start"; exit 1; }
mount_cmd="$gfs -f $work/client.vol -l $work/client.log -p $work/client.pid $mnt"
$mount_cmd || { echo "FAIL: could not mount"; exit 1; }
check "mounted over tcp" mounted

# --- the POSIX suite ------------------------------------------------------------------------
tests/mount/run-on-dir.sh --build "$build" --dir "$mnt" --brick "$brick" \
	--remount "umount $mnt && $mount_cmd" --expect all --name "network volume (127.0.0.1:$port)" \
	-- "$@" || fails=$((fails + 1))

# --- the server stayed up through it, and a volfile fetched from it mounts the same volume ----
check "glusterfsd still running" kill -0 "$(cat "$work/server.pid")"
cpid=$(cat "$work/client.pid")
umount "$mnt"
check "umount ends the client" wait_gone "$cpid"
echo fetched >"$brick/fetched-volfile"
"$gfs" -s 127.0.0.1 --volfile-server-port="$port" -l "$work/client-s.log" -p "$work/client.pid" \
	"$mnt" || echo "glusterfs -s failed"
check "glusterfs -s mounts the volfile served by glusterfsd" grep -qx fetched "$mnt/fetched-volfile"
umount "$mnt" 2>/dev/null

# --- a client the server refuses fails to mount and says why -----------------------------------
sed 's/remote-subvolume brick/remote-subvolume nosuch/' "$work/client.vol" >"$work/refused.vol"
refused=$("$gfs" -f "$work/refused.vol" -N --mount-timeout 3 -l "$work/refused.log" "$mnt" 2>&1)
rc=$?
check "a refused client does not mount (exit $rc)" test "$rc" != 0
check "a refused client says why: $refused" grep -q "no subvolume 'nosuch'" <<<"$refused"
umount "$mnt" 2>/dev/null

# --- glusterfsd's signals: SIGHUP reopens the log (after a rotation), SIGTERM stops it ---------
spid=$(cat "$work/server.pid")
mv "$work/server.log" "$work/server.log.1"
kill -HUP "$spid"
for _ in $(seq 50); do [ -e "$work/server.log" ] && break; sleep 0.1; done
check "SIGHUP: glusterfsd opens a new log file after a rotation" test -e "$work/server.log"
check "SIGHUP: the rotated log says why" grep -q "reopening the log file" "$work/server.log.1"
kill -TERM "$spid"
check "SIGTERM ends glusterfsd" wait_gone "$spid"
check "SIGTERM: glusterfsd removes its pid file" test ! -e "$work/server.pid"
check "SIGTERM: glusterfsd logs its shutdown" grep -q "shutting down" "$work/server.log"

[ $fails = 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "network volume tier passed"
