#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# replicate-compare-test.sh: proves the brick tree comparer the replicate tests rely on: two
# identical trees pass, and each kind of difference (missing entry, contents, mode, owner,
# xattr, symlink target, type, trusted.gfid, a pending trusted.afr.* counter under --clean) is
# caught, while trusted.afr.* values alone are ignored without --clean.
# Exit status: 0 pass, 77 skip, other fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
CMP=$PWD/tests/net/replicate-tree-compare.py
[ "$(id -u)" = 0 ] || { echo "SKIP: not root (trusted.* xattrs and chown)"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "SKIP: python3 is missing"; exit 77; }
command -v setfattr >/dev/null || { echo "SKIP: setfattr (attr) is missing"; exit 77; }
work=$(mktemp -d /tmp/replicate-compare-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
setfattr -n trusted.probe -v 1 "$work" 2>/dev/null || { echo "SKIP: $work has no trusted xattrs"; exit 77; }

failed=0
make_tree() {
	local t=$1
	mkdir -p "$t/d/e"
	echo hello >"$t/d/f"
	echo other >"$t/g"
	chmod 640 "$t/g"
	ln -s f "$t/d/link"
	ln "$t/d/f" "$t/d/hard"
	setfattr -n user.tag -v v1 "$t/d/f"
	setfattr -n trusted.gfid -v 0x00112233445566778899aabbccddeeff "$t/g"
	setfattr -n trusted.afr.c0 -v 0x000000000000000000000000 "$t/g"
}
# case NAME MUTATION [--clean]: the comparer must fail on a tree changed by MUTATION.
case_differs() {
	local name=$1 mutation=$2 flag=${3:-}
	rm -rf "$work/a" "$work/b"
	make_tree "$work/a"
	make_tree "$work/b"
	(cd "$work/b" && eval "$mutation")
	if /usr/bin/python3 "$CMP" $flag "$work/a" "$work/b" >"$work/out" 2>&1; then
		echo "FAIL $name: not detected"
		failed=1
	else
		echo "ok   $name: $(head -n 1 "$work/out")"
	fi
}

make_tree "$work/a"
make_tree "$work/b"
if /usr/bin/python3 "$CMP" --clean "$work/a" "$work/b" >"$work/out"; then
	echo "ok   identical trees pass"
else
	echo "FAIL identical trees reported different"
	cat "$work/out"
	failed=1
fi
(cd "$work/b" && setfattr -n trusted.afr.c1 -v 0x000000000000000000000000 d/f)
if /usr/bin/python3 "$CMP" --clean "$work/a" "$work/b" >"$work/out"; then
	echo "ok   zero changelogs are not a difference"
else
	echo "FAIL zero changelogs reported"
	failed=1
fi
case_differs "missing file" "rm d/hard"
case_differs "extra file" "touch d/e/extra"
case_differs "contents" "echo HELLO >d/f"
case_differs "mode" "chmod 600 g"
case_differs "owner" "chown 1000 g"
case_differs "xattr value" "setfattr -n user.tag -v v2 d/f"
case_differs "xattr missing" "setfattr -x user.tag d/f"
case_differs "gfid" "setfattr -n trusted.gfid -v 0x00112233445566778899aabbccddee00 g"
case_differs "symlink target" "rm d/link && ln -s g d/link"
case_differs "type" "rm g && mkdir g"
case_differs "link count" "rm d/hard && cp d/f d/hard"
case_differs "pending changelog with --clean" "setfattr -n trusted.afr.c0 -v 0x000000010000000000000000 g" --clean

if [ $failed = 0 ]; then
	echo "replicate-compare-test: PASS"
	exit 0
fi
echo "replicate-compare-test: FAIL"
exit 1
