#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# vm-smoke.sh: boots Debian 12's 6.1 kernel under QEMU with its stock fuse module and runs
# tests/lfp/vm-guest-smoke.sh there against build/bin/passthrough-static (old-kernel fallback).
#
#   tests/lfp/vm-smoke.sh [--build DIR] [--kernel ABI]
#
# Exit status: 0 pass, 77 skip (the last line says why), 1 fail.
set -u
cd "$(dirname "$0")/../.."
build=build abi=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--kernel) abi=$2; shift 2 ;;
	*) echo "vm-smoke: unknown argument $1" >&2; exit 2 ;;
	esac
done
skip() { echo "SKIP: $*"; exit 77; }
vm=../shared/tools/kmod-vm/run-in-vm.sh
[ -x "$vm" ] || vm=/work/shared/tools/kmod-vm/run-in-vm.sh
[ -x "$vm" ] || skip "run-in-vm.sh not found"
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86 is not installed"
[ -n "$abi" ] || abi=$(ls /lib/modules | grep -- '-amd64$' | grep '^6\.1\.' | sort -V | tail -n 1)
[ -n "$abi" ] || skip "no Debian 6.1 kernel installed (linux-image-amd64)"
ko=/lib/modules/$abi/kernel/fs/fuse/fuse.ko
[ -f "$ko" ] || ko=$ko.xz
[ -f "$ko" ] || skip "$abi has no fuse.ko"
[ -f /boot/vmlinuz-$abi ] || skip "/boot/vmlinuz-$abi is missing"
pt=$build/bin/passthrough-static
[ -x "$pt" ] || skip "$pt is not built (make BUILD=$build $pt)"

stage=$(mktemp -d /tmp/lfp-vm.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin"
cp "$pt" "$stage/bin/"
strip "$stage/bin/passthrough-static" 2>/dev/null
cc -static -O2 -o "$stage/bin/mmap_probe" tests/lfp/mmap_probe.c || { echo "FAIL: mmap_probe"; exit 1; }
# KVM inside this VM fails on an MSR (nested virtualisation), so TCG unless asked otherwise.
accel=${VM_ACCEL:-tcg}
"$vm" --accel "$accel" -q -t 280 -m 1024 -K "/boot/vmlinuz-$abi" -k "$ko" -a "$stage" \
	-f tests/lfp/vm-guest-smoke.sh -l "$stage/vm.log"
rc=$?
grep -E '^(PASS|FAIL|RESULT|kernel|# )' "$stage/vm.log"
case $rc in
0) echo "vm-smoke: PASS (kernel $abi, stock fuse module)"; exit 0 ;;
124) echo "vm-smoke: FAIL: timed out" ;;
125) echo "vm-smoke: FAIL: boot or harness problem"; tail -n 20 "$stage/vm.log" ;;
*) echo "vm-smoke: FAIL: $rc check(s) failed" ;;
esac
exit 1
