#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# replicate-heal-tool-test.sh: gluster-heal end to end, on one host (unix sockets): two
# glusterfsd bricks and a client mount whose own healer is off. `info` shows copies up and
# down and the pending files; `heal PATH` heals one file and `heal` the rest; `resolve` settles
# split-brains made by hand on the bricks (--source, --bigger-file, --latest-mtime, and a name
# whose copies are different files) and refuses bad requests; `-s` fetches the volfile from a
# server; bad usage exits 2.
# Exit status: 0 pass, 77 skip (reason on the last line), other fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
[ "${1:-}" = --build ] && export BUILD=$2
BIN=${BUILD:-build}/bin
CMP=$PWD/tests/net/replicate-tree-compare.py
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "not root (bricks keep trusted.* xattrs; FUSE mount)"
[ -c /dev/fuse ] || skip "/dev/fuse is missing"
[ -x /usr/bin/python3 ] || skip "python3 is missing"
for b in glusterfs glusterfsd gluster-heal; do [ -x "$BIN/$b" ] || skip "$BIN/$b is not built"; done

W=$(mktemp -d /tmp/replicate-heal-tool.XXXXXX)
M=$W/mnt
declare -A PID=()
cleanup() {
	local rc=$?
	umount "$M" 2>/dev/null || umount -l "$M" 2>/dev/null
	[ -z "${CPID:-}" ] || kill -KILL "$CPID" 2>/dev/null
	for p in "${PID[@]}"; do kill -KILL "$p" 2>/dev/null; done
	if [ "$rc" != 0 ]; then for f in "$W"/*.log; do echo "== $f"; tail -n 12 "$f"; done; fi
	rm -rf --one-file-system "$W"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
failed=0
check() {
	if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; failed=1; fi
}
fails() { ! "$@"; }

for i in 1 2; do
	mkdir -p "$W/b$i"
	cat >"$W/server$i.vol" <<EOF
volume posix
  type storage/posix
  option directory $W/b$i
end-volume
volume index
  type features/index
  option index-base $W/index$i
  subvolumes posix
end-volume
volume locks
  type features/locks
  subvolumes index
end-volume
volume brick
  type performance/io-threads
  subvolumes locks
end-volume
volume server
  type protocol/server
  option transport-type unix
  option listen-path $W/brick$i.sock
  option auth.addr.brick.allow *
  option client-volume-filename $W/client.vol
  subvolumes brick
end-volume
EOF
done
{
	for i in 1 2; do
		printf 'volume brick%s\n  type protocol/client\n  option transport-type unix\n' "$i"
		printf '  option connect-path %s\n  option remote-subvolume brick\n' "$W/brick$i.sock"
		printf '  option ping-timeout 3\nend-volume\n'
	done
	printf 'volume afr\n  type cluster/replicate\n  subvolumes brick1 brick2\nend-volume\n'
} >"$W/client.vol"
start() {
	"$BIN/glusterfsd" -f "$W/server$1.vol" -p "$W/b$1.pid" -l "$W/brick$1.log" || return 1
	PID[$1]=$(cat "$W/b$1.pid")
}
kill_brick() {
	kill -KILL "${PID[$1]}"
	while kill -0 "${PID[$1]}" 2>/dev/null; do sleep 0.05; done
}
heal() { "$BIN/gluster-heal" "$@" -f "$W/client.vol" --wait 5; }
up_count() { grep -c "child brick$1 is up" "$W/client.log"; }
wait_up() { # BRICK BEFORE: the mount reconnected to BRICK
	for _ in $(seq 1 100); do [ "$(up_count "$1")" -gt "$2" ] && return 0; sleep 0.1; done
	return 1
}

echo "== usage"
check "no command: exit 2" bash -c "'$BIN/gluster-heal' >/dev/null 2>&1; test \$? = 2"
check "unknown command: exit 2" bash -c "'$BIN/gluster-heal' fix -f x >/dev/null 2>&1; test \$? = 2"
check "resolve without a way: exit 2" bash -c "'$BIN/gluster-heal' resolve -f x /p >/dev/null 2>&1; test \$? = 2"
check "resolve with two ways: exit 2" \
	bash -c "'$BIN/gluster-heal' resolve -f x /p --bigger-file --latest-mtime >/dev/null 2>&1; test \$? = 2"
check "--help is a manual page" bash -c "'$BIN/gluster-heal' --help | grep -q '^SYNOPSIS'"
check "an unreadable volfile: exit 1" bash -c "'$BIN/gluster-heal' info -f '$W/none.vol' 2>/dev/null; test \$? = 1"

start 1 && start 2 || { echo "FAIL: bricks did not start"; exit 1; }
mkdir -p "$M"
"$BIN/glusterfs" -f "$W/client.vol" -l "$W/client.log" -p "$W/client.pid" \
	--xlator-option afr.self-heal-daemon=off --attribute-timeout=0 --entry-timeout=0 "$M" ||
	{ echo "FAIL: mount"; exit 1; }
CPID=$(cat "$W/client.pid")

echo "== info"
mkdir "$M/d"
for f in a b c; do echo "first $f" >"$M/d/$f"; done
heal info >"$W/info.out"
check "info: both copies up" grep -q "brick2: up" "$W/info.out"
check "info: nothing pending" grep -q "Pending heal: 0 entries" "$W/info.out"
check "info through -s (the volfile from the server)" \
	bash -c "'$BIN/gluster-heal' info -s '$W/brick1.sock' --volfile-server-transport unix --wait 5 | grep -q 'brick1: up'"

echo "== brick2 away"
before=$(up_count 2)
kill_brick 2
for f in a b c; do echo "second $f" >"$M/d/$f"; done
echo new >"$M/d/new"
heal info >"$W/info.out" 2>&1
check "info: brick2 down" grep -q "brick2: down" "$W/info.out"
check "info: the changed files are pending" bash -c "grep -q '/d/a' '$W/info.out' && grep -q '/d/c' '$W/info.out'"
cat "$W/info.out"
start 2
check "the mount reconnects to brick2" wait_up 2 "$before"

echo "== heal one path, then the rest"
check "heal /d/b" heal heal /d/b
check "/d/b is the same on both bricks" cmp -s "$W/b1/d/b" "$W/b2/d/b"
check "/d/a is still behind on brick2" fails cmp -s "$W/b1/d/a" "$W/b2/d/a"
heal heal >"$W/heal.out" 2>&1
check "heal: exit 0 and nothing pending after" grep -q "Pending heal: 0 entries" "$W/heal.out"
check "bricks identical, no pending changelog" /usr/bin/python3 "$CMP" --clean "$W/b1" "$W/b2"

echo "== split-brains made on the bricks"
afr() { # BRICK FILE ACCUSED: BRICK's copy of FILE says ACCUSED missed a data change
	setfattr -n "trusted.afr.brick$3" -v 0x000000010000000000000000 "$W/b$1/d/$2"
}
for f in a b c; do
	printf 'brick1 version of %s, the longer one\n' "$f" >"$W/b1/d/$f"
	printf 'brick2 of %s\n' "$f" >"$W/b2/d/$f"
	touch -d '2001-01-01' "$W/b1/d/$f"
	afr 1 "$f" 2
	afr 2 "$f" 1
done
check "reading a split-brain file fails with EIO" bash -c "cat '$M/d/a' 2>&1 | grep -q 'Input/output error'"
check "resolve naming no child fails" fails heal resolve /d/a --source brick7
check "resolve of a missing path fails" fails heal resolve /d/none --source brick1
check "resolve /d/a --source brick2" heal resolve /d/a --source brick2
check "resolve /d/b --bigger-file" heal resolve /d/b --bigger-file
check "resolve /d/c --latest-mtime" heal resolve /d/c --latest-mtime
check "a is brick2's" grep -qx "brick2 of a" "$M/d/a"
check "b is brick1's (bigger)" grep -qx "brick1 version of b, the longer one" "$M/d/b"
check "c is brick2's (brick1's is from 2001)" grep -qx "brick2 of c" "$M/d/c"

echo "== a name holding different files on the two bricks"
rm "$W/b2/d/new"
echo "other file" >"$W/b2/d/new"
setfattr -n trusted.gfid -v 0x0123456789abcdef0123456789abcdef "$W/b2/d/new"
check "looking it up fails with EIO" bash -c "stat '$M/d/new' 2>&1 | grep -q 'Input/output error'"
check "resolve /d/new --source brick1 (through /d)" heal resolve /d/new --source brick1
check "new is brick1's" grep -qx new "$M/d/new"
check "bricks identical, nothing pending" /usr/bin/python3 "$CMP" --clean "$W/b1" "$W/b2"

if [ $failed = 0 ]; then
	echo "replicate-heal-tool-test: PASS"
	exit 0
fi
echo "replicate-heal-tool-test: FAIL"
exit 1
