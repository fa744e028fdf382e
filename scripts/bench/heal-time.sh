#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# heal-time.sh: how long self-heal takes after a brick was down, ours against Debian's
# GlusterFS 10.3, both replica 2 on loopback bricks (`make bench` runs it after the table).
#
#   scripts/bench/heal-time.sh [--build DIR] [--files N] [--big-mib M] [--targets LIST]
#                              [--workdir DIR] [--out FILE]
#
# For each target (ours, gluster) and each case, on a fresh volume: brick 2 is killed, the work
# is done through the mount (case "files": N files of 4 KiB created in 10 directories; case
# "big": one file of M MiB written), brick 2 is started again, a heal is asked for (ours:
# gluster-heal heal; GlusterFS: gluster volume heal) and the time until nothing is pending is
# measured. Then both bricks must hold the same data (checksums of every file compared).
# Defaults: 10,000 files and 1024 MiB (BENCH_QUICK=1: 1,000 files, 128 MiB).
set -u
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
build=$ROOT/build targets=ours,gluster workdir=/var/tmp/gf-heal-bench out=
if [ "${BENCH_QUICK:-0}" = 1 ]; then files=1000 big=128; else files=10000 big=1024; fi
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--files) files=$2; shift 2 ;;
	--big-mib) big=$2; shift 2 ;;
	--targets) targets=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h | --help) sed -n '3,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "heal-time: unknown argument $1" >&2; exit 2 ;;
	esac
done
export BENCH_ROOT=$ROOT BENCH_BUILD=$build
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
g103() { "$ROOT/scripts/gluster103.sh" "$@"; }
now() { bench_now; }
secs() { bench_secs "$@"; }

# do_work CASE MNT: the writes made while brick 2 is down.
do_work() {
	local mnt=$2 d i
	case $1 in
	files)
		for d in $(seq 0 9); do mkdir -p "$mnt/d$d" || return 1; done
		for i in $(seq 1 "$files"); do
			head -c 4096 /dev/urandom >"$mnt/d$((i % 10))/f$i" || return 1
		done
		;;
	big) dd if=/dev/urandom of="$mnt/big" bs=1M count="$big" conv=fsync status=none || return 1 ;;
	esac
}

# same_bricks A B: every regular file below A has the same checksum below B (internal
# .glusterfs and index directories left out).
same_bricks() {
	local sums
	sums() { (cd "$1" && find . -path ./.glusterfs -prune -o -path ./.gf-index -prune -o \
		-type f -print0 | sort -z | xargs -0 -r md5sum); }
	[ "$(sums "$1")" = "$(sums "$2")" ]
}

# --- ours --------------------------------------------------------------------------------
ours_pending() { # sum of "Pending heal: N entries"; -1 while a copy is down or no answer
	local info
	info=$("$build/bin/gluster-heal" info -f "$1/client.vol" --wait 5 2>/dev/null) || {
		echo -1
		return
	}
	if echo "$info" | grep -q ': down$'; then echo -1; return; fi
	echo "$info" | awk '/^Pending heal:/ { n += $3 } END { print n + 0 }'
}

run_ours() {
	local case=$1 wd=$workdir/ours-$1 t0 t1 n pid
	rm -rf "$wd" && mkdir -p "$wd"
	bench_ours_setup replica2 "$wd" >"$wd/setup.out" 2>"$wd/setup.err" ||
		{ cat "$wd/setup.err" >&2; return 1; }
	pid=$(cat "$wd/server2.pid")
	kill -KILL "$pid" && bench_wait_exit "$pid" 10
	do_work "$case" "$wd/mnt" || { echo "ours $case: the work failed" >&2; return 1; }
	"$build/bin/glusterfsd" -f "$wd/server2.vol" -l "$wd/server2.log" -p "$wd/server2.pid" \
		</dev/null >>"$wd/server2.out" 2>&1 || return 1
	t0=$(now)
	while :; do
		"$build/bin/gluster-heal" heal -f "$wd/client.vol" --wait 5 >/dev/null 2>&1
		n=$(ours_pending "$wd")
		[ "$n" = 0 ] && break
		if awk -v a="$t0" -v b="$(now)" 'BEGIN { exit !(b - a > 1800) }'; then
			echo "ours $case: heal not done after 1800 s ($n pending)" >&2
			return 1
		fi
		sleep 0.2
	done
	t1=$(now)
	same_bricks "$wd/b1" "$wd/b2" || { echo "ours $case: the bricks differ after the heal" >&2; return 1; }
	secs "$t0" "$t1"
}

clean_ours() {
	local wd=$workdir/ours-$1
	[ -d "$wd" ] || return 0
	bench_ours_teardown "$wd" >/dev/null 2>&1
	rm -rf "$wd"
}

# --- Debian's GlusterFS 10.3 -------------------------------------------------------------
run_gluster() {
	local case=$1 wd=$workdir/gluster-$1 vol=gfheal-$1 t0 t1 b1 b2
	rm -rf "$wd" && mkdir -p "$wd/mnt"
	g103 up "$vol" replica2 "$wd/bricks" >"$wd/up.out" 2>&1 || { cat "$wd/up.out" >&2; return 1; }
	g103 mount "$vol" "$wd/mnt" "$wd/client.log" >/dev/null || return 1
	g103 kill-brick "$vol" 2 KILL >/dev/null || return 1
	do_work "$case" "$wd/mnt" || { echo "gluster $case: the work failed" >&2; return 1; }
	g103 restart-bricks "$vol" >/dev/null || return 1
	t0=$(now)
	g103 heal-wait "$vol" 1800 >/dev/null || { echo "gluster $case: heal not done" >&2; return 1; }
	t1=$(now)
	b1=$(g103 bricks "$vol" | sed -n 1p) b2=$(g103 bricks "$vol" | sed -n 2p)
	same_bricks "${b1#*:}" "${b2#*:}" || { echo "gluster $case: the bricks differ after the heal" >&2; return 1; }
	secs "$t0" "$t1"
}

clean_gluster() {
	local wd=$workdir/gluster-$1
	[ -d "$wd" ] || return 0
	bench_unmount "$wd/mnt" "" >/dev/null 2>&1
	g103 down "gfheal-$1" >/dev/null 2>&1
	g103 glusterd-stop >/dev/null 2>&1
	rm -rf "$wd"
}

[ "$(id -u)" = 0 ] || { echo "heal-time: needs root (FUSE, glusterd)"; exit 1; }
mkdir -p "$workdir"
results=()
for case in files big; do
	line="$case"
	for t in ${targets//,/ }; do
		bench_log "heal-time: $t, case $case"
		"clean_$t" "$case"  # what an interrupted earlier run left
		s=$("run_$t" "$case") || s=FAIL
		"clean_$t" "$case"
		line+=" $t=$s"
	done
	results+=("$line")
done
{
	echo "## Self-heal time after brick 2 of a replica-2 volume was down (seconds, lower is better)"
	echo
	echo " case | ours | GlusterFS 10.3 | GlusterFS / ours"
	echo "---|---:|---:|---:"
	for l in "${results[@]}"; do
		set -- $l
		o=- g=-
		for kv in "${@:2}"; do
			case $kv in ours=*) o=${kv#ours=} ;; gluster=*) g=${kv#gluster=} ;; esac
		done
		r=$(awk -v o="$o" -v g="$g" 'BEGIN { if (o + 0 > 0 && g + 0 > 0) printf "%.2f", g / o; else print "-" }')
		case $1 in
		files) what="$files files of 4 KiB created while it was down" ;;
		big) what="one $big MiB file written while it was down" ;;
		esac
		echo " $what | $o | $g | $r"
	done
} | tee ${out:+"$out"}
