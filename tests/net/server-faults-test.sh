#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# server-faults-test.sh: a one-brick volume served by glusterfsd in host h1 of a namespace rig,
# mounted by glusterfs in h2 (mount A, ping-timeout 3 s) and in h3 (mount B, a second client
# for lock checks). Two faults, each with a writer running on mount A (create, write 8 KiB,
# fsync, close, stat; every attempt logged with its times and errno) and a process holding
# an open file with an fcntl lock on mount A:
#
#  (a) glusterfsd is SIGKILLed mid-workload and restarted after a pause. The client
#      reconnects by itself; the writer's failures are ENOTCONN or EIO and fall between the
#      kill and its first success after the restart, and every later attempt succeeds; nothing
#      "succeeds" while the server is dead; files written and fsync'ed before the kill (a
#      prepared set and every writer success) read back intact through both mounts.
#  (b) h1's link is cut (30 s, --cut) and restored. A call made during the cut fails
#      (ENOTCONN/EIO) instead of hanging (ping-timeout 3 s; the hang guard is a generous 60 s,
#      not a timing assertion); after the restore the volume works again, on both mounts.
#
# In both, the held file keeps working through its old descriptor after the reconnect (it was
# reopened) and its fcntl lock is held again: mount B still finds the range locked, and gets
# the lock once the holder unlocks.
#
#   tests/net/server-faults-test.sh [--build DIR] [--cut SECS]
# KEEP_LOGS=DIR keeps the daemons' and the writers' logs there.
# Exit status: 0 pass, 77 skip (reason on the last line), other fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
. scripts/netns-cluster.sh
. scripts/lib/volfiles.sh

build=${BUILD:-build} cut_secs=30
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--cut) cut_secs=$2; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--cut SECS]" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" 2>/dev/null && pwd) || { echo "SKIP: no build directory $build"; exit 77; }
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (network namespaces and FUSE mounts need it)"
[ -c /dev/fuse ] || skip "/dev/fuse is missing"
command -v ip >/dev/null && ip netns list >/dev/null 2>&1 || skip "'ip netns' does not work here"
command -v nsenter >/dev/null || skip "nsenter (util-linux) is missing"
[ -x /usr/bin/python3 ] || skip "python3 is missing (the workload helper)"
for b in glusterfs glusterfsd; do
	[ -x "$build/bin/$b" ] || skip "$build/bin/$b is not built"
done

export NETNS_CLUSTER=sf$(($$ % 100000))
export NETNS_SUBNET=10.82.0
PORT=6996
W="/usr/bin/python3 $PWD/tests/tools/fault_workload.py"
work=$(mktemp -d /tmp/server-faults.XXXXXX)
ma=$work/mnt-a mb=$work/mnt-b
failed=0 spid= wpid=
cleanup() {
	local rc=$?
	set +e
	holder_stop
	[ -n "$wpid" ] && kill -KILL "$wpid" 2>/dev/null
	for m in "$ma" "$mb"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	for p in "$work"/client-*.pid; do kill -KILL "$(cat "$p" 2>/dev/null)" 2>/dev/null; done
	[ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null
	netns_down >/dev/null 2>&1
	if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then
		for f in "$work"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -n 25 "$f"; }; done
	fi
	[ -z "${KEEP_LOGS:-}" ] || { mkdir -p "$KEEP_LOGS" && cp "$work"/*.log "$KEEP_LOGS"/; }
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
now() { date +%s.%N; }
# wait_for SECS 'SHELL CONDITION': evaluates the condition every 0.2 s until it holds (a hang
# guard, not a timing assertion)
wait_for() {
	local limit=$1 start=$SECONDS
	while [ $((SECONDS - start)) -lt "$limit" ]; do
		eval "$2" && return 0
		sleep 0.2
	done
	return 1
}

# --- the server, the two clients ----------------------------------------------------------
netns_up 3 || { echo "FAIL: cannot create the rig"; exit 1; }
addr=$(netns_addr h1)
mkdir -p "$work/brick" "$ma" "$mb"
gf_brick_server_vol "$work/brick" "$addr" "$PORT" "$NETNS_SUBNET.*" 8 >"$work/server.vol"
gf_client_vol "$addr" "$PORT" "ping-timeout 3" >"$work/client.vol"
start_server() {
	netns_exec h1 "$build/bin/glusterfsd" -f "$work/server.vol" -l "$work/server.log" \
		-p "$work/server.pid" || return 1
	spid=$(cat "$work/server.pid")
}
mount_on() { # mount_on HOST MOUNTPOINT TAG
	netns_exec "$1" "$build/bin/glusterfs" -f "$work/client.vol" -l "$work/client-$3.log" \
		-p "$work/client-$3.pid" --attribute-timeout=0 --entry-timeout=0 "$2"
}
start_server || { echo "FAIL: glusterfsd did not start"; exit 1; }
mount_on h2 "$ma" a || { echo "FAIL: mount A"; exit 1; }
mount_on h3 "$mb" b || { echo "FAIL: mount B"; exit 1; }
cpid_a=$(cat "$work/client-a.pid") cpid_b=$(cat "$work/client-b.pid")
log "glusterfsd on $addr:$PORT (h1), mount A from h2, mount B from h3"

# --- the lock holder: a coprocess keeping FILE open with a lock on bytes 0..99 ---------------
HOLDER_PID=
holder_start() { # holder_start FILE
	coproc HOLDER { exec $W holder "$1" 2>&1; }
	HOLDER_PID=$HOLDER_PID
	holder_reply >/dev/null
}
holder_reply() { # one reply line, at most 60 s away (hang guard)
	local line
	if read -r -t 60 line <&"${HOLDER[0]}"; then echo "$line"; else echo "err no-reply"; fi
}
holder() { # holder COMMAND: prints the reply
	echo "$*" >&"${HOLDER[1]}" && holder_reply
}
holder_stop() {
	[ -n "${HOLDER_PID:-}" ] || return 0
	kill -KILL "$HOLDER_PID" 2>/dev/null
	wait "$HOLDER_PID" 2>/dev/null
	HOLDER_PID=
}
trylock_b() { $W trylock "$mb/$1" 2>&1; }

# --- the writer and the analysis of its log ---------------------------------------------------
writer_start() { # writer_start DIR LOG STOPFILE
	rm -f "$3"
	$W writer "$1" "$3" >"$2" 2>&1 &
	wpid=$!
}
writer_stop() { # writer_stop STOPFILE
	touch "$1"
	wait "$wpid"
	wpid=
}
oks() { awk '$2 == "ok"' "$1" 2>/dev/null | wc -l; }
oks_after() { awk -v t="$2" '$2 == "ok" && $3 >= t' "$1" 2>/dev/null | wc -l; }
errs_after() { awk -v t="$2" '$2 == "err" && $3 >= t' "$1" 2>/dev/null | wc -l; }
# analyse LOG T0 T1 T_BACK: the fault began after T0 and was complete at T1, the server was
# back (restarted or reachable) at T_BACK. Prints findings; fails unless there were errors,
# all ENOTCONN/EIO, none ending before the fault, no attempt both started after T1 and done
# before T_BACK succeeded, and every attempt after the first success since T_BACK succeeded.
analyse() {
	local log=$1 t0=$2 tf=$3 tb=$4
	awk -v t0="$t0" -v tf="$tf" -v tb="$tb" '
		$2 == "err" { nerr++; errs[$5]++
			if ($4 < t0) { early++; print "  error before the fault: " $0 }
			if ($5 != "ENOTCONN" && $5 != "EIO") { other++; print "  unexpected errno: " $0 } }
		$2 == "ok" && $3 > tf && $4 < tb { ghost++; print "  success while the server was away: " $0 }
		$2 == "ok" && $3 >= tb && !first { first = $4 }
		{ line[NR] = $0; st[NR] = $3; kind[NR] = $2; n = NR }
		END {
			late = 0
			for (i = 1; i <= n; i++) if (first && st[i] >= first && kind[i] == "err") {
				late++; print "  error after the recovery: " line[i] }
			s = ""; for (e in errs) s = s " " e "x" errs[e]
			printf "  attempts %d, errors %d (%s ), first success after recovery %s s after it\n",
				n, nerr, s, first ? sprintf("%.1f", first - tb) : "never"
			exit (nerr > 0 && !early && !other && !ghost && first && !late) ? 0 : 1
		}' "$log"
}

# ============ (a) SIGKILL and restart ========================================================
log "(a) SIGKILL glusterfsd during the workload"
$W fill "$ma/pre" 40 >"$work/pre.manifest" 2>"$work/fill.err"
check "40 files written and fsync'ed before the kill" test "$(wc -l <"$work/pre.manifest")" = 40
holder_start "$ma/held-a"
check "holder: lock taken, write through the held fd" test "$(holder write before-kill)" = ok
check "mount B sees the range locked" test "$(trylock_b held-a)" = busy

writer_start "$ma/wa" "$work/writer-a.log" "$work/stop-a"
wait_for 60 '[ "$(oks "$work/writer-a.log")" -ge 20 ]'
t_kill=$(now)
kill -KILL "$spid"
wait_for 10 '! kill -0 $spid 2>/dev/null'
t_dead=$(now)
log "killed glusterfsd $spid after $(oks "$work/writer-a.log") writes; restarting it in 3 s"
sleep 3
t_back=$(now)
check "glusterfsd restarts" start_server
# The client reconnects by itself (backoff at most 5 s); the 90 s bound is a hang guard.
check "the writer succeeds again after the restart" \
	wait_for 90 '[ "$(oks_after "$work/writer-a.log" "$t_back")" -ge 1 ]'
wait_for 60 '[ "$(oks_after "$work/writer-a.log" "$t_back")" -ge 20 ]'
writer_stop "$work/stop-a"
check "writer errors only ENOTCONN/EIO, only between the kill and recovery, none after" \
	analyse "$work/writer-a.log" "$t_kill" "$t_dead" "$t_back"
check "every write fsync'ed by the writer is intact (mount A)" \
	$W verify "$work/writer-a.log" "$ma/wa"
check "every write fsync'ed by the writer is intact (mount B)" \
	$W verify "$work/writer-a.log" "$mb/wa"
check "the files fsync'ed before the kill are intact (mount B)" \
	$W check "$mb/pre" "$work/pre.manifest"
check "the held fd works after the restart (reopened)" test "$(holder write after-restart)" = ok
r=$(holder read)
check "the held file has both writes ($r)" \
	test "$r" = "ok 'before-kill\\nafter-restart\\n'"
check "the lock was taken again: mount B still finds the range locked" \
	test "$(trylock_b held-a)" = busy
check "after the holder unlocks, mount B gets the lock" \
	test "$(holder unlock)" = ok -a "$(trylock_b held-a)" = locked
holder_stop
grep -h "reopened\|could not" "$work/client-a.log" | tail -n 2 | sed 's/^/  client A: /'

# ============ (b) link cut and restored ======================================================
log "(b) cut h1's link during the workload"
holder_start "$ma/held-b"
check "holder: lock taken, write through the held fd" test "$(holder write before-cut)" = ok
check "mount B sees the range locked" test "$(trylock_b held-b)" = busy
writer_start "$ma/wb" "$work/writer-b.log" "$work/stop-b"
wait_for 60 '[ "$(oks "$work/writer-b.log")" -ge 10 ]'
t_cut=$(now)
netns_cut h1
t_down=$(now)
log "cut h1 after $(oks "$work/writer-b.log") writes"
t0=$SECONDS
out=$(timeout 60 $W probe "$ma/pre/p0")
rc=$?
log "stat during the cut: rc $rc, '$out' after $((SECONDS - t0)) s (ping-timeout 3 s)"
check "a stat during the cut fails with ENOTCONN/EIO instead of hanging" \
	test "$rc" = 1 -a \( "$out" = "err ENOTCONN" -o "$out" = "err EIO" \)
r=$(holder write during-cut)
check "a write through the held fd during the cut fails instead of hanging ($r)" \
	test "${r%% *}" = err -a "$r" != "err no-reply"
check "the writer saw the failure" \
	wait_for 60 '[ "$(errs_after "$work/writer-b.log" "$t_cut")" -ge 1 ]'
# A long cut (30 s by default): the client's connection, closed on its side at ping-timeout,
# is still open on the server until its FIN gets through, long after the restore.
while [ $((SECONDS - t0)) -lt "$cut_secs" ]; do sleep 0.5; done
t_restore=$(now)
netns_restore h1
log "restored h1's link"
check "mount A works again after the restore" wait_for 180 '$W probe "$ma/pre/p0" >/dev/null'
check "mount B works again after the restore" wait_for 180 '$W probe "$mb/pre/p0" >/dev/null'
log "both mounts answer again"
wait_for 60 '[ "$(oks_after "$work/writer-b.log" "$t_restore")" -ge 10 ]'
writer_stop "$work/stop-b"
check "writer errors only ENOTCONN/EIO, only between the cut and recovery, none after" \
	analyse "$work/writer-b.log" "$t_cut" "$t_down" "$t_restore"
check "every write fsync'ed by the writer is intact (mount B)" \
	$W verify "$work/writer-b.log" "$mb/wb"
check "the held fd works after the restore (reopened)" test "$(holder write after-restore)" = ok
r=$(holder read)
held_b_ok() { [[ $1 == "ok 'before-cut\\n"*"after-restore\\n'" ]]; }
check "the held file kept its writes ($r)" held_b_ok "$r"
check "the lock was taken again: mount B still finds the range locked" \
	test "$(trylock_b held-b)" = busy
check "after the holder unlocks, mount B gets the lock" \
	test "$(holder unlock)" = ok -a "$(trylock_b held-b)" = locked
holder_stop
check "the files fsync'ed before the faults are intact (mount A)" \
	$W check "$ma/pre" "$work/pre.manifest"
check "both clients are still the original processes" bash -c "kill -0 $cpid_a && kill -0 $cpid_b"

[ $failed = 0 ] && echo "server-faults-test: PASS" || echo "server-faults-test: FAIL"
