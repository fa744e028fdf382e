#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# load-test.sh: 200 concurrent client connections against one glusterfsd. The server runs in
# host h1 of a namespace rig; tests/tools/gf_load in h2 opens 200 protocol/client connections
# (each its own TCP connection and handshake) with two worker threads each doing metadata and
# data operations (create, write, fsync, stat, read back, chmod, rename, xattrs, unlink,
# listings) until told to stop. Meanwhile a fresh client (a glusterfs mount in h3) mounts the
# volume and looks things up. Asserts:
#   - all 200 connections are established at the server at once;
#   - the fresh client's mount, lookups, stats, a create and a read complete during the load
#     (bounded by a generous hang guard, never a timing assertion);
#   - no call is lost: gf_load counts every fop call and answer per connection and checks
#     every result, and exits 1 if a call never returns (its watchdog) or anything differs;
#   - the files gf_load says it left are exactly the files on the brick;
#   - the server's peak RSS (VmHWM) stays under a bound derived from the load (see below),
#     and its connections are released when the clients go.
#
#   tests/net/load-test.sh [--build DIR] [--clients N] [--workers N] [--files N]
# Exit status: 0 pass, 77 skip (reason on the last line), other fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
. scripts/netns-cluster.sh
. scripts/lib/volfiles.sh

build=${BUILD:-build} clients=200 workers=2 files=10
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--clients) clients=$2; shift 2 ;;
	--workers) workers=$2; shift 2 ;;
	--files) files=$2; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--clients N] [--workers N] [--files N]" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" 2>/dev/null && pwd) || { echo "SKIP: no build directory $build"; exit 77; }
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (network namespaces and FUSE mounts need it)"
[ -c /dev/fuse ] || skip "/dev/fuse is missing"
command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || skip "'ip netns' does not work here"
command -v nsenter >/dev/null || skip "nsenter (util-linux) is missing"
command -v ss >/dev/null || skip "ss (iproute2) is missing"
for b in bin/glusterfs bin/glusterfsd tests/tools/gf_load; do
	[ -x "$build/$b" ] || skip "$build/$b is not built (make BUILD=$build $build/$b)"
done

export NETNS_CLUSTER=ld$(($$ % 100000))
export NETNS_SUBNET=10.81.0
PORT=6996
work=$(mktemp -d /tmp/load-test.XXXXXX)
failed=0
spid= lpid= mnt=$work/mnt
cleanup() {
	local rc=$?
	set +e
	umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
	[ -n "$lpid" ] && kill -KILL "$lpid" 2>/dev/null
	[ -f "$work/client.pid" ] && kill -KILL "$(cat "$work/client.pid")" 2>/dev/null
	[ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null
	netns_down >/dev/null 2>&1
	if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then
		for f in "$work"/*.log "$work"/load.out; do
			[ -f "$f" ] && { echo "== $f"; tail -n 25 "$f"; }
		done
	fi
	rm -rf --one-file-system "$work"
	[ "$failed" = 0 ] || [ "$rc" != 0 ] || rc=1
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
check() { # check DESCRIPTION COMMAND...
	if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failed=1; fi
}
log() { echo "[$(date +%T)] $*"; }
# established TCP connections at the server's port, counted inside h1
server_conns() { netns_exec h1 ss -Htn state established "( sport = :$PORT )" | wc -l; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$spid/status"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$spid/status"; }

netns_up 3 || { echo "FAIL: cannot create the rig"; exit 1; }
addr=$(netns_addr h1)
mkdir -p "$work/brick" "$mnt"
gf_brick_server_vol "$work/brick" "$addr" "$PORT" "$NETNS_SUBNET.*" 16 >"$work/server.vol"
gf_client_vol "$addr" "$PORT" >"$work/client.vol"
netns_exec h1 "$build/bin/glusterfsd" -f "$work/server.vol" -l "$work/server.log" \
	-p "$work/server.pid" || { echo "FAIL: glusterfsd did not start"; exit 1; }
spid=$(cat "$work/server.pid")
hwm_idle=$(hwm_kb)
log "glusterfsd $spid on $addr:$PORT (h1), VmHWM idle ${hwm_idle} kB"

# --- the load --------------------------------------------------------------------------------
log "gf_load in h2: $clients connections x $workers workers, $files files per round"
netns_exec h2 "$build/tests/tools/gf_load" -H "$addr" -P "$PORT" -c "$clients" -w "$workers" \
	-n "$files" --stop-file "$work/stop" --ready-file "$work/ready" --deadline 420 \
	-l "$work/gf_load.log" >"$work/load.out" 2>&1 &
lpid=$!
for _ in $(seq 900); do
	[ -f "$work/ready" ] || ! kill -0 "$lpid" 2>/dev/null && break
	sleep 0.1
done
check "gf_load connected all $clients clients" test -f "$work/ready"
n=$(server_conns)
log "established connections at the server: $n"
check "the server holds all $clients connections at once ($n)" test "$n" -ge "$clients"

# --- a fresh client during the load ------------------------------------------------------
sleep 2 # the workers are busy by now
probe_start=$SECONDS
netns_exec h3 "$build/bin/glusterfs" -f "$work/client.vol" -l "$work/probe.log" \
	-p "$work/client.pid" --attribute-timeout=0 --entry-timeout=0 --mount-timeout=60 "$mnt"
check "a fresh client mounts during the load" grep -q " $mnt fuse" /proc/mounts
probe() { # probe DESCRIPTION COMMAND...: a hang guard of 60 s, not a timing assertion
	local t0=$SECONDS
	if timeout 60 "${@:2}" >/dev/null 2>&1; then
		echo "ok   $1 ($((SECONDS - t0)) s)"
	else
		echo "FAIL $1"
		failed=1
	fi
}
probe "fresh client: stat of the load directory" stat "$mnt/load"
# Names only: each call of the fresh client queues behind some 400 busy workers (fair share),
# so a 400-entry `ls -l` (four calls per entry) would take minutes without anything wrong.
probe "fresh client: listing of the load directory" ls "$mnt/load"
probe "fresh client: lookup of a worker's directory" stat "$mnt/load/c$((clients - 1))w0/r0"
probe "fresh client: create and write a file" bash -c "echo probe >'$mnt/probe'"
probe "fresh client: read it back" grep -qx probe "$mnt/probe"
probe "fresh client: statfs" df "$mnt"
check "the load was still running during the probes" kill -0 "$lpid"
log "probes took $((SECONDS - probe_start)) s; peak RSS so far $(hwm_kb) kB"

touch "$work/stop"
wait "$lpid"
rc=$?
lpid=
sed 's/^/  | /' "$work/load.out"
check "gf_load: every call answered, no error, everything read back as written (exit $rc)" \
	test "$rc" = 0
check "gf_load reports PASS" grep -qx "result PASS" "$work/load.out"
left=$(awk '$1 == "files-left" { print $2 }' "$work/load.out")
onbrick=$(find "$work/brick/load" -type f | wc -l)
check "the brick holds exactly the files gf_load left ($left, brick $onbrick)" \
	test "${left:-x}" = "$onbrick"

# --- memory and connections -------------------------------------------------------------
# Bound: per connection its 64 KiB receive buffer and, per worker, a write (up to 64 KiB)
# arriving and a read reply (up to 64 KiB) leaving, all at once: 64 KiB x (1 + 2 x workers);
# plus 64 MiB for everything that does not grow with connections (the inode table's LRU of
# up to 16384 inodes, 16 io-threads and 2 network threads, allocator arenas). About 4x what
# the server needs here; a leak per call or per connection crosses it.
hwm=$(hwm_kb)
bound=$((clients * 64 * (1 + 2 * workers) + 65536))
log "glusterfsd VmHWM ${hwm} kB (idle ${hwm_idle} kB), VmRSS now $(rss_kb) kB, bound ${bound} kB"
echo "peak RSS of glusterfsd with $clients clients: $((hwm / 1024)) MiB" \
	"(bound $((bound / 1024)) MiB)"
check "server peak RSS ${hwm} kB < ${bound} kB" test "$hwm" -lt "$bound"
check "glusterfsd still running" kill -0 "$spid"
for _ in $(seq 300); do [ "$(server_conns)" -le 1 ] && break; sleep 0.1; done
check "the server let go of the load's connections (left: $(server_conns), the probe's)" \
	test "$(server_conns)" -le 1
probe "fresh client still served after the load" stat "$mnt/load"

[ $failed = 0 ] && echo "load-test: PASS" || echo "load-test: FAIL"
