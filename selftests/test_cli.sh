#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The obench command line: help everywhere, and bad input answered with one
# line naming the fix, exit status 2, and nothing created.
. "$(dirname "$0")/ktap.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# usage_error ARGS...: exit 2, exactly one line on stderr (left in $TMP/err), no results dir
usage_error() {
	"$OBENCH" "$@" --out "$TMP/res" >"$TMP/out" 2>"$TMP/err"
	local rc=$? lines
	lines=$(wc -l <"$TMP/err")
	[ $rc -eq 2 ] && [ "$lines" -eq 1 ] && [ ! -e "$TMP/res" ] && return 0
	ktap_diag "rc=$rc stderr lines=$lines: $(head -3 "$TMP/err")"
	return 1
}

main_help() { "$OBENCH" --help >/dev/null 2>&1; }

help_on_each_command() {
	local c ok=0
	for c in list run report cleanup; do
		"$OBENCH" $c --help >"$TMP/h" 2>&1 && grep -q usage "$TMP/h" || { ok=1; ktap_diag "$c --help"; }
	done
	return $ok
}

list_shows_experiments() { "$OBENCH" list >"$TMP/list" && grep -q '^map-access .*Table 3' "$TMP/list"; }

# usage_error_says PATTERN ARGS...: a usage error whose line matches PATTERN
usage_error_says() {
	local pattern=$1; shift
	"$OBENCH" "$@" --out "$TMP/res" >/dev/null 2>"$TMP/err"
	grep -q "$pattern" "$TMP/err"
}

exit_2() { "$@" >/dev/null 2>"$TMP/err"; [ $? -eq 2 ]; }

# Not root: a clear message and exit 2, before anything is created.
not_root_refused() {
	local rc
	if ! command -v setpriv >/dev/null || [ "$(id -u)" -ne 0 ]; then
		ktap_skip_test "needs root and setpriv to drop privileges"
		return
	fi
	# a copy the unprivileged user can reach, wherever the tree lives (e.g. under /root)
	chmod 755 "$TMP"
	cp "$OBENCH" "$TMP/obench" && chmod 755 "$TMP/obench"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$TMP/obench" run map-access --quick --out "$TMP/res" >/dev/null 2>"$TMP/err"
	rc=$?
	[ $rc -eq 2 ] && grep -q sudo "$TMP/err" && [ ! -e "$TMP/res" ] && return 0
	ktap_diag "rc=$rc: $(cat "$TMP/err")"
	return 1
}

# An obvious valid flag is accepted by --help-free parsing (no run: --help wins).
flag_with_separate_value() {
	# a real (short) run: the value given as a separate word must reach the config
	[ "$(id -u)" = 0 ] || { ktap_skip_test "needs root to run map-access"; return; }
	"$OBENCH" run map-access --quick --repeat 2 --lookups 32 --no-report --out "$TMP/sep" >/dev/null 2>&1 &&
		grep -q '"lookups":"32"' "$TMP/sep/latest/run.json"
}

ktap_test_fn help main_help
ktap_test_fn help_on_each_command
ktap_test_fn list_shows_experiments
ktap_test_fn unknown_experiment usage_error run no-such-experiment
ktap_test_fn unknown_experiment_names_fix usage_error_says "obench list" run no-such-experiment
ktap_test_fn unknown_flag usage_error run map-access --no-such-flag=1
ktap_test_fn flag_not_a_number usage_error run map-access --repeat=abc
ktap_test_fn flag_out_of_range usage_error run map-access --lookups=5
ktap_test_fn range_error_names_valid_range usage_error_says '\[10, 1024\]' run map-access --lookups=5
ktap_test_fn quick_and_full usage_error run map-access --quick --full
ktap_test_fn unknown_command exit_2 "$OBENCH" frobnicate
ktap_test_fn report_missing_dir exit_2 "$OBENCH" report "$TMP/nowhere"
ktap_test_fn not_root_refused
ktap_test_fn flag_with_separate_value
ktap_run
