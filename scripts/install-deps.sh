#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# install-deps.sh PROFILE...: installs the Debian packages a profile needs, only if missing.
#   build  compilers and libraries for ./configure && make
#   test   build + what `make check` uses (FUSE tools, xattr tools, namespaces, QEMU/kernel for
#          the VM tier)
#   bench  test + fio, postmark, bindfs, Debian's GlusterFS 10.3 (the comparison)
#   demo   build + what `make demo` uses
set -eu

build="clang-16 libclang-rt-16-dev make pkg-config libboost1.81-dev libgtest-dev libdb5.3-dev
       libfuse3-dev liburing-dev linux-libc-dev"
runtime="fuse3 attr psmisc iproute2 procps util-linux tar coreutils e2fsprogs"
vm="qemu-system-x86 busybox-static cpio linux-image-amd64 linux-headers-amd64 linux-source-6.1
    bc flex bison libelf-dev kmod xz-utils binutils dkms gnuplot-nox"
bench="fio postmark bindfs dbench glusterfs-server glusterfs-client gnuplot-nox"

want=
for p in "$@"; do
	case $p in
	build) want="$want $build" ;;
	demo) want="$want $build $runtime" ;;
	test) want="$want $build $runtime $vm" ;;
	bench) want="$want $build $runtime $bench" ;;
	all) want="$want $build $runtime $vm $bench" ;;
	*) echo "install-deps: unknown profile '$p'" >&2; exit 2 ;;
	esac
done

missing=
for pkg in $want; do
	case " $missing " in *" $pkg "*) continue ;; esac
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $pkg"
	fi
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages:$missing" >&2
	echo "install-deps: run as root, or: apt-get install$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# glusterfs-server's postinst wants to start glusterd; nothing here has systemd, so hold
# service starts back during installation.
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
chmod 755 /usr/sbin/policy-rc.d
rc=0
apt-get install -y -q --no-install-recommends $missing || rc=$?
rm -f /usr/sbin/policy-rc.d
exit $rc
