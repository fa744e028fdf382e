#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# run.sh: builds every libFuzzer target (tests/fuzz/*_fuzz.cc -> BUILD/fuzz/NAME) and runs each
# for its share of a bounded time budget, starting from its seed corpus.
#
#   tests/fuzz/run.sh [--build DIR] [--seconds TOTAL] [--only NAME]
#
# Exit status: 0 no target failed, 77 skipped (no libFuzzer here; the last line says why),
# 1 a target crashed, leaked, timed out on an input, or did not build. Crash inputs are kept
# in BUILD/fuzz/artifacts/; each target's corpus grows in BUILD/fuzz/corpus/NAME/.
# Targets that know how write seeds from valid encodings into $GF_FUZZ_SEED_DIR at start-up;
# committed seeds in tests/fuzz/seeds/NAME/ are read as well.
set -u
cd "$(dirname "$0")/../.."

build=build
total=${FUZZ_SECONDS:-60}
only=
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--seconds) total=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	*) echo "fuzz/run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

if ! grep -qs '^HAVE_FUZZER := yes' config.mk; then
	echo "skip: libFuzzer is not available (./configure found no clang with -fsanitize=fuzzer)"
	exit 77
fi

names=()
for src in tests/fuzz/*_fuzz.cc; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .cc)
	[ -z "$only" ] || [ "$only" = "$name" ] || continue
	names+=("$name")
done
if [ ${#names[@]} -eq 0 ]; then
	echo "skip: no fuzz targets in tests/fuzz"
	exit 77
fi

targets=()
for name in "${names[@]}"; do targets+=("$build/fuzz/$name"); done
echo "fuzz: building ${targets[*]}"
if ! make --no-print-directory -j2 BUILD="$build" "${targets[@]}"; then
	echo "fuzz: FAIL: the fuzz targets did not build"
	exit 1
fi

per=$((total / ${#names[@]}))
[ "$per" -ge 5 ] || per=5
mkdir -p "$build/fuzz/artifacts"
failed=0
for name in "${names[@]}"; do
	corpus=$build/fuzz/corpus/$name
	log=$build/fuzz/$name.log
	mkdir -p "$corpus"
	dirs=("$corpus")
	[ -d "tests/fuzz/seeds/$name" ] && dirs+=("tests/fuzz/seeds/$name")
	echo "fuzz: $name for ${per}s (corpus $corpus)"
	GF_FUZZ_SEED_DIR=$corpus ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$build/fuzz/$name" -max_total_time="$per" -timeout=20 -rss_limit_mb=2560 \
		-print_final_stats=1 -artifact_prefix="$build/fuzz/artifacts/$name-" "${dirs[@]}" \
		>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
	if [ "$rc" -ne 0 ]; then
		tail -n 60 "$log"
		echo "fuzz: $name: FAIL (exit $rc after ${execs:-?} runs; log $log; inputs in $build/fuzz/artifacts/)"
		failed=1
	else
		echo "fuzz: $name: ok, ${execs:-?} runs in ${per}s, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) inputs"
	fi
done
exit $failed
