# SPDX-License-Identifier: GPL-3.0-or-later
# gluster-2x2.sh: Debian's GlusterFS 10.3, layout 2x2, on loopback bricks in the work dir,
# mounted with /usr/sbin/glusterfs (scripts/gluster103.sh does the work).
BENCH_ORDER_gluster_2x2=80

check_gluster_2x2() { bench_gluster103_check; }
setup_gluster_2x2() { bench_gluster103_setup 2x2 "$1"; }
teardown_gluster_2x2() { bench_gluster103_teardown "$1"; }
