#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs each test given as an argument and reports it as one KTAP line, with
# the test's own KTAP output nested as "# " diagnostics, like the kernel's
# kselftest runner.  Exit 4 from a test means skipped.
cd "$(dirname "$0")" || exit 1
TIMEOUT=${KSFT_TIMEOUT:-900}
n=0 pass=0 fail=0 skip=0
echo "TAP version 13"
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	name=$(basename "$t")
	echo "# selftests: obench: $name"
	timeout --foreground -k 10 "$TIMEOUT" "$t" 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	case $rc in
	0) pass=$((pass + 1)); echo "ok $n selftests: obench: $name" ;;
	4) skip=$((skip + 1)); echo "ok $n selftests: obench: $name # SKIP" ;;
	124) fail=$((fail + 1)); echo "not ok $n selftests: obench: $name # TIMEOUT ${TIMEOUT} seconds" ;;
	*) fail=$((fail + 1)); echo "not ok $n selftests: obench: $name # exit=$rc" ;;
	esac
done
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
