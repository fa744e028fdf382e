#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Mount tier for the composition examples: mounts share/examples/distribute-replicate.vol,
# unify-replicate.vol and stripe-replicate.vol with their bricks in one client process, and
# ha-client.vol against a glusterfsd serving share/examples/server.vol on loopback (in a
# private network namespace, so port 6996 and 127.0.0.2 are ours), each volfile used as
# shipped except for brick directories (--xlator-option VOL.directory=DIR); runs the shared
# POSIX mount suite with --expect all on each, then checks that the ha mount survives the loss
# of one connection with a file open.
#
#   tests/tiers/compositions.sh --build BUILD [--only NAME[,NAME]]   (NAME: dr, ur, sr, ha)
set -u
cd "$(dirname "$0")/../.."
build=build only=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	*) echo "compositions: unknown argument $1" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" && pwd)
gfs=$build/bin/glusterfs gfsd=$build/bin/glusterfsd
for b in "$gfs" "$gfsd" "$build/tests/mount_tests"; do
	[ -x "$b" ] || { echo "SKIP: $b not built"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: not root"; exit 77; }
[ -c /dev/fuse ] || { echo "SKIP: /dev/fuse is missing"; exit 77; }
examples=$PWD/share/examples

work=$(mktemp -d /tmp/gf-comp.XXXXXX)
mounts=() pidfiles=() holder=
cleanup() {
	for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null; done
	for p in "${pidfiles[@]}"; do [ -f "$p" ] && kill -9 "$(cat "$p")" 2>/dev/null; done
	[ -n "$holder" ] && kill -9 "$holder" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

fails=0 results=()
want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }
mounted() { grep -q " $1 fuse" /proc/mounts; }
wait_gone() { # wait_gone PID: up to 10 s for the process to exit
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	return 1
}
# The storage/posix volumes of a volfile.
posix_volumes() { awk '$1 == "volume" { v = $2 } $1 == "type" && $2 == "storage/posix" { print v }' "$1"; }

# The 10,000-entry listing takes minutes on six bricks in one process; it runs on dr (the mail
# spool) and on the local and network volumes of the other tiers, and everywhere here with
# COMPOSITIONS_FULL=1.
slow_filter() {
	[ "${COMPOSITIONS_FULL:-0}" = 1 ] || [ "$1" = dr ] ||
		echo "--gtest_filter=-DirTest.TenThousandEntriesAreListedCompletely"
}

# run_suite NAME MOUNTPOINT MOUNT-COMMAND [BRICK]: mounts, runs the suite, unmounts.
run_suite() {
	local name=$1 mnt=$2 mount_cmd=$3 brick=${4:-} start=$SECONDS filter
	mounts+=("$mnt")
	if ! bash -c "$mount_cmd" || ! mounted "$mnt"; then
		echo "FAIL $name: could not mount"
		tail -n 20 "$work/$name/client.log" 2>/dev/null
		fails=$((fails + 1)) results+=("$name FAIL (mount)")
		return 1
	fi
	local verdict=PASS
	filter=$(slow_filter "$name")
	tests/mount/run-on-dir.sh --build "$build" --dir "$mnt" ${brick:+--brick "$brick"} \
		--expect all --timeout 420 --name "$name" \
		--remount "umount $mnt && $mount_cmd" ${filter:+-- "$filter"} || verdict=FAIL
	[ $verdict = PASS ] || fails=$((fails + 1))
	results+=("$name $verdict ($((SECONDS - start))s)")
}

stop_mount() { # stop_mount NAME MOUNTPOINT PIDFILE
	local pid
	pid=$(cat "$3" 2>/dev/null)
	umount "$2" 2>/dev/null || umount -l "$2"
	[ -z "$pid" ] || wait_gone "$pid" || { echo "FAIL $1: the client outlived its mount"; fails=$((fails + 1)); }
}

# --- compositions with every brick in the client process --------------------------------------
for spec in dr:distribute-replicate ur:unify-replicate sr:stripe-replicate; do
	name=${spec%%:*} vol=$examples/${spec#*:}.vol
	want "$name" || continue
	dir=$work/$name
	mkdir -p "$dir/mnt"
	opts=
	for v in $(posix_volumes "$vol"); do
		mkdir -p "$dir/$v"
		opts+=" --xlator-option $v.directory=$dir/$v"
	done
	pidfiles+=("$dir/pid")
	echo "=== $name: $(basename "$vol")"
	run_suite "$name" "$dir/mnt" "$gfs -f $vol$opts -l $dir/client.log -p $dir/pid $dir/mnt" &&
		stop_mount "$name" "$dir/mnt" "$dir/pid"
done

# --- ha over two connections to one glusterfsd --------------------------------------------------
if want ha; then
	echo "=== ha: ha-client.vol against server.vol"
	dir=$work/ha
	mkdir -p "$dir/mnt" "$dir/brick"
	unshare --net sleep infinity &
	holder=$!
	sleep 0.2
	in_ns() { nsenter --target "$holder" --net -- "$@"; }
	in_ns ip link set lo up
	pidfiles+=("$dir/server.pid" "$dir/pid")
	if ! in_ns "$gfsd" -f "$examples/server.vol" --xlator-option "posix.directory=$dir/brick" \
		-l "$dir/server.log" -p "$dir/server.pid"; then
		echo "FAIL ha: glusterfsd did not start"
		tail -n 20 "$dir/server.log"
		fails=$((fails + 1)) results+=("ha FAIL (server)")
	else
		for _ in $(seq 50); do in_ns bash -c 'echo >/dev/tcp/127.0.0.1/6996' 2>/dev/null && break; sleep 0.1; done
		mount_cmd="nsenter --target $holder --net -- $gfs -f $examples/ha-client.vol -l $dir/client.log -p $dir/pid $dir/mnt"
		if run_suite ha "$dir/mnt" "$mount_cmd" "$dir/brick"; then
			# One connection dropped under an open file: writes through it and new files go on.
			mnt=$dir/mnt
			exec 7<>"$mnt/failover"
			echo "before" >&7
			conns=$(in_ns ss -Htn state established "( dport = :6996 )" | wc -l)
			if in_ns ss -K state established dst 127.0.0.1 "( dport = :6996 )" >/dev/null 2>&1 &&
				[ "$(in_ns ss -Htn state established "( dport = :6996 )" | wc -l)" -lt "$conns" ]; then
				ok=1
				echo "after" >&7 || ok=0
				exec 7>&-
				echo "new file" >"$mnt/after-failover" || ok=0
				[ "$(cat "$mnt/failover" 2>/dev/null)" = "$(printf 'before\nafter')" ] || ok=0
				[ "$(cat "$dir/brick/after-failover" 2>/dev/null)" = "new file" ] || ok=0
				if [ $ok = 1 ]; then
					echo "ok   ha: writes continue after one connection was cut"
				else
					echo "FAIL ha: the mount did not survive one connection being cut"
					tail -n 20 "$dir/client.log"
					fails=$((fails + 1))
				fi
			else
				exec 7>&-
				echo "skip ha failover check: ss -K cannot close sockets here (CONFIG_INET_DIAG_DESTROY)"
			fi
			stop_mount ha "$mnt" "$dir/pid"
		fi
		kill "$(cat "$dir/server.pid" 2>/dev/null)" 2>/dev/null
		wait_gone "$(cat "$dir/server.pid" 2>/dev/null)"
	fi
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	holder=
fi

echo
echo "================ compositions ================"
for r in "${results[@]}"; do echo "  $r"; done
[ $fails = 0 ] || { echo "$fails composition check(s) failed"; exit 1; }
echo "compositions tier passed"
