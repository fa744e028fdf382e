#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# netns-cluster.sh: a multi-host test rig on one machine: N network namespaces ("hosts") joined
# by veth pairs to one bridge on a private subnet. The bridge has no address and the hosts no
# default route, so nothing is routed beyond the rig.
#
#   netns-cluster.sh up N              create hosts h1..hN with addresses SUBNET.1..SUBNET.N/24
#                                      (an earlier rig of the same name is removed first)
#   netns-cluster.sh down              remove the rig: processes left in its hosts, namespaces,
#                                      links, bridge (idempotent; safe in a trap after a failure)
#   netns-cluster.sh exec HOST CMD...  run CMD in HOST's network namespace; the mount namespace
#                                      stays shared, so a FUSE mount made there is seen outside
#   netns-cluster.sh cut HOST          pull HOST's cable (its veth goes down: no carrier)
#   netns-cluster.sh restore HOST      plug it back in and wait for the carrier
#   netns-cluster.sh list              hosts with address and link state
#   netns-cluster.sh addr HOST         HOST's address
#   netns-cluster.sh pids HOST         processes running in HOST's namespace
#
# HOST is h1..hN (or just the number). Environment: NETNS_CLUSTER names the rig (default gfn;
# 1-8 of [a-z0-9]; interfaces are NAME-br and NAME-hI, namespaces NAME-hI), NETNS_SUBNET is the
# first three octets of the /24 (default 10.77.0). Different names give independent rigs.
#
# Sourced from bash (`. scripts/netns-cluster.sh`) it only defines functions: netns_up N,
# netns_down, netns_exec HOST CMD..., netns_cut HOST, netns_restore HOST, netns_list,
# netns_addr HOST, netns_pids HOST, netns_ns HOST (the namespace name).

_netns_name() { echo "${NETNS_CLUSTER:-gfn}"; }
_netns_subnet() { echo "${NETNS_SUBNET:-10.77.0}"; }

_netns_err() {
	echo "netns-cluster: $*" >&2
	return 1
}

_netns_check() {
	local name subnet
	name=$(_netns_name) subnet=$(_netns_subnet)
	[[ $name =~ ^[a-z0-9]{1,8}$ ]] || _netns_err "NETNS_CLUSTER '$name' must be 1-8 of [a-z0-9]" || return 1
	[[ $subnet =~ ^(10|192\.168|172\.(1[6-9]|2[0-9]|3[01]))(\.[0-9]{1,3}){1,2}$ ]] &&
		[ "$(echo "$subnet" | tr -cd . | wc -c)" = 2 ] ||
		_netns_err "NETNS_SUBNET '$subnet' must be three octets of a private range (e.g. 10.77.0)" || return 1
	[ "$(id -u)" = 0 ] || _netns_err "must run as root" || return 1
	command -v ip >/dev/null || _netns_err "ip (iproute2) is missing" || return 1
	command -v nsenter >/dev/null || _netns_err "nsenter (util-linux) is missing" || return 1
}

# netns_ns HOST: the namespace name of HOST (h3, 3 or the full name).
netns_ns() {
	local name h=${1:-}
	name=$(_netns_name)
	case $h in
	"$name"-h[0-9]*) echo "$h" ;;
	h[0-9]*) echo "$name-$h" ;;
	[0-9]*) echo "$name-h$h" ;;
	*) _netns_err "bad host '$h' (h1, h2, ...)" ;;
	esac
}

_netns_index() { local ns; ns=$(netns_ns "$1") || return 1; echo "${ns##*-h}"; }

_netns_exists() { [ -e "/run/netns/$1" ]; }

# _netns_hosts: the namespaces of this rig, in host order.
_netns_hosts() {
	local name
	name=$(_netns_name)
	ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^$name-h[0-9]+$" |
		awk -F'-h' '{ print $NF, $0 }' | sort -n | cut -d' ' -f2
}

netns_addr() {
	local i
	i=$(_netns_index "$1") || return 1
	echo "$(_netns_subnet).$i"
}

netns_pids() {
	local ns
	ns=$(netns_ns "$1") || return 1
	_netns_exists "$ns" || _netns_err "no host $1" || return 1
	ip netns pids "$ns" 2>/dev/null
}

netns_exec() {
	local ns
	ns=$(netns_ns "${1:-}") || return 1
	shift
	[ $# -gt 0 ] || _netns_err "exec: no command" || return 1
	_netns_exists "$ns" || _netns_err "no host $ns (run: up N)" || return 1
	nsenter --net="/run/netns/$ns" -- "$@"
}

# _netns_kill_in NS: ends the processes left in a namespace (TERM, then KILL), by their ids.
_netns_kill_in() {
	local ns=$1 pids pid i s
	pids=$(ip netns pids "$ns" 2>/dev/null)
	[ -n "$pids" ] || return 0
	kill -TERM $pids 2>/dev/null
	for ((i = 0; i < 30; i++)); do
		local alive=
		for pid in $pids; do
			read -r s 2>/dev/null </proc/"$pid"/stat || continue
			s=${s##*) }
			[[ ${s:0:1} == Z ]] || alive="$alive $pid"
		done
		[ -n "$alive" ] || return 0
		pids=$alive
		sleep 0.1
	done
	kill -KILL $pids 2>/dev/null
	return 0
}

netns_down() {
	_netns_check || return 1
	local name ns link
	name=$(_netns_name)
	for ns in $(_netns_hosts); do
		_netns_kill_in "$ns"
		ip netns del "$ns" 2>/dev/null || _netns_err "cannot delete namespace $ns"
	done
	# Root-side veth ends vanish with their namespaces; remove any leftovers and the bridge.
	for link in $(ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }' | sed 's/@.*//' |
		grep -E "^$name-(h[0-9]+|br)$"); do
		# A veth may vanish on its own meanwhile, as its namespace goes.
		ip link del "$link" 2>/dev/null || ! ip link show "$link" >/dev/null 2>&1 ||
			_netns_err "cannot delete link $link"
	done
	rm -rf "/run/netns-cluster/$name"
	[ -z "$(_netns_hosts)" ] && ! ip link show "$name-br" >/dev/null 2>&1
}

netns_up() {
	local n=${1:-} name subnet br i ns veth
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 250 ] ||
		_netns_err "up: give a host count from 1 to 250" || return 1
	_netns_check || return 1
	ip netns list >/dev/null 2>&1 || _netns_err "'ip netns' does not work here" || return 1
	name=$(_netns_name) subnet=$(_netns_subnet) br=$(_netns_name)-br
	netns_down >/dev/null 2>&1
	ip link add "$br" type bridge || _netns_err "cannot create bridge $br" || return 1
	# The machine itself takes no part: no IPv4 address, no IPv6 either.
	sysctl -qw "net.ipv6.conf.$br.disable_ipv6=1" 2>/dev/null
	ip link set "$br" up || { netns_down; _netns_err "cannot bring $br up"; return 1; }
	mkdir -p "/run/netns-cluster/$name"
	: >"/run/netns-cluster/$name/hosts"
	for ((i = 1; i <= n; i++)); do
		ns=$name-h$i veth=$name-h$i
		if ! { ip netns add "$ns" &&
			ip link add "$veth" type veth peer name eth0 netns "$ns" &&
			ip link set "$veth" master "$br" &&
			sysctl -qw "net.ipv6.conf.$veth.disable_ipv6=1" &&
			ip link set "$veth" up &&
			ip -n "$ns" link set lo up &&
			ip -n "$ns" addr add "$subnet.$i/24" dev eth0 &&
			ip -n "$ns" link set eth0 up; }; then
			netns_down
			_netns_err "cannot create host h$i"
			return 1
		fi
		echo "h$i $subnet.$i" >>"/run/netns-cluster/$name/hosts"
	done
	for ((i = 1; i <= n; i++)); do
		_netns_wait_carrier "$name-h$i" || { netns_down; _netns_err "h$i has no carrier"; return 1; }
	done
}

_netns_wait_carrier() {
	local ns=$1 i
	for ((i = 0; i < 50; i++)); do
		ip -n "$ns" -o link show eth0 2>/dev/null | grep -q 'LOWER_UP' && return 0
		sleep 0.1
	done
	return 1
}

netns_cut() {
	local ns
	ns=$(netns_ns "${1:-}") || return 1
	_netns_exists "$ns" || _netns_err "no host $ns" || return 1
	ip link set "$ns" down
}

netns_restore() {
	local ns
	ns=$(netns_ns "${1:-}") || return 1
	_netns_exists "$ns" || _netns_err "no host $ns" || return 1
	ip link set "$ns" up && _netns_wait_carrier "$ns"
}

netns_list() {
	local ns state i
	for ns in $(_netns_hosts); do
		i=${ns##*-h}
		if ip -o link show "$ns" 2>/dev/null | grep -q '[<,]UP[,>]'; then state="up"; else state="cut"; fi
		printf 'h%s\t%s\t%s\t%s\n' "$i" "$(_netns_subnet).$i" "$state" "$ns"
	done
}

# Sourced: only the functions.
if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
	return 0
fi

set -u
cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
up) netns_up "$@" ;;
down) netns_down ;;
exec) netns_exec "$@" ;;
cut) netns_cut "$@" ;;
restore) netns_restore "$@" ;;
list) netns_list ;;
addr) netns_addr "$@" ;;
pids) netns_pids "$@" ;;
*)
	sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
