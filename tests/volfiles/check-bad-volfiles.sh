#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs both daemons on every malformed volfile in tests/volfiles/bad/ and checks that each exits
# with status 1 (no crash, no hang, no mount) and prints the file, line and problem on stderr.
#
#   tests/volfiles/check-bad-volfiles.sh BUILD
#
# Expectations come from NAME.expect next to NAME.vol ("line N", "message TEXT"). Exit status:
# 0 all passed, 1 some failed, 77 skipped (the daemons are not built yet).

set -u

usage() {
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
}
[ $# -eq 1 ] || usage
build=$1
here=$(cd "$(dirname "$0")" && pwd)
bad="$here/bad"
glusterfsd="$build/bin/glusterfsd"
glusterfs="$build/bin/glusterfs"

missing=()
[ -x "$glusterfsd" ] || missing+=("$glusterfsd")
[ -x "$glusterfs" ] || missing+=("$glusterfs")
if [ ${#missing[@]} -gt 0 ]; then
  echo "SKIP: ${missing[*]} not built (run make first)"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/check-bad-volfiles.XXXXXX")
mnt="$work/mnt"
mkdir -p "$mnt"
cleanup() {
  # A daemon that wrongly accepted a volfile may have mounted: never leave a mount behind.
  if mountpoint -q "$mnt" 2>/dev/null; then
    fusermount3 -u "$mnt" 2>/dev/null || fusermount -u "$mnt" 2>/dev/null || umount -l "$mnt"
  fi
  rm -rf "$work"
}
trap cleanup EXIT

pass=0
fail=0

# expect_failure NAME FILE LINE MESSAGE COMMAND...
expect_failure() {
  local name=$1 file=$2 line=$3 message=$4
  shift 4
  local err="$work/stderr" status
  timeout -k 5 30 "$@" >"$work/stdout" 2>"$err" </dev/null
  status=$?
  local problems=()
  case $status in
    1) ;;
    124 | 137) problems+=("timed out (hung, or ran as a working daemon)") ;;
    0) problems+=("exit status 0: the volfile was accepted") ;;
    *)
      if [ "$status" -gt 128 ]; then
        problems+=("killed by signal $((status - 128)) (crash)")
      else
        problems+=("exit status $status, wanted 1")
      fi
      ;;
  esac
  # The "FILE:LINE: " prefix names the place; the expected text names the problem.
  grep -qF -- "$file:$line: " "$err" || problems+=("stderr does not name $file:$line")
  grep -qF -- "$message" "$err" || problems+=("stderr lacks: $message")
  if grep -qiE 'sanitizer|runtime error|terminate called|core dumped' "$err"; then
    problems+=("sanitizer or crash report on stderr")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    pass=$((pass + 1))
    echo "ok    $name"
  else
    fail=$((fail + 1))
    echo "FAIL  $name"
    for p in "${problems[@]}"; do echo "      $p"; done
    echo "      command: $*"
    sed -e 's/[^[:print:]\t]/?/g' -e 's/^/      stderr: /' "$err" | cut -c 1-300 | head -n 20
  fi
}

shopt -s nullglob
files=("$bad"/*.vol)
if [ ${#files[@]} -lt 12 ]; then
  echo "FAIL: only ${#files[@]} bad volfiles in $bad (want at least 12)"
  exit 1
fi

for vol in "${files[@]}"; do
  base=$(basename "$vol" .vol)
  expect="$bad/$base.expect"
  if [ ! -f "$expect" ]; then
    fail=$((fail + 1))
    echo "FAIL  $base: no $expect"
    continue
  fi
  line=$(sed -n 's/^line //p' "$expect" | head -n1)
  message=$(sed -n 's/^message //p' "$expect" | head -n1)
  expect_failure "glusterfsd $base" "$vol" "$line" "$message" "$glusterfsd" -N -f "$vol"
  expect_failure "glusterfs  $base" "$vol" "$line" "$message" "$glusterfs" -N -f "$vol" "$mnt"
done

echo "bad volfiles: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
