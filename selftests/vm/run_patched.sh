#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel series at work: boots the patched testbed kernel
# (scripts/build-kernel, `make kernel`) in the VM and runs in_vm_patched.sh.
# Skips (exit 4) when that kernel has not been built.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
K=${OBENCH_PATCHED_KERNEL:-$TOP/build/kernel/6.12}
if [ ! -f "$K/bzImage" ] || [ ! -f "$K/obench_kmod.ko" ]; then
	echo "1..0 # SKIP no patched kernel in $K (make kernel)"
	exit 4
fi
OBENCH_KMOD=$K/obench_kmod.ko "$TOP/testbed/vmrun" --kernel "$K/bzImage" \
	--timeout "${VMRUN_TIMEOUT:-600}" -- env OBENCH_KMOD="$K/obench_kmod.ko" \
	"$TOP/selftests/vm/in_vm_patched.sh"
