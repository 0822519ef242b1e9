#!/usr/bin/env bash
# Opens a study's HTML report in headless Chromium and checks what a person would see: the
# page's script ran without a console error, the history holds one mark per trial, the parallel
# coordinates one line per complete trial, the table one row per trial; and saves a screenshot.
#   browser_test.sh <typetune command> <study.jsonl> <output dir> [--inject-error]
# --inject-error adds a failing script to the page: the test must then fail (its self-check).
set -euo pipefail
cli=$1 study=$2 out=$3 inject=${4:-}
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
  echo "FAIL: no chromium on PATH; scripts/install-deps.sh installs Debian's chromium" >&2
  exit 1
fi
[ -s "$study" ] || { echo "FAIL: no study export at $study (the example that writes it did not run)" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out"
"$cli" report "$study" -o "$out/report.html"
if [ "$inject" = "--inject-error" ]; then
  sed -i 's|</body>|<script>window.not_defined_anywhere();</script></body>|' "$out/report.html"
fi

trials=$(($(grep -c . "$study") - 1))
complete=$(grep -c '"state":"complete"' "$study" || true)
flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars
       --user-data-dir="$out/profile" --enable-logging=stderr --v=0)
# --virtual-time-budget lets the page's script finish before the DOM is dumped.
"$chromium" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "file://$out/report.html" >"$out/dom.html" 2>"$out/console.log"
"$chromium" "${flags[@]}" --window-size=1280,3200 --screenshot="$out/report.png" "file://$out/report.html" \
  >/dev/null 2>>"$out/console.log"

fail=0
# Console messages of the page are logged as CONSOLE lines; Chromium's own complaints about the
# missing system bus are not the page's.
if grep -E 'CONSOLE|Uncaught' "$out/console.log" | grep -viE '"(debug|info|log)' >"$out/console-errors.log"; then
  echo "FAIL: the page wrote to the console:" >&2
  cat "$out/console-errors.log" >&2
  fail=1
fi
body=$(grep -o '<body[^>]*>' "$out/dom.html" || true)
attr() { sed -n "s/.*data-$1=\"\([^\"]*\)\".*/\1/p" <<<"$body"; }
check() {
  if [ "$(attr "$1")" != "$2" ]; then
    echo "FAIL: $3: the page shows '$(attr "$1")', the study has $2" >&2
    fail=1
  else
    echo "ok: $3: $2"
  fi
}
check rendered yes "the page's script ran to its end"
check history-points "$trials" "history marks (one per trial)"
check table-rows "$trials" "table rows (one per trial)"
check parallel-lines "$complete" "parallel-coordinate lines (one per complete trial)"
[ -s "$out/report.png" ] && echo "ok: screenshot $out/report.png" || { echo "FAIL: no screenshot" >&2; fail=1; }
exit $fail
