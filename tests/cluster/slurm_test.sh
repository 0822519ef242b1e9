#!/usr/bin/env bash
# The shipped Slurm batch script (examples/cluster/typetune-workers.sbatch) on a real single-node
# Slurm (scripts/slurm-test-cluster.sh, a CTest fixture) and a real PostgreSQL server (the
# storage tests' fixture): a job array of 4 tasks runs the main job's quick mode as workers of
# one study with a budget of 12 trials; then one run without --worker tests the best.
# With `sqlite` in place of the URL file, the study is an SQLite file in WORK_DIR (local disk:
# what docs/cluster.md says works on one machine).
#   slurm_test.sh MAIN_JOB TYPETUNE_CLI WORK_DIR SLURM_STATE_DIR POSTGRES_URL_FILE|sqlite
set -uo pipefail
job=$1 cli=$2 work=$3 slurm_state=$4 url_file=$5
here=$(cd "$(dirname "$0")" && pwd)
batch="$here/../../examples/cluster/typetune-workers.sbatch"
rm -rf "$work" && mkdir -p "$work"
export SLURM_CONF
SLURM_CONF=$(cat "$slurm_state/slurm.conf")
if [ "$url_file" = sqlite ]; then url="sqlite://$work/study.db"; else url=$(head -n 1 "$url_file"); fi
study="slurm-array-$$"
fails=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1" >&2; fails=$((fails + 1)); }

start=$(date +%s.%N)
sbatch --array=0-3 --cpus-per-task=1 --wait --chdir="$work" --output="$work/worker-%a.out" \
  --export=ALL,TYPETUNE_STORAGE="$url",TYPETUNE_STUDY="$study",TYPETUNE_PROGRAM="$job" \
  "$batch" --quick --trials 12 >"$work/sbatch.out" 2>&1
rc=$?
end=$(date +%s.%N)
job_id=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$work/sbatch.out")
[ "$rc" -eq 0 ] && pass "sbatch --array=0-3 --wait: every task exited 0 (job $job_id, $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b-a}') s)" \
  || { fail "sbatch exited $rc: $(cat "$work/sbatch.out")"; for f in "$work"/worker-*.out; do echo "== $f" >&2; tail -n 20 "$f" >&2; done; }

"$cli" export "$url" --study "$study" --format csv -o "$work/trials.csv" || fail "typetune export of the study"
# Every task joins the study and says how many trials it trained; which task trains how many is the
# scheduler's business (on a 2-core machine one task may start after the others took every trial).
python3 - "$work/trials.csv" "$job_id" "$work" <<'PY' && pass "12 distinct trials, all ended (complete or pruned), shared by the array's tasks" || fail "the study's trials (above)"
import csv, glob, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
job, work = sys.argv[2], sys.argv[3]
numbers = sorted(int(r["number"]) for r in rows)
states = {r["state"] for r in rows}
tasks = {w.split(" slurm:")[1] for w in (r["worker"] for r in rows) if " slurm:" in w}
ok = True
if numbers != list(range(12)):
    print(f"trial numbers {numbers}, want 0..11", file=sys.stderr); ok = False
if not states <= {"complete", "pruned"} or "complete" not in states:  # ASHA prunes; nothing runs on or failed
    print(f"states {states}", file=sys.stderr); ok = False
if not tasks <= {f"{job}_{i}" for i in range(4)} or len(tasks) < 2:
    print(f"workers' tasks {sorted(tasks)}, want at least two of {job}_0..3", file=sys.stderr); ok = False
run_now = {}
for i in range(4):
    m = re.search(r": 12 trials \((\d+) run now\)", open(f"{work}/worker-{i}.out").read())
    if m is None:
        print(f"task {i} did not report joining the study of 12 trials", file=sys.stderr); ok = False
    else:
        run_now[i] = int(m.group(1))
if len(run_now) == 4 and sum(run_now.values()) != 12:
    print(f"trials run per task {run_now}, want 12 in all", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY

# One run without --worker: nothing left to train; it tests the best and reports.
TYPETUNE_STORAGE="$url" TYPETUNE_STUDY="$study" "$job" --quick --trials 12 --no-baseline --report "$work/report.html" \
  >"$work/final.out" 2>&1
if [ $? -eq 0 ] && grep -q "12 trials (0 run now)" "$work/final.out" && grep -q "^best model: test accuracy" "$work/final.out" \
  && [ -s "$work/report.html" ]; then
  pass "the run without --worker trained nothing, tested the best and wrote the report"
else
  fail "the final run: $(tail -n 15 "$work/final.out")"
fi

[ "$fails" -eq 0 ] && echo "all Slurm checks passed" || { echo "$fails Slurm checks failed" >&2; exit 1; }
