#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hook-cost: every matched packet's stamps run driver <= XDP <= TC <= SK_SKB <= socket;
# truncate: the receiver got datagrams at every point, and every point reports
# offered/received/drop rates with a saturation verdict; nothing is left behind.
# (trim_payload's output lengths are checked byte for byte by test_truncate.)
cd "$(dirname "$0")/.." || exit 1
. selftests/ktap.sh
OBENCH=${OUT:-build}/obench
ktap_plan 4
if [ "$(id -u)" != 0 ]; then echo "# needs root"; exit 4; fi
out=$(mktemp -d)
# in the background only to learn its PID: namespaces are named obench-<pid>-*
$OBENCH run hook-cost truncate --quick --repeat 3 --out "$out" >/dev/null 2>&1 &
pid=$!
wait $pid
csv="$out/latest/hook-cost.csv"
viol=$(awk -F, '$3=="order_violations"{print $6}' "$csv" 2>/dev/null)
matched=$(awk -F, '$3=="matched_packets"{print $6}' "$csv" 2>/dev/null)
[ "$viol" = 0 ] && [ "${matched:-0}" -gt 0 ] 2>/dev/null
r=$?; [ $r = 0 ] && ktap_ok "hook-cost stamps monotonic ($matched matched)" || ktap_fail "hook-cost stamps monotonic (${viol:-?} out of order)"
bad=$(awk -F, '$3=="rx_pps" && ($5!="ok" || $6<=0){n++} END{print n+0}' "$out/latest/truncate.csv" 2>/dev/null)
[ -f "$out/latest/truncate.csv" ] && [ "$bad" = 0 ]
r=$?; [ $r = 0 ] && ktap_ok "truncate: datagrams received at every point" || ktap_fail "truncate: datagrams received at every point"
t=$out/latest/truncate.csv
rows=$(awk -F, '$5=="ok" && ($3=="offered_pps" && $6>0 || $3=="sock_drop_pps" || $3=="other_loss_pps"){n++} END{print n+0}' "$t" 2>/dev/null)
verdicts=$(grep -c 'rx_pps.*receiver \(SATURATED\|NOT saturated\)' "$t" 2>/dev/null)
[ "$rows" = 15 ] && [ "$verdicts" = 5 ]
r=$?; [ $r = 0 ] && ktap_ok "truncate: offered, drops and a saturation verdict at every point" || ktap_fail "truncate: offered, drops and a saturation verdict at every point ($rows rows, $verdicts verdicts)"
ktap_test "no obench namespace left" sh -c "! ls /run/netns 2>/dev/null | grep -q '^obench-$pid-'"
rm -rf "$out"
ktap_finish
