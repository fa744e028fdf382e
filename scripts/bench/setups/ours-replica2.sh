# SPDX-License-Identifier: GPL-3.0-or-later
# ours-replica2.sh: our volume, layout replica2, one glusterfsd per loopback brick in the work dir
# (scripts/bench/lib.sh: bench_ours_setup), beside gluster-replica2.sh for the comparison.
BENCH_ORDER_ours_replica2=65

check_ours_replica2() { bench_ours_check; }
setup_ours_replica2() { bench_ours_setup replica2 "$1"; }
teardown_ours_replica2() { bench_ours_teardown "$1"; }
