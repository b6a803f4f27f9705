#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The experiments on the patched kernel (make kernel), booted in the testbed
# VM by `obench run --testbed-kernel build/kernel/6.12`:
#  - complexity (Fig. 14 where the paper measured it): the native fib/sum64
#    run at the XDP call site (kernel-patches/ + the module), their rows and
#    the gaps measured there, not modelled;
#  - hook-cost (Table 1): every packet's origin stamp is net:netif_rx_driver,
#    the receiving driver's entry before XDP, and the stamps run in path order.
# Under TCG these prove function, not speed.  Skips (exit 4) when that kernel
# has not been built.
TOP=$(cd "$(dirname "$0")/../.." && pwd)
OBENCH=${OBENCH:-$TOP/build/obench}
. "$(dirname "$0")/../ktap.sh"
K=${OBENCH_PATCHED_KERNEL:-$TOP/build/kernel/6.12}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

t_native_rows_measured() {
	local rc csv
	"$OBENCH" run complexity --quick --repeat 3 --testbed-kernel "$K" --out "$TMP/cx" \
		>"$TMP/cx.log" 2>&1
	rc=$?
	csv="$TMP/cx/latest/complexity.csv"
	ktap_diag "exit $rc; $(grep -E '^complexity,(fib_n=0|sum64_x=16)_(native_xdp|xdp_site),' "$csv" 2>/dev/null | cut -d, -f2-6 | tr '\n' ' ')"
	[ $rc = 0 ] && grep -q '"kernel_release":"6.12.118"\|6.12' "$TMP/cx/latest/run.json" &&
		[ "$(grep -cE '_native_xdp,ns_per_run,ns,ok,' "$csv")" -ge 12 ] &&
		[ "$(grep -cE '_xdp_site,gap_pct,%,ok,.*measured: native at the XDP call site' "$csv")" -ge 12 ] &&
		! grep -q 'model: native rate' "$csv" && ! grep -q '^complexity,native_xdp,' "$csv"
}

t_hook_cost_driver_origin() {
	local rc csv
	"$OBENCH" run hook-cost --quick --packets 400 --rounds 4 --testbed-kernel "$K" \
		--out "$TMP/hc" >"$TMP/hc.log" 2>&1
	rc=$?
	csv="$TMP/hc/latest/hook-cost.csv"
	ktap_diag "exit $rc; $(awk -F, '$3 == "ns_to_reach" || $3 == "order_violations" { printf "%s %s %s; ", $2, $5, $6 }' "$csv" 2>/dev/null)"
	[ $rc = 0 ] && grep -q '^hook-cost,xdp,ns_to_reach,ns,ok,.*origin: net:netif_rx_driver' "$csv" &&
		[ "$(awk -F, '$3 == "ns_to_reach" && $5 == "ok" && $6 > 0' "$csv" | wc -l)" -ge 6 ] &&
		grep -q 'order_violations,packets,ok,0,' "$csv" &&
		grep -q '"0003 net:netif_rx_driver tracepoint"' "$TMP/hc/latest/run.json"
}

# a directory without the kernel: exit 2, one line, nothing created
t_missing_kernel_refused() {
	local rc
	"$OBENCH" run complexity --testbed-kernel "$TMP/none" --out "$TMP/bad" >"$TMP/bad.out" 2>"$TMP/bad.err"
	rc=$?
	ktap_diag "exit $rc: $(cat "$TMP/bad.err")"
	[ $rc = 2 ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ] && grep -q "make kernel" "$TMP/bad.err" &&
		[ ! -e "$TMP/bad" ]
}

ktap_test_fn complexity_native_at_xdp_site_measured t_native_rows_measured
ktap_test_fn hook_cost_origin_is_the_driver_entry t_hook_cost_driver_origin
ktap_test_fn missing_testbed_kernel_refused t_missing_kernel_refused
if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "needs root"
elif [ ! -f "$K/bzImage" ] || [ ! -f "$K/obench_kmod.ko" ]; then
	ktap_skip_all "no patched kernel in $K (make kernel)"
fi
ktap_run
