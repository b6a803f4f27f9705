#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The echo experiment leaves nothing behind: after a normal run, a run
# interrupted with SIGINT, and a run killed with SIGKILL followed by
# `obench cleanup`, no obench namespace (ip netns, /run/netns), veth or echo
# BPF program of that run remains.  Other users' obench runs may coexist,
# so only what the given PID created is checked.
. "$(dirname "$0")/ktap.sh"
cd "$(dirname "$0")/.." || exit 1
OUTDIR=$(mktemp -d)
trap 'rm -rf "$OUTDIR"' EXIT

echo_progs() { bpftool prog show 2>/dev/null | grep -cE ' name (xdp_echo|tc_echo|sk_skb_echo|xdp_pass) '; }
# as many echo programs loaded as before the first run (all users' runs count)
echo_progs_as_before() {
	local now
	now=$(echo_progs)
	[ "$now" -eq "$BEFORE" ] || ktap_diag "echo programs: $now loaded, $BEFORE before the runs"
	[ "$now" -eq "$BEFORE" ]
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

# The three runs, each shared by the two tests after it; BEFORE: echo programs before any.
normal_run() {
	"$OBENCH" run echo --quick --out "$OUTDIR" >/dev/null 2>&1 &
	NORMAL_PID=$!
	wait $NORMAL_PID
	NORMAL_RC=$?
}
sigint_run() { SIGINT_PID=$(run_bg INT 1); }
sigkill_run() {
	SIGKILL_PID=$(run_bg KILL 1)
	SIGKILL_HAD=$(leftovers "$SIGKILL_PID")
	[ -n "$SIGKILL_HAD" ] || ktap_diag "SIGKILL left nothing to clean (run ended too early?)"
	"$OBENCH" cleanup >/dev/null
}

echo_quick_run_ok() { ktap_once normal_run; [ "$NORMAL_RC" -eq 0 ]; }
nothing_left_after_run() {
	local l
	ktap_once normal_run
	l=$(leftovers $NORMAL_PID); [ -n "$l" ] && ktap_diag "left: $l"
	[ -z "$l" ] && echo_progs_as_before
}
nothing_left_after_sigint() { ktap_once sigint_run; [ -z "$(leftovers $SIGINT_PID)" ]; }
no_bpf_program_left_after_sigint() { ktap_once sigint_run; echo_progs_as_before; }
cleanup_removes_what_sigkill_left() {
	local l
	ktap_once sigkill_run
	l=$(leftovers $SIGKILL_PID); [ -n "$l" ] && ktap_diag "left: $l"
	[ -n "$SIGKILL_HAD" ] && [ -z "$l" ]
}
no_bpf_program_left_after_sigkill_cleanup() { ktap_once sigkill_run; echo_progs_as_before; }

ktap_test_fn echo_quick_run_ok
ktap_test_fn nothing_left_after_run
ktap_test_fn nothing_left_after_sigint
ktap_test_fn no_bpf_program_left_after_sigint
ktap_test_fn cleanup_removes_what_sigkill_left
ktap_test_fn no_bpf_program_left_after_sigkill_cleanup
[ "$(id -u)" -eq 0 ] || ktap_skip_all "needs root"
BEFORE=$(echo_progs)
ktap_run
