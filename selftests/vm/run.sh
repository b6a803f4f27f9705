#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host side of the kernel module tests: boots the testbed VM and runs
# selftests/vm/in_vm.sh inside it.  Needs kmod/obench_kmod.ko and
# build/selftests/vm/test_kmod built beforehand.  Exit: 0 pass, 1 fail,
# 4 skip (no qemu/virtiofsd/kernel image), anything else is an error
# (124: the VM timed out).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$TOP" || exit 1

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$TOP/testbed/vmrun" --timeout "${VMRUN_TIMEOUT:-600}" -- \
	"$TOP/selftests/vm/in_vm.sh" | tee "$out"
rc=${PIPESTATUS[0]}
if [ "$rc" = 4 ] && grep -q '^vmrun: skipped:' "$out"; then
	echo "# SKIP $(sed -n 's/^vmrun: skipped: //p' "$out" | head -n 1)"
	exit 4
fi
exit "$rc"
