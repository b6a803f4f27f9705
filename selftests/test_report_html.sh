#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# report.html in a real browser: a small real run, its report rendered by
# headless Chromium, which must find every figure loaded and none blank (the
# page's own script counts them into the title).  Then the check itself is
# checked: a report whose figures are blank, and one with a broken figure,
# must be caught.
. "$(dirname "$0")/ktap.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

TESTS="run_writes_report figures_drawn html_self_contained all_figures_loaded_not_blank \
screenshot catches_blank_figures catches_broken_figure"
skip_all() {
	ktap_plan 7
	for t in $TESTS; do ktap_skip "$t" "$1"; done
	ktap_finish
}
CHROMIUM=$(command -v chromium || command -v chromium-browser)
[ "$(id -u)" -eq 0 ] || skip_all "needs root (obench run)"
[ -n "$CHROMIUM" ] || skip_all "chromium not installed"
command -v gnuplot >/dev/null || skip_all "gnuplot not installed"

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

ktap_plan 7
"$OBENCH" run map-access user-access echo --quick --out "$TMP/res" >"$TMP/run.log" 2>&1
RUN=$(readlink -f "$TMP/res/latest")
if [ -f "$RUN/report.html" ] && [ -f "$RUN/report.md" ]; then
	ktap_ok "run_writes_report"
else
	ktap_diag "$(tail -3 "$TMP/run.log")"; ktap_fail "run_writes_report"
fi
ok=1
for e in map-access user-access echo; do
	for ext in svg png gp; do [ -s "$RUN/figures/$e.$ext" ] || { ok=0; ktap_diag "no figures/$e.$ext"; }; done
	grep -q "](figures/$e.svg)" "$RUN/report.md" || { ok=0; ktap_diag "report.md does not embed $e"; }
done
[ $ok = 1 ] && ktap_ok "figures_drawn" || ktap_fail "figures_drawn"
# every figure inline, nothing fetched from anywhere
figs=$(grep -o '<img class="fig"' "$RUN/report.html" | wc -l)
if [ "$figs" -eq 3 ] && [ "$(grep -c 'src="data:image/png;base64,' "$RUN/report.html")" -ge 1 ] &&
   ! grep -qE 'src="(https?:|figures/)' "$RUN/report.html"; then
	ktap_ok "html_self_contained"
else
	ktap_diag "$figs figures"; ktap_fail "html_self_contained"
fi
title=$(page_title "$RUN/report.html")
ktap_diag "browser: $title"
[ "$title" = "obench report: 3 figures, 3 loaded, 0 blank" ] &&
	ktap_ok "all_figures_loaded_not_blank" || ktap_fail "all_figures_loaded_not_blank"
browser --virtual-time-budget=10000 --window-size=1280,4000 --screenshot="$TMP/report.png" \
	"file://$RUN/report.html" >/dev/null
if [ "$(head -c 8 "$TMP/report.png" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
	ktap_ok "screenshot"
else
	ktap_fail "screenshot"
fi

# A gnuplot that draws white images: the page must report them blank.
mkdir -p "$TMP/bin"
cat >"$TMP/blank.gp" <<'EOF'
unset border; unset tics; unset key
set terminal svg; set output ARG1
plot [0:1] [0:1] -1 notitle
set terminal pngcairo; set output ARG2
replot
EOF
# called as: gnuplot -c SCRIPT SVG PNG
printf '#!/bin/sh\nexec "%s" -c "%s" "$3" "$4"\n' "$(command -v gnuplot)" "$TMP/blank.gp" >"$TMP/bin/gnuplot"
chmod +x "$TMP/bin/gnuplot"
cp -r "$RUN" "$TMP/blank"
PATH="$TMP/bin:$PATH" "$OBENCH" report "$TMP/blank" >/dev/null 2>&1
title=$(page_title "$TMP/blank/report.html")
ktap_diag "blank figures: $title"
[ "$title" = "obench report: 3 figures, 3 loaded, 3 blank" ] &&
	ktap_ok "catches_blank_figures" || ktap_fail "catches_blank_figures"
# A figure whose data is corrupt: it must count as not loaded.
sed '0,/src="data:image\/png;base64,/s//src="data:image\/png;base64,AAAA/' "$RUN/report.html" \
	>"$TMP/broken.html"
title=$(page_title "$TMP/broken.html")
ktap_diag "broken figure: $title"
[ "$title" = "obench report: 3 figures, 2 loaded, 0 blank" ] &&
	ktap_ok "catches_broken_figure" || ktap_fail "catches_broken_figure"
ktap_finish
