#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# vm-guest-smoke.sh: runs inside the QEMU guest (busybox sh, Debian's stock 6.1 fuse module):
# our statically linked passthrough example mounts and serves read, write, readdir, rename and
# mmap, with the default options and with options the old kernel lacks (--io-uring,
# --passthrough), which must fall back cleanly. Prints PASS/FAIL lines; exits with the failures.
fails=0
check() { # check DESCRIPTION SHELL-CONDITION
	if eval "$2"; then echo "PASS $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
mounted() { grep -q " $1 fuse" /proc/mounts; }

smoke() { # smoke LABEL [passthrough options...]
	label=$1
	shift
	rm -rf /src /mnt /tmp/st
	mkdir -p /src /mnt
	echo hello >/src/a
	/opt/bin/passthrough-static -f --stats /tmp/st "$@" /src /mnt 2>/tmp/pt.err &
	pid=$!
	i=0
	while [ $i -lt 100 ] && ! mounted /mnt; do sleep 0.1; i=$((i + 1)); done
	check "$label: mounted" "mounted /mnt"
	mounted /mnt || { cat /tmp/pt.err; return; }
	check "$label: read" '[ "$(cat /mnt/a)" = hello ]'
	dd if=/dev/urandom of=/tmp/data bs=1024 count=3000 2>/dev/null
	cp /tmp/data /mnt/data
	check "$label: write (3 MB through the mount equals the source)" \
		"cmp /tmp/data /src/data && cmp /tmp/data /mnt/data"
	for n in $(seq 1 500); do : >/mnt/f$n; done
	check "$label: readdir lists 500 new entries" '[ "$(ls /mnt | grep -c "^f")" = 500 ]'
	mv /mnt/data /mnt/data2
	check "$label: rename" "[ -e /src/data2 ] && [ ! -e /src/data ] && cmp /tmp/data /mnt/data2"
	check "$label: shared mmap write is read back" "/opt/bin/mmap_probe /mnt/m"
	kill -USR1 $pid
	sleep 0.5
	check "$label: INIT falls back to the 6.1 protocol (7.38)" "grep -q 'proto=7.38' /tmp/st"
	check "$label: no io_uring queues on 6.1" "grep -q 'uring_queues=0' /tmp/st"
	check "$label: no request dropped or malformed" \
		"grep -q 'malformed=0 dropped=0' /tmp/st"
	umount /mnt
	wait $pid
	check "$label: umount ends the daemon with status 0" "[ $? = 0 ]"
	sed -n 1,2p /tmp/st
}

echo "kernel $(uname -r)"
smoke default
smoke "--io-uring --passthrough --splice" --io-uring --passthrough --splice
echo "RESULT: $fails failure(s)"
exit $fails
