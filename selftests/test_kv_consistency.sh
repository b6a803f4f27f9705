#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The kvcache fast path never serves a stale value (issue 10): obench's
# consistency checker (versioned writes over UDP and TCP: set, delete,
# append, touch, expiring sets, flush_all; reads through the XDP cache) finds
# no stale read, while with the test-only --unsafe-fills (the cache as it was
# before the fill tickets) it finds some: the checker can fail.
. "$(dirname "$0")/ktap.sh"
cd "$(dirname "$0")/.." || exit 1
OUTDIR=$(mktemp -d)
trap 'rm -rf "$OUTDIR"' EXIT

# check_row OUT METRIC: the value of kvcache's check/METRIC row
check_row() {
	awk -F, -v m="$2" '$2 == "check" && $3 == m { print $6 }' "$1"/latest/kvcache.csv 2>/dev/null
}

# run_check OUT ARGS...: a consistency run; prints its two rows
run_check() {
	local out=$1
	shift
	"$OBENCH" run kvcache --check-consistency "$@" --out "$out" >"$out.log" 2>&1 || return 1
	ktap_diag "$* -> reads_checked $(check_row "$out" reads_checked) stale_reads $(check_row "$out" stale_reads)"
}

t_no_stale_reads() {
	local v
	for v in tail-const inlined; do
		run_check "$OUTDIR/safe-$v" --variant "$v" --check-seconds 3 || return 1
		[ "$(check_row "$OUTDIR/safe-$v" stale_reads)" = 0 ] || return 1
		[ "$(check_row "$OUTDIR/safe-$v" reads_checked)" -gt 10000 ] || return 1
	done
}

# the race is a matter of timing: up to three tries of 4 s
t_unsafe_fills_are_caught() {
	local i
	for i in 1 2 3; do
		run_check "$OUTDIR/unsafe$i" --check-seconds 4 --unsafe-fills || return 1
		[ "$(check_row "$OUTDIR/unsafe$i" stale_reads)" -gt 0 ] && return 0
	done
	return 1
}

ktap_test_fn no_stale_read_through_the_cache t_no_stale_reads
ktap_test_fn the_checker_finds_the_old_race t_unsafe_fills_are_caught
[ "$(id -u)" -eq 0 ] || ktap_skip_all "needs root"
command -v memcached >/dev/null || ktap_skip_all "memcached not installed"
ktap_run
