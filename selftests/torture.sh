#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interrupt torture: start an experiment that sets things up (namespaces,
# XDP/TC attachments, qdiscs, programs, memcached, iperf, sockperf, the
# testbed VM), interrupt it at a random moment with SIGINT, SIGTERM, or
# SIGKILL followed by `obench cleanup`, and check that nothing is left:
# no obench namespace, link, cgroup or pinned object, no BPF program beyond
# those loaded before, no server process, and that the results directory,
# if the run made one, still reads back with `obench report`.
#
# TORTURE_N interrupts (default 10), TORTURE_SEED for the random choices,
# TORTURE_TESTBED=1 also interrupts `--testbed` runs (qemu + virtiofsd).
# One KTAP test per interrupt, named after what was interrupted.
. "$(dirname "$0")/ktap.sh"
N=${TORTURE_N:-10}
SEED=${TORTURE_SEED:-$$}
RANDOM=$SEED
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# experiment and a typical --quick duration in seconds (to pick the moment)
EXPS=(map-access:2 map-footprint:5 user-access:20 channel:10 memcpy:2 chaining:20
      complexity:3 hook-cost:20 bandwidth:30 truncate:18 echo:6 kvcache:25 xsk-kv:12
      isolation:14)
[ "${TORTURE_TESTBED:-0}" = 1 ] && EXPS+=(memcpy:40:testbed)
SIGNALS=(INT TERM KILL)
SERVERS='memcached|iperf|sockperf|memaslap|qemu-system-x86_64|virtiofsd'

prog_ids() { bpftool prog show 2>/dev/null | sed -n 's/^\([0-9]*\): .*/\1/p' | sort; }
server_pids() { pgrep -x -f "($SERVERS)( .*)?" 2>/dev/null | sort; }

# What run @1 (its pid) left behind, one line per object (empty: nothing).
# Names carry the run's pid; programs and servers count when they were not
# there before it started (another obench on the machine cannot be told
# apart: run this alone).
leftover_report() {
	local pid=$1
	ls /var/run/netns 2>/dev/null | grep "^obench-$pid-" | sed 's/^/netns /'
	ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | grep -E "^ob$pid[a-z]" | sed 's/^/link /'
	ls /sys/fs/cgroup 2>/dev/null | grep "^obench-$pid-" | sed 's/^/cgroup /'
	ls /sys/fs/bpf 2>/dev/null | grep -i obench | sed 's/^/pinned /'
	comm -13 "$TMP/progs.before" <(prog_ids) | sed 's/^/bpf program id /'
	comm -13 "$TMP/servers.before" <(server_pids) | while read -r p; do
		echo "process $(ps -o pid=,args= -p "$p")"
	done
}

# Leftovers of run @1 after giving the kernel a moment to free prog arrays (~1 s).
leftovers() {
	local i out
	for i in 1 2 3 4 5 6; do
		out=$(leftover_report "$1")
		[ -z "$out" ] && return 0
		sleep 0.5
	done
	echo "$out"
}

# interrupt I: one random experiment, signal and moment; checks what is left
interrupt() {
	local pick=${EXPS[RANDOM % ${#EXPS[@]}]} sig=${SIGNALS[RANDOM % 3]}
	local exp=${pick%%:*} rest=${pick#*:} dur tb='' delay pid rc out dir
	dur=${rest%%:*}
	[ "${rest#*:}" = testbed ] && tb=--testbed
	# a moment between 0.1 s and the typical duration, in tenths
	delay=$(awk -v r=$RANDOM -v d="$dur" 'BEGIN { printf "%.1f", 0.1 + (r % (d * 10)) / 10 }')
	prog_ids >"$TMP/progs.before"
	server_pids >"$TMP/servers.before"
	"$OBENCH" run "$exp" --quick $tb --out "$TMP/$1" >"$TMP/$1.log" 2>&1 &
	pid=$!
	sleep "$delay"
	kill -"$sig" $pid 2>/dev/null
	wait $pid
	rc=$?
	[ "$sig" = KILL ] && "$OBENCH" cleanup >>"$TMP/$1.log" 2>&1
	ktap_diag "$1: $exp${tb:+ (testbed)} $sig after ${delay}s, exit $rc"
	out=$(leftovers $pid)
	if [ -n "$out" ]; then
		ktap_diag "left behind:"
		echo "$out" | sed 's/^/#   /'
		"$OBENCH" cleanup >/dev/null 2>&1
		return 1
	fi
	dir=$TMP/$1/latest
	if [ -e "$dir" ] && ! "$OBENCH" report "$dir" >"$TMP/$1.report" 2>&1; then
		ktap_diag "obench report cannot read $dir:"
		sed 's/^/#   /' "$TMP/$1.report" | head -3
		return 1
	fi
	return 0
}

if [ "$(id -u)" -ne 0 ] || ! command -v bpftool >/dev/null; then
	ktap_skip_all "needs root and bpftool"
else
	"$OBENCH" cleanup >/dev/null 2>&1
	ktap_diag "seed $SEED, $N interrupts"
fi
for ((i = 1; i <= N; i++)); do
	ktap_test_fn "interrupt_$i" interrupt "$i"
done
ktap_run
