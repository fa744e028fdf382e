# SPDX-License-Identifier: GPL-3.0-or-later
# bindfs.sh: Debian's bindfs (a passthrough on stock libfuse3, default options) over a directory.
BENCH_ORDER_bindfs=10

check_bindfs() {
	command -v bindfs >/dev/null || { echo "bindfs is not installed (apt-get install bindfs)"; return 1; }
	bench_check_fuse
}

setup_bindfs() {
	local wd=$1 pid
	mkdir -p "$wd/src" "$wd/mnt" || return 1
	# -f keeps bindfs in the foreground so $! is the FUSE daemon itself.
	bindfs -f "$wd/src" "$wd/mnt" </dev/null >"$wd/bindfs.log" 2>&1 &
	pid=$!
	echo "$pid" >"$wd/bindfs.pid"
	bench_wait_mount "$wd/mnt" 30 "$pid" || return 1
	echo "dir $wd/mnt"
	echo "pid client $pid"
	echo "note Debian bindfs $(bindfs --version 2>/dev/null | awk 'NR == 1 { print $2 }') over a directory (stock libfuse3, default options)"
}

teardown_bindfs() {
	bench_unmount "$1/mnt" "$(cat "$1/bindfs.pid" 2>/dev/null)"
}
