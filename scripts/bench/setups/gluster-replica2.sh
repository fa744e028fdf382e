# SPDX-License-Identifier: GPL-3.0-or-later
# gluster-replica2.sh: Debian's GlusterFS 10.3, layout replica2, on loopback bricks in the work dir,
# mounted with /usr/sbin/glusterfs (scripts/gluster103.sh does the work).
BENCH_ORDER_gluster_replica2=70

check_gluster_replica2() { bench_gluster103_check; }
setup_gluster_replica2() { bench_gluster103_setup replica2 "$1"; }
teardown_gluster_replica2() { bench_gluster103_teardown "$1"; }
