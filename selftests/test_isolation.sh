#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# isolation and the kvcache form of chaining, end to end through obench:
# - isolation measures all four configurations (the background memcached
#   load and the echo replies are byte-checked by the load client: a wrong
#   byte fails the run) and leaves nothing behind: its namespaces (and so the
#   veth, its RPS setting and qdiscs), its memcached, its BPF programs;
#   also when interrupted with SIGINT in the middle;
# - every kvcache chaining variant answers the load client's gets from XDP
#   with memcached's exact reply (the run fails on one mismatched byte or on
#   a get not served by XDP), so all five answer identically.
# Other obench runs may coexist: only what the given PID created is checked.
. "$(dirname "$0")/ktap.sh"
cd "$(dirname "$0")/.." || exit 1
OUTDIR=$(mktemp -d)
trap 'rm -rf "$OUTDIR"' EXIT

kv_progs() { bpftool prog show 2>/dev/null | grep -cE ' name (kv_[a-z_]+) '; }
# start_run OUT ARGS...: obench in the background; waits for its memcached,
# sets PID and MC (memcached's PIDs in its server namespace)
start_run() {
	local out=$1; shift
	"$OBENCH" run "$@" --out "$out" >"$out.log" 2>&1 &
	PID=$!
	MC=
	for _ in $(seq 100); do
		MC=$(ip netns pids "obench-$PID-srv" 2>/dev/null | while read -r p; do
			[ "$(cat /proc/"$p"/comm 2>/dev/null)" = memcached ] && echo "$p"; done)
		[ -n "$MC" ] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
}
# csv_status CSV CONFIG METRIC: "ok" or "skipped" (empty when absent)
csv_status() { awk -F, -v c="$2" -v m="$3" '$2 == c && $3 == m { print $5 }' "$1"; }
# mc_gone PID...: none of these memcached processes runs any more
mc_gone() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }

# nothing_left PID MEMCACHED BEFORE: PID's memcached was seen and is gone, PID left
# no namespace or link, and no more kv programs are loaded than BEFORE
nothing_left() {
	local left after
	left=$(leftovers "$1")
	after=$(kv_progs)
	ktap_diag "kv programs before $3 after $after; leftovers: ${left:-none}"
	[ -n "$2" ] && mc_gone $2 && [ -z "$left" ] && [ "$after" -le "$3" ]
}

declare -A RUN_BEFORE RUN_RC RUN_PID RUN_MC
# finished_run NAME ARGS...: `obench run ARGS` into $OUTDIR/NAME, waited for;
# RUN_BEFORE, RUN_RC, RUN_PID and RUN_MC [NAME] record it
finished_run() {
	local name=$1
	shift
	RUN_BEFORE[$name]=$(kv_progs)
	start_run "$OUTDIR/$name" "$@"
	wait "$PID"
	RUN_RC[$name]=$? RUN_PID[$name]=$PID RUN_MC[$name]=$MC
	ktap_diag "$name: exit ${RUN_RC[$name]}; memcached of the run: ${MC:-none seen}"
	return 0
}

# A normal run, checked by the first two tests.
iso_run() { finished_run iso isolation --quick --duration 0.3 --bg-rate 5000; }

isolation_all_configs() {
	local csv c s ok=1
	ktap_once iso_run
	csv=$(ls "$OUTDIR"/iso/*/isolation.csv 2>/dev/null | head -1)
	[ "${RUN_RC[iso]}" -eq 0 ] && [ -n "$csv" ] || ok=0
	for c in echo_alone echo_with_memcached echo_with_kvcache echo_with_kvcache_steered; do
		s=$(csv_status "$csv" "$c" rtt_us)
		[ "$s" = ok ] || { ktap_diag "$c: '$s'"; ok=0; }
	done
	[ $ok = 1 ] || tail -5 "$OUTDIR/iso.log" | sed 's/^/# /'
	[ $ok = 1 ]
}

isolation_nothing_left() {
	ktap_once iso_run
	nothing_left "${RUN_PID[iso]}" "${RUN_MC[iso]}" "${RUN_BEFORE[iso]}"
}

# Interrupted once its memcached runs.
isolation_nothing_left_after_sigint() {
	local before rc
	before=$(kv_progs)
	start_run "$OUTDIR/int" isolation --quick --duration 5
	sleep 1
	kill -INT "$PID"
	wait "$PID"
	rc=$?
	ktap_diag "SIGINT: exit $rc; memcached ${MC:-none seen}"
	nothing_left "$PID" "$MC" "$before" && [ $rc = 130 ]
}

# The five variants under the memcached load client, checked by the last two tests.
ch_run() { finished_run ch chaining --quick --repeat 2 --kv-duration 0.1 --batch 100; }

kvcache_variants_answer_identically() {
	local csv c s ok=1
	ktap_once ch_run
	csv=$(ls "$OUTDIR"/ch/*/chaining.csv 2>/dev/null | head -1)
	[ "${RUN_RC[ch]}" -eq 0 ] && [ -n "$csv" ] || ok=0
	for c in kv_tail_const kv_tail_dynamic kv_inlined kv_bpf2bpf kv_global_func; do
		s=$(csv_status "$csv" "$c" mreq_per_s)
		# a variant the verifier rejects is reported skipped: not an answer, not a failure here
		[ "$s" = ok ] || [ "$s" = skipped ] || { ktap_diag "$c: '$s'"; ok=0; }
	done
	grep -q "mismatched 0" "$csv" 2>/dev/null || ok=0
	# the share of the dynamic tail call's penalty global functions keep (paper Table 5)
	s=$(csv_status "$csv" kv_global_func penalty_fraction)
	[ "$s" = ok ] || [ "$s" = skipped ] || { ktap_diag "kv_global_func penalty_fraction: '${s:-missing}'"; ok=0; }
	[ "$(grep -c ',mreq_per_s,Mreq/s,ok,' "$csv" 2>/dev/null)" -ge 2 ] || ok=0
	[ $ok = 1 ] || tail -5 "$OUTDIR/ch.log" | sed 's/^/# /'
	[ $ok = 1 ]
}

chaining_kv_nothing_left() {
	ktap_once ch_run
	nothing_left "${RUN_PID[ch]}" "${RUN_MC[ch]}" "${RUN_BEFORE[ch]}"
}

ktap_test_fn isolation_all_configs
ktap_test_fn isolation_nothing_left
ktap_test_fn isolation_nothing_left_after_sigint
ktap_test_fn kvcache_variants_answer_identically
ktap_test_fn chaining_kv_nothing_left
if [ "$(id -u)" -ne 0 ] || ! command -v memcached >/dev/null || ! command -v bpftool >/dev/null; then
	ktap_skip_all "needs root, memcached and bpftool"
fi
ktap_run
