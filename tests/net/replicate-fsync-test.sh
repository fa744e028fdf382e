#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# replicate-fsync-test.sh: an fsync'ed write survives the SIGKILL of either brick. Replica 2
# on h1 and h2, the client on h3. A writer appends numbered 4 KiB records, fsyncing each and
# counting the records fsync acknowledged; brick K is SIGKILLed mid-stream, the writer goes on,
# and then every acknowledged record must be on the surviving brick's disk and readable through
# the mount, and every record acknowledged before the kill must be on the killed brick's disk
# too. The brick is restarted and healed, then the same with the other brick.
# Exit status: 0 pass, 77 skip (reason on the last line), other fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/net/replicate-lib.sh
[ "${1:-}" = --build ] && { export BUILD=$2; RL_BIN=$2/bin; }
rl_require

rl_setup "rf$(($$ % 100000))" 3
RL_NBRICKS=2
rl_start_brick 1 && rl_start_brick 2 || { echo "FAIL: bricks did not start"; exit 1; }
VOL=$RL_WORK/vol/client.vol
rl_client_vol "$VOL" "" 1 2
M=$RL_WORK/mnt
rl_mount h3 "$VOL" "$M" || { echo "FAIL: mount"; exit 1; }

# writer FILE PROGRESS STOPFILE: appends records until STOPFILE exists; after each fsync
# returns, PROGRESS holds the number of records acknowledged.
cat >"$RL_WORK/writer.py" <<'EOF'
import os, sys
path, progress, stop = sys.argv[1:4]
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
n = 0
while not os.path.exists(stop) and n < 100000:
    rec = (b"record %08d " % n).ljust(4095, b"x") + b"\n"
    os.write(fd, rec)
    os.fsync(fd)
    n += 1
    with open(progress + ".tmp", "w") as p:
        p.write(str(n))
    os.rename(progress + ".tmp", progress)
os.close(fd)
EOF
# records FILE N: the first N records of FILE are all there, in order, intact.
cat >"$RL_WORK/records.py" <<'EOF'
import sys
path, n = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
for i in range(n):
    rec = (b"record %08d " % i).ljust(4095, b"x") + b"\n"
    if data[i * 4096:(i + 1) * 4096] != rec:
        print(f"{path}: record {i} of {n} missing or damaged (file has {len(data)} bytes)")
        sys.exit(1)
EOF
acked() { cat "$1" 2>/dev/null || echo 0; }

for k in 1 2; do
	other=$((3 - k))
	f=log$k
	rm -f "$RL_WORK/stop"
	/usr/bin/python3 "$RL_WORK/writer.py" "$M/$f" "$RL_WORK/progress$k" "$RL_WORK/stop" \
		2>"$RL_WORK/writer$k.err" &
	wpid=$!
	while [ "$(acked "$RL_WORK/progress$k")" -lt 50 ] && kill -0 $wpid 2>/dev/null; do sleep 0.05; done
	before=$(acked "$RL_WORK/progress$k")
	rl_log "SIGKILL brick$k after $before acknowledged records"
	rl_kill_brick "$k"
	target=$((before + 50))
	while [ "$(acked "$RL_WORK/progress$k")" -lt $target ] && kill -0 $wpid 2>/dev/null; do sleep 0.05; done
	touch "$RL_WORK/stop"
	wait $wpid
	wrc=$?
	check "the writer saw no error with brick$k killed" test $wrc = 0 -a ! -s "$RL_WORK/writer$k.err"
	total=$(acked "$RL_WORK/progress$k")
	check "all $total acknowledged records are on brick$other's disk" \
		/usr/bin/python3 "$RL_WORK/records.py" "$RL_WORK/b$other/$f" "$total"
	check "the $before records acknowledged before the kill are on brick$k's disk" \
		/usr/bin/python3 "$RL_WORK/records.py" "$RL_WORK/b$k/$f" "$before"
	check "all $total records read back through the mount" \
		/usr/bin/python3 "$RL_WORK/records.py" "$M/$f" "$total"
	check "brick$k restarts" rl_start_brick "$k"
	if rl_wait_healed 120 "$RL_WORK/b1" "$RL_WORK/b2"; then
		echo "ok   brick$k healed on its own (${RL_HEAL_SECONDS}s); bricks identical"
	else
		echo "FAIL brick$k did not heal"
		RL_FAILED=1
	fi
done

if [ $RL_FAILED = 0 ]; then
	echo "replicate-fsync-test: PASS"
	exit 0
fi
echo "replicate-fsync-test: FAIL"
exit 1
