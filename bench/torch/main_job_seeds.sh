#!/usr/bin/env bash
# The main job on its defaults over seeds 1, 2 and 3, each timed end to end as a user waits for
# it (data, search, test of the best model, the baseline; build excluded) on a fresh study, and
# the Python reference's 20 x 10 search (../shared/anchors/optuna_fashion_mlp.py) timed in the
# same run. Prints one row per run and the medians.
#   bench/torch/main_job_seeds.sh [seeds="1 2 3"] [--no-reference]
#   (after scripts/run-main.sh or scripts/test.sh; the reference needs python3-optuna and python3-torch)
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${1:-"1 2 3"}
reference=1
[ "${2:-}" = "--no-reference" ] && reference=0
anchors=${TYPETUNE_ANCHORS:-../shared/anchors}
job=${TYPETUNE_MAIN_JOB:-build/release/examples/fashion_mlp_search}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"

ref_wall=""
if [ "$reference" = 1 ]; then
  t0=$(now); ref=$(/usr/bin/python3 "$anchors/optuna_fashion_mlp.py" 20 10); t1=$(now)
  ref_wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  ref_acc=$(sed -n 's/.*best_test_acc=\([0-9.]*\).*/\1/p' <<<"$ref")
  echo "reference (Optuna TPE + PyTorch, 20 x 10): ${ref_wall} s end to end, test accuracy ${ref_acc}"
fi

printf '%-5s %9s %8s %10s %8s %22s %s\n' seed wall_s best_% baseline_% gain_pt ci95_pt verdict
rows=()
for seed in $seeds; do
  t0=$(now)
  out=$("$job" --seed "$seed" --storage "sqlite://$work/seed$seed.db" --report "$work/seed$seed.html")
  t1=$(now)
  echo "$out" >"$work/seed$seed.log"
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
  best=$(sed -n 's/^best model: test accuracy \([0-9.]*\) %.*/\1/p' <<<"$out")
  base=$(sed -n 's/^baseline:.*test accuracy \([0-9.]*\) %.*/\1/p' <<<"$out")
  gain=$(sed -n 's/^gain of the best model.*: \([-+][0-9.]*\) points.*/\1/p' <<<"$out")
  ci=$(sed -n 's/^gain of the best model.*95 % CI \([-+][0-9.]*\) to \([-+][0-9.]*\);.*/\1..\2/p' <<<"$out")
  verdict=$(sed -n 's/^gain of the best model.*: \(beyond noise\|within noise\)$/\1/p' <<<"$out")
  printf '%-5s %9s %8s %10s %8s %22s %s\n' "$seed" "$wall" "$best" "$base" "$gain" "$ci" "$verdict"
  rows+=("$wall $best $gain $verdict")
done
printf '%s\n' "${rows[@]}" | awk -v ref="$ref_wall" '
  { w[NR] = $1; b[NR] = $2; g[NR] = $3; if ($4 == "beyond") beyond++ }
  function median(a, n,   i, j, t, s) { for (i = 1; i <= n; i++) s[i] = a[i];
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
    return n % 2 ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2 }
  END { printf "median: wall %.1f s%s, best %.2f %%, gain %+.2f points; gain beyond noise in %d of %d runs\n",
        median(w, NR), ref == "" ? "" : sprintf(" (%.2f of the reference'"'"'s %.1f s)", median(w, NR) / ref, ref),
        median(b, NR), median(g, NR), beyond, NR }'
