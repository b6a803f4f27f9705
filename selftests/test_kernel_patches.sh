#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel-patches/: each series applies, patch by patch, to the tree it is
# for and passes checkpatch --strict without an error or a warning
# (scripts/check-kernel-patches); the check itself catches a series that
# does not apply.  6.12: Debian's linux-source-6.12; 6.8: KSRC_68=<a 6.8
# tree or tarball>, else skipped.  (Building and booting the patched
# kernel is not part of this test.)
cd "$(dirname "$0")/.." || exit 1
. selftests/ktap.sh
CHECK=scripts/check-kernel-patches
SRC612=/usr/src/linux-source-6.12.tar.xz
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

series_612() {
	[ -e "$SRC612" ] || { ktap_skip_test "no $SRC612 (apt install linux-source-6.12)"; return; }
	$CHECK 6.12 "$SRC612" >"$TMP/612.log" 2>&1
	local rc=$?
	sed 's/^/# /' "$TMP/612.log"
	[ $rc = 0 ] && [ "$(grep -c '^applied:' "$TMP/612.log")" = "$(ls kernel-patches/6.12/0*.patch | grep -vc /0000-)" ]
}

series_68() {
	[ -n "${KSRC_68:-}" ] || { ktap_skip_test "KSRC_68 not given (a 6.8 tree or tarball)"; return; }
	$CHECK 6.8 "$KSRC_68" | sed 's/^/# /'
	[ "${PIPESTATUS[0]}" = 0 ]
}

# the 6.12 series with one context line of patch 0002 changed must not apply
broken_series_caught() {
	[ -e "$SRC612" ] || { ktap_skip_test "no $SRC612"; return; }
	mkdir -p "$TMP/k/6.12" && cp kernel-patches/6.12/*.patch "$TMP/k/6.12/"
	sed -i '0,/^ DEFINE_STATIC_KEY_FALSE(bpf_master_redirect_enabled_key);/s// DEFINE_STATIC_KEY_FALSE(bpf_master_redirect_enabled_keyX);/' \
		"$TMP"/k/6.12/0002-*.patch
	KPATCHES="$TMP/k" $CHECK 6.12 "$SRC612" >"$TMP/broken.log" 2>&1
	local rc=$?
	grep '^not applied' "$TMP/broken.log" | sed 's/^/# /'
	[ $rc = 1 ] && grep -q '^not applied: 0002-' "$TMP/broken.log"
}

ktap_test_fn "6.12 series applies to linux-source-6.12, checkpatch clean" series_612
ktap_test_fn "6.8 series applies to KSRC_68, checkpatch clean" series_68
ktap_test_fn "a series that does not apply is caught" broken_series_caught
command -v git >/dev/null || ktap_skip_all "needs git"
ktap_run
