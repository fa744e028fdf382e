# SPDX-License-Identifier: GPL-3.0-or-later
# native.sh: the baseline target: a plain directory on the file system holding the work dir.
BENCH_ORDER_native=0

setup_native() {
	mkdir -p "$1/dir" || return 1
	echo "dir $1/dir"
	echo "note plain directory on $(findmnt -no FSTYPE -T "$1" 2>/dev/null || echo '?') (the kernel alone)"
}

teardown_native() { :; }
