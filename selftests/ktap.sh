# SPDX-License-Identifier: GPL-2.0
# A small KTAP emitter for obench's shell selftests (source it).
# ktap_plan N; ktap_ok NAME; ktap_fail NAME; ktap_skip NAME WHY; ktap_finish
KTAP_N=0; KTAP_PASS=0; KTAP_FAIL=0; KTAP_SKIP=0
OBENCH=${OBENCH:-$(cd "$(dirname "$0")/.." && pwd)/build/obench}

ktap_plan() { echo "TAP version 13"; echo "1..$1"; }
ktap_diag() { echo "# $*"; }
ktap_ok() { KTAP_N=$((KTAP_N + 1)); KTAP_PASS=$((KTAP_PASS + 1)); echo "ok $KTAP_N $1"; }
ktap_fail() { KTAP_N=$((KTAP_N + 1)); KTAP_FAIL=$((KTAP_FAIL + 1)); echo "not ok $KTAP_N $1"; }
ktap_skip() { KTAP_N=$((KTAP_N + 1)); KTAP_SKIP=$((KTAP_SKIP + 1)); echo "ok $KTAP_N $1 # SKIP $2"; }
# ktap_test NAME CMD...: ok when CMD succeeds
ktap_test() { local name=$1; shift; if "$@" >/dev/null 2>&1; then ktap_ok "$name"; else ktap_fail "$name"; fi; }
ktap_finish() {
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	[ "$KTAP_FAIL" -gt 0 ] && exit 1
	[ "$KTAP_PASS" -eq 0 ] && [ "$KTAP_SKIP" -gt 0 ] && exit 4
	exit 0
}
# Number of BPF programs loaded in the kernel right now.
bpf_prog_count() { bpftool prog show 2>/dev/null | grep -c '^[0-9]*:'; }
