#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every libFuzzer target built by `make fuzz` for FUZZ_SECONDS each
# (default 60), starting from the seed corpus in selftests/fuzz/corpus/.
# Prints executions and findings per target; exit 1 on any crash, leak or
# sanitizer report, 4 when the targets are not built.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${FUZZ_OUT:-$TOP/build/fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
rc=0
ls "$OUT"/fuzz_* >/dev/null 2>&1 || { echo "fuzz: no targets in $OUT (make fuzz)"; exit 4; }
# the targets of the sources, not whatever binaries an older build left in $OUT
for src in "$TOP"/selftests/fuzz/fuzz_*.c; do
	name=${src##*/fuzz_}
	name=${name%.c}
	t=$OUT/fuzz_$name
	[ -x "$t" ] || { echo "fuzz $name: not built (make fuzz)"; rc=1; continue; }
	work=$OUT/corpus/$name
	mkdir -p "$work" "$OUT/findings"
	log=$OUT/$name.log
	"$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -close_fd_mask=3 \
		-artifact_prefix="$OUT/findings/$name-" "$work" "$TOP/selftests/fuzz/corpus/$name" \
		>"$log" 2>&1
	status=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
	[ -n "$execs" ] || execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	if [ "$status" -ne 0 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
		echo "fuzz $name: FOUND a problem after ${execs:-?} executions (see $log)"
		grep -E 'ERROR|runtime error' "$log" | head -5
		rc=1
	else
		echo "fuzz $name: ${execs:-?} executions in ${SECONDS_EACH} s, nothing found"
	fi
done
exit $rc
