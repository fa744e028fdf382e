# SPDX-License-Identifier: GPL-3.0-or-later
# gluster-1brick.sh: Debian's GlusterFS 10.3, layout 1brick, on loopback bricks in the work dir,
# mounted with /usr/sbin/glusterfs (scripts/gluster103.sh does the work).
BENCH_ORDER_gluster_1brick=60

check_gluster_1brick() { bench_gluster103_check; }
setup_gluster_1brick() { bench_gluster103_setup 1brick "$1"; }
teardown_gluster_1brick() { bench_gluster103_teardown "$1"; }
