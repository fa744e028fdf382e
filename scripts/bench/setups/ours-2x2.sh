# SPDX-License-Identifier: GPL-3.0-or-later
# ours-2x2.sh: our volume, layout 2x2, one glusterfsd per loopback brick in the work dir
# (scripts/bench/lib.sh: bench_ours_setup), beside gluster-2x2.sh for the comparison.
BENCH_ORDER_ours_2x2=75

check_ours_2x2() { bench_ours_check; }
setup_ours_2x2() { bench_ours_setup 2x2 "$1"; }
teardown_ours_2x2() { bench_ours_teardown "$1"; }
