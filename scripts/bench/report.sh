#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# report.sh RUNDIR: turns a bench run (raw.tsv, params.tsv, targets.tsv) into markdown tables:
# medians per row and target with the ratio to native, target CPU per operation, and a detail
# table with spread, the CPU split by process group and the benchmark's own CPU.
set -u
export LC_ALL=C
dir=${1:-}
[ -n "$dir" ] && [ -f "$dir/raw.tsv" ] || { echo "usage: report.sh RUNDIR (with raw.tsv)" >&2; exit 2; }
baseline=${BENCH_BASELINE:-native}

param() { awk -F'\t' -v k="$1" '$1 == k { print $2 }' "$dir/params.tsv" 2>/dev/null; }

echo "# Benchmark run $(param date)"
echo
echo "- git $(param git); $(param host); load average at start $(param load_start), at end $(param load_end); run took $(param duration)"
case $(param interleave) in
target) how="one target after another within a round" ;;
*) how="all targets up together, each row run on every target before the next row" ;;
esac
echo "- $(param rounds) round(s), $how; each round starts one target later; values are medians over the rounds that succeeded"
echo "- sizes: $(param sizes)"
echo "- ×native = speed relative to the $baseline directory (higher is better); CPU/op = utime+stime of the target's own processes (client, bricks, self-heal daemon) per operation, in µs; app = the benchmark processes' own CPU per operation"
echo
echo "Targets:"
for t in $(param targets); do
	note=$(awk -F'\t' -v t="$t" '$1 == t && $2 == "note" { print $3; exit }' "$dir/targets.tsv" 2>/dev/null)
	echo "- **$t**: ${note:-(no description)}"
done
awk -F'\t' '$2 == "skipped" { printf "- **%s**: skipped: %s\n", $1, $3 }' "$dir/targets.tsv" 2>/dev/null
echo

awk -F'\t' -v targets="$(param targets)" -v base="$baseline" -v files="$(param sizes | sed -n 's/.*files \([0-9]*\) x.*/\1/p')" '
function median(list,   a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
	if (n == 0) return ""
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function minmax(list,   a, n, i, lo, hi) {
	n = split(list, a, " "); lo = a[1]; hi = a[1]
	for (i = 2; i <= n; i++) { if (a[i] + 0 < lo + 0) lo = a[i]; if (a[i] + 0 > hi + 0) hi = a[i] }
	return lo " " hi
}
function fmt(v) {
	if (v == "") return "-"
	if (v + 0 >= 100) return sprintf("%.0f", v)
	if (v + 0 >= 10) return sprintf("%.1f", v)
	return sprintf("%.2f", v)
}
function fmtus(v) {
	if (v == "") return "-"
	if (v + 0 >= 10) return sprintf("%.0f", v)
	return sprintf("%.1f", v)
}
BEGIN {
	nt = split(targets, T, " ")
	label["seqwrite"] = "seq write, 1 MiB blocks (+fsync)"
	label["seqread"] = "seq read, 1 MiB blocks (cold)"
	label["randread-1j"] = "random read 4 KiB, 1 job (cold)"
	label["randread-2j"] = "random read 4 KiB, 2 jobs (cold)"
	label["randwrite-1j"] = "random write 4 KiB, 1 job (+fsync)"
	label["randwrite-2j"] = "random write 4 KiB, 2 jobs (+fsync)"
	label["create"] = "create 4 KiB files"
	label["stat"] = "stat files"
	label["read"] = "read 4 KiB files"
	label["ls-cold"] = "ls -l " files " entries, cold"
	label["ls-warm"] = "ls -l " files " entries, warm"
	label["unlink"] = "unlink files"
	label["postmark"] = "postmark transactions"
	label["maildir-deliver"] = "maildir deliver (tmp, fsync, rename)"
	label["maildir-fetch"] = "maildir fetch (read, unlink)"
}
NR == 1 { next }
{
	t = $2; m = $3
	if (!(m in seen)) { seen[m] = 1; M[++nm] = m }
	if ($6 != "-" && $6 != "") unit[m] = $6
	runs[t, m]++
	if ($4 != "ok") { failed[t, m]++; next }
	ok[t, m]++
	val[t, m] = val[t, m] " " $5
	if ($10 != "-" && $7 > 0) cpu[t, m] = cpu[t, m] " " ($10 * 1e6 / $7)
	if ($9 != "-" && $7 > 0) app[t, m] = app[t, m] " " ($9 * 1e6 / $7)
	if ($11 != "-" && $7 > 0) {
		ns = split($11, parts, ",")
		for (i = 1; i <= ns; i++) {
			split(parts[i], kv, "=")
			if (!((t, m, kv[1]) in split_seen)) { split_seen[t, m, kv[1]] = 1; SL[t, m] = SL[t, m] " " kv[1] }
			sp[t, m, kv[1]] = sp[t, m, kv[1]] " " (kv[2] * 1e6 / $7)
		}
	}
}
END {
	for (i = 1; i <= nm; i++) for (j = 1; j <= nt; j++) {
		k = T[j] SUBSEP M[i]
		med[k] = median(val[k])
	}
	has_base = 0
	for (j = 1; j <= nt; j++) if (T[j] == base) has_base = 1

	print "## Throughput (median; ×native in brackets)"
	print ""
	h = "| row | unit |"; s = "|---|---|"
	for (j = 1; j <= nt; j++) { h = h " " T[j] " |"; s = s "---:|" }
	print h; print s
	for (i = 1; i <= nm; i++) {
		m = M[i]; line = "| " (m in label ? label[m] : m) " | " unit[m] " |"
		for (j = 1; j <= nt; j++) {
			k = T[j] SUBSEP m
			if (med[k] == "") { line = line " " ((k in runs) ? "FAIL" : "-") " |"; continue }
			cell = fmt(med[k])
			b = base SUBSEP m
			if (has_base && T[j] != base && med[b] != "" && med[b] > 0) cell = cell sprintf(" (%.3g×)", med[k] / med[b])
			if (failed[k]) cell = cell " [" failed[k] " failed]"
			line = line " " cell " |"
		}
		print line
	}
	print ""
	print "## CPU per operation of the target processes, µs (median)"
	print ""
	h = "| row |"; s = "|---|"
	for (j = 1; j <= nt; j++) { h = h " " T[j] " |"; s = s "---:|" }
	print h; print s
	for (i = 1; i <= nm; i++) {
		m = M[i]; line = "| " (m in label ? label[m] : m) " |"
		for (j = 1; j <= nt; j++) {
			k = T[j] SUBSEP m
			line = line " " fmtus(median(cpu[k])) " |"
		}
		print line
	}
	print ""
	print "## Detail"
	print ""
	print "| row | target | median | unit | min .. max | spread | ×native | target CPU µs/op | by process group | app CPU µs/op | rounds ok |"
	print "|---|---|---:|---|---|---:|---:|---:|---|---:|---:|"
	for (i = 1; i <= nm; i++) {
		m = M[i]
		for (j = 1; j <= nt; j++) {
			k = T[j] SUBSEP m
			if (!(k in runs)) continue
			mm = (val[k] == "") ? "" : minmax(val[k]); split(mm, lh, " ")
			spread = (med[k] > 0 && mm != "") ? sprintf("%.0f%%", (lh[2] - lh[1]) * 100 / med[k]) : "-"
			b = base SUBSEP m
			ratio = (has_base && med[k] != "" && med[b] != "" && med[b] > 0) ? sprintf("%.3g", med[k] / med[b]) : "-"
			grp = ""
			ns = split(SL[k], labs, " ")
			for (q = 1; q <= ns; q++) grp = grp (grp == "" ? "" : ", ") labs[q] " " fmtus(median(sp[k, labs[q]]))
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d |\n", \
				(m in label ? label[m] : m), T[j], fmt(med[k]), unit[m], \
				(mm == "" ? "-" : fmt(lh[1]) " .. " fmt(lh[2])), spread, ratio, \
				fmtus(median(cpu[k])), (grp == "" ? "-" : grp), fmtus(median(app[k])), ok[k], runs[k]
		}
	}
}' "$dir/raw.tsv"
