#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# netns-rig-test.sh: proves scripts/netns-cluster.sh: two hosts ping each other, a TCP echo
# works across, cutting a host's link blocks both (and an established connection's data waits),
# restoring heals them (the waiting data arrives), the rig never reaches beyond itself, and
# `down` leaves no namespace or link behind (twice in a row, as a trap would).
# Exit status: 0 pass, 77 skip (the reason is the last line), anything else fail.
set -u
cd "$(dirname "$0")/../.." || exit 1
RIG=$PWD/scripts/netns-cluster.sh

skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "not root (network namespaces need CAP_SYS_ADMIN and CAP_NET_ADMIN)"
command -v ip >/dev/null || skip "ip (iproute2) is missing"
ip netns list >/dev/null 2>&1 || skip "'ip netns' does not work here"
command -v nsenter >/dev/null || skip "nsenter (util-linux) is missing"
CC=${CC:-cc}
command -v "$CC" >/dev/null || skip "no C compiler ($CC) for the test's network helper"
probe=nrtp$$
probe=${probe:0:8}
if ! ip link add "$probe" type bridge 2>/dev/null; then skip "cannot create a bridge (no bridge support)"; fi
ip link del "$probe"

export NETNS_CLUSTER=nrt$(($$ % 100000))
export NETNS_SUBNET=10.77.0
work=$(mktemp -d /tmp/netns-rig-test.XXXXXX)
cleanup() {
	[ -n "${CLIENT_PID:-}" ] && kill "$CLIENT_PID" 2>/dev/null
	"$RIG" down >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failed=0
check() { # DESCRIPTION COMMAND...
	if "${@:2}"; then
		echo "ok   $1"
	else
		echo "FAIL $1"
		failed=1
	fi
}
fails() { ! "$@"; }

# --- a small network helper: ICMP echo, TCP echo server and client with timeouts ---------------
cat >"$work/nettool.c" <<'EOF'
// nettool: ping ADDR COUNT TIMEOUT_MS | serve PORT | connect ADDR PORT TIMEOUT_MS
// connect: sends each stdin line, prints "echo: LINE" when it comes back, "timeout" if not.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long nowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static unsigned short csum(const void *p, int n) {
  const unsigned short *w = p;
  unsigned long s = 0;
  for (; n > 1; n -= 2) s += *w++;
  if (n) s += *(const unsigned char *)w;
  s = (s >> 16) + (s & 0xffff);
  s += s >> 16;
  return (unsigned short)~s;
}

static int cmdPing(const char *addr, int count, int timeoutMs) {
  int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
  if (s < 0) { perror("socket"); return 2; }
  struct sockaddr_in dst = {.sin_family = AF_INET};
  if (inet_pton(AF_INET, addr, &dst.sin_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
  unsigned short id = (unsigned short)getpid();
  int got = 0;
  for (int seq = 1; seq <= count; seq++) {
    struct { struct icmphdr h; char data[24]; } pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.h.type = ICMP_ECHO;
    pkt.h.un.echo.id = htons(id);
    pkt.h.un.echo.sequence = htons((unsigned short)seq);
    strcpy(pkt.data, "netns-rig-test");
    pkt.h.checksum = csum(&pkt, sizeof pkt);
    sendto(s, &pkt, sizeof pkt, 0, (struct sockaddr *)&dst, sizeof dst);
    long deadline = nowMs() + timeoutMs;
    for (;;) {
      long left = deadline - nowMs();
      if (left <= 0) break;
      struct pollfd p = {.fd = s, .events = POLLIN};
      if (poll(&p, 1, (int)left) <= 0) continue;
      char buf[1500];
      struct sockaddr_in from;
      socklen_t fl = sizeof from;
      ssize_t r = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
      if (r < (ssize_t)sizeof(struct iphdr)) continue;
      struct iphdr *ip = (struct iphdr *)buf;
      int hl = ip->ihl * 4;
      if (r < hl + (ssize_t)sizeof(struct icmphdr)) continue;
      struct icmphdr *h = (struct icmphdr *)(buf + hl);
      if (h->type == ICMP_ECHOREPLY && ntohs(h->un.echo.id) == id &&
          ntohs(h->un.echo.sequence) == seq && from.sin_addr.s_addr == dst.sin_addr.s_addr) {
        got++;
        break;
      }
    }
  }
  printf("%d/%d replies from %s\n", got, count, addr);
  return got == count ? 0 : 1;
}

static int cmdServe(int port) {
  int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 16) < 0) { perror("bind/listen"); return 2; }
  printf("listening on %d\n", port);
  fflush(stdout);
  struct pollfd fds[64] = {{.fd = ls, .events = POLLIN}};
  int n = 1;
  for (;;) {
    if (poll(fds, n, -1) < 0) { if (errno == EINTR) continue; return 2; }
    if ((fds[0].revents & POLLIN) && n < 64) {
      int c = accept(ls, NULL, NULL);
      if (c >= 0) fds[n++] = (struct pollfd){.fd = c, .events = POLLIN};
    }
    for (int i = 1; i < n; i++) {
      if (!fds[i].revents) continue;
      char buf[4096];
      ssize_t r = read(fds[i].fd, buf, sizeof buf);
      if (r <= 0 || write(fds[i].fd, buf, (size_t)r) != r) {
        close(fds[i].fd);
        fds[i--] = fds[--n];
      }
    }
  }
}

static int cmdConnect(const char *addr, int port, int timeoutMs) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
  if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) { fprintf(stderr, "bad address\n"); return 2; }
  fcntl(s, F_SETFL, O_NONBLOCK);
  if (connect(s, (struct sockaddr *)&a, sizeof a) < 0 && errno != EINPROGRESS) {
    printf("connect failed: %s\n", strerror(errno));
    return 2;
  }
  struct pollfd p = {.fd = s, .events = POLLOUT};
  if (poll(&p, 1, timeoutMs) <= 0) { printf("connect timed out\n"); return 2; }
  int err = 0;
  socklen_t el = sizeof err;
  getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &el);
  if (err) { printf("connect failed: %s\n", strerror(err)); return 2; }
  fcntl(s, F_SETFL, 0);
  printf("connected\n");
  fflush(stdout);
  char line[1024], back[1024];
  while (fgets(line, sizeof line, stdin)) {
    size_t len = strlen(line), got = 0;
    if (write(s, line, len) != (ssize_t)len) { printf("send failed\n"); return 1; }
    long deadline = nowMs() + timeoutMs;
    while (got < len) {
      long left = deadline - nowMs();
      struct pollfd q = {.fd = s, .events = POLLIN};
      if (left <= 0 || poll(&q, 1, (int)left) <= 0) { printf("timeout\n"); fflush(stdout); return 1; }
      ssize_t r = read(s, back + got, len - got);
      if (r <= 0) { printf("closed\n"); return 1; }
      got += (size_t)r;
    }
    printf("echo: %.*s", (int)len, back);
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 5 && !strcmp(argv[1], "ping")) return cmdPing(argv[2], atoi(argv[3]), atoi(argv[4]));
  if (argc == 3 && !strcmp(argv[1], "serve")) return cmdServe(atoi(argv[2]));
  if (argc == 5 && !strcmp(argv[1], "connect")) return cmdConnect(argv[2], atoi(argv[3]), atoi(argv[4]));
  fprintf(stderr, "usage: nettool ping ADDR COUNT TIMEOUT_MS | serve PORT | connect ADDR PORT TIMEOUT_MS\n");
  return 2;
}
EOF
"$CC" -O1 -Wall -o "$work/nettool" "$work/nettool.c" || { echo "FAIL: cannot compile the network helper"; exit 1; }
NT=$work/nettool

# --- the rig, command-line form -------------------------------------------------------------------
echo "== rig $NETNS_CLUSTER: up 2 (command-line form)"
check "up 2" "$RIG" up 2 || exit 1
"$RIG" list
check "list shows two hosts" test "$("$RIG" list | wc -l)" = 2
A1=$("$RIG" addr h1) A2=$("$RIG" addr h2)
check "addresses are $NETNS_SUBNET.1 and .2" test "$A1 $A2" = "$NETNS_SUBNET.1 $NETNS_SUBNET.2"

# --- the rest through the sourced functions --------------------------------------------------------
# shellcheck source=../../scripts/netns-cluster.sh
. "$RIG"
echo "== nothing reaches beyond the rig"
check "bridge has no IPv4 address" test -z "$(ip -4 -o addr show dev "$NETNS_CLUSTER-br")"
check "the machine has no route into the rig" test -z "$(ip route show dev "$NETNS_CLUSTER-br")"
for h in h1 h2; do
	check "$h has no default route" test -z "$(ip -n "$(netns_ns $h)" route show default)"
	check "$h's only routes are the rig subnet" \
		test "$(ip -n "$(netns_ns $h)" -4 route show | awk '{ print $1 }' | sort -u)" = "$NETNS_SUBNET.0/24"
done

echo "== ping"
check "h1 pings h2" netns_exec h1 "$NT" ping "$A2" 3 2000
check "h2 pings h1" netns_exec h2 "$NT" ping "$A1" 3 2000

echo "== TCP"
netns_exec h2 "$NT" serve 7777 >"$work/server.out" 2>&1 &
for _ in $(seq 1 50); do grep -qs listening "$work/server.out" && break; sleep 0.1; done
check "echo server listens in h2" grep -q listening "$work/server.out"
rig_pids=$(ip netns pids "$(netns_ns h2)")
check "the server runs inside h2's namespace" test -n "$rig_pids"
check "a fresh connection from h1 echoes" bash -c "echo hello | '$RIG' exec h1 '$NT' connect $A2 7777 3000 | grep -qx 'echo: hello'"
# A long-lived connection from h1, driven line by line.
coproc CLIENT { netns_exec h1 "$NT" connect "$A2" 7777 30000; }
IFS= read -r -t 5 -u "${CLIENT[0]}" line
check "long-lived connection established" test "${line:-}" = connected
echo before >&"${CLIENT[1]}"
IFS= read -r -t 5 -u "${CLIENT[0]}" line
check "long-lived connection echoes" test "${line:-}" = "echo: before"
rig_pids="$rig_pids $(ip netns pids "$(netns_ns h1)")"

echo "== a FUSE mount made inside a host is visible to the test (shared mount namespace)"
if command -v bindfs >/dev/null && [ -c /dev/fuse ]; then
	mkdir -p "$work/src" "$work/mnt"
	echo visible >"$work/src/probe"
	before=$(ip netns pids "$(netns_ns h1)" | wc -l)
	if netns_exec h1 bindfs "$work/src" "$work/mnt"; then
		check "mount from h1 appears outside" grep -q " $work/mnt fuse" /proc/self/mounts
		check "its files are readable outside" grep -qx visible "$work/mnt/probe"
		check "its daemon runs in h1's namespace" test "$(ip netns pids "$(netns_ns h1)" | wc -l)" -gt "$before"
		umount "$work/mnt"
	else
		check "bindfs mounts from inside h1" false
	fi
else
	echo "skip (bindfs or /dev/fuse missing)"
fi

echo "== cut h2"
check "cut h2" netns_cut h2
"$RIG" list
check "list shows h2 cut" bash -c "'$RIG' list | grep -q '^h2.*cut'"
check "h1 can no longer ping h2" fails netns_exec h1 "$NT" ping "$A2" 2 700
check "a fresh connection from h1 to h2 fails" fails netns_exec h1 "$NT" connect "$A2" 7777 2000 </dev/null
check "h2 cannot ping h1 either" fails netns_exec h2 "$NT" ping "$A1" 1 700
echo during-cut >&"${CLIENT[1]}"
line=
IFS= read -r -t 2 -u "${CLIENT[0]}" line
check "data on the established connection does not get through" test -z "${line:-}"

echo "== restore h2"
check "restore h2" netns_restore h2
IFS= read -r -t 25 -u "${CLIENT[0]}" line
check "the waiting data arrives after the restore (TCP retransmission)" test "${line:-}" = "echo: during-cut"
check "h1 pings h2 again" netns_exec h1 "$NT" ping "$A2" 3 2000
check "a fresh connection from h1 echoes again" bash -c "echo again | '$RIG' exec h1 '$NT' connect $A2 7777 3000 | grep -qx 'echo: again'"
eval "exec ${CLIENT[1]}>&-"  # close the client's stdin: it ends

echo "== down"
check "down" "$RIG" down
check "no namespace of the rig left" test -z "$(ip netns list | grep "^$NETNS_CLUSTER-")"
check "no link of the rig left" test -z "$(ip -o link show | grep "$NETNS_CLUSTER-")"
gone() { # PID...: none of them alive (zombies count as gone)
	local p s
	for p in "$@"; do
		read -r s 2>/dev/null </proc/"$p"/stat || continue
		s=${s##*) }
		[[ ${s:0:1} == Z ]] || return 1
	done
}
# shellcheck disable=SC2086
check "no process of the rig left (server, client: $(echo $rig_pids))" gone $rig_pids
check "down again is a no-op" "$RIG" down
check "exec into a removed host fails cleanly" fails netns_exec h1 true 2>/dev/null

if [ $failed = 0 ]; then
	echo "netns-rig-test: PASS"
	exit 0
fi
echo "netns-rig-test: FAIL"
exit 1
