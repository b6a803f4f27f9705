#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `obench run` leaves no BPF program loaded behind: after a normal run, and
# after one interrupted with SIGINT or SIGTERM in the middle of an experiment.
. "$(dirname "$0")/ktap.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

normal_run() {
	local before after rc
	before=$(bpf_prog_count)
	"$OBENCH" run map-access --quick --repeat 3 --out "$TMP/a" >/dev/null 2>&1
	rc=$?
	after=$(bpf_prog_count)
	ktap_diag "exit $rc; programs loaded before: $before, after: $after"
	[ $rc = 0 ] && [ "$after" -le "$before" ]
}

# interrupt_mid_run SIGNAL: start a long run, signal it once its programs are loaded
interrupt_mid_run() {
	local sig=$1 pid loaded=0 i rc before after
	before=$(bpf_prog_count)
	"$OBENCH" run map-access --repeat 100000 --out "$TMP/$sig" >/dev/null 2>&1 &
	pid=$!
	for i in $(seq 100); do
		[ "$(bpf_prog_count)" -gt "$before" ] && { loaded=1; break; }
		sleep 0.1
	done
	kill -"$sig" $pid
	wait $pid
	rc=$?
	after=$(bpf_prog_count)
	ktap_diag "$sig: programs seen loaded: $loaded, exit $rc, before: $before, after: $after"
	[ $loaded = 1 ] && [ $rc = 130 ] && [ "$after" -le "$before" ]
}

ktap_test_fn no_programs_left_after_run normal_run
ktap_test_fn no_programs_left_after_sigint interrupt_mid_run INT
ktap_test_fn no_programs_left_after_sigterm interrupt_mid_run TERM
if [ "$(id -u)" -ne 0 ] || ! command -v bpftool >/dev/null; then
	ktap_skip_all "needs root and bpftool"
fi
ktap_run
