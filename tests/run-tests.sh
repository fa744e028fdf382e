#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-tests.sh: runs every test tier that can run on this machine and skips the others with a
# printed reason. Exit status: 0 when no tier failed.
#
#   tests/run-tests.sh --build DIR [--asan-build DIR] [--only TIER[,TIER...]]
#
# Tiers (in order): unit, asan, volfiles, install, mount, netmount, compositions, lfp, fuzz, net,
# vm. A tier is a script that exits 0 (pass), 77 (skip; its last output line says why) or
# anything else (fail).
set -u
cd "$(dirname "$0")/.."

build=build
asan_build=
only=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--asan-build) asan_build=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	*) echo "run-tests: unknown argument $1" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" && pwd)
[ -z "$asan_build" ] || asan_build=$(cd "$asan_build" && pwd)
export BUILD="$build"

logdir=$build/test-logs
mkdir -p "$logdir"
declare -a names results reasons times

want() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

# run_tier NAME TIMEOUT-SECONDS COMMAND...
run_tier() {
	local name=$1 limit=$2
	shift 2
	want "$name" || return 0
	local log=$logdir/$name.log start=$SECONDS rc
	echo "=== tier $name: $*"
	timeout -k 20 "$limit" "$@" >"$log" 2>&1
	rc=$?
	local took=$((SECONDS - start))
	names+=("$name")
	times+=("${took}s")
	case $rc in
	0) results+=(PASS); reasons+=("") ;;
	77) results+=(SKIP); reasons+=("$(grep -v '^\s*$' "$log" | tail -n 1)") ;;
	124) results+=(FAIL); reasons+=("timed out after ${limit}s (log: $log)") ;;
	*) results+=(FAIL); reasons+=("exit $rc (log: $log)") ;;
	esac
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then tail -n 40 "$log"; fi
	echo "=== tier $name: ${results[-1]} (${took}s) ${reasons[-1]}"
}

skip_tier() {
	want "$1" || return 0
	names+=("$1"); results+=(SKIP); reasons+=("$2"); times+=("-")
	echo "=== tier $1: SKIP $2"
}

can_mount() {
	[ "$(id -u)" = 0 ] || { echo "not root"; return 1; }
	[ -c /dev/fuse ] || { echo "/dev/fuse is missing"; return 1; }
	return 0
}

# --- unit tests (in-process translators, core, codecs) ---------------------------------------
run_tier unit 900 "$build/tests/unit_tests" --gtest_brief=1

if [ -n "$asan_build" ] && [ -x "$asan_build/tests/unit_tests" ]; then
	# Symbolized reports in the log (clang-16 ships its own llvm-symbolizer).
	for s in /usr/lib/llvm-16/bin/llvm-symbolizer "$(command -v llvm-symbolizer)"; do
		[ -x "$s" ] && { export ASAN_SYMBOLIZER_PATH=$s; break; }
	done
	run_tier asan 1200 env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$asan_build/tests/unit_tests" --gtest_brief=1
else
	skip_tier asan "no ASan build given (make check builds one)"
fi

# --- binaries on malformed volfiles -----------------------------------------------------------
if [ -x tests/volfiles/check-bad-volfiles.sh ]; then
	run_tier volfiles 300 tests/volfiles/check-bad-volfiles.sh "$build"
else
	skip_tier volfiles "tests/volfiles/check-bad-volfiles.sh not present"
fi

# --- make install / uninstall into a scratch directory -----------------------------------------
run_tier install 600 tests/tiers/install.sh --build "$build"

# --- real FUSE mounts of a local volume -------------------------------------------------------
if why=$(can_mount); then
	run_tier mount 1500 tests/tiers/local-volume.sh --build "$build"
else
	skip_tier mount "$why"
fi

# --- the same suite over a one-brick network volume (glusterfsd on loopback) -----------------
if why=$(can_mount); then
	run_tier netmount 1500 tests/tiers/network-volume.sh --build "$build"
else
	skip_tier netmount "$why"
fi

# --- the composition examples (distribute, unify, stripe over replicate; ha) mounted ------------
if why=$(can_mount); then
	run_tier compositions 1200 tests/tiers/compositions.sh --build "$build"
else
	skip_tier compositions "$why"
fi

# --- our FUSE library: passthrough example in every mode ------------------------------------
if [ -x tests/lfp/run-passthrough-tier.sh ]; then
	if why=$(can_mount); then
		run_tier lfp 1500 tests/lfp/run-passthrough-tier.sh --build "$build"
	else
		skip_tier lfp "$why"
	fi
else
	skip_tier lfp "tests/lfp/run-passthrough-tier.sh not present"
fi

# --- fuzzers, bounded in time ------------------------------------------------------------------
if [ -x tests/fuzz/run.sh ]; then
	run_tier fuzz 600 tests/fuzz/run.sh --build "$build"
else
	skip_tier fuzz "tests/fuzz/run.sh not present"
fi

# --- several hosts in network namespaces ---------------------------------------------------
if [ -x tests/net/run.sh ]; then
	run_tier net 1800 tests/net/run.sh --build "$build"
else
	skip_tier net "tests/net/run.sh not present"
fi

# --- the patched kernel module inside Debian's 6.1 kernel under QEMU -------------------------
if [ -x tests/vm/run.sh ]; then
	run_tier vm 600 tests/vm/run.sh --build "$build"
else
	skip_tier vm "tests/vm/run.sh not present"
fi

echo
echo "================ summary ================"
failed=0
for i in "${!names[@]}"; do
	printf '%-9s %-5s %6s  %s\n' "${names[$i]}" "${results[$i]}" "${times[$i]}" "${reasons[$i]}"
	[ "${results[$i]}" = FAIL ] && failed=1
done
# CI shows only the end of this output: repeat what failed, in a few lines per failed tier.
if [ $failed = 1 ]; then
	echo
	echo "================ what failed ================"
	for i in "${!names[@]}"; do
		[ "${results[$i]}" = FAIL ] || continue
		echo "[${names[$i]}]"
		grep -E '(FAILED  \]|: Failure|^ *FAIL |: FAIL|AddressSanitizer|LeakSanitizer|runtime error|Assertion|timed out)' \
			"$logdir/${names[$i]}.log" | grep -v '^=== tier' | head -n 12 | cut -c1-200
	done
fi
exit $failed
