#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# gluster103.sh: drives Debian's GlusterFS 10.3 (the comparison) on loopback only: glusterd,
# volumes of a given layout on local brick directories, client mounts, killing and restarting
# a brick, and timing self-heal. Used by the benchmark setups and, later, heal benchmarks.
#
#   gluster103.sh glusterd-start          start glusterd (bound to 127.0.0.1) unless one answers
#   gluster103.sh glusterd-stop [--force] stop the glusterd we started, once no volume is left
#   gluster103.sh up VOL LAYOUT BRICKROOT glusterd-start + create + start
#   gluster103.sh create VOL LAYOUT BRICKROOT
#                                         LAYOUT: 1brick | distN | replicaN | DxR (D replica-R
#                                         sets, e.g. 2x2); bricks are BRICKROOT/b1..bN
#   gluster103.sh start VOL               start and wait until every brick is online
#   gluster103.sh mount VOL MNT [LOG]     mount with /usr/sbin/glusterfs; prints the client PID
#   gluster103.sh umount MNT              unmount and make sure the client process ends
#   gluster103.sh pids VOL                "brick PID" per brick (in brick order), "shd PID"
#   gluster103.sh bricks VOL              brick paths in order
#   gluster103.sh kill-brick VOL N [SIG]  kill brick N (1-based; default SIGKILL); prints its PID
#   gluster103.sh restart-bricks VOL      `volume start force`: restarts dead bricks, waits
#   gluster103.sh heal-count VOL          entries pending heal, summed over bricks (-1: unknown)
#   gluster103.sh heal-wait VOL [SECS]    trigger an index heal, wait until nothing is pending;
#                                         prints the seconds it took (exit 1 on timeout)
#   gluster103.sh add-bricks VOL N        add N bricks (BRICKROOT/b<next>..; one replica set
#                                         each REPLICA bricks) and wait until they are online
#   gluster103.sh rebalance VOL [SECS]    `volume rebalance start`, wait until it completed;
#                                         prints the seconds and the files it moved
#   gluster103.sh down VOL                unmount its clients, stop, delete, kill leftovers,
#                                         remove the bricks (idempotent)
#   gluster103.sh cleanup                 `down` every volume this script created, then stop
#                                         glusterd if we started it (safe in traps; idempotent)
#   gluster103.sh status                  what this script has running
#   gluster103.sh selftest [WORKDIR]      creates each layout, mounts, writes and reads, heals a
#                                         killed replica brick, tears down, checks nothing is left
#
# Nothing listens beyond loopback: glusterd.vol gets `transport.socket.bind-address 127.0.0.1`
# (glusterd passes it on to the bricks) and the brick host is this machine's name mapped to
# 127.0.0.1 in /etc/hosts. State lives in $GLUSTER103_STATE (default /run/gluster103).
# The client is started as /usr/sbin/glusterfs directly, never through /sbin/mount.glusterfs
# (our own mount helper may be installed there).
set -u

STATE=${GLUSTER103_STATE:-/run/gluster103}
GLUSTERD_VOL=${GLUSTER103_GLUSTERD_VOL:-/etc/glusterfs/glusterd.vol}
GLUSTER=/usr/sbin/gluster
GLUSTERD=/usr/sbin/glusterd
GLUSTERFS=/usr/sbin/glusterfs
RUN_DIR=/var/run/gluster

die() {
	echo "gluster103: $*" >&2
	exit 1
}
say() { echo "gluster103: $*" >&2; }
# step MESSAGE: a timestamped progress line (teardowns show where their time goes).
step() { printf 'gluster103: %(%H:%M:%S)T %s\n' -1 "$*" >&2; }

alive() {
	local s
	[[ ${1:-} =~ ^[0-9]+$ ]] || return 1
	read -r s 2>/dev/null </proc/"$1"/stat || return 1
	s=${s##*) }
	[[ ${s:0:1} != Z && ${s:0:1} != X ]]
}

wait_dead() { # PID SECONDS
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		alive "$1" || return 0
		sleep 0.1
	done
	! alive "$1"
}

stop_pid() { # PID: TERM, then KILL; only for processes this script recorded or started
	alive "$1" || return 0
	kill -TERM "$1" 2>/dev/null
	wait_dead "$1" 10 && return 0
	kill -KILL "$1" 2>/dev/null
	wait_dead "$1" 5
}

gcli() { timeout 120 "$GLUSTER" --mode=script "$@"; }

brick_host() { hostname; }

is_mounted() {
	local d
	d=$(realpath -m "$1")
	awk -v d="$d" '$2 == d { f = 1 } END { exit !f }' /proc/self/mounts
}

# --- preparation: loopback only ---------------------------------------------------------------
prepare() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	local b
	for b in "$GLUSTER" "$GLUSTERD" "$GLUSTERFS"; do
		[ -x "$b" ] || die "$b is missing (apt-get install glusterfs-server glusterfs-client)"
	done
	[ -f "$GLUSTERD_VOL" ] || die "$GLUSTERD_VOL is missing"
	if ! grep -Eq '^[[:space:]]*option[[:space:]]+transport\.socket\.bind-address[[:space:]]+127\.0\.0\.1[[:space:]]*$' "$GLUSTERD_VOL"; then
		if grep -Eq '^[[:space:]]*option[[:space:]]+transport\.socket\.bind-address' "$GLUSTERD_VOL"; then
			die "$GLUSTERD_VOL binds glusterd to another address; refusing to run beyond loopback"
		fi
		say "adding 'option transport.socket.bind-address 127.0.0.1' to $GLUSTERD_VOL"
		sed -i 's/^\([[:space:]]*\)type mgmt\/glusterd.*/&\n\1option transport.socket.bind-address 127.0.0.1/' \
			"$GLUSTERD_VOL"
		grep -q 'transport.socket.bind-address 127.0.0.1' "$GLUSTERD_VOL" ||
			die "could not set bind-address in $GLUSTERD_VOL"
	fi
	local host addr
	host=$(brick_host)
	addr=$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }')
	if [ -z "$addr" ]; then
		say "mapping $host to 127.0.0.1 in /etc/hosts"
		echo "127.0.0.1 $host # added by gluster103.sh: GlusterFS bricks on loopback" >>/etc/hosts
		addr=$(getent ahostsv4 "$host" | awk 'NR == 1 { print $1 }')
	fi
	[[ $addr == 127.* ]] || die "$host resolves to $addr, not loopback; map it to 127.0.0.1 in /etc/hosts"
	mkdir -p "$STATE/vols"
}

glusterd_answers() { timeout 20 "$GLUSTER" --mode=script pool list >/dev/null 2>&1; }

cmd_glusterd_start() {
	prepare
	if glusterd_answers; then return 0; fi
	local pidfile=$STATE/glusterd.pid
	if [ -f "$pidfile" ] && alive "$(cat "$pidfile")"; then
		# Ours, but not answering: replace it.
		stop_pid "$(cat "$pidfile")"
	fi
	rm -f "$pidfile"
	# glusterd daemonizes itself; its pid file names the daemon.
	"$GLUSTERD" --pid-file="$pidfile" -l "$STATE/glusterd.log" || die "glusterd failed to start (log: $STATE/glusterd.log)"
	local i
	for ((i = 0; i < 300; i++)); do
		glusterd_answers && break
		sleep 0.1
	done
	glusterd_answers || die "glusterd does not answer (log: $STATE/glusterd.log)"
	touch "$STATE/glusterd.ours"
	# It must listen on loopback only.
	if ss -ltnpH 2>/dev/null | grep '"glusterd"' | awk '{ print $4 }' | grep -vq '^127\.'; then
		say "glusterd listens beyond loopback; stopping it"
		cmd_glusterd_stop --force
		exit 1
	fi
}

cmd_glusterd_stop() {
	local force=${1:-}
	[ -f "$STATE/glusterd.ours" ] || return 0
	if [ "$force" != --force ] && glusterd_answers; then
		local vols
		vols=$(gcli volume list 2>/dev/null | grep -v '^No volumes present' || true)
		if [ -n "$vols" ]; then
			say "glusterd left running: volumes remain ($(echo "$vols" | tr '\n' ' '))"
			return 0
		fi
	fi
	local pid
	pid=$(cat "$STATE/glusterd.pid" 2>/dev/null)
	[ -n "$pid" ] && stop_pid "$pid"
	rm -f "$STATE/glusterd.ours" "$STATE/glusterd.pid"
	step "glusterd stopped"
}

# --- volumes --------------------------------------------------------------------------------------
# layout_bricks LAYOUT: "COUNT REPLICA" for a layout name.
layout_bricks() {
	case $1 in
	1brick | single) echo "1 1" ;;
	dist[0-9]*) echo "${1#dist} 1" ;;
	replica[0-9]*) echo "${1#replica} ${1#replica}" ;;
	[0-9]*x[0-9]*) echo "$((${1%x*} * ${1#*x})) ${1#*x}" ;;
	*) return 1 ;;
	esac
}

check_vol_name() { [[ ${1:-} =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad volume name '${1:-}'"; }

cmd_create() {
	local vol=$1 layout=$2 root=$3 n r i
	check_vol_name "$vol"
	read -r n r < <(layout_bricks "$layout") || die "unknown layout '$layout' (1brick, distN, replicaN, DxR)"
	[ "${n:-0}" -ge 1 ] && [ "${r:-0}" -ge 1 ] || die "bad layout '$layout'"
	prepare
	root=$(realpath -m "$root")
	local host bricks=()
	host=$(brick_host)
	for ((i = 1; i <= n; i++)); do
		mkdir -p "$root/b$i" || die "cannot create $root/b$i"
		bricks+=("$host:$root/b$i")
	done
	printf 'layout=%s\nroot=%s\n' "$layout" "$root" >"$STATE/vols/$vol"
	local args=()
	[ "$r" -gt 1 ] && args=(replica "$r")
	gcli volume create "$vol" "${args[@]}" "${bricks[@]}" force >/dev/null ||
		die "volume create $vol failed"
}

# brick_paths VOL: "host:path" per brick, in order, from `gluster volume info`.
brick_list() { gcli volume info "$1" 2>/dev/null | sed -n 's/^Brick[0-9]*: //p'; }

cmd_bricks() { brick_list "$1" | sed 's/^[^:]*://'; }

# brick_pid VOL HOST:PATH: the brick process from glusterd's pid file, if it is alive.
brick_pid() {
	local vol=$1 host=${2%%:*} path=${2#*:} f pid
	f=$RUN_DIR/vols/$vol/$host${path//\//-}.pid
	pid=$(cat "$f" 2>/dev/null) || return 1
	alive "$pid" || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--volfile-id $vol\." || return 1
	echo "$pid"
}

shd_pid() {
	local pid
	pid=$(cat "$RUN_DIR/shd/$1/$1-shd.pid" 2>/dev/null) || return 1
	alive "$pid" || return 1
	echo "$pid"
}

cmd_pids() {
	local vol=$1 b pid
	check_vol_name "$vol"
	while read -r b; do
		pid=$(brick_pid "$vol" "$b") || pid=-
		echo "brick $pid"
	done < <(brick_list "$vol")
	if pid=$(shd_pid "$vol"); then echo "shd $pid"; fi
}

all_bricks_online() {
	local vol=$1 b n=0
	while read -r b; do
		n=$((n + 1))
		brick_pid "$vol" "$b" >/dev/null || return 1
	done < <(brick_list "$vol")
	[ "$n" -gt 0 ] || return 1
	# glusterd's own view, too: every brick node of `volume status --xml` has status 1.
	gcli volume status "$vol" --xml 2>/dev/null | awk '
		/<node>/ { path = ""; st = "" }
		/<path>/ { path = $0; sub(/.*<path>/, "", path); sub(/<\/path>.*/, "", path) }
		/<status>/ { st = $0; sub(/.*<status>/, "", st); sub(/<\/status>.*/, "", st) }
		/<\/node>/ { if (path ~ /^\//) { n++; if (st != "1") bad = 1 } }
		END { exit bad || n == 0 }'
}

# wait_online VOL: up to GLUSTER103_ONLINE_WAIT seconds, 300 by default (a loaded 2-core
# machine can take a minute and a half to restart one brick).
wait_online() {
	local vol=$1 i
	for ((i = 0; i < ${GLUSTER103_ONLINE_WAIT:-300} * 5; i++)); do
		all_bricks_online "$vol" && return 0
		sleep 0.2
	done
	gcli volume status "$vol" >&2
	return 1
}

cmd_start() {
	local vol=$1
	check_vol_name "$vol"
	gcli volume start "$vol" >/dev/null || die "volume start $vol failed"
	wait_online "$vol" || die "bricks of $vol not online after ${GLUSTER103_ONLINE_WAIT:-300}s"
	# Bricks must listen on loopback only.
	local b pid
	while read -r b; do
		pid=$(brick_pid "$vol" "$b") || continue
		if ss -ltnpH 2>/dev/null | grep "pid=$pid," | awk '{ print $4 }' | grep -vq '^127\.'; then
			die "brick $b listens beyond loopback"
		fi
	done < <(brick_list "$vol")
}

cmd_up() {
	cmd_glusterd_start
	cmd_down "$1" quiet
	cmd_create "$@"
	cmd_start "$1"
}

cmd_mount() {
	local vol=$1 mnt=$2 log=${3:-}
	check_vol_name "$vol"
	[ -f "$STATE/vols/$vol" ] || die "volume $vol was not created by this script"
	mkdir -p "$mnt"
	mnt=$(realpath "$mnt")
	is_mounted "$mnt" && die "$mnt is already a mount point"
	local key pidfile
	key=$(printf '%s' "$mnt" | md5sum | cut -c1-12)
	pidfile=$STATE/client-$key.pid
	[ -n "$log" ] || log=$STATE/client-$key.log
	echo "mount=$mnt pidfile=$pidfile" >>"$STATE/vols/$vol"
	"$GLUSTERFS" --volfile-server="$(brick_host)" --volfile-id="$vol" --pid-file="$pidfile" \
		-l "$log" "$mnt" || die "glusterfs client failed to start (log: $log)"
	local i pid=
	for ((i = 0; i < 300; i++)); do
		pid=$(cat "$pidfile" 2>/dev/null)
		if is_mounted "$mnt" && timeout 10 stat -f "$mnt" >/dev/null 2>&1 && alive "$pid"; then
			echo "$pid"
			return 0
		fi
		sleep 0.1
	done
	die "$mnt not mounted after 30s (log: $log)"
}

cmd_umount() {
	local mnt pidfile pid
	mnt=$(realpath -m "$1")
	pidfile=$(grep -h "^mount=$mnt " "$STATE"/vols/* 2>/dev/null | sed -n 's/.* pidfile=//p' | tail -n 1)
	pid=
	[ -n "$pidfile" ] && pid=$(cat "$pidfile" 2>/dev/null)
	if is_mounted "$mnt"; then timeout 60 umount "$mnt" 2>/dev/null || true; fi
	if [ -n "$pid" ] && ! wait_dead "$pid" 10; then stop_pid "$pid"; fi
	if is_mounted "$mnt"; then umount -l "$mnt" 2>/dev/null || true; fi
	[ -n "$pidfile" ] && rm -f "$pidfile"
	! is_mounted "$mnt"
}

cmd_kill_brick() {
	local vol=$1 n=$2 sig=${3:-KILL} b pid
	b=$(brick_list "$vol" | sed -n "${n}p")
	[ -n "$b" ] || die "volume $vol has no brick $n"
	pid=$(brick_pid "$vol" "$b") || die "brick $n of $vol ($b) is not running"
	kill -"$sig" "$pid" || die "cannot signal $pid"
	if [ "$sig" = KILL ] || [ "$sig" = TERM ] || [ "$sig" = 9 ] || [ "$sig" = 15 ]; then
		wait_dead "$pid" 10 || die "brick $pid did not die"
	fi
	echo "$pid"
}

cmd_restart_bricks() {
	local vol=$1 b host path f pid try
	for try in 1 2 3; do
		# glusterd takes a brick whose pid file names a live process as running, and a
		# SIGKILLed brick stays a zombie until reaped: its pid file goes first.
		while read -r b; do
			host=${b%%:*} path=${b#*:}
			f=$RUN_DIR/vols/$vol/$host${path//\//-}.pid
			pid=$(cat "$f" 2>/dev/null) || continue
			alive "$pid" || rm -f "$f"
		done < <(brick_list "$vol")
		gcli volume start "$vol" force >/dev/null || die "volume start $vol force failed"
		GLUSTER103_ONLINE_WAIT=$((${GLUSTER103_ONLINE_WAIT:-300} / 3)) wait_online "$vol" 2>/dev/null && return 0
		say "bricks of $vol not online yet (attempt $try), starting them again"
	done
	die "bricks of $vol not online after ${GLUSTER103_ONLINE_WAIT:-300}s"
}

cmd_add_bricks() {
	local vol=$1 add=$2 f=$STATE/vols/$1 root layout n r i host bricks=()
	check_vol_name "$vol"
	[ -f "$f" ] || die "volume $vol was not created by this script"
	root=$(sed -n 's/^root=//p' "$f")
	layout=$(sed -n 's/^layout=//p' "$f")
	read -r n r < <(layout_bricks "$layout") || die "unknown layout of $vol"
	n=$(brick_list "$vol" | wc -l)
	[ $((add % r)) = 0 ] || die "add a multiple of the replica count ($r)"
	host=$(brick_host)
	for ((i = n + 1; i <= n + add; i++)); do
		mkdir -p "$root/b$i" || die "cannot create $root/b$i"
		bricks+=("$host:$root/b$i")
	done
	local args=()
	[ "$r" -gt 1 ] && args=(replica "$r")
	gcli volume add-brick "$vol" "${args[@]}" "${bricks[@]}" force >/dev/null ||
		die "volume add-brick $vol failed"
	wait_online "$vol" || die "new bricks of $vol not online after ${GLUSTER103_ONLINE_WAIT:-300}s"
}

# rebalance VOL [SECS]: seconds from `rebalance start` until every node reports completed,
# then the number of files moved ("SECONDS FILES").
cmd_rebalance() {
	local vol=$1 limit=${2:-1800} start=$EPOCHREALTIME out
	check_vol_name "$vol"
	gcli volume rebalance "$vol" start >/dev/null || die "rebalance start on $vol failed"
	while :; do
		out=$(gcli volume rebalance "$vol" status --xml 2>/dev/null)
		# <aggregate> status: 1 in progress, 3 completed, 4 failed (glusterd's gf_defrag_status_t).
		local st files
		st=$(echo "$out" | awk '/<aggregate>/ { a = 1 } a && /<statusStr>/ { sub(/.*<statusStr>/, ""); sub(/<.*/, ""); print; exit }')
		files=$(echo "$out" | awk '/<aggregate>/ { a = 1 } a && /<files>/ { sub(/.*<files>/, ""); sub(/<.*/, ""); print; exit }')
		case $st in
		completed) break ;;
		failed) die "rebalance of $vol failed" ;;
		esac
		if awk -v a="$start" -v b="$EPOCHREALTIME" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
			die "rebalance of $vol not done after ${limit}s (status: ${st:-unknown})"
		fi
		sleep 0.5
	done
	awk -v a="$start" -v b="$EPOCHREALTIME" -v f="${files:-0}" 'BEGIN { printf "%.1f %d\n", b - a, f }'
}

# heal_state VOL: "PENDING UNREACHABLE": entries pending heal summed over the bricks that
# answered, and how many bricks did not answer.
heal_state() {
	local out
	out=$(gcli volume heal "$1" info 2>/dev/null) || {
		echo "0 -1"
		return 1
	}
	echo "$out" | awk '
		/^Number of entries:/ { if ($NF ~ /^[0-9]+$/) sum += $NF; else down++; seen = 1 }
		END { if (!seen) print 0, -1; else print sum + 0, down + 0 }'
}

# heal-count VOL: entries pending on the bricks that answer; -1 when none answered.
cmd_heal_count() {
	local sum down
	read -r sum down < <(heal_state "$1")
	if [ "$down" = -1 ]; then echo -1; else echo "$sum"; fi
}

cmd_heal_wait() {
	local vol=$1 limit=${2:-600} start=$EPOCHREALTIME zero=0 n
	gcli volume heal "$vol" >/dev/null 2>&1 || true
	local down
	while :; do
		read -r n down < <(heal_state "$vol")
		if [ "$n" = 0 ] && [ "$down" = 0 ]; then
			zero=$((zero + 1))
			[ $zero -ge 2 ] && break
		else
			zero=0
		fi
		if awk -v a="$start" -v b="$EPOCHREALTIME" -v l="$limit" 'BEGIN { exit !(b - a > l) }'; then
			say "heal of $vol not done after ${limit}s ($n entries pending)"
			return 1
		fi
		sleep 0.5
	done
	awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", b - a }'
}

# cmd_down VOL [quiet]: everything about VOL goes, whatever state it is in.
cmd_down() {
	local vol=$1 quiet=${2:-} f=$STATE/vols/$1 root= pids=() b pid line
	check_vol_name "$vol"
	# Clients first (recorded mounts), so nothing holds the bricks.
	if [ -f "$f" ]; then
		root=$(sed -n 's/^root=//p' "$f")
		while read -r line; do
			local m=${line#mount=}
			m=${m%% pidfile=*}
			cmd_umount "$m" || say "could not unmount $m"
		done < <(grep '^mount=' "$f")
	fi
	[ -n "$quiet" ] || step "down $vol: clients unmounted"
	if glusterd_answers && gcli volume info "$vol" >/dev/null 2>&1; then
		while read -r b; do
			pid=$(brick_pid "$vol" "$b") && pids+=("$pid")
		done < <(brick_list "$vol")
		gcli volume stop "$vol" force >/dev/null 2>&1 || true
		step "down $vol: stopped"
		gcli volume delete "$vol" >/dev/null 2>&1 || say "volume delete $vol failed"
		step "down $vol: deleted"
	elif [ -d "/var/lib/glusterd/vols/$vol" ] && [ -z "$quiet" ]; then
		say "glusterd is not answering; $vol is still defined in /var/lib/glusterd"
	fi
	# Bricks glusterd failed to stop (or started before it died), by their pid files.
	for line in "$RUN_DIR/vols/$vol"/*.pid; do
		[ -f "$line" ] || continue
		pid=$(cat "$line" 2>/dev/null)
		if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "--volfile-id $vol\."; then
			pids+=("$pid")
		fi
	done
	for pid in "${pids[@]}"; do stop_pid "$pid"; done
	[ -n "$quiet" ] || step "down $vol: no brick process left"
	if [ -n "$root" ] && [ -d "$root" ]; then
		if awk -v r="$root/" 'index($2, r) == 1 { f = 1 } END { exit !f }' /proc/self/mounts; then
			say "not removing $root: something is still mounted beneath it"
		else
			# One remover per brick: a brick that saw 10,000 files holds ~10,000 handle
			# directories, and removing them one by one dominates a teardown.
			local d
			for d in "$root"/*; do rm -rf "$d" & done
			wait
			rm -rf "$root"
			step "down $vol: bricks removed"
		fi
	fi
	rm -f "$f"
	return 0
}

cmd_cleanup() {
	local f
	for f in "$STATE"/vols/*; do
		[ -f "$f" ] || continue
		cmd_down "$(basename "$f")"
	done
	cmd_glusterd_stop
	# The shared self-heal daemon outlives a volume stop when glusterd died first.
	for f in "$RUN_DIR"/shd/*/*-shd.pid; do
		[ -f "$f" ] || continue
		local pid
		pid=$(cat "$f" 2>/dev/null)
		if [ ! -f "$STATE/glusterd.ours" ] && alive "$pid" &&
			tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- '--process-name glustershd'; then
			# Only when no glusterd of anyone else is running.
			glusterd_answers || stop_pid "$pid"
		fi
	done
	return 0
}

cmd_status() {
	echo "state: $STATE"
	if [ -f "$STATE/glusterd.ours" ]; then echo "glusterd: ours, pid $(cat "$STATE/glusterd.pid" 2>/dev/null)"; fi
	glusterd_answers && echo "glusterd: answering" || echo "glusterd: not answering"
	local f
	for f in "$STATE"/vols/*; do
		[ -f "$f" ] || continue
		echo "volume $(basename "$f"): $(tr '\n' ' ' <"$f")"
	done
}

# --- self-test ------------------------------------------------------------------------------------
cmd_selftest() {
	local work=${1:-} failed=0
	ST_SELF=$0 ST_RMWORK=
	if [ -z "$work" ]; then
		work=$(mktemp -d /var/tmp/gluster103-selftest.XXXXXX)
		ST_RMWORK=$work
	fi
	mkdir -p "$work"
	local self=$ST_SELF
	trap '"$ST_SELF" cleanup; [ -z "$ST_RMWORK" ] || rm -rf "$ST_RMWORK"' EXIT
	trap 'exit 130' INT TERM
	check() { # DESCRIPTION COMMAND...
		if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failed=1; fi
	}
	copies_on_bricks() { # ROOT NAME: how many bricks hold NAME
		local n=0 b
		for b in "$1"/b*; do [ -f "$b/$2" ] && n=$((n + 1)); done
		echo $n
	}
	local layout vol mnt pid i
	for layout in 1brick replica2 2x2; do
		vol=g103test-$layout
		mnt=$work/mnt-$layout
		echo "== $layout"
		check "up $vol" "$self" up "$vol" "$layout" "$work/bricks-$layout" || continue
		pid=$("$self" mount "$vol" "$mnt" "$work/client-$layout.log")
		check "mount (client pid ${pid:-none})" alive "${pid:-x}"
		check "pids: one per brick plus shd for replicas" test "$("$self" pids "$vol" | grep -c '^brick [0-9]')" = \
			"$(ls -d "$work/bricks-$layout"/b* | wc -l)"
		head -c 3000000 /dev/urandom >"$work/blob"
		for i in $(seq 1 40); do echo "file $i" >"$mnt/f$i" || break; done
		cp "$work/blob" "$mnt/blob"
		check "40 small files read back" test "$(cat "$mnt"/f* 2>/dev/null | wc -l)" = 40
		check "3 MB file reads back identical" cmp -s "$work/blob" "$mnt/blob"
		local want=1 perfile total=0
		case $layout in replica2 | 2x2) want=2 ;; esac
		for i in $(seq 1 40) blob; do
			perfile=$(copies_on_bricks "$work/bricks-$layout" "$( [ "$i" = blob ] && echo blob || echo "f$i")")
			[ "$perfile" = "$want" ] || total=$((total + 1))
		done
		check "every file on exactly $want brick(s)" test $total = 0
		if [ "$layout" = 2x2 ]; then
			check "files spread over both replica sets" test "$(ls "$work/bricks-$layout/b1" | wc -l)" -gt 0 -a \
				"$(ls "$work/bricks-$layout/b3" | wc -l)" -gt 0
		fi
		if [ "$layout" = replica2 ]; then
			local killed secs
			killed=$("$self" kill-brick "$vol" 2)
			check "brick 2 killed (pid ${killed:-none})" test -n "$killed"
			for i in $(seq 1 20); do echo "written while down $i" >"$mnt/down$i"; done
			check "files written with a brick down are missing on it" \
				test "$(copies_on_bricks "$work/bricks-$layout" down1)" = 1
			check "heal info sees pending entries" test "$("$self" heal-count "$vol")" -gt 0
			check "brick restarted" "$self" restart-bricks "$vol"
			secs=$("$self" heal-wait "$vol" 300)
			check "self-heal finished (${secs:-?} s)" test -n "$secs"
			check "healed copy on brick 2" cmp -s "$work/bricks-$layout/b1/down20" "$work/bricks-$layout/b2/down20"
		fi
		check "unmount" "$self" umount "$mnt"
		check "down" "$self" down "$vol"
		check "bricks removed" test ! -e "$work/bricks-$layout"
		check "no process of $vol left" bash -c "! ps -eo stat=,args= | awk '\$1 !~ /^Z/' | grep -q -- '--volfile-id $vol\.'"
	done
	"$self" cleanup
	# Only Debian's binaries and our work dir count: others may run our own glusterfs(d).
	check "glusterd stopped" bash -c "! timeout 10 $GLUSTER --mode=script pool list >/dev/null 2>&1"
	check "no mount left under $work" bash -c "! awk '{ print \$2 }' /proc/self/mounts | grep -q '^$work/'"
	check "no /usr/sbin/glusterfsd left" bash -c "! ps -eo stat=,args= | awk '\$1 !~ /^Z/ && \$2 == \"/usr/sbin/glusterfsd\"' | grep -q ."
	check "no /usr/sbin/glusterd left" bash -c "! ps -eo stat=,args= | awk '\$1 !~ /^Z/ && \$2 == \"/usr/sbin/glusterd\"' | grep -q ."
	[ $failed = 0 ] && echo "selftest: PASS" || echo "selftest: FAIL"
	return $failed
}

# --- dispatch -----------------------------------------------------------------------------------
usage() {
	sed -n '3,36p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
}

cmd=${1:-}
[ $# -gt 0 ] && shift
need() { [ "$1" -ge "$2" ] || usage; }
case $cmd in
glusterd-start) cmd_glusterd_start ;;
glusterd-stop) cmd_glusterd_stop "${1:-}" ;;
up) need $# 3 && cmd_up "$1" "$2" "$3" ;;
create) need $# 3 && { cmd_glusterd_start && cmd_create "$1" "$2" "$3"; } ;;
start) need $# 1 && cmd_start "$1" ;;
mount) need $# 2 && cmd_mount "$1" "$2" "${3:-}" ;;
umount | unmount) need $# 1 && cmd_umount "$1" ;;
pids) need $# 1 && cmd_pids "$1" ;;
bricks) need $# 1 && cmd_bricks "$1" ;;
kill-brick) need $# 2 && cmd_kill_brick "$1" "$2" "${3:-KILL}" ;;
restart-bricks) need $# 1 && cmd_restart_bricks "$1" ;;
heal-count) need $# 1 && cmd_heal_count "$1" ;;
heal-wait) need $# 1 && cmd_heal_wait "$1" "${2:-600}" ;;
add-bricks) need $# 2 && cmd_add_bricks "$1" "$2" ;;
rebalance) need $# 1 && cmd_rebalance "$1" "${2:-1800}" ;;
down) need $# 1 && { mkdir -p "$STATE/vols" && cmd_down "$1"; } ;;
cleanup) mkdir -p "$STATE/vols" && cmd_cleanup ;;
status) cmd_status ;;
selftest) cmd_selftest "${1:-}" ;;
*) usage ;;
esac
