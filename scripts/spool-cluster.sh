#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# spool-cluster.sh: the mail-spool cluster on one machine, for the demo and the tests. Sourced
# from bash, it defines functions that run a distributed-replicated volume: brick hosts in
# network namespaces (scripts/netns-cluster.sh), each with one glusterfsd (storage/posix,
# features/index, features/locks, performance/io-threads, protocol/server), and client hosts
# mounting the volume (protocol/client per brick, cluster/replicate per pair, cluster/distribute
# over the pairs) in GlusterFS 2.0 volfile syntax.
#
#   spool_up PAIRS CLIENTS [SPARE]  hosts h1..h(2*PAIRS) serve bricks; the next CLIENTS hosts
#                                mount; SPARE more hosts wait for spool_add_pair
#   spool_mount I                mounts client I (1-based) at $SPOOL_WORK/mnt/cI
#   spool_umount I               unmounts it (waits for its glusterfs to exit)
#   spool_add_pair               starts bricks on the next two spare hosts and rewrites
#                                client.vol with them as one more pair (remount to use it)
#   spool_kill_brick H           SIGKILL the glusterfsd of host H
#   spool_start_brick H          (re)start it
#   spool_pending                pending heal entries (sum over the volume, from heal-info)
#   spool_compare_pair A B       bricks of hosts A and B hold the same tree (data, mode, owner,
#                                xattrs other than replicate's changelogs); prints differences
#   spool_down                   unmount, stop every daemon, remove the rig and the work dir
# Environment: SPOOL_BUILD (build dir, default build), SPOOL_WORK (default a new /tmp dir).

_spool_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$_spool_here/netns-cluster.sh"

SPOOL_BUILD=${SPOOL_BUILD:-$_spool_here/../build}
SPOOL_BUILD=$(cd "$SPOOL_BUILD" && pwd)
: "${SPOOL_WORK:=$(mktemp -d /tmp/gf-spool.XXXXXX)}"
SPOOL_PAIRS=0
SPOOL_CLIENTS=0
SPOOL_BRICKS=()      # host number of each brick in volfile order; pair p is entries 2p-1, 2p
SPOOL_CLIENT_BASE=0  # client I runs on host h(SPOOL_CLIENT_BASE + I)
SPOOL_NEXT_SPARE=0   # the next unused spare host
SPOOL_HOSTS=0

_spool_brick_vol() { # _spool_brick_vol H
	local h=$1 dir=$SPOOL_WORK/h$1
	cat <<EOF
# Brick server on host h$h ($(netns_addr "h$h"))
volume posix
  type storage/posix
  option directory $dir/brick
end-volume

volume index
  type features/index
  option index-base $dir/index
  subvolumes posix
end-volume

volume locks
  type features/locks
  subvolumes index
end-volume

volume brick
  type performance/io-threads
  option thread-count 8
  subvolumes locks
end-volume

volume server
  type protocol/server
  option transport-type tcp
  option bind-address $(netns_addr "h$h")
  option auth.addr.brick.allow $(_netns_subnet).*
  subvolumes brick
end-volume
EOF
}

_spool_client_vol() {
	local p h
	echo "# Mail spool: distribute over ${SPOOL_PAIRS} replica-2 pairs"
	for h in "${SPOOL_BRICKS[@]}"; do
		cat <<EOF

volume brick$h
  type protocol/client
  option transport-type tcp
  option remote-host $(netns_addr "h$h")
  option remote-subvolume brick
  option ping-timeout 5
end-volume
EOF
	done
	for ((p = 1; p <= SPOOL_PAIRS; p++)); do
		cat <<EOF

volume pair$p
  type cluster/replicate
  option self-heal-interval 5
  subvolumes brick${SPOOL_BRICKS[2 * p - 2]} brick${SPOOL_BRICKS[2 * p - 1]}
end-volume
EOF
	done
	printf '\nvolume spool\n  type cluster/distribute\n  subvolumes'
	for ((p = 1; p <= SPOOL_PAIRS; p++)); do printf ' pair%d' "$p"; done
	printf '\nend-volume\n'
}

spool_start_brick() {
	local h=$1 dir=$SPOOL_WORK/h$1
	mkdir -p "$dir/brick" "$dir/index"
	netns_exec "h$h" "$SPOOL_BUILD/bin/glusterfsd" -f "$dir/server.vol" -l "$dir/glusterfsd.log" \
		-p "$dir/glusterfsd.pid"
}

spool_kill_brick() {
	local pid
	pid=$(cat "$SPOOL_WORK/h$1/glusterfsd.pid" 2>/dev/null) && kill -9 "$pid" 2>/dev/null
	rm -f "$SPOOL_WORK/h$1/glusterfsd.pid"
}

_spool_new_brick() { # _spool_new_brick H
	mkdir -p "$SPOOL_WORK/h$1"
	_spool_brick_vol "$1" >"$SPOOL_WORK/h$1/server.vol"
	SPOOL_BRICKS+=("$1")
	spool_start_brick "$1"
}

spool_up() {
	SPOOL_PAIRS=$1 SPOOL_CLIENTS=$2
	SPOOL_CLIENT_BASE=$((2 * SPOOL_PAIRS)) SPOOL_NEXT_SPARE=$((2 * SPOOL_PAIRS + SPOOL_CLIENTS + 1))
	SPOOL_HOSTS=$((2 * SPOOL_PAIRS + SPOOL_CLIENTS + ${3:-0})) SPOOL_BRICKS=()
	local h
	netns_up "$SPOOL_HOSTS" >/dev/null || return 1
	mkdir -p "$SPOOL_WORK/mnt"
	for ((h = 1; h <= 2 * SPOOL_PAIRS; h++)); do
		_spool_new_brick "$h" || return 1
	done
	_spool_client_vol >"$SPOOL_WORK/client.vol"
}

spool_add_pair() {
	local a=$SPOOL_NEXT_SPARE b=$((SPOOL_NEXT_SPARE + 1))
	[ "$b" -le "$SPOOL_HOSTS" ] || { echo "spool_add_pair: no spare hosts left" >&2; return 1; }
	SPOOL_NEXT_SPARE=$((b + 1))
	_spool_new_brick "$a" && _spool_new_brick "$b" || return 1
	SPOOL_PAIRS=$((SPOOL_PAIRS + 1))
	_spool_client_vol >"$SPOOL_WORK/client.vol"
}

spool_umount() {
	local pid
	pid=$(cat "$SPOOL_WORK/client$1.pid" 2>/dev/null) || pid=
	umount "$SPOOL_WORK/mnt/c$1" || return 1
	[ -n "$pid" ] || return 0
	local i
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
	echo "spool_umount: glusterfs $pid of client $1 still runs" >&2
	return 1
}

spool_mount() {
	local i=$1 host=h$((SPOOL_CLIENT_BASE + $1)) mnt=$SPOOL_WORK/mnt/c$1
	mkdir -p "$mnt"
	netns_exec "$host" "$SPOOL_BUILD/bin/glusterfs" -f "$SPOOL_WORK/client.vol" \
		-l "$SPOOL_WORK/client$i.log" -p "$SPOOL_WORK/client$i.pid" "$mnt"
}

spool_pending() {
	getfattr --only-values -n trusted.glusterfs.replicate.heal-info "$SPOOL_WORK/mnt/c1" 2>/dev/null |
		awk '/^Pending heal:/ { n += $3 } END { print n + 0 }'
}

# A listing of a brick with everything that must match its replica.
_spool_describe() { # _spool_describe DIR
	(
		cd "$1" || exit 1
		find . -path ./.glusterfs -prune -o -printf '%y %m %U:%G %s %p\n' | LC_ALL=C sort
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum
		find . -print0 | LC_ALL=C sort -z | xargs -0r getfattr -h -d -m - -e hex 2>/dev/null |
			grep -v '^trusted\.afr\.'
	)
}

spool_compare_pair() {
	diff <(_spool_describe "$SPOOL_WORK/h$1/brick") <(_spool_describe "$SPOOL_WORK/h$2/brick")
}

spool_down() {
	local m
	for m in "$SPOOL_WORK"/mnt/c*; do
		[ -d "$m" ] || continue
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	netns_down >/dev/null 2>&1
	rm -rf "$SPOOL_WORK"
}
