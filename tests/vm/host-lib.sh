# SPDX-License-Identifier: GPL-3.0-or-later
# host-lib.sh: host-side helpers shared by tests/vm/run.sh and scripts/kmod-compare. Sourced from
# the repository root with $build set (absolute). Provides:
#   vm_prereqs [ABI]   checks packages and tools; sets ABI, RUN_IN_VM, VM_ACCEL; on a missing
#                      piece prints the reason as its last line and returns 1 (callers exit 77)
#   stage_guest DIR    builds the modules and static guest programs and lays out DIR as the
#                      guest's /opt: bin/, ko/{patched,stock,virtio,ext}/, guest-lib.sh[, gluster/]

vm_skip() { echo "SKIP: $*"; return 1; }

vm_prereqs() {
	ABI=${1:-}
	if [ -z "$ABI" ]; then
		ABI=$(ls -d /usr/src/linux-headers-6.1.*-amd64 2>/dev/null | sed 's|.*/linux-headers-||' |
		      sort -V | tail -n1)
	fi
	[ -n "$ABI" ] || { vm_skip "no linux-headers-6.1.*-amd64 installed (make deps, or apt-get install linux-headers-amd64)"; return 1; }
	[ -f "/usr/src/linux-headers-$ABI/Makefile" ] || { vm_skip "linux-headers-$ABI not installed"; return 1; }
	[ -r /usr/src/linux-source-6.1.tar.xz ] || { vm_skip "linux-source-6.1 not installed (apt-get install linux-source-6.1)"; return 1; }
	[ -r "/boot/vmlinuz-$ABI" ] || { vm_skip "/boot/vmlinuz-$ABI missing (apt-get install linux-image-$ABI)"; return 1; }
	STOCK_KO=/lib/modules/$ABI/kernel/fs/fuse/fuse.ko
	[ -r "$STOCK_KO" ] || [ -r "$STOCK_KO.xz" ] || { vm_skip "stock $STOCK_KO missing (apt-get install linux-image-$ABI)"; return 1; }
	local t
	for t in qemu-system-x86_64:qemu-system-x86 cpio:cpio gcc:gcc make:make patch:patch \
	         xz:xz-utils; do
		command -v "${t%%:*}" >/dev/null || { vm_skip "${t%%:*} not found (apt-get install ${t#*:})"; return 1; }
	done
	[ -x /bin/busybox ] && ! { readelf -l /bin/busybox 2>/dev/null | grep -q INTERP; } ||
		{ vm_skip "static /bin/busybox missing (apt-get install busybox-static)"; return 1; }
	[ -r /usr/lib/x86_64-linux-gnu/libfuse3.a ] || { vm_skip "static libfuse3.a missing (apt-get install libfuse3-dev)"; return 1; }
	RUN_IN_VM=${RUN_IN_VM:-}
	if [ -z "$RUN_IN_VM" ]; then
		for t in "$root/../shared/tools/kmod-vm/run-in-vm.sh" /work/shared/tools/kmod-vm/run-in-vm.sh; do
			[ -x "$t" ] && { RUN_IN_VM=$t; break; }
		done
	fi
	[ -n "$RUN_IN_VM" ] && [ -x "$RUN_IN_VM" ] ||
		{ vm_skip "run-in-vm.sh not found (expected ../shared/tools/kmod-vm/; set RUN_IN_VM)"; return 1; }
	# /dev/kvm may exist without working (nested setups abort in QEMU): TCG unless asked.
	VM_ACCEL=${VM_ACCEL:-tcg}
	return 0
}

# newer SRC... than TARGET?
stale() {
	local t=$1 s
	shift
	[ -e "$t" ] || return 0
	for s in "$@"; do [ "$s" -nt "$t" ] && return 0; done
	return 1
}

# copy_with_libs BIN DIR: BIN into DIR/bin and, when it is dynamic, its shared libraries and the
# loader into DIR/lib (the guest runs it as DIR/lib/ld-linux-x86-64.so.2 --library-path DIR/lib).
copy_with_libs() {
	local bin=$1 dir=$2 lib
	install -D -m 755 "$bin" "$dir/bin/${bin##*/}"
	readelf -l "$bin" 2>/dev/null | grep -q INTERP || return 0
	mkdir -p "$dir/lib"
	for lib in $(ldd "$bin" | awk '/=>/ { print $3 } /^[ \t]*\/.*ld-linux/ { print $1 }'); do
		[ -f "$lib" ] && cp -L "$lib" "$dir/lib/"
	done
}

stage_guest() {
	local dir=$1 src=tests/vm cflags="-static -O2 -Wall -Wextra -Wno-unused-parameter"
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/ko/patched" "$dir/ko/stock" "$dir/ko/virtio"

	# the patched modules (incremental: build.sh re-extracts only when inputs changed)
	kernel/build.sh --kernel "$ABI" --out "$build/kernel" >"$build/tests/vm/kbuild.log" 2>&1 ||
		{ tail -n 30 "$build/tests/vm/kbuild.log"; echo "stage: kernel/build.sh failed"; return 1; }
	cp "$build/kernel/fuse.ko" "$build/kernel/cuse.ko" "$build/kernel/virtiofs.ko" "$dir/ko/patched/"
	if [ -r "$STOCK_KO" ]; then cp "$STOCK_KO" "$dir/ko/stock/fuse.ko"
	else xz -dc "$STOCK_KO.xz" >"$dir/ko/stock/fuse.ko"; fi
	local m
	# stock modules the guest loads besides fuse: virtio (for virtiofs.ko) and what an ext2
	# file system on a RAM disk needs (a backing store with O_DIRECT, which tmpfs lacks in 6.1)
	mkdir -p "$dir/ko/ext"
	for m in virtio:virtio_ring virtio:virtio ext:crc32c_generic ext:crc16 ext:mbcache ext:jbd2 \
	         ext:ext4 ext:brd; do
		local sub=${m%%:*} f
		f=$(modinfo -k "$ABI" -F filename "${m#*:}" 2>/dev/null) || f=
		case $f in
		*.ko) cp "$f" "$dir/ko/$sub/" ;;
		*.ko.xz) xz -dc "$f" >"$dir/ko/$sub/${m#*:}.ko" ;;
		*) echo "stage: stock module ${m#*:} not found for $ABI" ;;
		esac
	done

	# static guest programs
	local bindir=$build/tests/vm/bin
	mkdir -p "$bindir"
	if stale "$bindir/fusetestd" $src/fusetestd.c; then
		gcc $cflags -o "$bindir/fusetestd" $src/fusetestd.c -lpthread || return 1
	fi
	if stale "$bindir/fsprobe" $src/fsprobe.c; then
		gcc $cflags -o "$bindir/fsprobe" $src/fsprobe.c || return 1
	fi
	if stale "$bindir/stockfs" $src/stockfs.c; then
		gcc $cflags $(pkg-config --cflags fuse3) -o "$bindir/stockfs" $src/stockfs.c \
			/usr/lib/x86_64-linux-gnu/libfuse3.a -lpthread -ldl 2>&1 | grep -v "dlopen\|fuse_get_module" || true
		[ -x "$bindir/stockfs" ] || return 1
	fi
	cp "$bindir/fusetestd" "$bindir/fsprobe" "$bindir/stockfs" "$dir/bin/"
	cp $src/guest-lib.sh "$dir/"

	# our passthrough example, statically linked (libfuse-patched's make target)
	local pt=$build/bin/passthrough-static
	if grep -q 'passthrough-static' Makefile 2>/dev/null && [ -f config.mk ]; then
		make -s -j2 BUILD="$build" "$pt" >"$build/tests/vm/passthrough-build.log" 2>&1 ||
			echo "stage: building passthrough-static failed (see $build/tests/vm/passthrough-build.log)"
	fi
	if [ -x "$pt" ] && ! readelf -l "$pt" 2>/dev/null | grep -q INTERP; then
		cp "$pt" "$dir/bin/"
	else
		echo "stage: $pt not available; the guest reports it as missing"
	fi

	# the glusterfs client, when it has been built (copied with its libraries)
	if [ -x "$build/bin/glusterfs" ]; then
		mkdir -p "$dir/gluster"
		copy_with_libs "$build/bin/glusterfs" "$dir/gluster"
		cat >"$dir/gluster/local.vol" <<-'EOF'
		# one local brick, as GlusterFS 2.0's simplest client-side volume
		volume brick
		  type storage/posix
		  option directory /tmp/brick
		end-volume
		EOF
	fi
	return 0
}
