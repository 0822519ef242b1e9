#!/usr/bin/env bash
# One array task cancelled with scancel (SIGTERM, then SIGKILL) while it trains: a job array of 2
# workers of the main job's quick mode on one PostgreSQL study with a budget of 8 trials
# (scripts/slurm-test-cluster.sh and the storage tests' PostgreSQL server, as slurm_test.sh).
# Task 1 is cancelled as soon as the study shows it training a trial; task 0 takes that trial
# back once task 1's process is gone and trains it again with the same parameters and seed, and
# waits for it even if the budget is spent meanwhile: at the end the study holds exactly 8
# trials, none running. A quick trial lasts about a second: when it ended before the signal
# reached its process, the try tests nothing and the array runs again (3 tries at most).
#   slurm_scancel_test.sh MAIN_JOB TYPETUNE_CLI WORK_DIR SLURM_STATE_DIR POSTGRES_URL_FILE
set -uo pipefail
job=$1 cli=$2 work=$3 slurm_state=$4 url_file=$5
here=$(cd "$(dirname "$0")" && pwd)
batch="$here/../../examples/cluster/typetune-workers.sbatch"
rm -rf "$work" && mkdir -p "$work"
export SLURM_CONF
SLURM_CONF=$(cat "$slurm_state/slurm.conf")
url=$(head -n 1 "$url_file")
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1" >&2; }

# The number of the first trial that array task $2 runs, in the JSON Lines export $1, if any.
cat >"$work/running_on.py" <<'PY'
import json, sys
for line in open(sys.argv[1]).readlines()[1:]:
    t = json.loads(line)
    if t["state"] == "running" and t["worker"].endswith(" slurm:" + sys.argv[2]):
        print(t["number"])
        break
PY
# The study after the array ($2) against before the cancel ($1): exit 0 when trial $3 was trained
# again by task $4_0 with the same parameters and seed and the study holds 8 ended trials; 3 when
# the trial ended on the cancelled task (the signal came too late); else 1.
cat >"$work/check.py" <<'PY'
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
if ok and new.get("worker", "").endswith(f" slurm:{job}_1"):
    sys.exit(3)
for key in ("params", "seed"):
    if old[key] != new.get(key):
        print(f"trial {victim}'s {key}: {old[key]} before the cancel, {new.get(key)} after", file=sys.stderr); ok = False
if not new.get("worker", "").endswith(f" slurm:{job}_0"):
    print(f"trial {victim} last ran on {new.get('worker')}, want task {job}_0", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY

# One try on a study of its own: 0 passed, 1 failed, 3 inconclusive.
attempt() {
  local study="slurm-scancel-$$-$1" job_id victim=""
  sbatch --array=0-1 --cpus-per-task=1 --chdir="$work" --output="$work/worker-%a.out" \
    --export=ALL,TYPETUNE_STORAGE="$url",TYPETUNE_STUDY="$study",TYPETUNE_PROGRAM="$job" \
    "$batch" --quick --trials 8 >"$work/sbatch.out" 2>&1 || { fail "sbatch: $(cat "$work/sbatch.out")"; return 1; }
  job_id=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$work/sbatch.out")

  # The first trial task 1 is seen training: its number, parameters and seed, then scancel.
  for _ in $(seq 1 600); do
    if "$cli" export "$url" --study "$study" --format jsonl -o "$work/before.jsonl" 2>/dev/null; then
      victim=$(python3 "$work/running_on.py" "$work/before.jsonl" "${job_id}_1")
    fi
    [ -n "$victim" ] && break
    sleep 0.1
  done
  if [ -z "$victim" ]; then
    fail "task ${job_id}_1 was never seen training a trial"
    scancel "$job_id"
    return 1
  fi
  scancel "${job_id}_1"
  pass "task ${job_id}_1 cancelled while it trained trial $victim"

  for _ in $(seq 1 1200); do
    [ -z "$(squeue -h -j "$job_id" 2>/dev/null)" ] && break
    sleep 0.25
  done
  if [ -n "$(squeue -h -j "$job_id" 2>/dev/null)" ]; then
    fail "the array did not end within 5 minutes"
    scancel "$job_id"
    return 1
  fi
  if ! grep -q "^worker done:" "$work/worker-0.out"; then
    fail "task 0 did not end normally: $(tail -n 15 "$work/worker-0.out")"
    return 1
  fi
  pass "task ${job_id}_0 ended normally"

  "$cli" export "$url" --study "$study" --format jsonl -o "$work/after.jsonl" || { fail "typetune export"; return 1; }
  python3 "$work/check.py" "$work/before.jsonl" "$work/after.jsonl" "$victim" "$job_id"
  local checked=$?
  case $checked in
    0) pass "trial $victim trained again by task 0 with the same parameters and seed; 8 trials, none running" ;;
    3) echo "try $1: trial $victim ended on task 1 before the cancel reached it; it tests nothing" ;;
    *) fail "the study's trials (above)" ;;
  esac
  return "$checked"
}

result=3
for try in 1 2 3; do
  attempt "$try"
  result=$?
  [ "$result" -ne 3 ] && break
done
[ "$result" -eq 0 ] && echo "all scancel checks passed" || { echo "the scancel test failed" >&2; exit 1; }
