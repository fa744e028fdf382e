#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Install tier: `make install` into a scratch DESTDIR puts every program, the mount helper and
# the example volfiles in place (the installed programs answer --help), and `make uninstall`
# takes all of it away again.
#
#   tests/tiers/install.sh [--build DIR]
set -u
cd "$(dirname "$0")/../.."
build=build
[ "${1:-}" = --build ] && build=${2:?--build needs a directory}
[ -f config.mk ] || { echo "SKIP: not configured (no config.mk)"; exit 77; }
dest=$(mktemp -d /tmp/gf-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT

fails=0
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then echo "ok   $what"; else echo "FAIL $what"; fails=$((fails + 1)); fi
}
installed() { find "$dest" -type f -name "$1" | grep -q .; }

make -s --no-print-directory BUILD="$build" DESTDIR="$dest" install >"$dest.log" 2>&1 ||
	{ cat "$dest.log"; rm -f "$dest.log"; echo "FAIL make install"; exit 1; }
rm -f "$dest.log"
for p in glusterfs glusterfsd gluster-heal gluster-rebalance mount.glusterfs; do
	check "installs $p" installed "$p"
done
check "installs the example volfiles" test "$(find "$dest" -name '*.vol' | wc -l)" -eq \
	"$(find share/examples -name '*.vol' | wc -l)"
for p in glusterfs glusterfsd gluster-heal gluster-rebalance; do
	bin=$(find "$dest" -type f -name "$p" | head -n 1)
	check "installed $p answers --help" bash -c "'$bin' --help >/dev/null"
done
make -s --no-print-directory BUILD="$build" DESTDIR="$dest" uninstall >/dev/null 2>&1
check "make uninstall removes every file" test "$(find "$dest" -type f | wc -l)" -eq 0

[ $fails = 0 ] || { echo "$fails check(s) failed"; exit 1; }
echo "install tier passed"
