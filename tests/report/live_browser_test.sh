#!/usr/bin/env bash
# A live study page in headless Chromium while the main job runs: the main job's quick mode
# writes its study to SQLite, `typetune serve` serves it, and the page (tests/report/
# live_page.mjs) must gain table rows, history marks and timeline bars as trials finish, end
# with one of each per trial, without reloading and without a console error; a screenshot is
# saved in the output directory.
#   live_browser_test.sh <typetune> <fashion_mlp_search> <output dir> [--selfcheck]
# --selfcheck stops the server (SIGSTOP) once the page has loaded: the page then stops
# updating, and the test must fail saying so.
set -euo pipefail
cli=$1 job=$2 out=$3 mode=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$chromium" ] || { echo "FAIL: no chromium on PATH; scripts/install-deps.sh installs Debian's chromium" >&2; exit 1; }
# Node.js 20.10 or later: its WebSocket (--experimental-websocket) speaks to Chromium.
if ! node --experimental-websocket --no-warnings -e 'if (typeof WebSocket !== "function") process.exit(1)' 2>/dev/null; then
  echo "FAIL: this test needs Node.js 20.10 or later (node --experimental-websocket gives WebSocket); found: $(node --version 2>&1 || echo none)" >&2
  exit 1
fi
rm -rf "$out" && mkdir -p "$out"
db="$out/study.db"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# Enough trials to outlast the browser's start (about 0.1 s each on 2 cores); the self-check
# needs fewer: its page stops updating after the first few.
trials=100
[ "$mode" = "--selfcheck" ] && trials=40
"$job" --quick --trials "$trials" --no-baseline --storage "sqlite://$db" --study live >"$out/job.log" 2>&1 &
job_pid=$!
pids+=("$job_pid")
for _ in $(seq 1 600); do
  if [ -s "$db" ] && listing=$("$cli" studies "sqlite://$db" 2>/dev/null) && grep -q '^live ' <<<"$listing"; then break; fi
  sleep 0.1
done
"$cli" serve "sqlite://$db" --port 0 2>"$out/serve.log" &
server_pid=$!
pids+=("$server_pid")
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$out/serve.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: typetune serve did not start:" >&2; cat "$out/serve.log" >&2; exit 1; }

# When the job ends, its final trial count goes to done.txt: the page must then show that many.
(
  wait_for=$job_pid
  while kill -0 "$wait_for" 2>/dev/null; do sleep 0.2; done
  "$cli" studies "sqlite://$db" | awk '$1 == "live" {print $3}' >"$out/done.tmp"
  mv "$out/done.tmp" "$out/done.txt"
) &
if [ "$mode" = "--selfcheck" ]; then
  ( while [ ! -e "$out/page/loaded" ]; do sleep 0.05; done; kill -STOP "$server_pid" ) &
fi
node --experimental-websocket --no-warnings "$here/live_page.mjs" "$chromium" \
  "http://127.0.0.1:$port/study?name=live&interval=250" "$out/page" "$out/done.txt" 150 >"$out/page.json"
wait "$job_pid" || { echo "FAIL: the main job failed:" >&2; tail -20 "$out/job.log" >&2; exit 1; }

python3 - "$out/page.json" "$out/page/live.png" <<'EOF'
import json, os, sys
r = json.loads(open(sys.argv[1]).read())
if "error" in r:
    print("FAIL: " + r["error"]); sys.exit(1)
first, last, expected = r["first"], r["last"], r["expected"]
n = lambda d, k: int(d.get(k, "-1"))
checks = [
    (expected is not None and expected > 0, "the job wrote %s trials" % expected),
    (n(first, "tableRows") < (expected or 0),
     "the page opened before the last trial (%d rows of %s)" % (n(first, "tableRows"), expected)),
    (n(last, "tableRows") == expected, "the table gained rows while open: %d -> %d, the study has %s"
     % (n(first, "tableRows"), n(last, "tableRows"), expected)),
    (n(last, "historyPoints") == expected, "the history gained marks: %d -> %d"
     % (n(first, "historyPoints"), n(last, "historyPoints"))),
    (n(last, "timelineBars") == expected, "the timeline shows every trial: %d" % n(last, "timelineBars")),
    (n(last, "updates") >= 1, "the page updated itself %d times without reloading" % n(last, "updates")),
    (n(last, "failures") == 0, "no request of the page failed (%d)" % n(last, "failures")),
    (r["errors"] == [], "no console error: %s" % r["errors"]),
    (os.path.getsize(sys.argv[2]) > 10000 if os.path.exists(sys.argv[2]) else False, "screenshot " + sys.argv[2]),
]
bad = 0
for ok, what in checks:
    print(("ok: " if ok else "FAIL: ") + what)
    bad += not ok
if bad == 0:
    print("the live page followed the study: %d readings" % r["readings"])
sys.exit(1 if bad else 0)
EOF
