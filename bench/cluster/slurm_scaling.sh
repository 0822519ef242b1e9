#!/usr/bin/env bash
# Scaling on one node: the main job's quick study (--quick, a budget of TRIALS trials) run as a
# Slurm job array of 1, 2 and 4 tasks of one thread each (the shipped batch script, on a
# throwaway single-node Slurm and PostgreSQL server started by the project's scripts), then the
# same study in one process of one worker with the study in memory and in PostgreSQL: trials per
# minute for each, and the shared study's cost per trial beside the in-process run.
#   bench/cluster/slurm_scaling.sh BUILD_DIR [TRIALS=24]
set -euo pipefail
build=$(cd "$1" && pwd)
trials=${2:-24}
root=$(cd "$(dirname "$0")/../.." && pwd)
job="$build/examples/fashion_mlp_search"
work=$(mktemp -d /tmp/typetune-scaling.XXXXXX)
cleanup() {
  "$root/scripts/slurm-test-cluster.sh" stop "$work/slurm" >/dev/null 2>&1 || true
  "$root/scripts/pg-test-server.sh" stop "$work/pg" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$root/scripts/pg-test-server.sh" start "$work/pg" >/dev/null
"$root/scripts/slurm-test-cluster.sh" start "$work/slurm" >/dev/null
export SLURM_CONF
SLURM_CONF=$(cat "$work/slurm/slurm.conf")
url=$(head -n 1 "$work/pg/url")
now() { date +%s.%N; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n * 60 / s }'; }

# The study's span: from its first trial's start to its last trial's end. (sbatch --wait polls
# the job's state every few seconds, too coarse to time a short array by.)
span() {
  "$build/src/cli/typetune" export "$url" --study "$1" --format csv -o "$work/$1.csv"
  python3 - "$work/$1.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
start = min(float(r["start_time"]) for r in rows)
end = max(float(r["start_time"]) + float(r["duration_s"] or 0) for r in rows)
print(f"{end - start:.2f}")
PY
}

echo "main job --quick, a study of $trials trials; $(nproc) CPUs: $(lscpu | sed -n 's/^Model name: *//p')"
sbatch --wait --chdir="$work" --output=/dev/null --wrap true >/dev/null # the cluster's first job starts slowly
for tasks in 1 2 4; do
  sbatch --array=0-$((tasks - 1)) --cpus-per-task=1 --wait --chdir="$work" --output="$work/w-$tasks-%a.out" \
    --export=ALL,TYPETUNE_STORAGE="$url",TYPETUNE_STUDY="scaling-$tasks",TYPETUNE_PROGRAM="$job" \
    "$root/examples/cluster/typetune-workers.sbatch" --quick --trials "$trials" >/dev/null
  seconds=$(span "scaling-$tasks")
  echo "slurm array of $tasks task(s), 1 thread each, PostgreSQL: trials span $seconds s, $(rate "$trials" "$seconds") trials/min"
done

# One process, the same study: the wall time of the whole run (data loading included, alike).
declare -A took
for where in memory postgresql; do
  storage=$([ "$where" = memory ] && echo memory || echo "$url")
  start=$(now)
  "$job" --quick --trials "$trials" --workers 1 --no-baseline --worker --storage "$storage" --study one-process \
    >"$work/one-$where.out" 2>&1
  took[$where]=$(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
  echo "one process, 1 worker, study in $where: ${took[$where]} s, $(rate "$trials" "${took[$where]}") trials/min"
done
awk -v m="${took[memory]}" -v p="${took[postgresql]}" -v n="$trials" 'BEGIN {
  printf "PostgreSQL beside memory: %.3f x the wall time, %+.1f ms per trial\n", p / m, (p - m) * 1000 / n }'
