#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the testbed VM booted with the patched kernel
# (selftests/vm/run_patched.sh): loads the obench module built against it,
# runs test_patched (KTAP on stdout), unloads the module, saves dmesg.
#
# Environment: OBENCH_KMOD (default build/kernel/6.12/obench_kmod.ko).
# Exit: test_patched's status (0 pass, 1 fail, 4 skip).
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KMOD=${OBENCH_KMOD:-$TOP/build/kernel/6.12/obench_kmod.ko}
TEST=$TOP/build/selftests/vm/test_patched

echo "# kernel $(uname -r) $(uname -v), module $KMOD"
insmod "$KMOD" || { echo "1..0 # SKIP insmod $KMOD failed"; exit 4; }
"$TEST"
rc=$?
rmmod obench_kmod || { echo "# rmmod failed"; rc=1; }
if dmesg | grep -E "BUG|WARNING|Oops|general protection" >/dev/null; then
	echo "# the kernel log has a BUG/WARNING:"
	dmesg | grep -E -A5 "BUG|WARNING|Oops" | sed 's/^/# /' | head -40
	rc=1
fi
[ -n "${VMRUN_RESULTS:-}" ] && [ -w "$VMRUN_RESULTS" ] && dmesg >"$VMRUN_RESULTS/test_patched-dmesg.txt"
exit $rc
