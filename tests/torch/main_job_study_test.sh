#!/usr/bin/env bash
# The main job's study as a user keeps it: the quick run writes its study to an SQLite file
# beside its report (no --storage given), with the test figures and the paired comparison
# against the baseline stored as study attributes; the same command again continues that study
# (no trial run twice, the best tested again); the `typetune` command line shows and reports it
# from the file without --study.
#   main_job_study_test.sh <fashion_mlp_search> <typetune command> <work dir>
set -uo pipefail
job=$1 cli=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fails=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1" >&2; fails=$((fails + 1)); }
db="$work/fashion_mlp_quick.db"

out=$("$job" --quick --report "$work/report.html" 2>&1) || fail "the first run failed: $out"
[ -f "$db" ] && pass "the study is kept beside the report" || fail "no $db after the first run"
[[ $out == *"4 trials (4 run now)"* ]] && pass "first run: 4 trials run" || fail "first run printed: $out"
[[ $out == *"gain of the best model over the baseline, paired on the same 1000 test images: "*"(95 % CI "*"McNemar p = "* ]] \
  && pass "first run: the paired comparison is printed" || fail "first run printed no paired comparison: $out"
[[ $out == *"baseline: the tutorial's untuned 784-350-10"*"for its "*" epochs"* ]] \
  && pass "first run: the baseline says how it was trained" || fail "first run printed: $out"

again=$("$job" --quick --report "$work/report.html" 2>&1) || fail "the second run failed: $again"
[[ $again == *"4 trials (0 run now)"* ]] && pass "second run: the stored study is continued, no trial run again" \
  || fail "second run printed: $again"
[[ $again == *"best model: test accuracy"* ]] && pass "second run: the stored best is retrained and tested" \
  || fail "second run printed: $again"

shown=$("$cli" show "sqlite://$db") || fail "typetune show failed: $shown"
[[ $shown == *"fashion-mlp-recipe-quick-seed1"*"4 trials"* ]] && pass "show reads the study without --study" || fail "show printed: $shown"
for key in test_accuracy baseline_test_accuracy gain_points gain_ci95_low_points gain_ci95_high_points gain_mcnemar_p gain_verdict; do
  [[ $shown == *"  $key: "* ]] || fail "show lacks the attribute $key: $shown"
done
[[ $shown == *"gain_verdict: "*"noise"* ]] && pass "show: the figures of the comparison are stored with the study" || true
"$cli" report "sqlite://$db" -o "$work/from_db.html" && grep -q 'gain_points: <b>' "$work/from_db.html" \
  && grep -q 'gain_points: <b>' "$work/report.html" && pass "both reports show the gain" || fail "a report without the gain"

# --front parameters: accuracy against the model's size, the front printed with each model tested.
front_db="$work/front.db"
out=$("$job" --quick --front parameters --trials 6 --storage "sqlite://$front_db" --report "$work/front.html" 2>&1) \
  || fail "the --front run failed: $out"
front_rows=$(printf '%s\n' "$out" | grep -cE '^ +[0-9]+ +[0-9]+ +0\.[0-9]{4} +[0-9.]+ % +dense_bot=')
[[ $out == *"Pareto front: $front_rows of 6 trials (val_accuracy against trainable weights)"* && $front_rows -ge 1 ]] \
  && pass "--front: the front's $front_rows trials printed, each tested" || fail "--front printed: $out"
shown=$("$cli" best "sqlite://$front_db") || fail "typetune best on the --front study failed: $shown"
[[ $shown == *"Pareto front of val_accuracy (maximize), parameters (minimize): $front_rows trials"* ]] \
  && pass "--front: typetune best lists the same front" || fail "typetune best printed: $shown"
[ "$(grep -o 'class="front-point' "$work/front.html" | wc -l)" -eq "$front_rows" ] \
  && pass "--front: the report's Pareto plot marks the front" || fail "--front: the report's Pareto plot"

if [ "$fails" -eq 0 ]; then echo "all main-job study checks passed"; else echo "$fails main-job study checks failed"; exit 1; fi
