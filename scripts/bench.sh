#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# bench.sh: side-by-side file-system benchmarks (`make bench`). Every target (a pluggable setup
# under scripts/bench/setups/) runs the same rows in one run, rounds interleaved, and the table
# gives medians, spread, the ratio to the native directory and CPU per operation.
#
#   scripts/bench.sh [--build DIR] [--targets LIST] [--rows LIST] [--rounds N] [--quick]
#                    [--out DIR] [--workdir DIR] [--keep] [--interleave row|target] [--list]
#   scripts/bench.sh --report RUNDIR      print the table of a finished run again
#
#   --targets native,bindfs,...   default: every setup whose check passes here
#   --rows LIST                   seqwrite seqread randread randwrite create stat read ls unlink
#                                 postmark maildir; groups: seq rand smallfile all (default)
#   --rounds N                    rounds, interleaved across targets (default 3; --quick: 1)
#   --quick                       small sizes for development (seconds per target, not minutes)
#   --out DIR                     results directory (default BUILD/bench/run-DATE; BUILD/bench/
#                                 latest points at the newest)
#   --workdir DIR                 where targets keep bricks and mounts (default /var/tmp/...)
#   --keep                        keep the work directory (bricks, logs) after the run
#   --interleave row              (default) every target is up for the whole round and each row
#                                 runs on all targets before the next row; `target`: one target
#                                 at a time runs all its rows
#   --list                        list targets (and why some cannot run here) and rows
#
# Sizes (environment; defaults full / --quick):
#   BENCH_SEQ_MIB 1024/256        sequential file, written and read in 1 MiB blocks
#   BENCH_RAND_MIB 32/8           4 KiB random I/O per fio job (1 and 2 jobs) ...
#   BENCH_RAND_CAP 10/10          ... capped at this many seconds
#   BENCH_FILES 10000/1000        small files (one directory) for create/stat/read/ls/unlink
#   BENCH_FILE_SIZE 4096
#   BENCH_PM_FILES 500/200, BENCH_PM_TX 1000/500, BENCH_PM_MIN 500, BENCH_PM_MAX 10000 (postmark)
#   BENCH_MAIL_MSGS 1000/200, BENCH_MAIL_WRITERS 4   maildir delivery
#   BENCH_ROW_TIMEOUT 1800        seconds before a row's workload is killed
#   BENCH_DROP_META 1             drop caches before stat and read (0: measure them warm)
#
# CPU per operation: utime+stime of the target's processes (client, bricks, self-heal daemon:
# whatever its setup names) from /proc/PID/stat right before and after each timed workload,
# divided by the operations done; "app" is the CPU of the benchmark's own processes.
set -u
export LC_ALL=C
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
BENCH_LIBDIR=$ROOT/scripts/bench
# shellcheck source=bench/lib.sh
source "$BENCH_LIBDIR/lib.sh"

usage() {
	sed -n '3,/^set -u/p' "$0" | grep -v '^set -u' | sed 's/^# \{0,1\}//'
	exit "${1:-2}"
}

build=build targets_arg=${BENCH_TARGETS:-} rows_arg=${BENCH_ROWS:-all} rounds_arg= quick=0
out= workdir= keep=0 list=0 report= INTERLEAVE=${BENCH_INTERLEAVE:-row}
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--targets) targets_arg=$2; shift 2 ;;
	--rows) rows_arg=$2; shift 2 ;;
	--rounds) rounds_arg=$2; shift 2 ;;
	--quick) quick=1; shift ;;
	--out) out=$2; shift 2 ;;
	--workdir) workdir=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--interleave) INTERLEAVE=$2; shift 2 ;;
	--list) list=1; shift ;;
	--report) report=$2; shift 2 ;;
	-h | --help) usage 0 ;;
	*) echo "bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done

case $INTERLEAVE in row | target) ;; *) echo "bench: --interleave is row or target" >&2; exit 2 ;; esac
if [ -n "$report" ]; then
	exec "$BENCH_LIBDIR/report.sh" "$report"
fi

mkdir -p "$build" || exit 1
BUILD=$(cd "$build" && pwd)

# --- parameters -------------------------------------------------------------------------------
if [ $quick = 1 ]; then
	d=(1 256 8 10 1000 200 500 200)
else
	d=(3 1024 32 10 10000 500 1000 1000)
fi
ROUNDS=${rounds_arg:-${BENCH_ROUNDS:-${d[0]}}}
SEQ_MIB=${BENCH_SEQ_MIB:-${d[1]}}
RAND_MIB=${BENCH_RAND_MIB:-${d[2]}}
RAND_CAP=${BENCH_RAND_CAP:-${d[3]}}
FILES=${BENCH_FILES:-${d[4]}}
FILE_SIZE=${BENCH_FILE_SIZE:-4096}
PM_FILES=${BENCH_PM_FILES:-${d[5]}}
PM_TX=${BENCH_PM_TX:-${d[6]}}
PM_MIN=${BENCH_PM_MIN:-500}
PM_MAX=${BENCH_PM_MAX:-10000}
MAIL_MSGS=${BENCH_MAIL_MSGS:-${d[7]}}
MAIL_WRITERS=${BENCH_MAIL_WRITERS:-4}
ROW_TIMEOUT=${BENCH_ROW_TIMEOUT:-1800}
DROP_META=${BENCH_DROP_META:-1}
for v in ROUNDS SEQ_MIB RAND_MIB RAND_CAP FILES FILE_SIZE PM_FILES PM_TX PM_MIN PM_MAX MAIL_MSGS \
	MAIL_WRITERS ROW_TIMEOUT DROP_META; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { echo "bench: $v must be a number, not '${!v}'" >&2; exit 2; }
done
[ "$ROUNDS" -ge 1 ] && [ "$SEQ_MIB" -ge 2 ] && [ "$FILES" -ge 1 ] ||
	{ echo "bench: rounds, BENCH_SEQ_MIB (>= 2) and BENCH_FILES must be positive" >&2; exit 2; }
SEQ_MIB=$((SEQ_MIB / 2 * 2))  # two fio jobs split the file in halves

# --- rows ---------------------------------------------------------------------------------------
ALL_ROWS="seqwrite seqread randread randwrite create stat read ls unlink postmark maildir"
ROWS=
for r in ${rows_arg//,/ }; do
	case $r in
	all) add=$ALL_ROWS ;;
	seq) add="seqwrite seqread" ;;
	rand) add="randread randwrite" ;;
	smallfile) add="create stat read unlink" ;;
	seqwrite | seqread | randread | randwrite | create | stat | read | ls | unlink | postmark | maildir) add=$r ;;
	*) echo "bench: unknown row '$r' (rows: $ALL_ROWS; groups: seq rand smallfile all)" >&2; exit 2 ;;
	esac
	for a in $add; do [[ " $ROWS " == *" $a "* ]] || ROWS="$ROWS $a"; done
done
# Run in the canonical order whatever order they were given in.
sel=
for r in $ALL_ROWS; do [[ " $ROWS " == *" $r "* ]] && sel="$sel $r"; done
ROWS=${sel# }
want_row() { [[ " $ROWS " == *" $1 "* ]]; }

# --- targets ------------------------------------------------------------------------------------
export BENCH_ROOT=$ROOT BENCH_BUILD=$BUILD BENCH_LIBDIR
declare -A SETUP_FILE ORDER
for f in "$BENCH_LIBDIR"/setups/*.sh; do
	[ -f "$f" ] || continue
	t=$(basename "$f" .sh)
	fn=${t//[-.]/_}
	# shellcheck disable=SC1090
	source "$f" || { echo "bench: cannot load $f" >&2; exit 2; }
	declare -F "setup_$fn" >/dev/null && declare -F "teardown_$fn" >/dev/null ||
		{ echo "bench: $f must define setup_$fn and teardown_$fn" >&2; exit 2; }
	SETUP_FILE[$t]=$f
	ov=BENCH_ORDER_$fn
	ORDER[$t]=${!ov:-50}
done
KNOWN=$(for t in "${!SETUP_FILE[@]}"; do printf '%03d %s\n' "${ORDER[$t]}" "$t"; done | sort | awk '{ print $2 }')

check_target() { # TARGET: prints why it cannot run, if so
	local fn=${1//[-.]/_}
	declare -F "check_$fn" >/dev/null || return 0
	"check_$fn"
}

if [ $list = 1 ]; then
	echo "targets:"
	for t in $KNOWN; do
		if why=$(check_target "$t"); then echo "  $t"; else echo "  $t (cannot run here: $why)"; fi
	done
	echo "rows: $ALL_ROWS (groups: seq rand smallfile all)"
	exit 0
fi

declare -A SKIP_WHY
TARGETS=
if [ -n "$targets_arg" ]; then
	for t in ${targets_arg//,/ }; do
		[ -n "${SETUP_FILE[$t]:-}" ] || { echo "bench: unknown target '$t' (known: $(echo $KNOWN))" >&2; exit 2; }
		[[ " $TARGETS " == *" $t "* ]] || TARGETS="$TARGETS $t"
	done
else
	TARGETS=" $(echo $KNOWN)"
fi
TARGETS=${TARGETS# }
RUNNABLE=
for t in $TARGETS; do
	if why=$(check_target "$t" 2>&1); then
		RUNNABLE="$RUNNABLE $t"
	else
		SKIP_WHY[$t]=${why:-check failed}
		bench_log "skipping target $t: ${SKIP_WHY[$t]}"
	fi
done
RUNNABLE=${RUNNABLE# }
[ -n "$RUNNABLE" ] || { echo "bench: no target can run here" >&2; exit 1; }

for tool in fio postmark cc; do
	command -v $tool >/dev/null || { echo "bench: $tool is missing (make bench installs it: scripts/install-deps.sh bench)" >&2; exit 1; }
done

# --- helper program ------------------------------------------------------------------------------
FSOPS=$BUILD/bench/bin/fsops
mkdir -p "$BUILD/bench/bin"
if [ ! -x "$FSOPS" ] || [ "$BENCH_LIBDIR/fsops.c" -nt "$FSOPS" ]; then
	${BENCH_CC:-cc} -O2 -Wall -Wextra -o "$FSOPS.tmp" "$BENCH_LIBDIR/fsops.c" && mv "$FSOPS.tmp" "$FSOPS" ||
		{ echo "bench: cannot compile $BENCH_LIBDIR/fsops.c" >&2; exit 1; }
fi
export BENCH_FSOPS=$FSOPS

# --- output and work directories ----------------------------------------------------------------
[ -n "$out" ] || out=$BUILD/bench/run-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out" || exit 1
OUT=$(cd "$out" && pwd)
ln -sfn "$OUT" "$BUILD/bench/latest" 2>/dev/null || true
RAW=$OUT/raw.tsv
TMP=$OUT/tmp
mkdir -p "$TMP"
if [ -n "$workdir" ]; then
	mkdir -p "$workdir" || exit 1
	WORK=$(cd "$workdir" && pwd)
else
	WORK=$(mktemp -d /var/tmp/gf-bench.XXXXXX) || exit 1
fi
exec 3>&2
exec 2> >(tee -a "$OUT/run.log" >&3)

CLK_TCK=$(getconf CLK_TCK)
{
	echo "date	$(date -Is)"
	echo "git	$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)"
	echo "host	$(uname -srm), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)"
	echo "load_start	$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "rounds	$ROUNDS"
	echo "interleave	$INTERLEAVE"
	echo "rows	$ROWS"
	echo "targets	$RUNNABLE"
	echo "sizes	seq ${SEQ_MIB} MiB; rand ${RAND_MIB} MiB/job (cap ${RAND_CAP}s); files ${FILES} x ${FILE_SIZE} B; postmark ${PM_FILES} files, ${PM_TX} tx, ${PM_MIN}-${PM_MAX} B; maildir ${MAIL_MSGS} msgs, ${MAIL_WRITERS} writers; drop caches before stat/read: ${DROP_META}"
	echo "workdir	$WORK"
} >"$OUT/params.tsv"
printf 'round\ttarget\tmetric\tstatus\tvalue\tunit\tops\twall\tapp_cpu\ttarget_cpu\tcpu_split\tload\n' >"$RAW"
: >"$OUT/targets.tsv"
for t in $TARGETS; do
	if [ -n "${SKIP_WHY[$t]:-}" ]; then printf '%s\tskipped\t%s\n' "$t" "${SKIP_WHY[$t]}" >>"$OUT/targets.tsv"; fi
done

# --- target life cycle ----------------------------------------------------------------------------
# Per-target state, so that all targets of a round can be up at once with their rows interleaved.
declare -A T_DIR T_WD T_PIDS T_SEQ T_FILES T_DOWN
ACTIVE=  # targets set up and not yet torn down

# in_setup_shell FUNCTION WD TARGET: runs a setup's function in a fresh bash under a time limit,
# so a hanging mount cannot stall the run and a setup's `exit` cannot end it.
in_setup_shell() {
	local fn=$1 wd=$2 t=$3 out=$4 err=$5
	run_bg "$out" "$err" timeout -k 10 600 bash -c 'set -u; source "$1"; source "$2"; "$3" "$4"' _ \
		"$BENCH_LIBDIR/lib.sh" "${SETUP_FILE[$t]}" "$fn" "$wd"
}

# run_bg OUT ERR CMD...: runs CMD in the background and waits for it, so an interrupt is
# handled at once (finish() ends RUN_PID) instead of after the command.
RUN_PID=
run_bg() {
	local out=$1 err=$2 rc
	shift 2
	if [ "$out" = "$err" ]; then
		"$@" >"$out" 2>&1 </dev/null &
	else
		"$@" >"$out" 2>"$err" </dev/null &
	fi
	RUN_PID=$!
	wait "$RUN_PID"
	rc=$?
	RUN_PID=
	return $rc
}

# start_target TARGET ROUND: sets the target up and fills its T_* entries; 1 on failure (its
# teardown is still due).
start_target() {
	local t=$1 fn=${1//[-.]/_} wd=$WORK/$1.r$2 line dir= pids=
	rm -rf "$wd"
	mkdir -p "$wd"
	ACTIVE="$ACTIVE $t"
	T_WD[$t]=$wd T_DIR[$t]= T_PIDS[$t]= T_SEQ[$t]=0 T_FILES[$t]=0 T_DOWN[$t]=
	bench_log "round $2: setting up $t"
	if ! in_setup_shell "setup_$fn" "$wd" "$t" "$wd/setup.out" "$wd/setup.log"; then
		bench_log "setup of $t failed: $(tail -n 5 "$wd/setup.log" | tr '\n' ' ')"
		return 1
	fi
	while read -r line; do
		# shellcheck disable=SC2086
		set -- $line
		case ${1:-} in
		dir) dir=${2:-} ;;
		pid)
			if [[ ${2:-} =~ ^[A-Za-z0-9_]+$ ]] && [[ ${3:-} =~ ^[0-9]+$ ]]; then
				pids="$pids $2:$3"
			else
				bench_log "setup of $t: ignoring malformed line '$line'"
			fi
			;;
		note)
			shift
			grep -q "^$t	note	" "$OUT/targets.tsv" || printf '%s\tnote\t%s\n' "$t" "$*" >>"$OUT/targets.tsv"
			;;
		esac
	done <"$wd/setup.out"
	if [ -z "$dir" ] || [ ! -d "$dir" ]; then
		bench_log "setup of $t gave no usable directory"
		return 1
	fi
	mkdir -p "$dir/bench" || { bench_log "$t: cannot create $dir/bench"; return 1; }
	T_DIR[$t]=$dir T_PIDS[$t]=${pids# }
	bench_log "$t: benchmarking $dir; accounting: ${T_PIDS[$t]:-no processes}"
	return 0
}

stop_target() { # TARGET
	local t=$1 wd=${T_WD[$1]:-} fn=${1//[-.]/_}
	[[ " $ACTIVE " == *" $t "* ]] || return 0
	ACTIVE=$(for a in $ACTIVE; do [ "$a" = "$t" ] || printf '%s ' "$a"; done)
	bench_log "tearing down $t"
	in_setup_shell "teardown_$fn" "$wd" "$t" "$wd/teardown.log" "$wd/teardown.log" ||
		bench_log "teardown of $t reported an error (see $wd/teardown.log)"
	cat "$wd/teardown.log" >>"$wd/setup.log" 2>/dev/null
	cp "$wd/setup.log" "$OUT/setup-$(basename "$wd").log" 2>/dev/null
	if awk -v r="$wd/" 'index($2 "/", r) == 1 { f = 1 } END { exit !f }' /proc/self/mounts; then
		bench_log "WARNING: something is still mounted under $wd; not removing it"
	elif [ $keep = 0 ]; then
		rm -rf "$wd"
	fi
}

stop_all() {
	local t
	for t in $ACTIVE; do stop_target "$t"; done
}

# use_target TARGET: the target the row functions work on (TARGET, TDIR, PID_*, *_READY).
declare -a PID_LABEL PID_NUM
TARGET= TDIR=
use_target() {
	local e
	TARGET=$1 TDIR=${T_DIR[$1]:-} SEQ_READY=${T_SEQ[$1]:-0} FILES_READY=${T_FILES[$1]:-0}
	PID_LABEL=() PID_NUM=()
	for e in ${T_PIDS[$1]:-}; do
		PID_LABEL+=("${e%%:*}")
		PID_NUM+=("${e#*:}")
	done
}

target_alive() {
	local i
	for i in "${!PID_NUM[@]}"; do
		bench_pid_alive "${PID_NUM[$i]}" || { echo "${PID_LABEL[$i]} process ${PID_NUM[$i]} died"; return 1; }
	done
	timeout 20 stat -f "$TDIR" >/dev/null 2>&1 || { echo "$TDIR does not answer"; return 1; }
}

finish() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "$RUN_PID" ] && bench_pid_alive "$RUN_PID"; then
		# timeout passes the signal on to the workload (and its process group).
		kill -TERM "$RUN_PID" 2>/dev/null
		bench_wait_exit "$RUN_PID" 15 || kill -KILL "$RUN_PID" 2>/dev/null
	fi
	stop_all
	if [ $keep = 0 ] && [ -d "$WORK" ] &&
		! awk -v r="$WORK/" 'index($2 "/", r) == 1 { f = 1 } END { exit !f }' /proc/self/mounts; then
		rm -rf "$WORK"
	fi
	rm -rf "$TMP"
	if [ "$(wc -l <"$RAW")" -gt 1 ]; then
		echo "load_end	$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/params.tsv"
		echo "duration	$((SECONDS / 60)) min $((SECONDS % 60)) s" >>"$OUT/params.tsv"
		"$BENCH_LIBDIR/report.sh" "$OUT" >"$OUT/table.md" 2>>"$OUT/run.log"
		cat "$OUT/table.md"
		echo
		echo "raw results: $RAW; table: $OUT/table.md"
	fi
	exit $rc
}
trap finish EXIT
trap 'bench_log "interrupted"; exit 130' INT TERM

# --- measuring --------------------------------------------------------------------------------------
DROP_WARNED=0
drop_caches() {
	if ! "$FSOPS" dropcaches && [ $DROP_WARNED = 0 ]; then
		bench_log "WARNING: cannot drop caches; cold rows run warm"
		DROP_WARNED=1
	fi
}

declare -a T0
LOAD0=
cpu_begin() {
	local i
	for i in "${!PID_NUM[@]}"; do
		bench_proc_ticks "${PID_NUM[$i]}"
		T0[$i]=$BENCH_TICKS
	done
	LOAD0=$(cut -d' ' -f1 /proc/loadavg)
}

# cpu_end: CPU_TOTAL (seconds, every accounted process) and CPU_SPLIT (label=seconds,...).
CPU_TOTAL=- CPU_SPLIT=-
cpu_end() {
	local i l
	declare -A per=()
	local order=() total=0
	for i in "${!PID_NUM[@]}"; do
		bench_proc_ticks "${PID_NUM[$i]}"
		l=${PID_LABEL[$i]}
		[ -n "${per[$l]:-}" ] || { per[$l]=0; order+=("$l"); }
		per[$l]=$((per[$l] + BENCH_TICKS - T0[$i]))
		total=$((total + BENCH_TICKS - T0[$i]))
	done
	if [ ${#PID_NUM[@]} = 0 ]; then
		CPU_TOTAL=- CPU_SPLIT=-
		return
	fi
	CPU_TOTAL=$(awk -v t=$total -v h="$CLK_TCK" 'BEGIN { printf "%.2f", t / h }')
	CPU_SPLIT=
	for l in "${order[@]}"; do
		CPU_SPLIT+="${CPU_SPLIT:+,}$l=$(awk -v t="${per[$l]}" -v h="$CLK_TCK" 'BEGIN { printf "%.2f", t / h }')"
	done
}

# record METRIC STATUS VALUE UNIT OPS WALL APP_CPU: one raw line (CPU from the last cpu_end).
record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$ROUND" "$TARGET" "$1" "$2" "$3" "$4" \
		"$5" "$6" "$7" "$CPU_TOTAL" "$CPU_SPLIT" "${LOAD0:--}" >>"$RAW"
	if [ "$2" = ok ]; then
		bench_log "  $TARGET $1: $3 $4 (wall ${6}s, target cpu ${CPU_TOTAL}s [$CPU_SPLIT])"
	else
		bench_log "  $TARGET $1: FAILED"
	fi
}

record_fail() { # METRIC UNIT
	CPU_TOTAL=- CPU_SPLIT=-
	record "$1" fail NA "$2" - - -
}

# run_fsops METRIC UNIT FSOPS-ARGS...: a timed fsops workload; value = ops / wall.
run_fsops() {
	local metric=$1 unit=$2 out
	shift 2
	cpu_begin
	run_bg "$TMP/out" "$TMP/err" timeout -k 10 "$ROW_TIMEOUT" "$FSOPS" "$@"
	local rc=$?
	out=$(cat "$TMP/out")
	cpu_end
	if [ $rc != 0 ] || [[ $out != ops=* ]]; then
		bench_log "  $TARGET $metric: fsops $1 failed (exit $rc): $(tail -n 3 "$TMP/err" | tr '\n' ' ')"
		record_fail "$metric" "$unit"
		return 1
	fi
	local ops wall user sys
	eval "$(echo "$out" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); printf "%s=%s\n", kv[1], kv[2] } }')"
	record "$metric" ok "$(awk -v o="$ops" -v w="$wall" 'BEGIN { printf "%.1f", (w > 0 ? o / w : 0) }')" \
		"$unit" "$ops" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')"
}

# run_cmd OUTFILE CMD...: runs CMD under fsops' rusage wrapper and the row timeout; sets
# RUN_WALL and RUN_APP (user+sys of CMD and its children).
RUN_WALL= RUN_APP=
run_cmd() {
	local out=$1
	shift
	rm -f "$TMP/run"
	run_bg "$out" "$TMP/err" timeout -k 10 "$ROW_TIMEOUT" "$FSOPS" run "$TMP/run" "$@"
	local rc=$?
	RUN_WALL= RUN_APP=
	if [ -f "$TMP/run" ]; then
		local wall user sys
		eval "$(tr ' ' '\n' <"$TMP/run" | grep -E '^(wall|user|sys)=[0-9.]+$')"
		RUN_WALL=$wall
		RUN_APP=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
	fi
	return $rc
}

# --- rows ---------------------------------------------------------------------------------------------
SEQ_READY=0 FILES_READY=0

seq_file() { echo "$TDIR/bench/seq.dat"; }

ensure_seq() {
	[ $SEQ_READY = 1 ] && return 0
	bench_log "  $TARGET: laying out the ${SEQ_MIB} MiB file (not timed)"
	run_bg /dev/null "$TMP/err" timeout -k 10 "$ROW_TIMEOUT" "$FSOPS" seqwrite "$(seq_file)" "$SEQ_MIB" 1024 ||
		{ bench_log "  $TARGET: layout failed: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"; return 1; }
	SEQ_READY=1
}

ensure_files() {
	[ $FILES_READY = 1 ] && return 0
	bench_log "  $TARGET: creating $FILES small files (not timed)"
	rm -rf "$TDIR/bench/files"
	run_bg /dev/null "$TMP/err" timeout -k 10 "$ROW_TIMEOUT" "$FSOPS" create "$TDIR/bench/files" "$FILES" "$FILE_SIZE" ||
		{ bench_log "  $TARGET: creating files failed: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"; return 1; }
	FILES_READY=1
}

row_seqwrite() {
	SEQ_READY=0
	rm -f "$(seq_file)"
	run_fsops seqwrite MiB/s seqwrite "$(seq_file)" "$SEQ_MIB" 1024 && SEQ_READY=1
}

row_seqread() {
	ensure_seq || { record_fail seqread MiB/s; return; }
	drop_caches
	run_fsops seqread MiB/s seqread "$(seq_file)" 1024
}

# fio_row METRIC RW JOBS: 4 KiB random I/O with JOBS jobs, each on its own part of the file.
fio_row() {
	local metric=$1 rw=$2 jobs=$3 part extra=()
	part=$((SEQ_MIB / jobs))
	[ "$rw" = randwrite ] && extra=(--end_fsync=1)
	[ "$rw" = randread ] && drop_caches
	cpu_begin
	run_cmd "$TMP/fio.out" fio --name="$metric" --filename="$(seq_file)" --rw="$rw" --bs=4k \
		--ioengine=psync --fallocate=none --numjobs="$jobs" --size="${part}M" \
		--offset_increment="${part}M" --io_size="${RAND_MIB}M" --runtime="$RAND_CAP" \
		--group_reporting --output-format=terse --terse-version=3 "${extra[@]}"
	local rc=$?
	cpu_end
	# Terse v3: read KiB;bw;IOPS at fields 6-8, write at 47-49.
	local kib iops
	read -r kib iops < <(awk -F';' -v w="$([ "$rw" = randwrite ] && echo 1 || echo 0)" \
		'NF > 50 { if (w) print $47, $49; else print $6, $8; exit }' "$TMP/fio.out")
	if [ $rc != 0 ] || [ -z "${kib:-}" ] || [ "${kib:-0}" = 0 ]; then
		bench_log "  $TARGET $metric: fio failed (exit $rc): $(tail -n 3 "$TMP/err" | tr '\n' ' ')"
		record_fail "$metric" IOPS
		return 1
	fi
	record "$metric" ok "$iops" IOPS "$((kib / 4))" "$RUN_WALL" "$RUN_APP"
}

row_randread() {
	ensure_seq || { record_fail randread-1j IOPS; record_fail randread-2j IOPS; return; }
	fio_row randread-1j randread 1
	fio_row randread-2j randread 2
}

row_randwrite() {
	ensure_seq || { record_fail randwrite-1j IOPS; record_fail randwrite-2j IOPS; return; }
	fio_row randwrite-1j randwrite 1
	fio_row randwrite-2j randwrite 2
}

row_create() {
	rm -rf "$TDIR/bench/files"
	FILES_READY=0
	if run_fsops create ops/s create "$TDIR/bench/files" "$FILES" "$FILE_SIZE"; then
		FILES_READY=1
	else
		FILES_READY=0
	fi
}

row_stat() {
	ensure_files || { record_fail stat ops/s; return; }
	[ "$DROP_META" = 1 ] && drop_caches
	run_fsops stat ops/s stat "$TDIR/bench/files" "$FILES"
}

row_read() {
	ensure_files || { record_fail read ops/s; return; }
	[ "$DROP_META" = 1 ] && drop_caches
	run_fsops read ops/s read "$TDIR/bench/files" "$FILES" "$FILE_SIZE"
}

# ls_once METRIC: `ls -l` of the small-file directory; value = entries per second.
ls_once() {
	local metric=$1 lines
	cpu_begin
	run_cmd "$TMP/ls.out" ls -l "$TDIR/bench/files"
	local rc=$?
	cpu_end
	lines=$(grep -c '^-' "$TMP/ls.out")
	if [ $rc != 0 ] || [ "$lines" != "$FILES" ]; then
		bench_log "  $TARGET $metric: ls -l failed (exit $rc, $lines of $FILES entries): $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
		record_fail "$metric" entries/s
		return 1
	fi
	record "$metric" ok "$(awk -v n="$FILES" -v w="$RUN_WALL" 'BEGIN { printf "%.1f", (w > 0 ? n / w : 0) }')" \
		entries/s "$FILES" "$RUN_WALL" "$RUN_APP"
}

row_ls() {
	ensure_files || { record_fail ls-cold entries/s; record_fail ls-warm entries/s; return; }
	drop_caches
	ls_once ls-cold
	ls_once ls-warm
}

row_unlink() {
	ensure_files || { record_fail unlink ops/s; return; }
	run_fsops unlink ops/s unlink "$TDIR/bench/files" "$FILES"
	FILES_READY=0
}

# postmark: the transaction phase is timed (and its CPU taken) between postmark's own
# "Creating files...Done" and "Performing transactions...Done" lines.
row_postmark() {
	local pm=$TDIR/bench/postmark cfg=$TMP/postmark.cfg line pid= t1= t2= app1= app2=
	rm -rf "$pm"
	mkdir -p "$pm" || { record_fail postmark tx/s; return; }
	printf 'set location %s\nset number %s\nset transactions %s\nset size %s %s\nset seed 42\nrun\nquit\n' \
		"$pm" "$PM_FILES" "$PM_TX" "$PM_MIN" "$PM_MAX" >"$cfg"
	: >"$TMP/postmark.out"
	LOAD0=$(cut -d' ' -f1 /proc/loadavg)
	exec {pmfd}< <(exec timeout -k 10 "$ROW_TIMEOUT" stdbuf -oL postmark "$cfg" 2>&1)
	local tpid=$!
	RUN_PID=$tpid
	while IFS= read -r -u $pmfd line; do
		echo "$line" >>"$TMP/postmark.out"
		[ -n "$pid" ] || pid=$(cat "/proc/$tpid/task/$tpid/children" 2>/dev/null | awk '{ print $1 }')
		case $line in
		Creating\ files*Done*)
			cpu_begin
			[ -n "$pid" ] && bench_proc_ticks "$pid" && app1=$BENCH_TICKS
			t1=$EPOCHREALTIME
			;;
		Performing\ transactions*Done*)
			t2=$EPOCHREALTIME
			[ -n "$pid" ] && bench_proc_ticks "$pid" && app2=$BENCH_TICKS
			cpu_end
			;;
		esac
	done
	exec {pmfd}<&-
	wait "$tpid" 2>/dev/null
	local rc=$?
	RUN_PID=
	if [ $rc != 0 ] || [ -z "$t1" ] || [ -z "$t2" ]; then
		bench_log "  $TARGET postmark failed (exit $rc): $(tail -n 3 "$TMP/postmark.out" | tr '\n' ' ')"
		record_fail postmark tx/s
	else
		local wall app=-
		wall=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.6f", b - a }')
		[ -n "$app1" ] && [ -n "$app2" ] &&
			app=$(awk -v a="$app1" -v b="$app2" -v h="$CLK_TCK" 'BEGIN { printf "%.3f", (b - a) / h }')
		record postmark ok "$(awk -v n="$PM_TX" -v w="$wall" 'BEGIN { printf "%.1f", n / w }')" tx/s \
			"$PM_TX" "$wall" "$app"
	fi
	rm -rf "$pm"
}

row_maildir() {
	local md=$TDIR/bench/maildir
	rm -rf "$md"
	if run_fsops maildir-deliver msgs/s maildir "$md" "$MAIL_MSGS" "$MAIL_WRITERS"; then
		run_fsops maildir-fetch msgs/s fetch "$md"
	else
		record_fail maildir-fetch msgs/s
	fi
	rm -rf "$md"
}

metrics_of() { # ROW: the metrics a row records
	case $1 in
	randread) echo randread-1j randread-2j ;;
	randwrite) echo randwrite-1j randwrite-2j ;;
	ls) echo ls-cold ls-warm ;;
	maildir) echo maildir-deliver maildir-fetch ;;
	*) echo "$1" ;;
	esac
}

# --- the run ------------------------------------------------------------------------------------------
# run_row TARGET ROW: one row on one target (or failures, if the target is down).
run_row() {
	local t=$1 row=$2 m why
	use_target "$t"
	if [ -z "${T_DOWN[$t]:-}" ] && ! why=$(target_alive); then
		T_DOWN[$t]=$why
		bench_log "$t is down: $why; its remaining rows this round fail"
	fi
	if [ -n "${T_DOWN[$t]:-}" ]; then
		for m in $(metrics_of "$row"); do record_fail "$m" -; done
		return
	fi
	"row_$row"
	T_SEQ[$t]=$SEQ_READY T_FILES[$t]=$FILES_READY
}

bench_log "results in $OUT; work dir $WORK"
bench_log "targets: $RUNNABLE; rows: $ROWS; rounds: $ROUNDS; interleave: $INTERLEAVE"
read -r -a TLIST <<<"$RUNNABLE"
NT=${#TLIST[@]}
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
	# Each round starts one target later, so no target always runs first or last.
	order=()
	for ((k = 0; k < NT; k++)); do order+=("${TLIST[$(((k + ROUND - 1) % NT))]}"); done
	if [ "$INTERLEAVE" = row ]; then
		# All targets up; each row runs on every target before the next row starts, so the
		# same row of different targets is measured minutes apart, not half an hour.
		for t in "${order[@]}"; do start_target "$t" "$ROUND" || T_DOWN[$t]="setup failed"; done
		for r in $ROWS; do
			for t in "${order[@]}"; do run_row "$t" "$r"; done
		done
		for t in "${order[@]}"; do stop_target "$t"; done
	else
		# One target at a time, all its rows, then the next.
		for t in "${order[@]}"; do
			start_target "$t" "$ROUND" || T_DOWN[$t]="setup failed"
			for r in $ROWS; do run_row "$t" "$r"; done
			stop_target "$t"
		done
	fi
done
bench_log "done"
