# SPDX-License-Identifier: GPL-2.0
# KTAP for obench's shell selftests (source it): the shell side of harness.h.
# A test is a command, usually a shell function, registered under a name;
# ktap_run prints the plan from the registered list, runs the tests in the
# order registered, in this shell (so a test may leave state for the next),
# and exits with the kselftest code (0 pass, 1 fail, 4 all skipped).
#
#   t_list() { "$OBENCH" list | grep -q map-access; }   # status 0: ok, else not ok
#   t_root() { [ "$(id -u)" = 0 ] || { ktap_skip_test "needs root"; return; }; ...; }
#   ktap_test_fn list_shows_experiments t_list
#   ktap_test_fn t_root                                  # named after its function
#   ktap_test_fn unknown_flag usage_error run map-access --bogus   # a command with arguments
#   [ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
#   ktap_run
#
# A test prints diagnostics with ktap_diag (its other output must not reach
# stdout) and returns, never exits; shared expensive set-up (one obench run checked by several tests)
# goes through ktap_once, as harness_once() in C.
KSFT_PASS=0 KSFT_FAIL=1 KSFT_SKIP=4
KTAP_NAMES=() KTAP_CMDS=()
KTAP_SKIP_ALL='' KTAP_SKIP_WHY=''
OBENCH=${OBENCH:-$(cd "$(dirname "$0")/.." && pwd)/build/obench}

ktap_diag() { echo "# $*"; }

# ktap_test_fn NAME [CMD [ARG...]]: registers test NAME, ok when CMD (default:
# the function NAME) returns 0
ktap_test_fn() {
	local name=$1
	shift
	[ $# -gt 0 ] || set -- "$name"
	KTAP_NAMES+=("$name")
	KTAP_CMDS+=("$(printf '%q ' "$@")")
}

# In a test: `ktap_skip_test WHY; return` reports the test skipped with WHY.
# (Only this skips: a test that merely returns 4, e.g. a command's status, fails.)
ktap_skip_test() { KTAP_SKIP_WHY=${*:-skipped}; return $KSFT_SKIP; }

# Before ktap_run: every test is reported skipped with WHY, none runs.
ktap_skip_all() { KTAP_SKIP_ALL=$*; }

# ktap_once FUNC [ARG...]: runs FUNC the first time only; returns its status every time.
ktap_once() {
	local var="KTAP_ONCE_$1"

	if [ -z "${!var}" ]; then
		"$@"
		printf -v "$var" %d $?
	fi
	return "${!var}"
}

ktap_run() {
	local i n=${#KTAP_NAMES[@]} pass=0 fail=0 skip=0 rc

	echo "TAP version 13"
	echo "1..$n"
	for ((i = 0; i < n; i++)); do
		if [ -n "$KTAP_SKIP_ALL" ]; then
			KTAP_SKIP_WHY=$KTAP_SKIP_ALL
			rc=$KSFT_SKIP
		else
			KTAP_SKIP_WHY=
			eval "${KTAP_CMDS[i]}"
			rc=$?
		fi
		if [ "$rc" -eq 0 ]; then
			pass=$((pass + 1))
			echo "ok $((i + 1)) ${KTAP_NAMES[i]}"
		elif [ "$rc" -eq $KSFT_SKIP ] && [ -n "$KTAP_SKIP_WHY" ]; then
			skip=$((skip + 1))
			echo "ok $((i + 1)) ${KTAP_NAMES[i]} # SKIP $KTAP_SKIP_WHY"
		else
			fail=$((fail + 1))
			echo "not ok $((i + 1)) ${KTAP_NAMES[i]}"
		fi
	done
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ $fail -gt 0 ] && exit $KSFT_FAIL
	[ $pass -eq 0 ] && [ $skip -gt 0 ] && exit $KSFT_SKIP
	exit $KSFT_PASS
}

# leftovers PID: what obench run PID left behind (namespaces, veth links), nothing when clean
leftovers() {
	ip netns list 2>/dev/null | grep "^obench-$1-"
	ls /run/netns 2>/dev/null | grep "^obench-$1-"
	ip -o link show 2>/dev/null | grep -E ": ob$1[sc][@:]"
}

# Number of BPF programs loaded in the kernel right now.
bpf_prog_count() { bpftool prog show 2>/dev/null | grep -c '^[0-9]*:'; }
