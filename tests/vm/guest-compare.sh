# SPDX-License-Identifier: GPL-3.0-or-later
# guest-compare.sh: the guest side of scripts/kmod-compare (busybox sh in Debian's 6.1 kernel
# under QEMU). In this one boot, every workload runs ROUNDS times on each module, the stock and
# the patched run of a round back to back (ABBA order across rounds) so that the host's changing
# load hits both alike; each run is a fresh mount of the same daemon. One line per measurement:
#   RESULT round=1 module=patched workload=seqread secs=0.52 req=4194304
# (req: the request size carrying most of the workload's bytes, from the daemon's histogram).
. /opt/guest-lib.sh

ROUNDS=${ROUNDS:-5}
MIB=${MIB:-64}
NFILES=${NFILES:-10000}
NMAIL=${NMAIL:-1000}
PAGES=1024   # the daemon asks for 4 MiB requests; the stock module holds it to 1 MiB
# Entry and attribute timeout of the daemon. The emulated guest runs 10-30x slower than native,
# so a native 1 s timeout would expire after a few dozen operations here and turn cache hits into
# LOOKUPs depending on how the work is batched (a READDIRPLUS batch of 800 entries ages before
# `ls` gets to its end, a 4 KiB one does not). 10 s keeps roughly the native proportion.
TIMEOUT=${TIMEOUT:-10}

msg "preparing backing files: 2 x $MIB MiB, $NFILES entries"
prepare_file big "$MIB"
prepare_file copysrc "$MIB"
prepare_dir dir "$NFILES"

secs_of() { echo "$1" | sed -n 's/.*secs=\([0-9.]*\).*/\1/p'; }

# measure MODULE ROUND WORKLOAD OPCODE COMMAND...: one fresh mount, one timed command.
measure() {
	mod=$1 round=$2 w=$3 op=$4
	shift 4
	mount_fs fusetestd --max-pages $PAGES --threads 2 --timeout $TIMEOUT ||
		{ echo "RESULT-ERROR $w mount"; return; }
	out=$("$@" 2>&1)
	rc=$?
	unmount
	if [ $rc != 0 ]; then
		echo "RESULT-ERROR round=$round module=$mod workload=$w: $out"
		return
	fi
	echo "RESULT round=$round module=$mod workload=$w secs=$(secs_of "$out") req=$(hist_main "$op")"
}

# use MODULE: load it (only when another one is loaded) with this comparison's settings.
use() {
	[ "${LOADED:-}" = "$1" ] && return 0
	load_fuse "$1" || exit 1
	[ "$1" = patched ] && echo $PAGES >/proc/sys/fs/fuse/max_pages_limit
	return 0
}

# workload NAME MODULE ROUND: one measurement.
workload() {
	w=$1 mod=$2 round=$3
	use "$mod"
	case $w in
	seqread) measure "$mod" "$round" seqread READ fsprobe seqread "$MNT/big" 128k ;;
	seqwrite) measure "$mod" "$round" seqwrite WRITE fsprobe seqwrite "$MNT/written" "${MIB}M" 4M
		rm -f "$SRC/written" ;;
	dio1m) measure "$mod" "$round" dio1m READ fsprobe dioread "$MNT/big" 1M ;;
	dio4m) measure "$mod" "$round" dio4m READ fsprobe dioread "$MNT/big" 4M ;;
	cp) measure "$mod" "$round" cp READ fsprobe cp "$MNT/copysrc" "$MNT/copydst"
		rm -f "$SRC/copydst" ;;
	lsl) measure "$mod" "$round" lsl READDIRPLUS fsprobe time ls -l "$MNT/dir" ;;
	maildir) rm -rf "$SRC/mail"
		measure "$mod" "$round" maildir WRITE fsprobe maildir "$MNT/mail" "$NMAIL"
		rm -rf "$SRC/mail" ;;
	esac
}

for w in seqread seqwrite dio1m dio4m cp lsl maildir; do
	r=1
	while [ $r -le "$ROUNDS" ]; do
		if [ $((r % 2)) = 1 ]; then
			workload $w stock $r
			workload $w patched $r
		else
			workload $w patched $r
			workload $w stock $r
		fi
		r=$((r + 1))
	done
	msg "$w done, up $(cut -d' ' -f1 /proc/uptime)s"
done
exit 0
