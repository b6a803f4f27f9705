#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The echo experiment leaves nothing behind: after a normal run, a run
# interrupted with SIGINT, and a run killed with SIGKILL followed by
# `obench cleanup`, no obench namespace (ip netns, /run/netns), veth or echo
# BPF program of that run remains.  Other users' obench runs may coexist,
# so only what the given PID created is checked.
. "$(dirname "$0")/ktap.sh"
cd "$(dirname "$0")/.." || exit 1
[ "$(id -u)" -eq 0 ] || { echo "# needs root"; exit 4; }
OUTDIR=$(mktemp -d)
trap 'rm -rf "$OUTDIR"' EXIT

echo_progs() { bpftool prog show 2>/dev/null | grep -cE ' name (xdp_echo|tc_echo|sk_skb_echo|xdp_pass) '; }
# leftovers PID: prints what PID left behind, nothing when clean
leftovers() {
	ip netns list 2>/dev/null | grep "^obench-$1-"
	ls /run/netns 2>/dev/null | grep "^obench-$1-"
	ip -o link show 2>/dev/null | grep -E ": ob$1[sc][@:]"
}
# run_bg SIGNAL DELAY: starts an echo run, sends SIGNAL after DELAY s, echoes its PID
run_bg() {
	"$OBENCH" run echo --quick --requests 200000 --out "$OUTDIR" >/dev/null 2>&1 &
	local pid=$!
	for _ in $(seq 50); do ip netns list | grep -q "^obench-$pid-" && break; sleep 0.1; done
	sleep "$2"
	kill -"$1" "$pid"
	wait "$pid" 2>/dev/null
	echo "$pid"
}

ktap_plan 6
before=$(echo_progs)
"$OBENCH" run echo --quick --out "$OUTDIR" >/dev/null 2>&1 &
pid=$!
wait $pid; rc=$?
ktap_test "echo_quick_run_ok" [ "$rc" -eq 0 ]
l=$(leftovers $pid); [ -n "$l" ] && ktap_diag "left: $l"
ktap_test "nothing_left_after_run" [ -z "$l" -a "$(echo_progs)" -eq "$before" ]

pid=$(run_bg INT 1)
ktap_test "nothing_left_after_sigint" [ -z "$(leftovers $pid)" ]
ktap_test "no_bpf_program_left_after_sigint" [ "$(echo_progs)" -eq "$before" ]

pid=$(run_bg KILL 1)
had=$(leftovers $pid)
[ -n "$had" ] || ktap_diag "SIGKILL left nothing to clean (run ended too early?)"
"$OBENCH" cleanup >/dev/null
l=$(leftovers $pid); [ -n "$l" ] && ktap_diag "left: $l"
ktap_test "cleanup_removes_what_sigkill_left" [ -n "$had" -a -z "$l" ]
ktap_test "no_bpf_program_left_after_sigkill_cleanup" [ "$(echo_progs)" -eq "$before" ]
ktap_finish
