#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# replicate-enospc-test.sh: a brick whose disk is full. Replica 2 on h1 and h2, brick2 on a
# 8 MiB tmpfs; clients on h3. With quorum 2 (every copy must take a change) a writer filling
# brick2 gets ENOSPC; with the default quorum (1 of 2) the write is acknowledged because brick1
# holds it all, and brick2 is accused. df through the mount shows the smaller free space. When
# brick2's filesystem grows back, self-heal copies what it missed on its own and the bricks
# end identical.
# Exit status: 0 pass, 77 skip (reason on the last line), other fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/net/replicate-lib.sh
[ "${1:-}" = --build ] && { export BUILD=$2; RL_BIN=$2/bin; }
rl_require

rl_setup "re$(($$ % 100000))" 3
RL_NBRICKS=2
SMALL=$RL_WORK/small
mkdir -p "$SMALL"
mount -t tmpfs -o size=8m,mode=0755 gf-enospc-test "$SMALL" || rl_skip "cannot mount a tmpfs"
RL_TMPFS+=("$SMALL")
setfattr -n trusted.probe -v 1 "$SMALL" 2>/dev/null && setfattr -n user.probe -v 1 "$SMALL" 2>/dev/null ||
	rl_skip "tmpfs here has no trusted/user xattrs"
rl_brick_vol 1
rl_brick_vol 2 "$SMALL/brick"
rl_start_brick 1 && rl_start_brick 2 || { echo "FAIL: bricks did not start"; exit 1; }
rl_client_vol "$RL_WORK/vol/strict.vol" "quorum 2" 1 2
rl_client_vol "$RL_WORK/vol/default.vol" "" 1 2
S=$RL_WORK/mnt-strict D=$RL_WORK/mnt-default
rl_mount h3 "$RL_WORK/vol/strict.vol" "$S" && rl_mount h3 "$RL_WORK/vol/default.vol" "$D" ||
	{ echo "FAIL: mounts"; exit 1; }

avail_kb=$(df -k --output=avail "$S" | tail -n 1)
check "df through the mount shows the small brick's free space ($avail_kb KiB)" test "$avail_kb" -le 8192

# Quorum 2: the writer hears about the full disk.
dd if=/dev/urandom of="$S/big-strict" bs=1M count=12 conv=fsync 2>"$RL_WORK/dd-strict.err"
rc=$?
check "a write that does not fit on brick2 fails (quorum 2)" test $rc != 0
check "... with ENOSPC" grep -q "No space left on device" "$RL_WORK/dd-strict.err"
cat "$RL_WORK/dd-strict.err"
rm -f "$S/big-strict"

# Default quorum: brick1 has it all, so the write stands; brick2 will be healed.
head -c 6M /dev/urandom >"$RL_WORK/filler"
check "brick2's disk is nearly full (filler written through the volume)" \
	cp "$RL_WORK/filler" "$D/filler"
head -c 10M /dev/urandom >"$RL_WORK/big"
check "a write that fits on brick1 only is acknowledged (quorum 1)" \
	dd if="$RL_WORK/big" of="$D/big" bs=1M conv=fsync status=none
check "the file reads back whole through the mount" cmp -s "$RL_WORK/big" "$D/big"
check "brick2 holds less of it" test "$(stat -c %s "$SMALL/brick/big" 2>/dev/null || echo 0)" -lt $((10 << 20))
check "brick1 has a pending heal recorded" test -n "$(ls -A "$RL_WORK/index1")"

rl_log "space returns on brick2"
mount -o remount,size=64m "$SMALL" || { echo "FAIL: cannot grow the tmpfs"; exit 1; }
if rl_wait_healed 120 "$RL_WORK/b1" "$SMALL/brick"; then
	echo "ok   brick2 healed on its own (${RL_HEAL_SECONDS}s); bricks identical, nothing pending"
else
	echo "FAIL brick2 was not healed"
	RL_FAILED=1
fi
check "brick2's copy is the whole file" cmp -s "$RL_WORK/big" "$SMALL/brick/big"

if [ $RL_FAILED = 0 ]; then
	echo "replicate-enospc-test: PASS"
	exit 0
fi
echo "replicate-enospc-test: FAIL"
exit 1
