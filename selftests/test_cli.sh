#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The obench command line: help everywhere, and bad input answered with one
# line naming the fix, exit status 2, and nothing created.
. "$(dirname "$0")/ktap.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# expect_usage_error NAME ARGS...: exit 2, exactly one line on stderr, no results dir
expect_usage_error() {
	local name=$1; shift
	"$OBENCH" "$@" --out "$TMP/res" >"$TMP/out" 2>"$TMP/err"
	local rc=$? lines
	lines=$(wc -l <"$TMP/err")
	if [ $rc -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -e "$TMP/res" ]; then
		ktap_ok "$name"
	else
		ktap_diag "rc=$rc stderr lines=$lines: $(head -3 "$TMP/err")"
		ktap_fail "$name"
	fi
}

ktap_plan 14
ktap_test "help" "$OBENCH" --help
ok=1
for c in list run report cleanup; do
	"$OBENCH" $c --help >"$TMP/h" 2>&1 && grep -q usage "$TMP/h" || { ok=0; ktap_diag "$c --help"; }
done
[ $ok = 1 ] && ktap_ok "help_on_each_command" || ktap_fail "help_on_each_command"
"$OBENCH" list >"$TMP/list" && grep -q '^map-access .*Table 3' "$TMP/list" &&
	ktap_ok "list_shows_experiments" || ktap_fail "list_shows_experiments"

expect_usage_error "unknown_experiment" run no-such-experiment
grep -q "obench list" "$TMP/err" && ktap_ok "unknown_experiment_names_fix" || ktap_fail "unknown_experiment_names_fix"
expect_usage_error "unknown_flag" run map-access --no-such-flag=1
expect_usage_error "flag_not_a_number" run map-access --repeat=abc
expect_usage_error "flag_out_of_range" run map-access --lookups=5
grep -q '\[10, 1024\]' "$TMP/err" && ktap_ok "range_error_names_valid_range" || ktap_fail "range_error_names_valid_range"
expect_usage_error "quick_and_full" run map-access --quick --full
"$OBENCH" frobnicate >/dev/null 2>"$TMP/err"; [ $? -eq 2 ] && ktap_ok "unknown_command" || ktap_fail "unknown_command"
"$OBENCH" report "$TMP/nowhere" >/dev/null 2>"$TMP/err"; [ $? -eq 2 ] && ktap_ok "report_missing_dir" || ktap_fail "report_missing_dir"

# Not root: a clear message and exit 2, before anything is created.
if command -v setpriv >/dev/null && [ "$(id -u)" -eq 0 ]; then
	# a copy the unprivileged user can reach, wherever the tree lives (e.g. under /root)
	chmod 755 "$TMP"
	cp "$OBENCH" "$TMP/obench" && chmod 755 "$TMP/obench"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TMP/obench" run map-access --quick --out "$TMP/res" >/dev/null 2>"$TMP/err"
	rc=$?
	if [ $rc -eq 2 ] && grep -q sudo "$TMP/err" && [ ! -e "$TMP/res" ]; then
		ktap_ok "not_root_refused"
	else
		ktap_diag "rc=$rc: $(cat "$TMP/err")"; ktap_fail "not_root_refused"
	fi
else
	ktap_skip "not_root_refused" "needs root and setpriv to drop privileges"
fi
# An obvious valid flag is accepted by --help-free parsing (no run: --help wins).
"$OBENCH" run map-access --lookups 32 --help >/dev/null && ktap_ok "flag_with_separate_value" || ktap_fail "flag_with_separate_value"
ktap_finish
