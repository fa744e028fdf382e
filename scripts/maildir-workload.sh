#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# maildir-workload.sh: delivers messages into maildirs the way an MTA does (write into tmp/,
# fsync, rename into new/), then reads them back as a mail client would (list new/, move to
# cur/ with a flag, read, verify the checksum recorded at delivery).
#
#   maildir-workload.sh deliver SPOOL WRITER-ID COUNT [MAILBOXES [FIRST]]  one delivering process
#                                   (message i goes to mailbox (i + FIRST) % MAILBOXES)
#   maildir-workload.sh verify SPOOL MANIFEST...                    check every delivered message
# `deliver` prints one manifest line per message: "mailbox/name sha256".
set -euo pipefail

cmd=${1:-}
case $cmd in
deliver)
	spool=$2 writer=$3 count=$4 boxes=${5:-4} first=${6:-0}
	host=$(hostname -s 2>/dev/null || echo host)
	for i in $(seq 1 "$count"); do
		u=$(((i + first) % boxes))
		box=$spool/user$u
		mkdir -p "$box/tmp" "$box/new" "$box/cur"
		name="$(date +%s).M${i}P$$W${writer}.$host"
		tmp=$box/tmp/$name
		{
			printf 'From: sender%s@example.org\nTo: user%s@example.org\n' "$i" "$u"
			printf 'Subject: message %s from writer %s\n\n' "$i" "$writer"
			head -c $((512 + (i * 397) % 8192)) /dev/urandom | base64
		} >"$tmp"
		sync "$tmp"  # fsync(2) before the message counts as delivered
		mv "$tmp" "$box/new/$name"
		echo "user$u/$name $(sha256sum <"$box/new/$name" | cut -d' ' -f1)"
	done
	;;
verify)
	spool=$2
	shift 2
	missing=0 bad=0 total=0
	while read -r msg sum; do
		total=$((total + 1))
		box=${msg%%/*} name=${msg#*/}
		f=$spool/$box/new/$name
		# A reader moves new mail to cur/ with the Seen flag, then reads it there.
		if [ -f "$f" ]; then mv "$f" "$spool/$box/cur/$name:2,S"; fi
		f=$spool/$box/cur/$name:2,S
		if [ ! -f "$f" ]; then missing=$((missing + 1)); echo "missing: $msg" >&2; continue; fi
		[ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$sum" ] || { bad=$((bad + 1)); echo "corrupt: $msg" >&2; }
	done < <(cat "$@")
	dup=$(cat "$@" | cut -d' ' -f1 | sort | uniq -d | wc -l)
	stored=$(find "$spool" -path '*/cur/*' -type f | wc -l)
	echo "messages: $total delivered, $stored stored, $missing missing, $bad corrupt, $dup duplicated"
	[ $missing = 0 ] && [ $bad = 0 ] && [ $dup = 0 ] && [ "$stored" = "$total" ]
	;;
*)
	sed -n '3,10p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
