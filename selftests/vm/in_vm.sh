#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the testbed VM (testbed/vmrun): the obench kernel module
# tests (KTAP on stdout), then saves the kernel log to the results share.
#
# Environment: OBENCH_KMOD (module, default kmod/obench_kmod.ko),
# OBENCH_TEST_KMOD (test binary, default build/selftests/vm/test_kmod),
# OBENCH_KMOD_CYCLES (insmod/rmmod cycles, default 100).
# Exit: the test binary's status (0 pass, 1 fail, 4 skip).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KMOD=${OBENCH_KMOD:-$TOP/kmod/obench_kmod.ko}
TEST=${OBENCH_TEST_KMOD:-$TOP/build/selftests/vm/test_kmod}
CYCLES=${OBENCH_KMOD_CYCLES:-100}

ktap_skip() {
	echo "TAP version 13"
	echo "1..0 # SKIP $*"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0"
	exit 4
}

[ -r "$KMOD" ] || ktap_skip "$KMOD not built (make kmod)"
[ -x "$TEST" ] || ktap_skip "$TEST not built"

echo "# kernel $(uname -r), module $KMOD"
"$TEST" --kmod "$KMOD" --cycles "$CYCLES"
rc=$?

if [ -n "${VMRUN_RESULTS:-}" ] && [ -w "$VMRUN_RESULTS" ]; then
	dmesg >"$VMRUN_RESULTS/test_kmod-dmesg.txt" 2>&1 &&
		echo "# kernel log: $VMRUN_RESULTS/test_kmod-dmesg.txt"
fi
exit $rc
