#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# replicate-lib.sh: shared pieces of the replicate tests in network namespaces (sourced):
# a rig of hosts (scripts/netns-cluster.sh), one glusterfsd per brick host (storage/posix,
# features/index, features/locks, performance/io-threads, protocol/server), client volfiles
# with cluster/replicate over them, glusterfs mounts, SIGKILL and restart of bricks, waiting
# for self-heal, and a teardown that always runs (trap) and kills only what the test started.
#
# Usage: . tests/net/replicate-lib.sh; rl_setup NAME HOSTS; ...; (rl_cleanup runs on exit)
# Needs BUILD (the build directory with bin/glusterfs, bin/glusterfsd, bin/gluster-heal).

RL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/netns-cluster.sh
. "$RL_ROOT/scripts/netns-cluster.sh"
RL_BIN=${BUILD:-$RL_ROOT/build}/bin
RL_COMPARE=$RL_ROOT/tests/net/replicate-tree-compare.py
RL_PORT=6996
RL_FAILED=0
RL_MOUNTS=()
RL_CLIENT_PIDS=()
RL_TMPFS=()

rl_skip() {
	echo "SKIP: $*"
	exit 77
}

# Everything a replicate network test needs, or a skip with the reason.
rl_require() {
	[ "$(id -u)" = 0 ] || rl_skip "not root (network namespaces and FUSE mounts need it)"
	[ -c /dev/fuse ] || rl_skip "/dev/fuse is missing"
	command -v ip >/dev/null || rl_skip "ip (iproute2) is missing"
	ip netns list >/dev/null 2>&1 || rl_skip "'ip netns' does not work here"
	command -v nsenter >/dev/null || rl_skip "nsenter (util-linux) is missing"
	[ -x /usr/bin/python3 ] || rl_skip "python3 is missing (the brick tree comparer)"
	local b
	for b in glusterfs glusterfsd gluster-heal; do
		[ -x "$RL_BIN/$b" ] || rl_skip "$RL_BIN/$b is not built (make BUILD=... $RL_BIN/$b)"
	done
	local probe=rlp$$
	probe=${probe:0:8}
	ip link add "$probe" type bridge 2>/dev/null || rl_skip "cannot create a bridge"
	ip link del "$probe"
}

rl_log() { echo "[$(date +%T)] $*"; }

# check DESCRIPTION COMMAND...: records a failure but carries on.
check() {
	if "${@:2}"; then
		echo "ok   $1"
	else
		echo "FAIL $1"
		RL_FAILED=1
	fi
}

# rl_setup NAME HOSTS: a fresh rig and work directory; installs the cleanup trap.
rl_setup() {
	export NETNS_CLUSTER=${1:0:8}
	export NETNS_SUBNET=${NETNS_SUBNET:-10.79.0}
	RL_WORK=$(mktemp -d "/tmp/$1.XXXXXX")
	trap rl_cleanup EXIT
	trap 'exit 130' INT TERM
	netns_up "$2" || { echo "FAIL: cannot create the rig"; exit 1; }
}

# rl_teardown [SHOW-LOGS]: unmounts, kills what the test started (by pid), removes the rig and
# the work directory. With SHOW-LOGS non-zero, prints the tails of the daemons' logs first.
rl_teardown() {
	local show=${1:-0} m p i
	for m in "${RL_MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	for p in "${RL_CLIENT_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for i in "${!RL_BRICK_PID[@]}"; do kill -KILL "${RL_BRICK_PID[$i]}" 2>/dev/null; done
	netns_down >/dev/null 2>&1
	for m in "${RL_TMPFS[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	if [ "$show" != 0 ] && [ -n "${RL_WORK:-}" ] && [ -d "$RL_WORK/logs" ]; then
		echo "--- last log lines ---"
		for p in "$RL_WORK"/logs/*.log; do
			echo "== $p"
			tail -n 15 "$p"
		done
	fi
	if [ "$show" != 0 ] && [ -n "${RL_KEEP:-}" ] && [ -n "${RL_WORK:-}" ]; then
		echo "work directory kept (RL_KEEP): $RL_WORK"
	elif [ -n "${RL_WORK:-}" ]; then
		rm -rf --one-file-system "$RL_WORK"
	fi
	RL_MOUNTS=() RL_CLIENT_PIDS=() RL_TMPFS=() RL_WORK=
	RL_BRICK_PID=()
}

rl_cleanup() {
	local rc=$?
	set +e
	[ "$RL_FAILED" = 0 ] || [ "$rc" != 0 ] || rc=1
	rl_teardown "$rc"
	exit "$rc"
}

declare -A RL_BRICK_PID=()

# rl_brick_vol I [BRICKDIR]: the server volfile of brick I (host hI), exporting "brick".
rl_brick_vol() {
	local i=$1 dir=${2:-$RL_WORK/b$1}
	mkdir -p "$dir" "$RL_WORK/vol" "$RL_WORK/logs"
	cat >"$RL_WORK/vol/server$i.vol" <<EOF
volume posix
  type storage/posix
  option directory $dir
end-volume
volume index
  type features/index
  option index-base $RL_WORK/index$i
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
  option bind-address $(netns_addr "h$i")
  option listen-port $RL_PORT
  option auth.addr.brick.allow $NETNS_SUBNET.*
  subvolumes brick
end-volume
EOF
}

rl_start_brick() {
	local i=$1
	[ -f "$RL_WORK/vol/server$i.vol" ] || rl_brick_vol "$i"
	netns_exec "h$i" "$RL_BIN/glusterfsd" -f "$RL_WORK/vol/server$i.vol" \
		-p "$RL_WORK/brick$i.pid" -l "$RL_WORK/logs/brick$i.log" || return 1
	RL_BRICK_PID[$i]=$(cat "$RL_WORK/brick$i.pid")
}

rl_kill_brick() {
	local i=$1 pid=${RL_BRICK_PID[$1]}
	kill -KILL "$pid" || return 1
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	unset "RL_BRICK_PID[$i]"
}

# rl_client_vol FILE "EXTRA AFR OPTIONS" BRICK...: replicate over bricks (host numbers); the
# children are named brickI.
rl_client_vol() {
	local file=$1 extra=$2 i subs=
	shift 2
	: >"$file"
	for i in "$@"; do
		cat >>"$file" <<EOF
volume brick$i
  type protocol/client
  option transport-type tcp
  option remote-host $(netns_addr "h$i")
  option remote-port $RL_PORT
  option remote-subvolume brick
  option ping-timeout 3
end-volume
EOF
		subs="$subs brick$i"
	done
	{
		echo "volume afr"
		echo "  type cluster/replicate"
		echo "  option self-heal-interval 10"
		[ -z "$extra" ] || printf '%s\n' "$extra" | sed 's/^/  option /'
		echo "  subvolumes$subs"
		echo "end-volume"
	} >>"$file"
}

# rl_mount HOST VOLFILE MOUNTPOINT: a glusterfs client running in HOST's namespace. Without
# kernel caching by default (several mounts share files); RL_MOUNT_OPTS overrides that.
rl_mount() {
	local host=$1 vol=$2 mnt=$3 tag
	tag=$(basename "$mnt")
	mkdir -p "$mnt"
	# shellcheck disable=SC2086
	netns_exec "$host" "$RL_BIN/glusterfs" -f "$vol" -l "$RL_WORK/logs/client-$tag.log" \
		-p "$RL_WORK/client-$tag.pid" ${RL_MOUNT_OPTS---attribute-timeout=0 --entry-timeout=0} \
		"$mnt" || return 1
	RL_MOUNTS+=("$mnt")
	RL_CLIENT_PIDS+=("$(cat "$RL_WORK/client-$tag.pid")")
}

rl_umount() {
	local mnt=$1 tag pid
	tag=$(basename "$mnt")
	pid=$(cat "$RL_WORK/client-$tag.pid" 2>/dev/null)
	umount "$mnt" || return 1
	[ -z "$pid" ] || while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

# rl_index_empty I...: no pending entry in the index of these bricks.
rl_index_empty() {
	local i
	for i in "$@"; do
		[ -z "$(ls -A "$RL_WORK/index$i" 2>/dev/null)" ] || return 1
	done
}

# rl_wait_healed SECONDS BRICKDIR...: waits (bounded: a hang guard, not a timing assertion)
# until the bricks' indexes are empty and their trees identical with no pending changelog.
rl_wait_healed() {
	local limit=$1 start=$SECONDS i idx
	shift
	while [ $((SECONDS - start)) -lt "$limit" ]; do
		idx=()
		for i in $(seq 1 "$RL_NBRICKS"); do idx+=("$i"); done
		if rl_index_empty "${idx[@]}" &&
			/usr/bin/python3 "$RL_COMPARE" --clean "$@" >"$RL_WORK/compare.out" 2>&1; then
			RL_HEAL_SECONDS=$((SECONDS - start))
			return 0
		fi
		sleep 1
	done
	cat "$RL_WORK/compare.out"
	for i in $(seq 1 "$RL_NBRICKS"); do ls -A "$RL_WORK/index$i" | head -5 | sed "s/^/index$i: /"; done
	return 1
}
