#!/usr/bin/env bash
# Time to accuracy, side by side: the Python reference's 20 trials x 10 epochs
# (../shared/anchors/optuna_fashion_mlp.py) against the README's main job on its defaults,
# timed end to end as a user waits for it (data loading, search, test of the best model and the
# baseline included; build excluded), with both cores, and again with one worker and one thread.
#   bench/torch/time_to_accuracy.sh   (after scripts/test.sh; needs python3-optuna, -torch, -sklearn)
set -euo pipefail
cd "$(dirname "$0")/../.."
anchors=${TYPETUNE_ANCHORS:-../shared/anchors}
job=${TYPETUNE_MAIN_JOB:-build/release/examples/fashion_mlp_search}
now() { date +%s.%N; }

t0=$(now); ref=$(/usr/bin/python3 "$anchors/optuna_fashion_mlp.py" 20 10); t1=$(now)
echo "$ref"
ref_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
ref_acc=$(sed -n 's/.*best_test_acc=\([0-9.]*\).*/\1/p' <<<"$ref")
echo "reference: ${ref_wall} s end to end, test accuracy ${ref_acc}"

for workers in 2 1; do
  t0=$(now); out=$("$job" --workers "$workers" --storage memory); t1=$(now)
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  acc=$(sed -n 's/^best model: test accuracy \([0-9.]*\) %.*/\1/p' <<<"$out")
  base=$(sed -n 's/^baseline.*test accuracy \([0-9.]*\) %.*/\1/p' <<<"$out")
  echo "typetune main job, $workers worker(s): ${wall} s end to end ($(awk -v a="$ref_wall" -v b="$wall" 'BEGIN{printf "%.2f", b/a}') of the reference's time), best model's test accuracy ${acc} % (baseline ${base} %)"
done
