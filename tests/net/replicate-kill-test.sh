#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# replicate-kill-test.sh: replica 2 and replica 3 volumes, one glusterfsd per namespace host,
# two client mounts (each glusterfs in a host of its own). Several writers deliver mail
# through both mounts (tmp/, fsync, rename into new/); one brick is SIGKILLed mid-delivery and
# restarted. Asserts: no writer saw an error; no message lost, duplicated or corrupted; the
# heal finishes on its own (no lookups asked for it) and the bricks' trees are identical
# (data, mode, owner, xattrs other than trusted.afr.*) with no pending changelog.
#
#   tests/net/replicate-kill-test.sh [--replica 2|3]... [--messages N]
# Exit status: 0 pass, 77 skip (reason on the last line), other fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/net/replicate-lib.sh

replicas=()
per_writer=60
while [ $# -gt 0 ]; do
	case $1 in
	--build) export BUILD=$2; RL_BIN=$2/bin; shift 2 ;;
	--replica) replicas+=("$2"); shift 2 ;;
	--messages) per_writer=$2; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--replica N]... [--messages N]" >&2; exit 2 ;;
	esac
done
[ ${#replicas[@]} -gt 0 ] || replicas=(2 3)
rl_require

# One round: N bricks on h1..hN, clients on h(N+1) and h(N+2); brick `victim` is killed.
run_round() {
	local n=$1 victim=$2 writers=4 i w
	RL_NBRICKS=$n
	rl_log "== replica $n: ${writers} writers x $per_writer messages, two mounts, SIGKILL brick$victim"
	for i in $(seq 1 "$n"); do rl_start_brick "$i" || { echo "FAIL: brick $i did not start"; return 1; }; done
	local bricks=() dirs=()
	for i in $(seq 1 "$n"); do bricks+=("$i"); dirs+=("$RL_WORK/b$i"); done
	rl_client_vol "$RL_WORK/vol/client.vol" "" "${bricks[@]}"
	local ma=$RL_WORK/mnt-a mb=$RL_WORK/mnt-b
	rl_mount "h$((n + 1))" "$RL_WORK/vol/client.vol" "$ma" || { echo "FAIL: mount a"; return 1; }
	rl_mount "h$((n + 2))" "$RL_WORK/vol/client.vol" "$mb" || { echo "FAIL: mount b"; return 1; }
	mkdir -p "$ma/spool"
	chown 1000:1000 "$ma/spool"
	chmod 2775 "$ma/spool"

	# Writers alternate between the two mounts, into one shared spool.
	local pids=()
	for w in $(seq 1 $writers); do
		local mnt=$ma
		[ $((w % 2)) = 0 ] && mnt=$mb
		scripts/maildir-workload.sh deliver "$mnt/spool" "$w" "$per_writer" 4 \
			>"$RL_WORK/manifest.$w" 2>"$RL_WORK/writer.$w.err" &
		pids+=($!)
	done
	# Kill the victim once a fifth of the mail is in, restart it at about the half.
	local total=$((writers * per_writer)) delivered
	delivered() { cat "$RL_WORK"/manifest.* 2>/dev/null | wc -l; }
	while [ "$(delivered)" -lt $((total / 5)) ]; do sleep 0.1; done
	rl_log "SIGKILL brick$victim after $(delivered) messages"
	rl_kill_brick "$victim"
	while [ "$(delivered)" -lt $((total / 2)) ] && jobs -r | grep -q .; do sleep 0.1; done
	local survivor=$((victim == 1 ? 2 : 1))
	check "brick$survivor's index records what brick$victim is missing" \
		test -n "$(ls -A "$RL_WORK/index$survivor")"
	rl_log "restarting brick$victim after $(delivered) messages"
	check "brick$victim restarts" rl_start_brick "$victim"
	local rc_all=0
	for w in "${!pids[@]}"; do
		wait "${pids[$w]}" || rc_all=1
	done
	check "every writer finished without an error (exit status)" test $rc_all = 0
	check "no writer printed an error" test -z "$(cat "$RL_WORK"/writer.*.err)"
	cat "$RL_WORK"/writer.*.err | head -5

	# Mail is read back through the other mount: moved to cur/, checksums verified.
	check "every message present once with its checksum (read through mount b)" \
		scripts/maildir-workload.sh verify "$mb/spool" "$RL_WORK"/manifest.*
	check "mount a sees the same mailboxes" \
		test "$(cd "$ma/spool" && find . | sort | md5sum)" = "$(cd "$mb/spool" && find . | sort | md5sum)"

	# The heal runs on its own: nobody looks anything up from here on.
	rl_log "waiting for self-heal"
	if rl_wait_healed 240 "${dirs[@]}"; then
		echo "ok   heal finished on its own in ${RL_HEAL_SECONDS}s; bricks identical, no pending changelog"
		tail -n 1 "$RL_WORK/compare.out"
	else
		echo "FAIL heal did not finish (bricks differ or index not empty)"
		RL_FAILED=1
	fi
	check "the spool holds all $total messages on every brick" \
		test "$(find "$RL_WORK/b$victim/spool" -path '*/cur/*' -type f | wc -l)" = "$total"
	netns_exec "h$((n + 1))" "$RL_BIN/gluster-heal" info -f "$RL_WORK/vol/client.vol" --wait 5 \
		>"$RL_WORK/info.out" 2>&1
	check "gluster-heal info: nothing pending" grep -q "Pending heal: 0 entries" "$RL_WORK/info.out"
	check "gluster-heal info: every copy up" test "$(grep -c ': up$' "$RL_WORK/info.out")" = "$n"
	check "gluster-heal info lists no split-brain" grep -q "Split-brain: 0 entries" "$RL_WORK/info.out"

	rl_umount "$ma"
	rl_umount "$mb"
}

round=0
for n in "${replicas[@]}"; do
	round=$((round + 1))
	rl_setup "rk$round$(($$ % 10000))" $((n + 2))
	# Replica 2 loses its second brick, replica 3 its first.
	if [ "$n" = 2 ]; then victim=2; else victim=1; fi
	before=$RL_FAILED
	run_round "$n" "$victim" || RL_FAILED=1
	[ "$RL_FAILED" = "$before" ] && rl_teardown 0 || rl_teardown 1
done

if [ $RL_FAILED = 0 ]; then
	echo "replicate-kill-test: PASS"
	exit 0
fi
echo "replicate-kill-test: FAIL"
exit 1
