#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# build.sh: build the patched fuse.ko (with cuse.ko and virtiofs.ko) for a Debian 6.1 kernel.
#
#   kernel/build.sh [--kernel ABI] --out DIR [--install DESTDIR] [--source TARBALL] [-j N]
#   kernel/build.sh [--kernel ABI] --uninstall DESTDIR
#
# Takes fs/fuse from Debian's linux-source-6.1 tarball (no kernel source lives in this
# repository), applies patches/ in the order of patches/series, and builds the three modules with
# kbuild against /usr/src/linux-headers-ABI so their symbol versions match that kernel and each
# other. ABI defaults to the newest installed linux-headers-6.1.*-amd64 (never `uname -r`: the
# machine building may run another kernel). Modules land in DIR/; --install copies them to
# DESTDIR/lib/modules/ABI/updates/fs/fuse/ and runs depmod when installing into the live system;
# --uninstall removes them again (Debian's own fuse.ko is then the one modprobe loads).
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "$prog: error: $*" >&2; exit 1; }
log() { echo "$prog: $*" >&2; }

usage() {
	sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'
}

ABI=''
OUT=''
INSTALL=0
UNINSTALL=0
DESTDIR=''
SOURCE=${LINUX_SOURCE_TARBALL:-/usr/src/linux-source-6.1.tar.xz}
JOBS=${JOBS:-2}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || die "--kernel needs an ABI"; ABI=$2; shift 2 ;;
	--kernel=*) ABI=${1#*=}; shift ;;
	--out) [ $# -ge 2 ] || die "--out needs a directory"; OUT=$2; shift 2 ;;
	--out=*) OUT=${1#*=}; shift ;;
	--install) [ $# -ge 2 ] || die "--install needs DESTDIR ('' for /)"; INSTALL=1; DESTDIR=$2; shift 2 ;;
	--install=*) INSTALL=1; DESTDIR=${1#*=}; shift ;;
	--uninstall) [ $# -ge 2 ] || die "--uninstall needs DESTDIR ('' for /)"; UNINSTALL=1; DESTDIR=$2; shift 2 ;;
	--source) [ $# -ge 2 ] || die "--source needs a tarball"; SOURCE=$2; shift 2 ;;
	-j) [ $# -ge 2 ] || die "-j needs a number"; JOBS=$2; shift 2 ;;
	-j*) JOBS=${1#-j}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument '$1'" ;;
	esac
done
[ -n "$OUT" ] || [ $UNINSTALL = 1 ] || { usage >&2; die "--out DIR is required"; }

# ---- target kernel --------------------------------------------------------------------------
if [ -z "$ABI" ]; then
	ABI=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' |
	      sort -V | tail -n1)
	[ -n "$ABI" ] || die "no /usr/src/linux-headers-6.1.*-amd64 installed (apt-get install linux-headers-amd64)"
fi
if [ $UNINSTALL = 1 ]; then
	[ "$DESTDIR" != / ] || DESTDIR=''
	dest=$DESTDIR/lib/modules/$ABI/updates/fs/fuse
	rm -f "$dest/fuse.ko" "$dest/cuse.ko" "$dest/virtiofs.ko"
	rmdir "$dest" "${dest%/fuse}" "${dest%/fs/fuse}" 2>/dev/null || true  # only ours, if empty
	log "removed the patched modules from $dest"
	if [ -z "$DESTDIR" ] && [ -d "/lib/modules/$ABI" ]; then depmod -a "$ABI"; fi
	exit 0
fi
KDIR=/usr/src/linux-headers-$ABI
[ -f "$KDIR/Makefile" ] || die "$KDIR not found (apt-get install linux-headers-$ABI)"
[ -f "$KDIR/Module.symvers" ] || die "$KDIR/Module.symvers missing: incomplete headers package"
[ -r "$SOURCE" ] || die "$SOURCE not found (apt-get install linux-source-6.1)"
for t in tar xz patch make; do
	command -v $t >/dev/null || die "$t not found (apt-get install build-essential xz-utils patch)"
done

# upstream version (x.y.z) named by a top-level kernel Makefile
mkver() { awk -F' = ' '/^VERSION =/{v=$2} /^PATCHLEVEL =/{p=$2} /^SUBLEVEL =/{s=$2}
                      END{if (v != "") print v "." p "." s}' "$1"; }
# Debian's per-flavour headers Makefile just includes the -common one, which has the numbers.
hdr_mk=$(sed -n 's|^include \(/.*\)/Makefile$|\1/Makefile|p' "$KDIR/Makefile" | head -n1)
hdr_ver=$(mkver "${hdr_mk:-$KDIR/Makefile}" 2>/dev/null || true)

# ---- sources: extract fs/fuse and apply the series (only when inputs changed) --------------
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SRC=$OUT/src
FUSE=$SRC/fs/fuse
series=$here/patches/series
[ -f "$series" ] || die "$series missing"
stamp_new=$( { stat -c '%n %s %Y' "$SOURCE"; echo "$ABI";
               cat "$series"; while read -r p; do [ -z "$p" ] || cat "$here/patches/$p"; done <"$series";
               cat "$here/Kbuild"; } | sha256sum | cut -d' ' -f1)
if [ ! -f "$SRC/.stamp" ] || [ "$(cat "$SRC/.stamp")" != "$stamp_new" ]; then
	rm -rf "$SRC"
	mkdir -p "$SRC"
	top=$(tar -tJf "$SOURCE" 2>/dev/null | head -n1 | cut -d/ -f1) || true
	[ -n "$top" ] || die "cannot list $SOURCE"
	log "extracting $top/fs/fuse from $SOURCE"
	tar -xJf "$SOURCE" -C "$SRC" --strip-components=1 "$top/fs/fuse" "$top/Makefile" ||
		die "could not extract fs/fuse from $SOURCE"
	src_ver=$(mkver "$SRC/Makefile")
	if [ -n "$hdr_ver" ] && [ "$src_ver" != "$hdr_ver" ]; then
		log "warning: source tarball is Linux $src_ver but headers $ABI are $hdr_ver;" \
		    "building anyway (fs/fuse rarely changes within a stable series)"
	fi
	while read -r p; do
		case $p in ''|'#'*) continue ;; esac
		log "applying $p"
		patch -d "$SRC" -p1 --quiet --no-backup-if-mismatch <"$here/patches/$p" ||
			die "patch $p does not apply to Linux $src_ver fs/fuse"
	done <"$series"
	cp "$here/Kbuild" "$FUSE/Kbuild"
	echo "$src_ver" >"$SRC/.version"
	echo "$stamp_new" >"$SRC/.stamp"
fi

# ---- build ------------------------------------------------------------------------------------
log "building against $KDIR (Linux ${hdr_ver:-?}, source $(cat "$SRC/.version"))"
set +e
make -C "$KDIR" M="$FUSE" -j"$JOBS" modules 2>&1 | grep -v '^Skipping BTF generation'
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || die "kbuild failed (exit $rc)"
for m in fuse cuse virtiofs; do
	[ -f "$FUSE/$m.ko" ] || die "$m.ko was not built (see the kbuild output above)"
	cp "$FUSE/$m.ko" "$OUT/$m.ko"
done
log "built $OUT/fuse.ko $OUT/cuse.ko $OUT/virtiofs.ko for $ABI"

# ---- install ----------------------------------------------------------------------------------
if [ $INSTALL = 1 ]; then
	[ "$DESTDIR" != / ] || DESTDIR=''
	dest=$DESTDIR/lib/modules/$ABI/updates/fs/fuse
	install -d "$dest"
	install -m 644 "$OUT/fuse.ko" "$OUT/cuse.ko" "$OUT/virtiofs.ko" "$dest/"
	log "installed into $dest"
	if [ -z "$DESTDIR" ]; then
		depmod -a "$ABI"
		log "depmod -a $ABI done; 'modprobe fuse' now loads the patched module (see kernel/README.md)"
	else
		# A staging tree (package build) has no modules.dep of its own to update; the package's
		# postinst or the later live install runs depmod.
		log "DESTDIR staging install: run 'depmod -a $ABI' on the target system"
	fi
fi
