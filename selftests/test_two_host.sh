#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two-host mode (issue 12): the load of every network experiment (echo,
# hook-cost, bandwidth, truncate, kvcache, xsk-kv, isolation, chaining) runs on
# a peer reached over ssh.  The peer is a network
# namespace with its own sshd (peer_ns.sh), joined by a veth pair whose DUT end
# is --iface.  Checks a quick run, that
# a peer we cannot use fails at pre-flight in seconds with one line and exit
# 2, that a dropped connection tears down both sides, and that nothing is
# left behind on either side.
. "$(dirname "$0")/ktap.sh"
. "$(dirname "$0")/peer_ns.sh"
TMP=$(mktemp -d)
trap 'peer_ns_down; rm -rf "$TMP"' EXIT

# echo flags of every run here: the DUT end of the veth, the peer, its ssh
remote() {
	"$OBENCH" run echo --quick --iface "$PEER_IFACE" --peer "$PEER_IP" --peer-ssh "$PEER_HOST" \
		--ssh-config "$PEER_SSH_CONFIG" --peer-obench "$OBENCH" --client-cpu -1 --timeout-ms 50 "$@"
}

# remote in the background with $! being obench itself (a function run with &
# is a subshell; bash also ignores SIGINT in it, obench sets its own handler)
remote_bg() {
	( exec "$OBENCH" run echo --quick --iface "$PEER_IFACE" --peer "$PEER_IP" --peer-ssh "$PEER_HOST" \
		--ssh-config "$PEER_SSH_CONFIG" --peer-obench "$OBENCH" --client-cpu -1 --timeout-ms 50 "$@" ) &
}

# Processes in the peer namespace other than sshd's listener (agents, clients, sessions).
peer_extra() {
	local p l
	l=$(peer_sshd_pid)
	for p in $(peer_ns_pids); do [ "$p" != "$l" ] && echo "$p"; done
}

# Nothing of ours on either side: no extra process on the peer, no agent or
# ssh of ours on the DUT, no XDP/clsact on the DUT interface, no obench netns.
nothing_left() {
	local i
	for i in $(seq 50); do [ -z "$(peer_extra)" ] && break; sleep 0.1; done
	[ -z "$(peer_extra)" ] || { ktap_diag "left on the peer: $(peer_extra)"; return 1; }
	! pgrep -f "ssh -F $PEER_SSH_CONFIG" >/dev/null || { ktap_diag "ssh left on the DUT"; return 1; }
	! ip link show "$PEER_IFACE" | grep -q xdp || { ktap_diag "XDP left on $PEER_IFACE"; return 1; }
	! tc qdisc show dev "$PEER_IFACE" | grep -q clsact || { ktap_diag "clsact left on $PEER_IFACE"; return 1; }
	! ip netns list | grep -q "^obench-$BASHPID-" || { ktap_diag "netns left"; return 1; }
}

t_quick_echo() {
	local rc md
	remote --hooks xdp,tc,socket --requests 300 --out "$TMP/q" >"$TMP/q.log" 2>&1
	rc=$?
	md=$(ls "$TMP"/q/*/report.md 2>/dev/null | head -1)
	ktap_diag "exit $rc; $(grep -E '^\| (xdp|tc|socket) \| rtt_us \| [0-9]' "$md" | tr '\n' ' ')"
	# a veth end is not a NIC: the tier stays host, run.json names no hardware
	[ $rc = 0 ] && [ "$(grep -cE '^\| (xdp|tc|socket) \| rtt_us \| [0-9]' "$md")" -ge 3 ] &&
		grep -q 'lost 0 mismatched 0' "$md" && grep -q '"tier":"host"' "$TMP"/q/latest/run.json &&
		! grep -q '"hardware":' "$TMP"/q/latest/run.json && nothing_left
}

# kvcache with memcached on the DUT's interface and the load client on the peer:
# both throughputs measured, the cached run answered from XDP, the mixed run's
# latency histograms back from the peer, nothing left.
t_kvcache_quick() {
	local rc csv
	"$OBENCH" run kvcache --quick --iface "$PEER_IFACE" --peer "$PEER_IP" --peer-ssh "$PEER_HOST" \
		--ssh-config "$PEER_SSH_CONFIG" --peer-obench "$OBENCH" --client-cpu -1 \
		--out "$TMP/kv" >"$TMP/kv.log" 2>&1
	rc=$?
	csv="$TMP/kv/latest/kvcache.csv"
	ktap_diag "exit $rc; $(awk -F, '$3 == "req_per_s" { printf "%s %s %s; ", $2, $5, $6 }' "$csv" 2>/dev/null)$(grep -o 'XDP hits [0-9]* misses [0-9]*' "$csv" | head -1)"
	[ $rc = 0 ] && [ "$(awk -F, '$3 == "req_per_s" && $5 == "ok"' "$csv" | wc -l)" = 2 ] &&
		[ "$(grep -o 'XDP hits [0-9]*' "$csv" | head -1 | awk '{print $3}')" -gt 1000 ] &&
		[ "$(grep -cE '^kvcache,(fast|slow)path_(kvcache|memcached_only),rtt_us,us,ok,' "$csv")" = 4 ] &&
		grep -qE '^kvcache,rho,fraction,,ok,' "$csv" && grep -q '^kvcache,crossover_measured,' "$csv" &&
		nothing_left
}

# bandwidth with iperf's server on the DUT's interface and its client on the peer.
t_bandwidth_quick() {
	local rc csv
	"$OBENCH" run bandwidth --quick --repeats 2 --duration 0.5 --streams 2 --iface "$PEER_IFACE" \
		--peer "$PEER_IP" --peer-ssh "$PEER_HOST" --ssh-config "$PEER_SSH_CONFIG" \
		--peer-obench "$OBENCH" --out "$TMP/bw" >"$TMP/bw.log" 2>&1
	rc=$?
	csv="$TMP/bw/latest/bandwidth.csv"
	ktap_diag "exit $rc; $(awk -F, '$3 == "gbps" { printf "%s %s %s; ", $2, $5, $6 }' "$csv" 2>/dev/null)"
	[ $rc = 0 ] && [ "$(awk -F, '$3 == "gbps" && $5 == "ok"' "$csv" | wc -l)" -ge 3 ] && nothing_left
}

# chaining's kvcache form: memcached on the DUT, the single-key load from the peer;
# every variant measured with its hits answered by XDP, replies byte-checked.
t_chaining_quick() {
	local rc csv
	"$OBENCH" run chaining --quick --batch 2000 --kv-duration 0.1 --iface "$PEER_IFACE" \
		--peer "$PEER_IP" --peer-ssh "$PEER_HOST" --ssh-config "$PEER_SSH_CONFIG" \
		--peer-obench "$OBENCH" --out "$TMP/ch" >"$TMP/ch.log" 2>&1
	rc=$?
	csv="$TMP/ch/latest/chaining.csv"
	ktap_diag "exit $rc; $(awk -F, '$3 == "mreq_per_s" { printf "%s %s %.3f; ", $2, $5, $6 }' "$csv" 2>/dev/null)"
	[ $rc = 0 ] && [ "$(awk -F, '$3 == "mreq_per_s" && $5 == "ok"' "$csv" | grep -c 'from the peer.*mismatched 0')" = 5 ] &&
		nothing_left
}

# truncate with the flood from the peer: every point received and offered, the
# interface's RPS mask as it was before the run, nothing left.
t_truncate_quick() {
	local rc csv rps0 rps1
	rps0=$(cat "/sys/class/net/$PEER_IFACE/queues/rx-0/rps_cpus")
	"$OBENCH" run truncate --quick --repeats 2 --seconds 0.2 --iface "$PEER_IFACE" \
		--peer "$PEER_IP" --peer-ssh "$PEER_HOST" --ssh-config "$PEER_SSH_CONFIG" \
		--peer-obench "$OBENCH" --out "$TMP/tr" >"$TMP/tr.log" 2>&1
	rc=$?
	rps1=$(cat "/sys/class/net/$PEER_IFACE/queues/rx-0/rps_cpus")
	csv="$TMP/tr/latest/truncate.csv"
	ktap_diag "exit $rc; rps $rps0 -> $rps1; $(awk -F, '$3 == "rx_pps" || $3 == "offered_pps" { printf "%s %s %.0f; ", $2, $3, $6 }' "$csv" 2>/dev/null)"
	[ $rc = 0 ] && [ "$(awk -F, '$3 == "rx_pps" && $5 == "ok" && $6 > 0' "$csv" | wc -l)" = 5 ] &&
		[ "$(grep -c 'offered_pps.*accepted on the peer' "$csv")" = 5 ] && [ "$rps0" = "$rps1" ] &&
		nothing_left
}

# xsk-kv: the AF_XDP server on the DUT's interface, the keys stored and loaded from
# the peer; with the fast path on, XDP answers the gets; latency histograms back.
t_xsk_kv_quick() {
	local rc csv
	"$OBENCH" run xsk-kv --quick --sample-ms 100 --requests 4000 --iface "$PEER_IFACE" --peer "$PEER_IP" \
		--peer-ssh "$PEER_HOST" --ssh-config "$PEER_SSH_CONFIG" --peer-obench "$OBENCH" \
		--out "$TMP/xk" >"$TMP/xk.log" 2>&1
	rc=$?
	csv="$TMP/xk/latest/xsk-kv.csv"
	ktap_diag "exit $rc; $(awk -F, '$3 == "req_per_s" { printf "%s %s %.0f; ", $2, $5, $6 }' "$csv" 2>/dev/null)$(tail -1 "$TMP/xk.log")"
	[ $rc = 0 ] && [ "$(awk -F, '$3 == "req_per_s" && $5 == "ok" && $6 > 0' "$csv" | wc -l)" = 2 ] &&
		grep -q 'xsk_fastpath,req_per_s.*100.0% by XDP' "$csv" &&
		[ "$(grep -cE '^xsk-kv,(overall|slowpath)_xsk_(only|fastpath),rtt_us,us,ok,' "$csv")" = 4 ] &&
		nothing_left
}

# hook-cost with the tagged packets from the peer: stamped on the DUT only, from
# the stack's entry (no driver-entry stamp on a stock kernel), in path order.
t_hook_cost_quick() {
	local rc csv
	"$OBENCH" run hook-cost --quick --packets 400 --rounds 4 --iface "$PEER_IFACE" \
		--peer "$PEER_IP" --peer-ssh "$PEER_HOST" --ssh-config "$PEER_SSH_CONFIG" \
		--peer-obench "$OBENCH" --out "$TMP/hc" >"$TMP/hc.log" 2>&1
	rc=$?
	csv="$TMP/hc/latest/hook-cost.csv"
	ktap_diag "exit $rc; $(awk -F, '$3 == "ns_from_stack" || $3 == "order_violations" { printf "%s %s %s; ", $2, $5, $6 }' "$csv" 2>/dev/null)"
	[ $rc = 0 ] && [ "$(awk -F, '$3 == "ns_from_stack" && $5 == "ok" && $6 > 0' "$csv" | wc -l)" = 6 ] &&
		grep -q 'order_violations,packets,ok,0,' "$csv" && ! grep -q ',ns_to_reach,' "$csv" &&
		nothing_left
}

# isolation: the echo client and the background memcached load from the peer at
# once (two ssh sessions); with kvcache the background gets are XDP hits.
t_isolation_quick() {
	local rc csv
	"$OBENCH" run isolation --quick --duration 0.8 --iface "$PEER_IFACE" --peer "$PEER_IP" \
		--peer-ssh "$PEER_HOST" --ssh-config "$PEER_SSH_CONFIG" --peer-obench "$OBENCH" \
		--out "$TMP/iso" >"$TMP/iso.log" 2>&1
	rc=$?
	csv="$TMP/iso/latest/isolation.csv"
	ktap_diag "exit $rc; $(awk -F, '$3 == "rtt_us" { printf "%s %s %s; ", $2, $5, $6 }' "$csv" 2>/dev/null)$(grep -o 'echo_with_kvcache,rtt_us.*XDP hits [0-9]*' "$csv" | grep -o 'XDP hits [0-9]*')"
	[ $rc = 0 ] && [ "$(awk -F, '$3 == "rtt_us" && $5 == "ok" && $6 > 0' "$csv" | wc -l)" = 4 ] &&
		[ "$(grep -o '^isolation,echo_with_kvcache,rtt_us.*XDP hits [0-9]*' "$csv" | grep -o '[0-9]*$')" -gt 100 ] &&
		grep -q 'echo_with_memcached,rtt_us.*bad 0; XDP hits 0' "$csv" && nothing_left
}

# preflight_fails WHAT PATTERN [FLAGS]: exit 2 within 10 s, one line matching PATTERN, nothing created
preflight_fails() {
	local pat=$1 t0 t1 rc
	shift
	t0=$(date +%s%N)
	"$OBENCH" run echo --quick --iface "$PEER_IFACE" --peer "$PEER_IP" --client-cpu -1 \
		--out "$TMP/pf" "$@" >"$TMP/pf.out" 2>"$TMP/pf.err"
	rc=$?
	t1=$(date +%s%N)
	ktap_diag "exit $rc in $(( (t1 - t0) / 1000000 )) ms: $(cat "$TMP/pf.err")"
	[ $rc = 2 ] && [ "$(wc -l <"$TMP/pf.err")" = 1 ] && grep -q "$pat" "$TMP/pf.err" &&
		[ $(( (t1 - t0) / 1000000000 )) -lt 10 ] && [ ! -e "$TMP/pf" ] && nothing_left
}

t_peer_unreachable() {
	preflight_fails unreachable --peer-ssh obpeer-down --ssh-config "$PEER_SSH_CONFIG"
}

t_obench_missing() {
	preflight_fails "no obench" --peer-ssh "$PEER_HOST" --ssh-config "$PEER_SSH_CONFIG" \
		--peer-obench /nonexistent/obench
}

t_version_mismatch() {
	printf '#!/bin/sh\nread l\necho obench-agent v0-other\nread l\n' >"$PEER_DIR/old-obench"
	chmod +x "$PEER_DIR/old-obench"
	preflight_fails "version v0-other" --peer-ssh "$PEER_HOST" --ssh-config "$PEER_SSH_CONFIG" \
		--peer-obench "$PEER_DIR/old-obench"
}

is_agent() { { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null | grep -q "peer-agent"; }

# The agent's pid on the peer once its load client (a forked agent) runs; empty after 15 s.
wait_agent() {
	local i p pp
	for i in $(seq 150); do
		for p in $(peer_ns_pids); do
			pp=$(awk '{print $4}' "/proc/$p/stat" 2>/dev/null)
			# the pre-flight's agent comes and goes: a pair still there 0.5 s later
			is_agent "$p" && [ -n "$pp" ] && is_agent "$pp" && sleep 0.5 &&
				is_agent "$p" && is_agent "$pp" && { echo "$pp"; return; }
		done
		sleep 0.1
	done
}

# SIGINT on the DUT mid-run: exit 130, the agent and its client gone on the peer.
t_sigint_dut() {
	local pid agent rc
	remote_bg --hooks socket --requests 400000 --out "$TMP/i" >/dev/null 2>&1
	pid=$!
	agent=$(wait_agent)
	sleep 1
	kill -INT $pid
	wait $pid
	rc=$?
	ktap_diag "agent $agent; DUT exit $rc"
	[ -n "$agent" ] && [ $rc = 130 ] && nothing_left
}

# The peer's agent SIGKILLed mid-run: the DUT fails in seconds with a clear line and cleans up.
t_peer_killed() {
	local pid agent rc t0 t1
	remote_bg --hooks socket --requests 400000 --out "$TMP/k" >"$TMP/k.log" 2>&1
	pid=$!
	agent=$(wait_agent)
	sleep 1
	t0=$(date +%s%N)
	[ -n "$agent" ] && kill -KILL "$agent"
	wait $pid
	rc=$?
	t1=$(date +%s%N)
	ktap_diag "agent $agent; DUT exit $rc after $(( (t1 - t0) / 1000000 )) ms: $(grep -i 'lost\|peer' "$TMP/k.log" | head -2 | tr '\n' ' ')"
	[ -n "$agent" ] && [ $rc != 0 ] && grep -q "connection to the peer lost" "$TMP/k.log" &&
		[ $(( (t1 - t0) / 1000000000 )) -lt 15 ] && nothing_left
}

# The sshd serving the session SIGKILLed mid-run (the connection drops): the same.
t_sshd_killed() {
	local pid agent sshd rc
	remote_bg --hooks socket --requests 400000 --out "$TMP/s" >"$TMP/s.log" 2>&1
	pid=$!
	agent=$(wait_agent)
	sshd=$(awk '{print $4}' "/proc/$agent/stat" 2>/dev/null)
	while [ -n "$sshd" ] && ! grep -q sshd "/proc/$sshd/comm" 2>/dev/null; do
		sshd=$(awk '{print $4}' "/proc/$sshd/stat" 2>/dev/null)
	done
	[ -n "$sshd" ] && [ "$sshd" != "$(peer_sshd_pid)" ] && kill -KILL "$sshd"
	wait $pid
	rc=$?
	ktap_diag "session sshd $sshd; DUT exit $rc: $(grep -o 'connection to the peer lost[^(]*' "$TMP/s.log" | head -1)"
	[ -n "$sshd" ] && [ $rc != 0 ] && grep -q "connection to the peer lost" "$TMP/s.log" && nothing_left
}

ktap_test_fn two_host_echo_quick t_quick_echo
ktap_test_fn two_host_kvcache_quick t_kvcache_quick
ktap_test_fn two_host_bandwidth_quick t_bandwidth_quick
ktap_test_fn two_host_chaining_kv_quick t_chaining_quick
ktap_test_fn two_host_truncate_quick t_truncate_quick
ktap_test_fn two_host_xsk_kv_quick t_xsk_kv_quick
ktap_test_fn two_host_hook_cost_quick t_hook_cost_quick
ktap_test_fn two_host_isolation_quick t_isolation_quick
ktap_test_fn peer_unreachable_fails_fast t_peer_unreachable
ktap_test_fn obench_missing_on_peer_fails_fast t_obench_missing
ktap_test_fn peer_version_mismatch_fails_fast t_version_mismatch
ktap_test_fn sigint_on_dut_tears_down_peer t_sigint_dut
ktap_test_fn peer_agent_killed_fails_and_cleans t_peer_killed
ktap_test_fn peer_sshd_killed_fails_and_cleans t_sshd_killed
if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "needs root"
elif ! peer_ns_up >"$TMP/up.log" 2>&1; then
	ktap_skip_all "no sshd peer: $(tail -1 "$TMP/up.log")"
fi
# the unreachable case: a Host whose port has no sshd (refused at once)
[ -n "$PEER_SSH_CONFIG" ] && printf 'Host obpeer-down\n  HostName %s\n  Port 2299\n  BatchMode yes\n' \
	"$PEER_IP" >>"$PEER_SSH_CONFIG"
ktap_run
