# SPDX-License-Identifier: GPL-3.0-or-later
# lib.sh: helpers shared by scripts/bench.sh and its setups (sourced, never run): logging,
# process liveness, CPU ticks from /proc/PID/stat, waiting for and tearing down FUSE mounts.

# The one-brick volfiles (gf_brick_server_vol, gf_client_vol) of the setups running glusterfsd.
# shellcheck source=scripts/lib/volfiles.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/volfiles.sh"

# bench_log MESSAGE...: a timestamped progress line on stderr.
# Wall-clock time as seconds with microseconds, and the seconds between two such times.
bench_now() { echo "$EPOCHREALTIME"; }
bench_secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

bench_log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# bench_pid_alive PID: true while PID exists and is not a zombie (this machine's init does not
# always reap orphans, so `kill -0` alone would call a dead daemon alive).
bench_pid_alive() {
	local s
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	read -r s 2>/dev/null </proc/"$1"/stat || return 1
	s=${s##*) }
	[[ ${s:0:1} != Z && ${s:0:1} != X ]]
}

# bench_proc_ticks PID: sets BENCH_TICKS to utime+stime of PID (all its threads) in clock
# ticks; 0 when PID is gone. No subshell, so it is cheap to call around every row.
bench_proc_ticks() {
	local s
	BENCH_TICKS=0
	read -r s 2>/dev/null </proc/"$1"/stat || return 1
	s=${s##*) }
	# shellcheck disable=SC2086
	set -- $s
	BENCH_TICKS=$((${12} + ${13}))
}

# bench_is_mounted DIR: true when DIR is a mount point in this mount namespace.
bench_is_mounted() {
	local dir
	dir=$(realpath -m "$1")
	awk -v d="$dir" '$2 == d { found = 1 } END { exit !found }' /proc/self/mounts
}

# bench_wait_mount DIR [SECONDS] [PID]: waits until DIR is mounted and answers statfs; fails
# early when PID (the daemon serving it) dies.
bench_wait_mount() {
	local dir=$1 limit=${2:-30} pid=${3:-} i
	for ((i = 0; i < limit * 10; i++)); do
		if bench_is_mounted "$dir" && timeout 10 stat -f "$dir" >/dev/null 2>&1; then
			return 0
		fi
		if [ -n "$pid" ] && ! bench_pid_alive "$pid"; then
			echo "daemon $pid died before $dir was mounted" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "$dir not mounted after ${limit}s" >&2
	return 1
}

# bench_wait_exit PID SECONDS: waits for PID to end; false if it is still alive.
bench_wait_exit() {
	local pid=$1 limit=$2 i
	for ((i = 0; i < limit * 10; i++)); do
		bench_pid_alive "$pid" || return 0
		sleep 0.1
	done
	! bench_pid_alive "$pid"
}

# bench_unmount DIR [PID...]: unmounts a FUSE mount and makes sure its daemon(s) end: umount,
# wait, then SIGTERM, SIGKILL, and a lazy unmount if the mount is still there. Idempotent.
bench_unmount() {
	local dir=$1 pid
	shift
	if bench_is_mounted "$dir"; then
		timeout 60 umount "$dir" 2>/dev/null || timeout 60 fusermount3 -u "$dir" 2>/dev/null || true
	fi
	for pid in "$@"; do
		[ -n "$pid" ] || continue
		bench_wait_exit "$pid" 10 && continue
		kill -TERM "$pid" 2>/dev/null
		bench_wait_exit "$pid" 10 && continue
		kill -KILL "$pid" 2>/dev/null
		bench_wait_exit "$pid" 5 || echo "bench: process $pid survived SIGKILL" >&2
	done
	if bench_is_mounted "$dir"; then
		umount -l "$dir" 2>/dev/null || true
	fi
	! bench_is_mounted "$dir"
}

# bench_check_fuse: for check_* functions: prints why FUSE mounts cannot work here, if so.
bench_check_fuse() {
	[ "$(id -u)" = 0 ] || { echo "not root"; return 1; }
	[ -c /dev/fuse ] || { echo "/dev/fuse is missing"; return 1; }
}

# bench_fuse_flavour BINARY: which FUSE library a client binary was linked with.
bench_fuse_flavour() {
	if ldd "$1" 2>/dev/null | grep -q 'libfuse3\.so'; then
		echo "stock libfuse3 (WITH_FUSE=system)"
	else
		echo "libfuse-patched (bundled)"
	fi
}

# --- Debian's GlusterFS 10.3 as a target (used by setups/gluster-*.sh) -----------------------
bench_gluster103() { "$BENCH_ROOT/scripts/gluster103.sh" "$@"; }

bench_gluster103_check() {
	bench_check_fuse || return 1
	local b
	for b in /usr/sbin/glusterd /usr/sbin/glusterfs /usr/sbin/gluster; do
		[ -x "$b" ] || { echo "$b is missing (apt-get install glusterfs-server glusterfs-client)"; return 1; }
	done
}

# bench_gluster103_setup LAYOUT WD: volume gfbench-LAYOUT on bricks WD/bricks/b*, mounted at
# WD/mnt; accounts the client, every brick and the self-heal daemon.
bench_gluster103_setup() {
	local layout=$1 wd=$2 vol=gfbench-$1 pid pids
	echo "$vol" >"$wd/volume"
	bench_gluster103 up "$vol" "$layout" "$wd/bricks" >&2 || return 1
	pid=$(bench_gluster103 mount "$vol" "$wd/mnt" "$wd/client.log") || return 1
	pids=$(bench_gluster103 pids "$vol") || return 1
	if echo "$pids" | grep -q '^brick -$'; then
		echo "a brick of $vol is not running" >&2
		return 1
	fi
	echo "dir $wd/mnt"
	echo "pid client $pid"
	echo "$pids" | awk '{ print "pid", $1, $2 }'
	echo "note Debian GlusterFS $(/usr/sbin/glusterfs --version | awk 'NR == 1 { print $2 }'), $layout on loopback bricks, default volume options"
}

bench_gluster103_teardown() {
	local wd=$1 vol
	vol=$(cat "$wd/volume" 2>/dev/null) || return 0
	bench_gluster103 down "$vol"
	bench_gluster103 glusterd-stop
}

# --- our own multi-brick volumes (used by setups/ours-*.sh) ----------------------------------
# bench_ours_check: our binaries are built and FUSE works.
bench_ours_check() {
	local b
	for b in glusterfs glusterfsd; do
		[ -x "$BENCH_BUILD/bin/$b" ] || { echo "$BENCH_BUILD/bin/$b is not built"; return 1; }
	done
	bench_check_fuse
}

# bench_free_port: a TCP port nobody listens on (the kernel picks it).
bench_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null || echo $((24000 + RANDOM % 8000))
}

# bench_ours_setup LAYOUT WD: LAYOUT replica2 (one pair) or 2x2 (distribute over two pairs),
# laid out as GlusterFS 10.3's volumes are here: one glusterfsd per brick on 127.0.0.1
# (posix + index + locks + io-threads 16), our glusterfs client with protocol/client per brick,
# cluster/replicate per pair and cluster/distribute over the pairs; no performance
# translators on the client.
# bench_ours_brick WD I: brick I (WD/bI, index WD/indexI) served by our glusterfsd on a free
# loopback port; its client volume "cI" goes to WD/cI.vol. Prints "pid brickI PID".
bench_ours_brick() {
	local wd=$1 i=$2 port pid
	port=$(bench_free_port)
	mkdir -p "$wd/b$i" "$wd/index$i"
	gf_replica_brick_server_vol "$wd/index$i" "$wd/b$i" 127.0.0.1 "$port" 127.0.0.1 16 \
		>"$wd/server$i.vol"
	"$BENCH_BUILD/bin/glusterfsd" -f "$wd/server$i.vol" -l "$wd/server$i.log" \
		-p "$wd/server$i.pid" </dev/null >"$wd/server$i.out" 2>&1 ||
		{ cat "$wd/server$i.out" >&2; return 1; }
	pid=$(cat "$wd/server$i.pid" 2>/dev/null)
	bench_pid_alive "$pid" || { echo "no live glusterfsd for brick $i" >&2; return 1; }
	gf_client_vol 127.0.0.1 "$port" | sed "s/^volume remote$/volume c$i/" >"$wd/c$i.vol"
	echo "pid brick$i $pid"
}

# bench_ours_client_vol WD N: the client volfile over bricks 1..N: one brick's volume alone
# (N=1), a replicate pair (N=2), or distribute "spool" over N/2 replicate pairs.
bench_ours_client_vol() {
	local wd=$1 n=$2 i pairs=
	for i in $(seq 1 "$n"); do cat "$wd/c$i.vol"; done
	[ "$n" -ge 2 ] || return 0
	for i in $(seq 1 $((n / 2))); do
		printf 'volume pair%d\n  type cluster/replicate\n  subvolumes c%d c%d\nend-volume\n' \
			"$i" $((2 * i - 1)) $((2 * i))
		pairs+=" pair$i"
	done
	[ "$n" -ge 4 ] || return 0
	printf 'volume spool\n  type cluster/distribute\n  subvolumes%s\nend-volume\n' "$pairs"
}

# bench_ours_mount WD VOLFILE: our client on WD/mnt.
bench_ours_mount() {
	local wd=$1 vol=$2 cpid
	mkdir -p "$wd/mnt"
	"$BENCH_BUILD/bin/glusterfs" -f "$vol" -l "$wd/client.log" -p "$wd/client.pid" \
		"$wd/mnt" </dev/null >"$wd/client.out" 2>&1 || { cat "$wd/client.out" >&2; return 1; }
	cpid=$(cat "$wd/client.pid" 2>/dev/null)
	bench_pid_alive "$cpid" || { echo "no live client pid in $wd/client.pid" >&2; return 1; }
	bench_wait_mount "$wd/mnt" 30 "$cpid" || return 1
	echo "pid client $cpid"
}

bench_ours_setup() {
	local layout=$1 wd=$2 n i
	case $layout in
	replica2) n=2 ;;
	2x2) n=4 ;;
	*) echo "bench_ours_setup: unknown layout $layout" >&2; return 1 ;;
	esac
	for i in $(seq 1 "$n"); do bench_ours_brick "$wd" "$i" || return 1; done
	bench_ours_client_vol "$wd" "$n" >"$wd/client.vol"
	bench_ours_mount "$wd" "$wd/client.vol" || return 1
	echo "dir $wd/mnt"
	echo "note our glusterfsd per brick and glusterfs client ($layout: replicate pairs" \
		"$([ "$n" = 4 ] && echo "under distribute"), FUSE: $(bench_fuse_flavour "$BENCH_BUILD/bin/glusterfs"))," \
		"bricks over tcp on 127.0.0.1"
}

# bench_ours_add_pair WD: two more bricks; WD/client.vol then names every pair.
bench_ours_add_pair() {
	local wd=$1 n
	n=$(find "$wd" -maxdepth 1 -name 'server*.vol' | wc -l)
	bench_ours_brick "$wd" $((n + 1)) || return 1
	bench_ours_brick "$wd" $((n + 2)) || return 1
	bench_ours_client_vol "$wd" $((n + 2)) >"$wd/client.vol"
}

bench_ours_teardown() {
	local wd=$1 f pid
	bench_unmount "$wd/mnt" "$(cat "$wd/client.pid" 2>/dev/null)"
	for f in "$wd"/server*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		if bench_pid_alive "$pid"; then
			kill -TERM "$pid"
			bench_wait_exit "$pid" 10 || kill -KILL "$pid"
		fi
	done
	return 0
}
