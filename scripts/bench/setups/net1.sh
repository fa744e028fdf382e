# SPDX-License-Identifier: GPL-3.0-or-later
# net1.sh: our one-brick network volume on loopback: glusterfsd exporting storage/posix +
# features/locks + performance/io-threads through protocol/server on 127.0.0.1, mounted by our
# glusterfs client over protocol/client (tcp). CPU is counted for the client and the brick.
BENCH_ORDER_net1=55

check_net1() { bench_ours_check; }

setup_net1() {
	local wd=$1 port spid
	port=$(bench_free_port)
	mkdir -p "$wd/brick" "$wd/mnt" || return 1
	gf_brick_server_vol "$wd/brick" 127.0.0.1 "$port" 127.0.0.1 16 >"$wd/server.vol"
	gf_client_vol 127.0.0.1 "$port" >"$wd/client.vol"
	"$BENCH_BUILD/bin/glusterfsd" -f "$wd/server.vol" -l "$wd/server.log" -p "$wd/server.pid" \
		</dev/null >"$wd/server.out" 2>&1 || { cat "$wd/server.out" >&2; return 1; }
	spid=$(cat "$wd/server.pid" 2>/dev/null)
	bench_pid_alive "$spid" || { echo "no live glusterfsd pid in $wd/server.pid" >&2; return 1; }
	bench_ours_mount "$wd" "$wd/client.vol" || return 1
	echo "dir $wd/mnt"
	echo "pid brick $spid"
	echo "note our glusterfsd (posix + locks + io-threads 16 + protocol/server) and glusterfs" \
		"client (protocol/client, FUSE: $(bench_fuse_flavour "$BENCH_BUILD/bin/glusterfs"))," \
		"one brick over tcp on 127.0.0.1"
}

teardown_net1() {
	local wd=$1 spid
	bench_unmount "$wd/mnt" "$(cat "$wd/client.pid" 2>/dev/null)"
	spid=$(cat "$wd/server.pid" 2>/dev/null)
	if bench_pid_alive "$spid"; then
		kill -TERM "$spid"
		bench_wait_exit "$spid" 10 || kill -KILL "$spid"
	fi
	return 0
}
