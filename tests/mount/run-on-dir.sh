#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run-on-dir.sh: runs the POSIX mount-tier suite against one directory, bounded in time, and
# prints a PASS/FAIL summary with every skip and its reason. Exit 0 on pass, 1 on fail.
set -u

usage() {
	cat <<'EOF'
usage: tests/mount/run-on-dir.sh --build BUILD --dir DIR [options] [-- gtest args]
  --build BUILD        build directory holding tests/mount_tests
  --dir DIR            the mounted directory to test (MOUNT_DIR)
  --brick DIR          the backing directory on the server side (BRICK_DIR)
  --remount CMD        shell command that unmounts and remounts DIR (REMOUNT_CMD)
  --scratch DIR        local directory for source trees (TEST_SCRATCH; default: under /tmp)
  --expect LIST        capabilities that must be present (comma list or "all"): a failed
                       capability probe then fails its test instead of skipping it
  --timeout SECS       bound for the whole run (default 600)
  --test-timeout SECS  bound for one test (default 300)
  --name TEXT          label for the summary (default: DIR)
EOF
	exit "${1:-2}"
}

build= dir= brick= remount= scratch= expect= total=600 per_test=300 name=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=${2:?}; shift 2 ;;
	--dir) dir=${2:?}; shift 2 ;;
	--brick) brick=${2:?}; shift 2 ;;
	--remount) remount=${2:?}; shift 2 ;;
	--scratch) scratch=${2:?}; shift 2 ;;
	--expect) expect=${2:?}; shift 2 ;;
	--timeout) total=${2:?}; shift 2 ;;
	--test-timeout) per_test=${2:?}; shift 2 ;;
	--name) name=${2:?}; shift 2 ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	*) echo "run-on-dir: unknown argument '$1'" >&2; usage 2 ;;
	esac
done
[ -n "$build" ] && [ -n "$dir" ] || usage 2
bin=$build/tests/mount_tests
name=${name:-$dir}
if [ ! -x "$bin" ]; then
	echo "run-on-dir: $bin is missing; build it with: make $bin" >&2
	exit 1
fi
if [ ! -d "$dir" ]; then
	echo "run-on-dir: $dir is not a directory" >&2
	exit 1
fi

log=$(mktemp /tmp/mount-tests-log.XXXXXX)
before=$(mktemp /tmp/mount-tests-before.XXXXXX)
own_scratch=
if [ -z "$scratch" ]; then
	own_scratch=$(mktemp -d /tmp/mount-tests-scratch.XXXXXX)
	scratch=$own_scratch
fi
trap 'rm -f "$log" "$before"; [ -z "$own_scratch" ] || rm -rf "$own_scratch"' EXIT
# Test directories present before the run belong to someone else; see the cleanup below.
(cd "$dir" && ls -d mt.* 2>/dev/null) | sort >"$before"
echo "run-on-dir: $bin on $dir${brick:+ (brick $brick)}${remount:+ (remount: $remount)}"

# timeout(1) signals its whole process group, so children of a hung test die too.
MOUNT_DIR=$dir BRICK_DIR=$brick REMOUNT_CMD=$remount TEST_SCRATCH=$scratch MOUNT_EXPECT=$expect \
	MOUNT_TEST_TIMEOUT=$per_test \
	timeout -k 15 "$total" "$bin" --gtest_color=no "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

# Summary from gtest's own lines: "[       OK ] T (n ms)", "[  FAILED  ] T (n ms)",
# "[  SKIPPED ] T (n ms)" with the skip message on the lines after "...: Skipped".
summary=$(awk '
	/: Skipped$/ { inskip = 1; reason = ""; next }
	inskip && /^\[  SKIPPED \] .* \([0-9]+ ms\)$/ {
		test = $4; sub(/,$/, "", test); skipped[++ns] = test " -- " reason; inskip = 0; next }
	inskip { reason = reason (reason == "" ? "" : " / ") $0; next }
	/^\[       OK \] .* \([0-9]+ ms\)$/ { ok++ }
	/^\[  FAILED  \] .* \([0-9]+ ms\)$/ { t = $4; sub(/,$/, "", t); failed[++nf] = t }
	/^\[  TIMEOUT \]/ { timeout_line = $0 }
	END {
		printf "passed %d, failed %d, skipped %d\n", ok, nf, ns
		for (i = 1; i <= nf; i++) printf "  FAILED  %s\n", failed[i]
		for (i = 1; i <= ns; i++) printf "  SKIPPED %s\n", skipped[i]
		if (timeout_line != "") print "  " timeout_line
	}' "$log")
counts=$(head -n1 <<<"$summary")
ran=$(grep -c '^\[ RUN      \]' "$log")

verdict=PASS
why=
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	verdict=FAIL why="the whole run exceeded ${total}s and was killed"
elif [ "$rc" = 3 ]; then
	verdict=FAIL why="a test exceeded ${per_test}s (see TIMEOUT above)"
elif [ "$rc" != 0 ]; then
	verdict=FAIL why="mount_tests exited with status $rc"
elif [ "$ran" = 0 ]; then
	verdict=FAIL why="no test ran"
elif grep -q '^\[  FAILED  \]' "$log"; then
	verdict=FAIL why="failures reported"
fi

echo
echo "================ mount tests on $name: $verdict ================"
echo "$counts${why:+ ($why)}"
tail -n +2 <<<"$summary"
missing=$(grep -o "capability '[a-z_]*' is missing" "$log" | sort -u |
	sed "s/capability '\(.*\)' is missing/\1/" | paste -sd, -)
[ -n "$missing" ] && echo "capabilities missing on this mount: $missing"
# A killed run cannot clean up after itself: remove the test directories it created (bounded,
# since the mount itself may be what hangs).
if [ "$rc" = 124 ] || [ "$rc" = 137 ] || [ "$rc" = 3 ]; then
	left=$( (cd "$dir" && ls -d mt.* 2>/dev/null) | sort | comm -13 "$before" -)
	if [ -n "$left" ]; then
		if (cd "$dir" && timeout -k 5 120 rm -rf -- $left); then
			echo "removed test directories left by the killed run: $(echo $left)"
		else
			echo "could not remove test directories left in $dir: $(echo $left)"
		fi
	fi
fi
[ "$verdict" = PASS ]
