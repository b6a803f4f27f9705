#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# report.html in a real browser: a small real run, its report rendered by
# headless Chromium, which must find every figure loaded and none blank (the
# page's own script counts them into the title).  Then the check itself is
# checked: a report whose figures are blank, and one with a broken figure,
# must be caught.  The screenshot is kept as $SCREENSHOT when that is set.
. "$(dirname "$0")/ktap.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CHROMIUM=$(command -v chromium || command -v chromium-browser)

# browser ARGS...: headless Chromium, as root, talking to nothing
browser() {
	local profile
	profile=$(mktemp -d "$TMP/profile.XXXXXX")
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@" 2>>"$TMP/chromium.log"
}

# page_title HTML: the document title once the page's script ran
page_title() {
	browser --virtual-time-budget=10000 --dump-dom "file://$1" | grep -o '<title>[^<]*</title>' |
		sed 's/<[^>]*>//g'
}

small_run() {
	"$OBENCH" run map-access user-access echo --quick --out "$TMP/res" >"$TMP/run.log" 2>&1
	RUN=$(readlink -f "$TMP/res/latest")
}

run_writes_report() {
	ktap_once small_run
	[ -f "$RUN/report.html" ] && [ -f "$RUN/report.md" ] && return 0
	ktap_diag "$(tail -3 "$TMP/run.log")"
	return 1
}

figures_drawn() {
	local e ext ok=0
	for e in map-access user-access echo; do
		for ext in svg png gp; do
			[ -s "$RUN/figures/$e.$ext" ] || { ok=1; ktap_diag "no figures/$e.$ext"; }
		done
		grep -q "](figures/$e.svg)" "$RUN/report.md" || { ok=1; ktap_diag "report.md does not embed $e"; }
	done
	return $ok
}

# every figure inline, nothing fetched from anywhere
html_self_contained() {
	local figs
	figs=$(grep -o '<img class="fig"' "$RUN/report.html" | wc -l)
	ktap_diag "$figs figures"
	[ "$figs" -eq 3 ] && [ "$(grep -c 'src="data:image/png;base64,' "$RUN/report.html")" -ge 1 ] &&
		! grep -qE 'src="(https?:|figures/)' "$RUN/report.html"
}

# expect_title HTML TITLE: the page's own check says TITLE
expect_title() {
	local title
	title=$(page_title "$1")
	ktap_diag "browser: $title"
	[ "$title" = "$2" ]
}

all_figures_loaded_not_blank() {
	expect_title "$RUN/report.html" "obench report: 3 figures, 3 loaded, 0 blank"
}

screenshot() {
	browser --virtual-time-budget=10000 --window-size=1280,4000 --screenshot="$TMP/report.png" \
		"file://$RUN/report.html" >/dev/null
	[ -n "${SCREENSHOT:-}" ] && cp "$TMP/report.png" "$SCREENSHOT"
	[ "$(head -c 8 "$TMP/report.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}

# A gnuplot that draws white images: the page must report them blank.
catches_blank_figures() {
	mkdir -p "$TMP/bin"
	cat >"$TMP/blank.gp" <<'EOF'
unset border; unset tics; unset key
set terminal svg; set output ARG1
plot [0:1] [0:1] -1 notitle
set terminal pngcairo; set output ARG2
replot
EOF
	# called as: gnuplot -c SCRIPT SVG PNG
	printf '#!/bin/sh\nexec "%s" -c "%s" "$3" "$4"\n' "$(command -v gnuplot)" "$TMP/blank.gp" \
		>"$TMP/bin/gnuplot"
	chmod +x "$TMP/bin/gnuplot"
	cp -r "$RUN" "$TMP/blank"
	PATH="$TMP/bin:$PATH" "$OBENCH" report "$TMP/blank" >/dev/null 2>&1
	expect_title "$TMP/blank/report.html" "obench report: 3 figures, 3 loaded, 3 blank"
}

# A figure whose data is corrupt: it must count as not loaded.
catches_broken_figure() {
	sed '0,/src="data:image\/png;base64,/s//src="data:image\/png;base64,AAAA/' "$RUN/report.html" \
		>"$TMP/broken.html"
	expect_title "$TMP/broken.html" "obench report: 3 figures, 2 loaded, 0 blank"
}

ktap_test_fn run_writes_report
ktap_test_fn figures_drawn
ktap_test_fn html_self_contained
ktap_test_fn all_figures_loaded_not_blank
ktap_test_fn screenshot
ktap_test_fn catches_blank_figures
ktap_test_fn catches_broken_figure
if [ "$(id -u)" -ne 0 ]; then
	ktap_skip_all "needs root (obench run)"
elif [ -z "$CHROMIUM" ]; then
	ktap_skip_all "chromium not installed"
elif ! command -v gnuplot >/dev/null; then
	ktap_skip_all "gnuplot not installed"
fi
ktap_run
