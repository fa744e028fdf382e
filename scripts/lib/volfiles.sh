# SPDX-License-Identifier: GPL-3.0-or-later
# volfiles.sh: the one-brick volfiles that tests and benchmarks write, in one place (sourced).
#
#   gf_brick_server_vol DIR ADDR PORT ALLOW [THREADS [SERVER-OPTION...]]
#     storage/posix on DIR + features/locks + performance/io-threads (THREADS, default 8),
#     exported as "brick" by protocol/server on ADDR:PORT to the addresses ALLOW; each further
#     argument ("key value") is one more protocol/server option.
#   gf_replica_brick_server_vol INDEXDIR DIR ADDR PORT ALLOW [THREADS [SERVER-OPTION...]]
#     the same with features/index (index-base INDEXDIR, outside the brick) between posix and
#     locks: the bricks of a cluster/replicate volume, whose self-heal works from that index.
#   gf_client_vol HOST PORT [CLIENT-OPTION...]
#     protocol/client "remote" for that brick; further arguments are protocol/client options.

gf_brick_server_vol() { _gf_server_vol "" "$@"; }
gf_replica_brick_server_vol() { _gf_server_vol "$@"; }

_gf_server_vol() {
	local index=$1 dir=$2 addr=$3 port=$4 allow=$5 threads=${6:-8} o below=posix
	shift 5
	[ $# -gt 0 ] && shift
	cat <<VOL
volume posix
  type storage/posix
  option directory $dir
end-volume

VOL
	if [ -n "$index" ]; then
		below=index
		cat <<VOL
volume index
  type features/index
  option index-base $index
  subvolumes posix
end-volume

VOL
	fi
	cat <<VOL
volume locks
  type features/locks
  subvolumes $below
end-volume

volume brick
  type performance/io-threads
  option thread-count $threads
  subvolumes locks
end-volume

volume server
  type protocol/server
  option transport-type tcp
  option bind-address $addr
  option listen-port $port
  option auth.addr.brick.allow $allow
VOL
	for o in "$@"; do echo "  option $o"; done
	printf '  subvolumes brick\nend-volume\n'
}

gf_client_vol() {
	local host=$1 port=$2 o
	shift 2
	cat <<VOL
volume remote
  type protocol/client
  option transport-type tcp
  option remote-host $host
  option remote-port $port
  option remote-subvolume brick
VOL
	for o in "$@"; do echo "  option $o"; done
	echo "end-volume"
}
