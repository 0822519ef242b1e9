#!/usr/bin/env bash
# One array task cancelled with scancel (SIGTERM, then SIGKILL) while it trains: a job array of 2
# workers of the main job's quick mode on one PostgreSQL study with a budget of 8 trials
# (scripts/slurm-test-cluster.sh and the storage tests' PostgreSQL server, as slurm_test.sh).
# Task 1 is cancelled as soon as the study shows it training a trial; task 0 takes that trial
# back once task 1's process is gone and trains it again with the same parameters and seed, and
# waits for it even if the budget is spent meanwhile: at the end the study holds exactly 8
# trials, none running.
#   slurm_scancel_test.sh MAIN_JOB TYPETUNE_CLI WORK_DIR SLURM_STATE_DIR POSTGRES_URL_FILE
set -uo pipefail
job=$1 cli=$2 work=$3 slurm_state=$4 url_file=$5
here=$(cd "$(dirname "$0")" && pwd)
batch="$here/../../examples/cluster/typetune-workers.sbatch"
rm -rf "$work" && mkdir -p "$work"
export SLURM_CONF
SLURM_CONF=$(cat "$slurm_state/slurm.conf")
url=$(head -n 1 "$url_file")
study="slurm-scancel-$$"
fails=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1" >&2; fails=$((fails + 1)); }

sbatch --array=0-1 --cpus-per-task=1 --chdir="$work" --output="$work/worker-%a.out" \
  --export=ALL,TYPETUNE_STORAGE="$url",TYPETUNE_STUDY="$study",TYPETUNE_PROGRAM="$job" \
  "$batch" --quick --trials 8 >"$work/sbatch.out" 2>&1 || { fail "sbatch: $(cat "$work/sbatch.out")"; exit 1; }
job_id=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$work/sbatch.out")

# The first trial task 1 is seen training: its number, parameters and seed, then scancel.
victim=""
for _ in $(seq 1 600); do
  if "$cli" export "$url" --study "$study" --format jsonl -o "$work/before.jsonl" 2>/dev/null; then
    victim=$(python3 - "$work/before.jsonl" "${job_id}_1" <<'PY'
import json, sys
for line in open(sys.argv[1]).readlines()[1:]:
    t = json.loads(line)
    if t["state"] == "running" and t["worker"].endswith(" slurm:" + sys.argv[2]):
        print(t["number"]); break
PY
)
  fi
  [ -n "$victim" ] && break
  sleep 0.1
done
if [ -z "$victim" ]; then
  fail "task ${job_id}_1 was never seen training a trial"
  scancel "$job_id"
  exit 1
fi
scancel "${job_id}_1"
pass "task ${job_id}_1 cancelled while it trained trial $victim"

for _ in $(seq 1 1200); do
  [ -z "$(squeue -h -j "$job_id" 2>/dev/null)" ] && break
  sleep 0.25
done
[ -z "$(squeue -h -j "$job_id" 2>/dev/null)" ] || { fail "the array did not end within 5 minutes"; scancel "$job_id"; }
grep -q "^worker done:" "$work/worker-0.out" && pass "task ${job_id}_0 ended normally" \
  || fail "task 0: $(tail -n 15 "$work/worker-0.out")"

"$cli" export "$url" --study "$study" --format jsonl -o "$work/after.jsonl" || fail "typetune export of the study"
python3 - "$work/before.jsonl" "$work/after.jsonl" "$victim" "$job_id" <<'PY' && pass "trial $victim trained again by task 0 with the same parameters and seed; 8 trials, none running" || fail "the study's trials (above)"
import json, sys
before = {t["number"]: t for t in map(json.loads, open(sys.argv[1]).readlines()[1:])}
after = {t["number"]: t for t in map(json.loads, open(sys.argv[2]).readlines()[1:])}
victim, job = int(sys.argv[3]), sys.argv[4]
ok = True
if sorted(after) != list(range(8)):
    print(f"trial numbers {sorted(after)}, want 0..7", file=sys.stderr); ok = False
states = {t["state"] for t in after.values()}
if not states <= {"complete", "pruned"}:
    print(f"states {states}: a trial was left running or failed", file=sys.stderr); ok = False
old, new = before[victim], after.get(victim, {})
for key in ("params", "seed"):
    if old[key] != new.get(key):
        print(f"trial {victim}'s {key}: {old[key]} before the cancel, {new.get(key)} after", file=sys.stderr); ok = False
if not new.get("worker", "").endswith(f" slurm:{job}_0"):
    print(f"trial {victim} last ran on {new.get('worker')}, want task {job}_0", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY

[ "$fails" -eq 0 ] && echo "all scancel checks passed" || { echo "$fails scancel checks failed" >&2; exit 1; }
