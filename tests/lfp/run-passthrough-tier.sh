#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-passthrough-tier.sh: mounts libfuse-patched's passthrough example in every serving mode
# (ours: threaded, io_uring, splice, kernel passthrough with and without io_uring; and the same
# source on stock libfuse3), runs the shared POSIX mount suite on each, and checks what only
# our library does: io_uring really serving, passthrough opens bypassing the daemon, requests
# above 1 MiB, every notification against the kernel, clean exits and the dead-mount message.
#
#   tests/lfp/run-passthrough-tier.sh [--build DIR] [--modes m1,m2,...] [--suite-timeout SECS]
#                                     [--keep]   (keep the work directory with the logs)
#
# Exit status: 0 pass, 77 skip (the last line says why), 1 fail.
set -u
cd "$(dirname "$0")/../.."

build=build
modes=threaded,uring,splice,passthrough,uring-passthrough,stock
suite_timeout=420
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--modes) modes=$2; shift 2 ;;
	--suite-timeout) suite_timeout=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "run-passthrough-tier: unknown argument $1" >&2; exit 2 ;;
	esac
done

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (mount(2), io_uring enabling and max_pages_limit need it)"
[ -c /dev/fuse ] || skip "/dev/fuse is missing"
build=$(cd "$build" 2>/dev/null && pwd) || skip "build directory $build does not exist"
ours=$build/bin/passthrough
stock=$build/bin/passthrough-stock
suite=$build/tests/mount_tests
for f in "$ours" "$stock" "$suite"; do
	[ -x "$f" ] || skip "$f is not built (make BUILD=$build $f)"
done

work=$(mktemp -d /tmp/lfp-tier.XXXXXX)
uring_param=/sys/module/fuse/parameters/enable_uring
uring_was=$(cat "$uring_param" 2>/dev/null || echo)
pages_sysctl=/proc/sys/fs/fuse/max_pages_limit
pages_was=$(cat "$pages_sysctl" 2>/dev/null || echo)

cleanup() {
	local m
	for m in $(awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts); do
		fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
	pkill -9 -f -- "$work/" 2>/dev/null
	[ -n "$uring_was" ] && [ -w "$uring_param" ] && echo "$uring_was" >"$uring_param"
	[ -n "$pages_was" ] && [ -w "$pages_sysctl" ] && echo "$pages_was" >"$pages_sysctl"
	if [ -n "$keep" ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

fails=0
results=()
note() { results+=("$1"); echo "$1"; }
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then note "ok    $what"; else note "FAIL  $what"; fails=$((fails + 1)); fi
}
mounted() { grep -q " $1 fuse" /proc/mounts; }
daemons_of() { pgrep -f -- " $1\$"; }
wait_unmounted() { # up to 10 s
	local i
	for i in $(seq 100); do mounted "$1" || return 0; sleep 0.1; done
	return 1
}
stat_field() { # stat_field FILE KEY: value of KEY=N in the "# requests=..." line
	sed -n "s/.* $2=\([0-9]*\).*/\1/p" "$1" | head -n 1
}
histogram_count() { # histogram_count FILE OPCODE
	awk -v op="$2" '$1 == op { sub("count=", "", $2); print $2 }' "$1"
}

uring_ready() {
	[ -e "$uring_param" ] || return 1
	[ "$(cat "$uring_param")" = Y ] || echo Y >"$uring_param" 2>/dev/null
	[ "$(cat "$uring_param")" = Y ]
}
kernel_minor() { uname -r | awk -F. '{ print $1 * 100 + $2 }'; }

run_mode() { # run_mode NAME BINARY OPTIONS...
	local name=$1 bin=$2
	shift 2
	local dir=$work/$name src mnt statf
	src=$dir/src mnt=$dir/mnt statf=$dir/stats
	mkdir -p "$src" "$mnt"
	local cmd="$bin $* --stats $statf $src $mnt"
	echo "=== mode $name: $cmd"
	if ! $cmd 2>"$dir/daemon.log"; then
		note "FAIL  $name: could not mount ($(tail -n 1 "$dir/daemon.log"))"
		fails=$((fails + 1))
		return
	fi
	check "$name: mounted" mounted "$mnt"
	if tests/mount/run-on-dir.sh --build "$build" --dir "$mnt" --brick "$src" \
		--remount "fusermount3 -u $mnt && $cmd" --expect all --name "lfp $name" \
		--timeout "$suite_timeout" >"$dir/suite.log" 2>&1; then
		note "ok    $name: POSIX mount suite ($(grep -m1 '^passed' "$dir/suite.log"))"
	else
		note "FAIL  $name: POSIX mount suite (log $dir/suite.log)"
		sed -n '/^================ mount tests/,$p' "$dir/suite.log"
		fails=$((fails + 1))
	fi
	# Stats from the daemon now serving (a remount in the suite replaced the first one).
	local pid
	pid=$(daemons_of "$mnt" | head -n 1)
	if [ -n "$pid" ]; then
		rm -f "$statf"
		dd if=/dev/zero of="$mnt/probe" bs=1M count=8 status=none conv=fsync
		cat "$mnt/probe" >/dev/null
		kill -USR1 "$pid"
		for _ in $(seq 50); do [ -s "$statf" ] && break; sleep 0.1; done
	fi
	case $name in
	uring*)
		local n
		n=$(stat_field "$statf" uring_requests)
		check "$name: requests arrive through io_uring (${n:-0} of $(stat_field "$statf" requests))" \
			test "${n:-0}" -gt 0
		;;
	esac
	case $name in
	*passthrough)
		local r w
		r=$(histogram_count "$statf" READ) w=$(histogram_count "$statf" WRITE)
		check "$name: reads and writes bypass the daemon (READ ${r:-0}, WRITE ${w:-0})" \
			test "${r:-0}${w:-0}" = 00
		;;
	esac
	fusermount3 -u "$mnt"
	check "$name: unmount ends the daemon" bash -c "! pgrep -f -- ' $mnt\$' >/dev/null || sleep 1; ! pgrep -f -- ' $mnt\$' >/dev/null"
}

IFS=, read -r -a want <<<"$modes"
for m in "${want[@]}"; do
	case $m in
	threaded) run_mode threaded "$ours" --threads 8 ;;
	splice) run_mode splice "$ours" --splice ;;
	stock) run_mode stock "$stock" ;;
	uring | uring-passthrough)
		if ! uring_ready; then
			note "skip  $m: FUSE-over-io_uring is not available (kernel $(uname -r), needs 6.14+)"
			continue
		fi
		if [ "$m" = uring ]; then run_mode uring "$ours" --io-uring; else
			run_mode uring-passthrough "$ours" --io-uring --passthrough; fi
		;;
	passthrough)
		if [ "$(kernel_minor)" -lt 609 ]; then
			note "skip  passthrough: kernel $(uname -r) has no FUSE passthrough (6.9+)"
			continue
		fi
		run_mode passthrough "$ours" --passthrough
		;;
	*) echo "unknown mode $m" >&2; exit 2 ;;
	esac
done

# --- requests above 1 MiB (fs.fuse.max_pages_limit raised by the daemon) ------------------
big=$work/big
mkdir -p "$big/src" "$big/mnt"
if [ -w "$pages_sysctl" ] || [ -w /sys/module/fuse/parameters/max_pages_limit ]; then
	if "$ours" --max-pages 1024 --stats "$big/stats" "$big/src" "$big/mnt" 2>"$big/log"; then
		head -c 16M /dev/urandom >"$big/data"
		dd if="$big/data" of="$big/mnt/f" bs=4M oflag=direct status=none
		dd if="$big/mnt/f" of="$big/back" bs=4M iflag=direct status=none
		check "4 MiB requests: data round trip" cmp -s "$big/data" "$big/back"
		fusermount3 -u "$big/mnt"
		wait_unmounted "$big/mnt"
		for _ in $(seq 50); do [ -s "$big/stats" ] && break; sleep 0.1; done
		check "4 MiB requests: WRITE of 4 MiB seen ($(stat_field "$big/stats" max_write))" \
			test "$(stat_field "$big/stats" max_write)" = 4194304
		check "4 MiB requests: READ of 4 MiB seen ($(stat_field "$big/stats" max_read))" \
			test "$(stat_field "$big/stats" max_read)" = 4194304
	else
		note "FAIL  4 MiB requests: mount with --max-pages 1024 failed: $(tail -n 1 "$big/log")"
		fails=$((fails + 1))
	fi
else
	note "skip  requests above 1 MiB: this kernel has no max_pages_limit to raise"
fi

# --- notifications against the kernel (store, retrieve, inval_inode, inval_entry, delete, poll)
notify_run() { # notify_run NAME BINARY [ARGS...]
	local name=$1 bin=$2
	shift 2
	local dir=$work/notify-$name
	mkdir -p "$dir"
	if [ ! -x "$bin" ]; then
		note "skip  notifications ($name): $bin is not built"
		return
	fi
	if timeout 120 "$bin" "$@" "$dir" >"$dir.log" 2>&1; then
		note "ok    notifications ($name): $(grep -c '^ok' "$dir.log") checks"
	else
		note "FAIL  notifications ($name): $(grep '^FAIL' "$dir.log" | tr '\n' ' ')"
		fails=$((fails + 1))
	fi
	umount -l "$dir" 2>/dev/null
}
notify_run ours "$build/tests/lfp/notify_check"
uring_ready && notify_run ours-uring "$build/tests/lfp/notify_check" --io-uring
notify_run stock "$build/tests/lfp/notify_check-stock"

# --- life cycle: SIGTERM, and a dead mount named as such ----------------------------------
life=$work/life
mkdir -p "$life/src" "$life/mnt"
"$ours" -f "$life/src" "$life/mnt" 2>"$life/log" &
pid=$!
for _ in $(seq 50); do mounted "$life/mnt" && break; sleep 0.1; done
kill -TERM "$pid"
wait "$pid"
check "SIGTERM ends the daemon with status 0 ($?)" test $? = 0
check "SIGTERM unmounts" wait_unmounted "$life/mnt"
"$ours" -f "$life/src" "$life/mnt" 2>"$life/log" &
pid=$!
for _ in $(seq 50); do mounted "$life/mnt" && break; sleep 0.1; done
kill -9 "$pid"
wait "$pid" 2>/dev/null
out=$("$ours" -f "$life/src" "$life/mnt" 2>&1)
check "a dead mount is refused with 'Transport endpoint is not connected'" \
	grep -q "Transport endpoint is not connected" <<<"$out"
echo "    ($out)"
umount -l "$life/mnt"

echo
echo "================ lfp passthrough tier ================"
printf '%s\n' "${results[@]}"
[ "$fails" = 0 ] && echo "PASS" || echo "FAIL ($fails)"
[ "$fails" = 0 ]
