#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# replicate-splitbrain-test.sh: a genuine split-brain made by a network partition, detected and
# resolved. Replica 2; host h1 runs brick1 and client A, h2 runs brick2 and client B, h3 runs
# client C. Cutting h1's link leaves A reaching only brick1 and B only brick2; each writes the
# same files differently (and creates the same new name). After the link is restored, C gets
# EIO on those files (the log names them), `gluster-heal heal` reports them in split-brain, and
# `gluster-heal resolve` settles each one (--source, --bigger-file, --latest-mtime, and a name
# whose copies are different files, through its directory) with the expected contents; the
# bricks end identical with nothing pending.
# Exit status: 0 pass, 77 skip (reason on the last line), other fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/net/replicate-lib.sh
[ "${1:-}" = --build ] && { export BUILD=$2; RL_BIN=$2/bin; }
rl_require

rl_setup "rs$(($$ % 100000))" 3
RL_NBRICKS=2
rl_start_brick 1 && rl_start_brick 2 || { echo "FAIL: bricks did not start"; exit 1; }
VOL=$RL_WORK/vol/client.vol
rl_client_vol "$VOL" "" 1 2
A=$RL_WORK/mnt-a B=$RL_WORK/mnt-b C=$RL_WORK/mnt-c
rl_mount h1 "$VOL" "$A" && rl_mount h2 "$VOL" "$B" && rl_mount h3 "$VOL" "$C" ||
	{ echo "FAIL: mounts"; exit 1; }
fails() { ! "$@" 2>/dev/null; }
heal() { netns_exec h3 "$RL_BIN/gluster-heal" "$@" -f "$VOL" --wait 10; }

mkdir "$C/box"
for f in m1 m2 m3; do echo "before the partition" >"$C/box/$f"; done
sync
ups() { grep -c "child brick$1 is up" "$RL_WORK/logs/client-$2.log"; }
c_up1=$(ups 1 mnt-c)

rl_log "cutting h1: A reaches only brick1, B only brick2"
netns_cut h1
# Each side writes; its first call to the lost brick waits for ping-timeout, then goes on.
check "A writes while cut off" bash -c "echo 'side A: the longer version of m1, written first' >'$A/box/m1' &&
	echo 'side A: m2, much longer than the other side wrote' >'$A/box/m2' &&
	echo 'side A: m3 early' >'$A/box/m3' && echo 'new from A' >'$A/box/new'"
sleep 1.1  # B's changes are later by the clock (latest-mtime)
check "B writes while cut off" bash -c "echo 'side B: m1' >'$B/box/m1' && echo 'side B: m2' >'$B/box/m2' &&
	echo 'side B: m3, written last' >'$B/box/m3' && echo 'new from B' >'$B/box/new'"
check "brick1 holds side A's m1" grep -q "side A" "$RL_WORK/b1/box/m1"
check "brick2 holds side B's m1" grep -q "side B" "$RL_WORK/b2/box/m1"

rl_log "restoring h1"
netns_restore h1
for _ in $(seq 1 200); do [ "$(ups 1 mnt-c)" -gt "$c_up1" ] && break; sleep 0.1; done
check "client C reconnected to brick1" test "$(ups 1 mnt-c)" -gt "$c_up1"

for f in m1 m2 m3; do
	check "reading box/$f through C fails with EIO" \
		bash -c "cat '$C/box/$f' 2>&1 >/dev/null | grep -q 'Input/output error'"
done
check "looking up box/new (different files on the two bricks) fails with EIO" \
	bash -c "stat '$C/box/new' 2>&1 | grep -q 'Input/output error'"
check "C's log names the split-brain file" grep -q "/box/m1.*split-brain\|split-brain.*/box/m1" \
	"$RL_WORK/logs/client-mnt-c.log"
heal heal >"$RL_WORK/heal.out" 2>&1
check "gluster-heal heal reports the files in split-brain" \
	bash -c "grep -A5 '^Split-brain: [1-9]' '$RL_WORK/heal.out' | grep -q /box/m1"
cat "$RL_WORK/heal.out"

rl_log "resolving"
check "resolve box/m1 --source brick2" heal resolve /box/m1 --source brick2
check "resolve box/m2 --bigger-file" heal resolve /box/m2 --bigger-file
check "resolve box/m3 --latest-mtime" heal resolve /box/m3 --latest-mtime
check "resolve box/new --source brick1 (through its directory)" heal resolve /box/new --source brick1
check "a resolution naming no child is refused" fails heal resolve /box/m1 --source brick9
for m in "$A" "$B" "$C"; do
	check "m1 is side B's through $(basename "$m")" grep -qx "side B: m1" "$m/box/m1"
	check "m2 is side A's (bigger) through $(basename "$m")" grep -q "^side A: m2" "$m/box/m2"
	check "m3 is side B's (latest) through $(basename "$m")" grep -qx "side B: m3, written last" "$m/box/m3"
	check "new is side A's through $(basename "$m")" grep -qx "new from A" "$m/box/new"
done
if rl_wait_healed 120 "$RL_WORK/b1" "$RL_WORK/b2"; then
	echo "ok   bricks identical, nothing pending ($(tail -n 1 "$RL_WORK/compare.out"))"
else
	echo "FAIL bricks differ after resolution"
	RL_FAILED=1
fi
heal info >"$RL_WORK/info.out" 2>&1
check "heal info: nothing pending" grep -q "Pending heal: 0 entries" "$RL_WORK/info.out"

if [ $RL_FAILED = 0 ]; then
	echo "replicate-splitbrain-test: PASS"
	exit 0
fi
echo "replicate-splitbrain-test: FAIL"
exit 1
