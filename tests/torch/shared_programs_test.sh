#!/usr/bin/env bash
# The four tutorial search programs beside the main job join a stored study as the main job does
# (--storage, --study, --worker; docs/cluster.md): per program, two --worker processes started
# together on one SQLite study in their quick mode, then one run without --worker. The workers
# split the budget (the quick mode's --trials or --n-iter) between them: each says how many it
# trained, together exactly the budget; the study holds exactly that many trials, numbered from
# 0, none left running; the final run trains nothing more and tests the best. Also: --worker
# without a storage is a usage error, and TYPETUNE_STORAGE / TYPETUNE_STUDY stand in for the flags.
#   shared_programs_test.sh BIN_DIR TYPETUNE_CLI WORK_DIR
set -uo pipefail
bin=$1 cli=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fails=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1" >&2; fails=$((fails + 1)); }

# program, its quick budget
check_program() {
  local program=$1 budget=$2 dir="$work/$1"
  mkdir -p "$dir"
  local url="sqlite://$dir/study.db" study="shared-$1"
  "$bin/$program" --quick --storage "$url" --study "$study" --worker >"$dir/w1.out" 2>&1 &
  local first=$!
  # The second worker names its study through the environment, as a job script would.
  TYPETUNE_STORAGE="$url" TYPETUNE_STUDY="$study" "$bin/$program" --quick --worker >"$dir/w2.out" 2>&1
  local rc2=$? rc1=0
  wait "$first" || rc1=$?
  if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
    fail "$program workers exited $rc1 and $rc2: $(tail -n 5 "$dir/w1.out" "$dir/w2.out")"
    return
  fi
  local trained
  trained=$(sed -n 's/^worker done: \([0-9]*\) trials trained here; the study holds \([0-9]*\)$/\1/p' "$dir/w1.out" "$dir/w2.out" |
    awk '{ s += $1; n += 1 } END { print n == 2 ? s : "missing" }')
  [ "$trained" = "$budget" ] && pass "$program: 2 workers trained $budget trials between them" \
    || fail "$program: the workers' counts add up to '$trained', want $budget: $(grep -h "worker done" "$dir"/w*.out)"
  "$bin/$program" --quick --storage "$url" --study "$study" >"$dir/final.out" 2>&1 \
    && pass "$program: the run without --worker tested the best" || fail "$program final run: $(tail -n 8 "$dir/final.out")"
  "$cli" export "$url" --study "$study" --format csv -o "$dir/trials.csv" || { fail "$program: export"; return; }
  python3 - "$dir/trials.csv" "$budget" <<'PY' && pass "$program: the study holds trials 0..$((budget - 1)), all ended" || fail "$program: the study (above)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
budget = int(sys.argv[2])
numbers = sorted(int(r["number"]) for r in rows)
states = {r["state"] for r in rows}
ok = numbers == list(range(budget)) and states <= {"complete", "pruned"} and "complete" in states
if not ok:
    print(f"numbers {numbers}, states {states}; want 0..{budget - 1}, complete or pruned", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

check_program fashion_cnn_search 2
check_program seed_variance 2
check_program regression_search 3
check_program rnn_search_cv 2

"$bin/regression_search" --quick --worker >"$work/no-storage.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--worker needs --storage" "$work/no-storage.out" \
  && pass "--worker without a storage: exit 2, saying why" || fail "--worker without a storage: exit $rc, $(cat "$work/no-storage.out")"

[ "$fails" -eq 0 ] && echo "all shared-program checks passed" || { echo "$fails shared-program checks failed" >&2; exit 1; }
