#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh: the kernel-module test tier. Builds the patched fuse.ko and the static guest programs,
# boots Debian's 6.1 kernel under QEMU once and runs tests/vm/guest-test.sh there; then boots it
# again with its stock fuse module for our library's old-kernel fallback (tests/lfp/vm-smoke.sh).
#
#   tests/vm/run.sh --build BUILD [--kernel ABI] [--log FILE]
#
# Exit status: 0 all checks passed; 77 a needed package or kernel is missing (the last line says
# which); anything else: failures (the guest's summary and log name are printed).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

build=build
abi=
log=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--kernel) abi=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	-h|--help) sed -n '3,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
mkdir -p "$build"
build=$(cd "$build" && pwd)
out=$build/tests/vm
mkdir -p "$out"
log=${log:-$out/vm.log}

. tests/vm/host-lib.sh
vm_prereqs "${abi}" || exit 77
start=$SECONDS

# ---- build what the guest needs --------------------------------------------------------------
stage=$out/guest
stage_guest "$stage" || exit 1
echo "run.sh: staged guest files in $stage ($((SECONDS - start))s)"

# ---- the modules' install and uninstall (make install / uninstall) into a staging tree --------
inst=$(mktemp -d /tmp/gf-kmod-install.XXXXXX)
installed=0
kernel/build.sh --kernel "$ABI" --out "$build/kernel" --install "$inst" >>"$out/kbuild.log" 2>&1 &&
	for m in fuse cuse virtiofs; do
		[ -f "$inst/lib/modules/$ABI/updates/fs/fuse/$m.ko" ] && installed=$((installed + 1))
	done
kernel/build.sh --kernel "$ABI" --uninstall "$inst" >>"$out/kbuild.log" 2>&1 || true
left=$(find "$inst" -name '*.ko' | wc -l)
rm -rf "$inst"
if [ $installed = 3 ] && [ "$left" = 0 ]; then
	echo "PASS modules install into DESTDIR/lib/modules/$ABI/updates/fs/fuse and uninstall again"
	install_rc=0
else
	echo "FAIL module install/uninstall: $installed of 3 installed, $left left after uninstall"
	install_rc=1
fi

# ---- boot once, run the checks ---------------------------------------------------------------
set +e
"$RUN_IN_VM" --accel "$VM_ACCEL" -q -m 1536 -t 290 --dmesg fail -a "$stage" \
	-f tests/vm/guest-test.sh -l "$log"
rc=$?
set -e
grep -E '^(PASS|FAIL|MISSING|INFO|    stats|vm:)' "$log" || true
echo "run.sh: guest log $log; total $((SECONDS - start))s"
case $rc in
0) echo "run.sh: all kernel-module checks passed" ;;
124) echo "run.sh: FAILED: the VM run timed out" ;;
125) echo "run.sh: FAILED: boot or harness problem (see $log)"; tail -n 30 "$log" ;;
*) echo "run.sh: FAILED: $rc check(s) failed" ;;
esac

# ---- our FUSE library on the stock 6.1 module -------------------------------------------------
set +e
tests/lfp/vm-smoke.sh --build "$build" ${abi:+--kernel "$abi"} >"$out/lfp-smoke.log" 2>&1
smoke=$?
set -e
grep -E '^(PASS|FAIL|RESULT|vm-smoke|SKIP)' "$out/lfp-smoke.log" || true
case $smoke in
0) ;;
77) echo "run.sh: old-kernel smoke of our library skipped: $(tail -n 1 "$out/lfp-smoke.log")" ;;
*) echo "run.sh: FAILED: our library on the stock 6.1 module (see $out/lfp-smoke.log)"; rc=1 ;;
esac
[ $rc = 0 ] && [ $install_rc = 0 ] && exit 0
exit 1
