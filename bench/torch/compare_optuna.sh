#!/usr/bin/env bash
# Side by side with the Python reference (../shared/anchors/optuna_fashion_mlp.py: Optuna TPE +
# PyTorch on the same LibTorch): the tutorial's MLP search, batch 32. The reference runs one trial
# at a time on LibTorch's one thread (torch.set_num_threads(1)) and OpenBLAS's one per core, which
# that call leaves alone, so it uses every core.
# To time a CPU without AVX-512 on one that has it, run the script with ATEN_CPU_CAPABILITY=avx2
# and OPENBLAS_CORETYPE=Haswell: both sides then run the AVX2 kernels a Zen 3 gets.
# Each pair runs, back to back: the reference (dumping the configurations it tried), then
# fashion_mlp_tpe with one worker on one thread (its defaults) on that identical list and on its
# own TPE search, and its own search with one worker per core (--workers CORES --threads 1): the
# same cores as the reference, used as typetune's tuners use them. Prints each run and the
# median ratios.
#   bench/torch/compare_optuna.sh [pairs=3] [trials=20] [epochs=3]   (after scripts/test.sh)
# Needs Debian's python3-optuna, python3-torch and python3-sklearn.
set -euo pipefail
cd "$(dirname "$0")/../.."
pairs=${1:-3} trials=${2:-20} epochs=${3:-3}
anchors=${TYPETUNE_ANCHORS:-../shared/anchors}
bin=${TYPETUNE_BENCH_BIN:-build/release/bench/fashion_mlp_tpe}
cores=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<<"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
same_ratios=() own_ratios=() cores_ratios=()
for i in $(seq "$pairs"); do
  ref=$(/usr/bin/python3 "$anchors/optuna_fashion_mlp.py" "$trials" "$epochs" --dump "$work/configs.json")
  same=$("$bin" "$trials" "$epochs" --configs "$work/configs.json")
  own=$("$bin" "$trials" "$epochs")
  all=$("$bin" "$trials" "$epochs" --workers "$cores" --threads 1)
  echo "pair $i"; echo "  $ref"; echo "  $same"; echo "  $own"; echo "  $all"
  r=$(field wall_s "$ref")
  same_ratios+=("$(ratio "$r" "$(field wall_s "$same")")")
  own_ratios+=("$(ratio "$r" "$(field wall_s "$own")")")
  cores_ratios+=("$(ratio "$r" "$(field wall_s "$all")")")
  echo "  speed-up on identical work ${same_ratios[-1]}x, on its own search ${own_ratios[-1]}x," \
       "own search with $cores workers ${cores_ratios[-1]}x; test accuracy: reference $(field best_test_acc "$ref")," \
       "identical list $(field best_test_acc "$same"), own search $(field best_test_acc "$own")," \
       "$cores workers $(field best_test_acc "$all")"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "median speed-up over $pairs pairs: identical work $(median "${same_ratios[@]}")x," \
     "own search $(median "${own_ratios[@]}")x, own search with $cores workers $(median "${cores_ratios[@]}")x"
