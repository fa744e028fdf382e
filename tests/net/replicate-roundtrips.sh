#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# replicate-roundtrips.sh: a measurement, not a test: counts the calls replicate sends to each
# brick (debug/trace between cluster/replicate and each protocol/client) while COUNT small files
# are created through a replica-2 mount (as mail delivery does: create, write 4 KiB, close), and
# prints calls per file by fop and brick. Same rig as the replicate tests (network namespaces).
#
#   tests/net/replicate-roundtrips.sh [--build DIR] [--count N]
# The mount keeps glusterfs's default kernel caching; RL_MOUNT_OPTS adds mount options.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/net/replicate-lib.sh
count=200
while [ $# -gt 0 ]; do
	case $1 in
	--build) export BUILD=$2; RL_BIN=$2/bin; shift 2 ;;
	--count) count=$2; shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--count N]" >&2; exit 2 ;;
	esac
done
rl_require
rl_setup "rr$(($$ % 100000))" 3
RL_NBRICKS=2
rl_start_brick 1 && rl_start_brick 2 || { echo "bricks did not start"; exit 1; }
VOL=$RL_WORK/vol/client.vol
rl_client_vol "$VOL" "" 1 2
# Put a trace above each protocol/client: the replicate volume's children become t1 and t2.
python3 - "$VOL" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("subvolumes brick1 brick2", "subvolumes t1 t2")
head, afr = s.split("volume afr", 1)
for i in (1, 2):
    head += f"volume t{i}\n  type debug/trace\n  subvolumes brick{i}\nend-volume\n"
open(p, "w").write(head + "volume afr" + afr)
EOF
M=$RL_WORK/mnt
RL_MOUNT_OPTS=${RL_MOUNT_OPTS-} rl_mount h3 "$VOL" "$M" || { echo "mount failed"; exit 1; }
LOG=$RL_WORK/logs/client-mnt.log
mkdir "$M/spool"
head -c 4096 /dev/urandom >"$RL_WORK/msg"
sleep 1
start=$(wc -l <"$LOG")
for i in $(seq 1 "$count"); do cp "$RL_WORK/msg" "$M/spool/m$i"; done
sleep 1
tail -n +"$((start + 1))" "$LOG" >"$RL_WORK/window.log"
echo "replica 2, $count files of 4 KiB created (cp) through FUSE; calls from replicate to each brick:"
python3 - "$RL_WORK/window.log" "$count" <<'EOF'
import re, sys, collections
path, n = sys.argv[1], int(sys.argv[2])
calls = collections.Counter()
for line in open(path):
    m = re.search(r"\[(t[12])\] #\d+ (\w+)\(", line)
    if m:
        calls[(m.group(1), m.group(2))] += 1
fops = sorted({f for _, f in calls})
print(f"{'fop':<12}{'brick1':>10}{'brick2':>10}   (per file)")
tot = {"t1": 0, "t2": 0}
for f in fops:
    a, b = calls[("t1", f)], calls[("t2", f)]
    tot["t1"] += a
    tot["t2"] += b
    print(f"{f:<12}{a / n:>10.2f}{b / n:>10.2f}")
print(f"{'total':<12}{tot['t1'] / n:>10.2f}{tot['t2'] / n:>10.2f}")
print(f"calls on the wire per file: {(tot['t1'] + tot['t2']) / n:.2f}")
EOF
