#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# demo-local.sh: mounts a GlusterFS 2.0-style local volume (storage/posix + features/locks) and runs
# a maildir delivery workload on it: several writers deliver into tmp/, fsync, rename into
# new/; a reader lists, moves to cur/, reads back and verifies every checksum.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
writers=4 per_writer=100
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--messages) per_writer=$2; shift 2 ;;
	*) echo "demo: unknown argument $1" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" && pwd)
work=$(mktemp -d /tmp/gf-demo.XXXXXX)
brick=$work/brick mnt=$work/spool vol=$work/spool.vol
mkdir -p "$brick" "$mnt"
cleanup() {
	if grep -q " $mnt fuse" /proc/mounts; then umount "$mnt" || umount -l "$mnt"; fi
	rm -rf "$work"
}
trap cleanup EXIT

cat >"$vol" <<VOL
# A local mail spool: one brick directory with POSIX locks on top.
volume brick
  type storage/posix
  option directory $brick
end-volume

volume spool
  type features/locks
  subvolumes brick
end-volume
VOL
echo "== volfile ($vol)"
cat "$vol"
echo
echo "== mounting: glusterfs -f $vol $mnt"
"$build/bin/glusterfs" -f "$vol" -l "$work/client.log" "$mnt"
grep " $mnt " /proc/mounts

echo
echo "== delivering $((writers * per_writer)) messages with $writers concurrent writers"
start=$(date +%s.%N)
for w in $(seq 1 $writers); do
	scripts/maildir-workload.sh deliver "$mnt" "$w" "$per_writer" 8 >"$work/manifest.$w" &
done
wait
end=$(date +%s.%N)
echo "delivered in $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') s"
echo "mailboxes: $(ls "$mnt" | tr '\n' ' ')"
echo "in new/: $(find "$mnt" -path '*/new/*' -type f | wc -l) messages"

echo
echo "== reading back: move to cur/, read, verify checksums"
scripts/maildir-workload.sh verify "$mnt" "$work"/manifest.*
echo
echo "== the same files on the brick"
echo "brick holds $(find "$brick" -path '*/cur/*' -type f | wc -l) messages in cur/"
umount "$mnt"
echo "unmounted; demo OK"
