#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# rebalance-time.sh: how long rebalancing takes after a third replica pair is added to a 2x2
# volume holding N small files, ours against Debian's GlusterFS 10.3, both on loopback bricks
# (`make bench` runs it after the table).
#
#   scripts/bench/rebalance-time.sh [--build DIR] [--files N] [--targets LIST]
#                                   [--workdir DIR] [--out FILE]
#
# For each target (ours, gluster) on a fresh 2x2 volume: N files of 4 KiB in 100 directories
# are copied in through the mount, two bricks are added as a third pair (ours: two more
# glusterfsd and a client volfile naming three pairs; GlusterFS: `volume add-brick replica 2`),
# and the rebalance is timed from its start until it reports done (ours: gluster-rebalance
# exits 0; GlusterFS: `volume rebalance start`, then status "completed"). Afterwards every file
# must read back through a mount of the grown volume with its checksum.
# Default 10,000 files (BENCH_QUICK=1: 1,000).
set -u
export LC_ALL=C
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
build=$ROOT/build targets=ours,gluster workdir=/var/tmp/gf-rebalance-bench out=
if [ "${BENCH_QUICK:-0}" = 1 ]; then files=1000; else files=10000; fi
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--files) files=$2; shift 2 ;;
	--targets) targets=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--out) out=$2; shift 2 ;;
	-h | --help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "rebalance-time: unknown argument $1" >&2; exit 2 ;;
	esac
done
export BENCH_ROOT=$ROOT BENCH_BUILD=$build
# shellcheck source=scripts/bench/lib.sh
source "$ROOT/scripts/bench/lib.sh"
g103() { "$ROOT/scripts/gluster103.sh" "$@"; }
now() { bench_now; }
secs() { bench_secs "$@"; }

# The files, made once on local disk: each its number then the same 4 KiB of random text.
make_source() {
	local src=$workdir/source blob i
	[ -f "$src/.complete-$files" ] && return 0
	rm -rf "$src" && mkdir -p "$src" || return 1
	blob=$(head -c 3072 /dev/urandom | base64 -w 0)
	for i in $(seq 0 99); do mkdir "$src/d$i"; done
	for ((i = 1; i <= files; i++)); do
		printf '%d %s\n' "$i" "$blob" >"$src/d$((i % 100))/f$i"
	done
	(cd "$src" && find . -type f ! -name '.complete-*' -print0 | sort -z | xargs -0 md5sum) \
		>"$workdir/source.md5"
	touch "$src/.complete-$files"
}

# same_files MNT: every source file is there once, with its checksum, and nothing else.
same_files() {
	(cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r md5sum) | cmp -s - "$workdir/source.md5"
}

fill() { # fill MNT
	cp -r "$workdir/source/." "$1/" && rm -f "$1"/.complete-*
}

# --- ours --------------------------------------------------------------------------------
run_ours() {
	local wd=$workdir/ours t0 t1 rc moved
	rm -rf "$wd" && mkdir -p "$wd"
	bench_ours_setup 2x2 "$wd" >"$wd/setup.out" 2>"$wd/setup.err" ||
		{ cat "$wd/setup.err" >&2; return 1; }
	fill "$wd/mnt" || { echo "ours: copying the files in failed" >&2; return 1; }
	bench_ours_add_pair "$wd" >>"$wd/setup.out" 2>>"$wd/setup.err" ||
		{ cat "$wd/setup.err" >&2; return 1; }
	t0=$(now)
	"$build/bin/gluster-rebalance" -f "$wd/client.vol" -l "$wd/rebalance.log" >"$wd/rebalance.out" 2>&1
	rc=$?
	t1=$(now)
	[ $rc = 0 ] || { echo "ours: gluster-rebalance exited $rc (log: $wd/rebalance.log)" >&2; return 1; }
	moved=$(grep -ho '[0-9]* moved' "$wd/rebalance.out" "$wd/rebalance.log" | tail -n 1 | cut -d' ' -f1)
	# Read back through a client of the grown volume.
	bench_unmount "$wd/mnt" "$(cat "$wd/client.pid" 2>/dev/null)"
	bench_ours_mount "$wd" "$wd/client.vol" >/dev/null || return 1
	same_files "$wd/mnt" || { echo "ours: files differ after the rebalance" >&2; return 1; }
	echo "$(secs "$t0" "$t1") ${moved:-?}"
}

clean_ours() {
	[ -d "$workdir/ours" ] || return 0
	bench_ours_teardown "$workdir/ours" >/dev/null 2>&1
	rm -rf "$workdir/ours"
}

# --- Debian's GlusterFS 10.3 -------------------------------------------------------------
run_gluster() {
	local wd=$workdir/gluster vol=gfrebal r
	rm -rf "$wd" && mkdir -p "$wd/mnt"
	g103 up "$vol" 2x2 "$wd/bricks" >"$wd/up.out" 2>&1 || { cat "$wd/up.out" >&2; return 1; }
	g103 mount "$vol" "$wd/mnt" "$wd/client.log" >/dev/null || return 1
	fill "$wd/mnt" || { echo "gluster: copying the files in failed" >&2; return 1; }
	g103 add-bricks "$vol" 2 >"$wd/add.out" 2>&1 || { cat "$wd/add.out" >&2; return 1; }
	r=$(g103 rebalance "$vol" 3600) || return 1
	same_files "$wd/mnt" || { echo "gluster: files differ after the rebalance" >&2; return 1; }
	echo "$r"
}

clean_gluster() {
	local wd=$workdir/gluster
	[ -d "$wd" ] || return 0
	bench_unmount "$wd/mnt" "" >/dev/null 2>&1
	g103 down gfrebal >/dev/null 2>&1
	g103 glusterd-stop >/dev/null 2>&1
	rm -rf "$wd"
}

[ "$(id -u)" = 0 ] || { echo "rebalance-time: needs root (FUSE, glusterd)"; exit 1; }
mkdir -p "$workdir"
make_source || { echo "rebalance-time: cannot make the source files" >&2; exit 1; }
declare -A took moved
for t in ${targets//,/ }; do
	bench_log "rebalance-time: $t, $files files"
	"clean_$t"  # what an interrupted earlier run left
	if r=$("run_$t"); then
		took[$t]=${r%% *} moved[$t]=${r#* }
	else
		took[$t]=FAIL moved[$t]=-
	fi
	"clean_$t"
done
{
	echo "## Rebalance after adding a third replica pair to a 2x2 volume ($files files of 4 KiB in 100 directories)"
	echo
	echo " | ours | GlusterFS 10.3 | GlusterFS / ours"
	echo "---|---|---|---"
	ratio=-
	if [[ ${took[ours]:-} =~ ^[0-9.]+$ && ${took[gluster]:-} =~ ^[0-9.]+$ ]]; then
		ratio=$(awk -v a="${took[ours]}" -v b="${took[gluster]}" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "-" }')
	fi
	echo "seconds (lower is better) | ${took[ours]:--} | ${took[gluster]:--} | $ratio"
	echo "files moved | ${moved[ours]:--} | ${moved[gluster]:--} |"
	echo
	echo "Every file read back with its checksum through a mount of the grown volume afterwards."
} | if [ -n "$out" ]; then tee "$out"; else cat; fi
for t in ${targets//,/ }; do [ "${took[$t]}" != FAIL ] || exit 1; done
exit 0
