#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh: the `net` test tier: runs every tests/net/*-test.sh (multi-host tests in network
# namespaces on this machine, and the tools they rely on), each bounded in time, and prints a
# summary with each script's result and duration.
#
#   tests/net/run.sh [--build DIR] [--only PATTERN] [--timeout SECS]
# Each script gets --build DIR when it accepts it (replicate-*), and exits 0 (pass), 77 (skip:
# its last line says why) or anything else (fail). Exit status: 0 when none failed, 77 when
# every script skipped, 1 otherwise.
set -u
cd "$(dirname "$0")/../.." || exit 1

build=${BUILD:-build}
only=
limit=420
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--timeout) limit=$2; shift 2 ;;
	-h | --help) sed -n '3,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" 2>/dev/null && pwd) || { echo "run.sh: no build directory $build" >&2; exit 2; }
export BUILD=$build

logdir=$build/test-logs/net
mkdir -p "$logdir"
pass=0 fail=0 skip=0
summary=()
start_all=$SECONDS
for t in tests/net/*-test.sh; do
	name=$(basename "$t" .sh)
	[ -z "$only" ] || [[ $name == *$only* ]] || continue
	log=$logdir/$name.log
	args=()
	case $name in replicate-*) args=(--build "$build") ;; esac
	echo "--- $name"
	start=$SECONDS
	timeout -k 20 "$limit" bash "$t" "${args[@]}" >"$log" 2>&1
	rc=$?
	took=$((SECONDS - start))
	case $rc in
	0) result=PASS; pass=$((pass + 1)) ;;
	77) result="SKIP ($(grep -v '^\s*$' "$log" | tail -n 1))"; skip=$((skip + 1)) ;;
	124) result="FAIL (timed out after ${limit}s)"; fail=$((fail + 1)) ;;
	*) result="FAIL (exit $rc)"; fail=$((fail + 1)) ;;
	esac
	grep -E '^(ok|FAIL) ' "$log" | sed 's/^/    /'
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then tail -n 30 "$log" | sed 's/^/  | /'; fi
	echo "--- $name: $result in ${took}s (log: $log)"
	summary+=("$(printf '%-30s %5ss  %s' "$name" "$took" "$result")")
done
echo
echo "========== net tier: $pass passed, $fail failed, $skip skipped in $((SECONDS - start_all))s"
printf '%s\n' "${summary[@]}"
[ $fail = 0 ] || exit 1
[ $pass = 0 ] && [ $skip -gt 0 ] && exit 77
exit 0
