#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# demo.sh: the mail-spool cluster. Four brick hosts serve a distributed-replicated volume (two
# replica-2 pairs, GlusterFS 2.0 volfiles); two mail-server hosts mount it and deliver mail
# (write into tmp/, fsync, rename into new/) into many mailboxes at once. Mid-delivery one brick
# is killed with SIGKILL and later restarted. Then every message is read back through the
# other mail server and checked, the self-heal is awaited, and the bricks of each pair are
# compared. Everything runs in network namespaces on this machine.
#   scripts/demo.sh [--build DIR] [--messages N] [--local]
# --local runs the single-brick local-volume demo instead (no namespaces).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build messages=150 local=0
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--messages) messages=$2; shift 2 ;;
	--local) local=1; shift ;;
	*) echo "demo: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ $local = 1 ] && exec scripts/demo-local.sh --build "$build"
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces, FUSE)"; exit 1; }

export SPOOL_BUILD=$build NETNS_CLUSTER=gfdemo NETNS_SUBNET=10.78.0
. scripts/spool-cluster.sh
trap spool_down EXIT
say() { printf '\n== %s\n' "$*"; }

say "starting 4 brick hosts (2 replica pairs) and 2 mail-server hosts in network namespaces"
spool_up 2 2
netns_list
say "client volfile ($SPOOL_WORK/client.vol)"
cat "$SPOOL_WORK/client.vol"
spool_mount 1
spool_mount 2
mnt1=$SPOOL_WORK/mnt/c1 mnt2=$SPOOL_WORK/mnt/c2
echo "mail server A mounts $mnt1, mail server B mounts $mnt2"

say "delivering $((4 * messages)) messages into 40 mailboxes: 2 writers on each mail server"
start=$(date +%s)
pids=()
for w in 1 2; do
	scripts/maildir-workload.sh deliver "$mnt1" "a$w" "$messages" 40 >"$SPOOL_WORK/manifest.a$w" &
	pids+=($!)
	scripts/maildir-workload.sh deliver "$mnt2" "b$w" "$messages" 40 >"$SPOOL_WORK/manifest.b$w" &
	pids+=($!)
done
sleep 3
say "killing the brick on h2 (SIGKILL) in the middle of delivery"
spool_kill_brick 2
sleep 4
say "restarting the brick on h2"
spool_start_brick 2
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
echo "deliveries finished in $(($(date +%s) - start)) s; writers that saw an error: $failed"

say "reading every message back through mail server B (moves new/ -> cur/, checks checksums)"
scripts/maildir-workload.sh verify "$mnt2" "$SPOOL_WORK"/manifest.*

say "waiting for the self-heal of h2 to finish"
for i in $(seq 1 120); do
	p=$(spool_pending)
	[ "$p" = 0 ] && break
	[ $((i % 5)) = 1 ] && echo "pending heal entries: $p"
	sleep 1
done
echo "pending heal entries: $(spool_pending)"
getfattr --only-values -n trusted.glusterfs.replicate.heal-info "$mnt1" || true

say "comparing the bricks of each pair (data, mode, owner, xattrs)"
ok=1
for pair in "1 2" "3 4"; do
	set -- $pair
	if spool_compare_pair "$1" "$2" >"$SPOOL_WORK/diff.$1$2"; then
		echo "h$1 and h$2: identical ($(find "$SPOOL_WORK/h$1/brick" -type f | wc -l) files)"
	else
		ok=0
		echo "h$1 and h$2 DIFFER:"
		head -20 "$SPOOL_WORK/diff.$1$2"
	fi
done
say "summary"
echo "messages delivered: $(cat "$SPOOL_WORK"/manifest.* | wc -l); in cur/ on pair 1: " \
	"$(find "$SPOOL_WORK/h1/brick" -path '*/cur/*' -type f | wc -l), on pair 2:" \
	"$(find "$SPOOL_WORK/h3/brick" -path '*/cur/*' -type f | wc -l)"
if [ $ok = 1 ] && [ $failed = 0 ]; then
	echo "demo OK: no message lost or damaged, no writer saw an error, replicas identical after heal"
else
	echo "demo FAILED"
	exit 1
fi
