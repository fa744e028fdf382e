# SPDX-License-Identifier: GPL-3.0-or-later
# guest-test.sh: the kernel-module tests, run by tests/vm/run.sh inside Debian's 6.1 kernel
# under QEMU (busybox sh). One boot: first the patched module, then the stock one for the
# behaviours that must differ. Each check prints PASS or FAIL; the exit status is the number of
# failures (0 = all passed).
. /opt/guest-lib.sh

FAILS=0
pass() { echo "PASS: $* [$(elapsed)]"; }
fail() { echo "FAIL: $* [$(elapsed)]"; FAILS=$((FAILS + 1)); }
# check DESCRIPTION COMMAND...: PASS when COMMAND succeeds.
check() { d=$1; shift; if "$@"; then pass "$d"; else fail "$d"; fi; }
show_stats() { sed 's/^/    stats: /' "$STATS" 2>/dev/null | grep -E "$1" ; }

SMOKE_FILES=${SMOKE_FILES:-10000}
SEQ_MIB=${SEQ_MIB:-32}
t0=$(cut -d' ' -f1 /proc/uptime)
elapsed() { awk -v a="$t0" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.0fs", b - a }'; }

# seq_read_main DAEMON ARGS...: mount, read a fresh file sequentially (128 KiB read(2) calls, as
# cat does), unmount; prints the READ size bucket carrying most bytes.
seq_read_main() {
	mount_fs "$@" || return 1
	fsprobe seqread "$MNT/seq" 128k >/dev/null || { unmount; return 1; }
	unmount
	hist_main READ
}

# readdir_max LISTER DAEMON ARGS...: the largest READDIR(PLUS) request while LISTER ("ls -l", or
# "fsprobe lsl ... nostat" for a listing without a stat per entry) reads the 2000-entry dir.
# A failing listing is reported in /tmp/lister.err (and checked separately).
readdir_max() {
	lister=$1
	shift
	echo 1 >/tmp/lister.rc
	echo "mount failed" >/tmp/lister.err
	mount_fs "$@" || return 1
	if [ "$lister" = ls ]; then ls -l "$MNT/dir"; else fsprobe lsl "$MNT/dir" nostat; fi \
		>/dev/null 2>/tmp/lister.err
	echo $? >/tmp/lister.rc
	unmount
	rp=$(hist_max READDIRPLUS)
	rd=$(hist_max READDIR)
	[ "$rp" -gt "$rd" ] && echo "$rp" || echo "$rd"
}

prepare_file seq "$SEQ_MIB"
prepare_dir dir 2000

# ===================================== patched module ==========================================
msg "=== patched module"
if load_fuse patched; then
	pass "patched fuse.ko loads ($(cat /sys/module/fuse/version), taint $(cat /sys/module/fuse/taint))"
else
	fail "patched fuse.ko loads"
	exit 99
fi
check "patch_level parameter reads 1" [ "$(patch_level)" = 1 ]
check "patch_level is read-only" sh -c '! echo 7 >/sys/module/fuse/parameters/patch_level 2>/dev/null'
check "sysctl fs.fuse.max_pages_limit present, default 256" \
	[ "$(cat /proc/sys/fs/fuse/max_pages_limit 2>/dev/null)" = 256 ]
check "max_pages_limit rejects 0 and 65536" \
	sh -c '! echo 0 >/proc/sys/fs/fuse/max_pages_limit 2>/dev/null &&
	       ! echo 65536 >/proc/sys/fs/fuse/max_pages_limit 2>/dev/null'
if insmod /opt/ko/patched/cuse.ko && [ -c /dev/cuse ]; then
	pass "patched cuse.ko loads against the patched fuse.ko"
	rmmod cuse
else
	fail "patched cuse.ko loads"
fi
if insmod /opt/ko/virtio/virtio_ring.ko && insmod /opt/ko/virtio/virtio.ko &&
   insmod /opt/ko/patched/virtiofs.ko; then
	pass "patched virtiofs.ko loads against the patched fuse.ko"
	rmmod virtiofs
else
	fail "patched virtiofs.ko loads"
fi

# --- smoke tests: stock libfuse3, our passthrough example, and the raw test daemon --------------
HAVE_PT=0
command -v passthrough-static >/dev/null && HAVE_PT=1
[ $HAVE_PT = 1 ] || echo "MISSING: passthrough-static (libfuse-patched example) not built; its checks not run"
# smoke MODULE-NAME DAEMON [ARGS...]: the functional smoke test on a tmpfs backing (10,000
# entries made there directly, listed through FUSE, 1000 of them unlinked through FUSE), then
# O_DIRECT on an ext2 RAM disk backing: tmpfs in 6.1 refuses O_DIRECT, so a daemon that passes
# O_DIRECT on to its backing files (our passthrough does) could not serve it from tmpfs.
EXT=/tmp/ext
ext_backing $EXT || { echo "INFO: no ext2 RAM disk; O_DIRECT checked on tmpfs"; EXT=$SRC; }
smoke() {
	where=$1
	shift
	if ! mount_fs "$@"; then
		fail "mount with $1 on the $where module"
		return
	fi
	out=$(fsprobe smoke "$MNT" "$SMOKE_FILES" "$SRC" nodirect 2>&1)
	rc=$?
	unmount
	tmpfs_src=$SRC
	SRC=$EXT
	if mount_fs "$@"; then
		out="$out; $(fsprobe odirect "$MNT/odirect-probe" 2>&1)"
		[ $? = 0 ] || rc=1
		unmount
	else
		out="$out; mount on ext2 failed"
		rc=1
	fi
	SRC=$tmpfs_src
	check "smoke on the $where module with $1: $out" [ $rc = 0 ]
}
smoke patched stockfs
[ $HAVE_PT = 1 ] && smoke patched passthrough
smoke patched fusetestd

# --- read-ahead follows the negotiated request size ----------------------------------------------
m=$(seq_read_main stockfs)
check "stock libfuse3 (max_pages 256): buffered reads arrive as $(kib "$m") KiB (want 1024)" [ "$m" = 1048576 ]
m=$(seq_read_main fusetestd --max-pages 256)
check "fusetestd max_pages 256: buffered reads arrive as $(kib "$m") KiB (want 1024)" [ "$m" = 1048576 ]
show_stats '^(INIT_|READ )'
echo 1024 >/proc/sys/fs/fuse/max_pages_limit
m=$(seq_read_main fusetestd --max-pages 1024)
check "max_pages_limit 1024, fusetestd max_pages 1024: buffered reads arrive as $(kib "$m") KiB (want 4096)" \
	[ "$m" = 4194304 ]
show_stats '^(INIT_|READ )'
if [ $HAVE_PT = 1 ]; then
	m=$(seq_read_main passthrough --max-pages 1024)
	check "our passthrough --max-pages 1024: buffered reads arrive as $(kib "$m") KiB (want 4096)" \
		[ "$m" = 4194304 ]
	show_stats '^READ '
fi
m=$(seq_read_main fusetestd --max-pages 1024 --max-readahead 262144)
check "a daemon that lowers max_readahead to 256 KiB gets 256 KiB reads (got $(kib "$m") KiB)" \
	[ "$m" = 262144 ]

# --- requests above 1 MiB: O_DIRECT reads of 4 MiB ------------------------------------------------
if mount_fs fusetestd --max-pages 1024; then
	fsprobe dioread "$MNT/seq" 4M >/dev/null
	unmount
	m=$(hist_max READ)
	check "O_DIRECT 4 MiB reads arrive as one $(kib "$m") KiB request (want 4096)" [ "$m" = 4194304 ]
else
	fail "mount for O_DIRECT 4 MiB"
fi
echo 256 >/proc/sys/fs/fuse/max_pages_limit
if mount_fs fusetestd --max-pages 1024; then
	fsprobe dioread "$MNT/seq" 4M >/dev/null
	unmount
	m=$(hist_max READ)
	check "max_pages_limit back at 256: the same daemon is held to $(kib "$m") KiB (want 1024)" \
		[ "$m" = 1048576 ]
else
	fail "mount for O_DIRECT at limit 256"
fi

# --- readdir larger than one page ----------------------------------------------------------------
m=$(readdir_max ls fusetestd)
check "ls -l of 2000 entries: READDIRPLUS requests of $(kib "$m") KiB (want > 4)" \
	[ "$m" -gt 4096 -a "$(cat /tmp/lister.rc)" = 0 ]
show_stats '^READDIR'
if [ $HAVE_PT = 1 ]; then
	m=$(readdir_max ls passthrough)
	check "our passthrough, ls -l of 2000 entries: readdir requests of $(kib "$m") KiB (want > 4)" \
		[ "$m" -gt 4096 ]
	check "our passthrough, ls -l of 2000 entries succeeds ($(head -n1 /tmp/lister.err))" \
		[ "$(cat /tmp/lister.rc)" = 0 ]
fi
m=$(readdir_max names fusetestd --no-readdirplus)
check "listing names only, plain READDIR requests of $(kib "$m") KiB (want > 4)" [ "$m" -gt 4096 ]
show_stats '^READDIR'

# --- shared mmap of direct-IO files ----------------------------------------------------------------
if mount_fs fusetestd --direct-io --dio-mmap; then
	out=$(fsprobe mmapshared "$MNT/mapped" 2>&1)
	rc=$?
	unmount
	check "FOPEN_DIRECT_IO + FUSE_DIRECT_IO_ALLOW_MMAP: shared mmap coherent with read/write ($out)" [ $rc = 0 ]
	check "kernel offered FUSE_DIRECT_IO_ALLOW_MMAP in INIT" [ "$(stat_value dio_mmap_offered)" = 1 ]
else
	fail "mount for dio mmap"
fi
if mount_fs fusetestd --direct-io; then
	out=$(fsprobe mmapshared "$MNT/mapped" 2>&1)
	rc=$?
	unmount
	check "daemon without FUSE_DIRECT_IO_ALLOW_MMAP keeps the stock refusal ($out)" [ $rc = 3 ]
else
	fail "mount for dio without mmap"
fi

if [ $HAVE_PT = 1 ]; then
	if mount_fs passthrough -o direct_io; then
		out=$(fsprobe mmapshared "$MNT/mapped" 2>&1)
		rc=$?
		unmount
	else
		out="mount failed"
		rc=1
	fi
	check "our passthrough -o direct_io: shared mmap works ($out)" [ $rc = 0 ]
fi

# --- parallel direct writes -----------------------------------------------------------------------
# Two processes write disjoint halves of one file; the daemon holds each WRITE for 150 ms and
# records how many it had in flight at once.
par_writes() {
	prepare_file par 2
	mount_fs fusetestd --direct-io --threads 4 --write-delay-ms 150 "$@" || return 1
	out=$(fsprobe parwrite "$MNT/par" 2 1M 256k)
	unmount
	echo "$(stat_value 'WRITES_IN_FLIGHT max') $(echo "$out" | sed -n 's/.*secs=\([0-9.]*\).*/\1/p')"
}
set -- $(par_writes --parallel-dio)
check "FOPEN_PARALLEL_DIRECT_WRITES: $1 writes in flight at once, ${2}s (want 2)" [ "$1" = 2 ]
set -- $(par_writes)
check "without the flag: $1 write in flight at once, ${2}s (want 1)" [ "$1" = 1 ]
if mount_fs fusetestd --direct-io --dio-mmap --parallel-dio --threads 4 --write-delay-ms 150; then
	out=$(fsprobe mmapshared "$MNT/mapped" 2>&1)
	rc=$?
	unmount
	check "shared mmap and parallel direct writes together ($out)" [ $rc = 0 ]
else
	fail "mount for shared mmap with parallel direct writes"
fi

# --- the glusterfs client on a local volume --------------------------------------------------------
# Staged by run.sh when it has been built: /opt/gluster/bin/glusterfs, its shared libraries in
# /opt/gluster/lib (run through the loader copied with them), and a one-brick volfile.
if [ -x /opt/gluster/bin/glusterfs ]; then
	gfs() {
		if [ -e /opt/gluster/lib/ld-linux-x86-64.so.2 ]; then
			/opt/gluster/lib/ld-linux-x86-64.so.2 --library-path /opt/gluster/lib \
				/opt/gluster/bin/glusterfs "$@"
		else
			/opt/gluster/bin/glusterfs "$@"
		fi
	}
	mkdir -p /tmp/brick
	clear_mount
	DPID=
	if gfs -f /opt/gluster/local.vol -l /tmp/glusterfs.log -p /tmp/glusterfs.pid "$MNT" &&
	   wait_mounted; then
		out=$(fsprobe smoke "$MNT" 300 2>&1)   # entries made through glusterfs, not the brick
		rc=$?
		echo through-glusterfs >"$MNT/gf-probe"
		DPID=$(cat /tmp/glusterfs.pid 2>/dev/null)
		unmount   # umount, then wait for the daemon (it holds /dev/fuse, which pins the module)
		check "glusterfs client (local posix volume) mounts and passes smoke on the patched module ($out)" \
			[ $rc = 0 ]
		check "a file written through glusterfs lands in the brick" \
			[ "$(cat /tmp/brick/gf-probe 2>/dev/null)" = through-glusterfs ]
	else
		fail "glusterfs client mounts a local volume on the patched module"
		tail -n 20 /tmp/glusterfs.log
	fi
else
	echo "MISSING: glusterfs client binary not staged; glusterfs mount check not run"
fi

# ====================================== stock module ===========================================
msg "=== stock module"
if load_fuse stock; then
	pass "stock fuse.ko loads"
else
	fail "stock fuse.ko loads"
	exit $((FAILS + 1))
fi
check "stock module has no patch_level and no fs.fuse sysctl" \
	test "$(patch_level)" = none -a ! -e /proc/sys/fs/fuse/max_pages_limit
smoke stock stockfs
m=$(seq_read_main stockfs)
check "stock module, stock libfuse3: buffered reads arrive as $(kib "$m") KiB (want 128)" [ "$m" = 131072 ]
m=$(seq_read_main fusetestd --max-pages 1024)
check "stock module, fusetestd asking 1024 pages: buffered reads $(kib "$m") KiB (want 128)" [ "$m" = 131072 ]
show_stats '^(INIT_|READ )'
if [ $HAVE_PT = 1 ]; then
	m=$(seq_read_main passthrough --max-pages 1024)
	check "stock module, our passthrough: buffered reads $(kib "$m") KiB (want 128)" [ "$m" = 131072 ]
fi
m=$(readdir_max ls fusetestd)
check "stock module: readdir requests of $(kib "$m") KiB (want 4)" [ "$m" = 4096 ]
if mount_fs fusetestd --direct-io --dio-mmap; then
	out=$(fsprobe mmapshared "$MNT/mapped" 2>&1)
	rc=$?
	unmount
	check "stock module: shared mmap of a direct-IO file refused ($out)" [ $rc = 3 ]
	check "stock module does not offer FUSE_DIRECT_IO_ALLOW_MMAP" [ "$(stat_value dio_mmap_offered)" = 0 ]
else
	fail "mount for shared mmap on the stock module"
fi
set -- $(par_writes --parallel-dio)
echo "INFO: stock module with FOPEN_PARALLEL_DIRECT_WRITES: $1 writes in flight, ${2}s" \
     "(Debian's 6.1 carries this 6.2 feature through the stable series)"

echo "vm: $FAILS failure(s), guest time $(elapsed)"
exit $FAILS
