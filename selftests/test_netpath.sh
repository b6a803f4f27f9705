#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hook-cost: SK_SKB on UDP is reached; every matched packet's stamps run driver <= XDP <= TC <= SK_SKB <= socket;
# truncate: the receiver got datagrams at every point, and every point reports
# offered/received/drop rates with a saturation verdict; nothing is left behind.
# (trim_payload's output lengths are checked byte for byte by test_truncate.)
cd "$(dirname "$0")/.." || exit 1
. selftests/ktap.sh
OBENCH=${OUT:-build}/obench
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One run of both experiments, checked by every test below.
netpath_run() {
	# in the background only to learn its PID: namespaces are named obench-<pid>-*
	$OBENCH run hook-cost truncate --quick --repeat 3 --out "$out" >/dev/null 2>&1 &
	pid=$!
	wait $pid
	return 0
}

hook_cost_monotonic() {
	local csv="$out/latest/hook-cost.csv" viol matched
	ktap_once netpath_run
	viol=$(awk -F, '$3=="order_violations"{print $6}' "$csv" 2>/dev/null)
	matched=$(awk -F, '$3=="matched_packets"{print $6}' "$csv" 2>/dev/null)
	ktap_diag "$matched matched, ${viol:-?} out of order"
	[ "$viol" = 0 ] && [ "${matched:-0}" -gt 0 ] 2>/dev/null
}

truncate_received_at_every_point() {
	local t="$out/latest/truncate.csv" bad
	ktap_once netpath_run
	bad=$(awk -F, '$3=="rx_pps" && ($5!="ok" || $6<=0){n++} END{print n+0}' "$t" 2>/dev/null)
	[ -f "$t" ] && [ "$bad" = 0 ]
}

truncate_rates_and_verdicts() {
	local t="$out/latest/truncate.csv" rows verdicts
	ktap_once netpath_run
	rows=$(awk -F, '$5=="ok" && ($3=="offered_pps" && $6>0 || $3=="sock_drop_pps" || $3=="other_loss_pps"){n++} END{print n+0}' "$t" 2>/dev/null)
	verdicts=$(grep -c 'rx_pps.*receiver \(SATURATED\|NOT saturated\)' "$t" 2>/dev/null)
	ktap_diag "$rows rows, $verdicts verdicts"
	[ "$rows" = 15 ] && [ "$verdicts" = 5 ]
}

# the paper's reading: a gain over the untruncated point, paired, and the saturation gate
truncate_gain_and_gate() {
	local t="$out/latest/truncate.csv" gain frac
	ktap_once netpath_run
	gain=$(awk -F, '$2=="best_point" && $3=="rx_gain" && $5=="ok"{print $6}' "$t" 2>/dev/null)
	frac=$(awk -F, '$2=="all_points" && $3=="saturated_fraction" && $5=="ok"{print $6}' "$t" 2>/dev/null)
	ktap_diag "best_point/rx_gain ${gain:-missing}, saturated_fraction ${frac:-missing}"
	awk -v g="$gain" -v f="$frac" 'BEGIN{exit !(g > 0.2 && g < 5 && f >= 0 && f <= 1 && g != "" && f != "")}'
}

no_namespace_left() {
	ktap_once netpath_run
	! ls /run/netns 2>/dev/null | grep -q "^obench-$pid-"
}

ktap_test_fn "hook-cost stamps monotonic" hook_cost_monotonic
# SK_SKB on a UDP socket (the paper artifact's configuration) was reached by the datagrams
hook_cost_sk_skb_udp() {
	local csv="$out/latest/hook-cost.csv" v
	ktap_once netpath_run
	v=$(awk -F, '$2=="sk_skb_udp" && $3=="ns_to_reach" && $5=="ok"{print $6}' "$csv" 2>/dev/null)
	ktap_diag "sk_skb_udp ns_to_reach ${v:-missing}"
	awk -v v="$v" 'BEGIN{exit !(v != "" && v > 0)}'
}

ktap_test_fn "hook-cost: SK_SKB on a UDP socket reached" hook_cost_sk_skb_udp
ktap_test_fn "truncate: datagrams received at every point" truncate_received_at_every_point
ktap_test_fn "truncate: offered, drops and a saturation verdict at every point" truncate_rates_and_verdicts
ktap_test_fn "truncate: best point's gain over untruncated and the saturation gate" truncate_gain_and_gate
ktap_test_fn "no obench namespace left" no_namespace_left
[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
ktap_run
