#!/usr/bin/env bash
# The main job's --device: a spec that names no device LibTorch sees, or no device at all, is a
# usage error (exit 2) that names it; with two devices and one trial each (--device cpu,cpu
# --trials-per-device 1: two workers), every trial records its device index, both are used, and
# two trials that ran at the same time never shared one (each takes the least busy). The CPU
# path is what this machine has; the same rule spreads trials over GPUs (--device auto). And the
# GPU batch script (examples/cluster/typetune-workers-gpu.sbatch) run as a node runs it, here
# without a GPU: --device auto falls back to the CPU and the worker trains its share.
#   main_job_devices_test.sh MAIN_JOB TYPETUNE_CLI WORK_DIR
set -uo pipefail
job=$1 cli=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fails=0
pass() { echo "ok: $1"; }
fail() { echo "FAIL: $1" >&2; fails=$((fails + 1)); }

for spec in cuda:99 cuda: gpu0; do
  "$job" --quick --storage memory --device "$spec" >"$work/bad.out" 2>&1
  rc=$?
  [ "$rc" -eq 2 ] && grep -q "typetune: device '$spec'" "$work/bad.out" \
    && pass "--device $spec: exit 2, naming it" || fail "--device $spec: exit $rc, $(cat "$work/bad.out")"
done

url="sqlite://$work/study.db"
"$job" --quick --trials 8 --device cpu,cpu --trials-per-device 1 --storage "$url" --study devices --no-baseline \
  >"$work/run.out" 2>&1 || fail "the run on two devices: $(tail -n 8 "$work/run.out")"
"$cli" export "$url" --study devices --format csv -o "$work/trials.csv" || fail "export"
python3 - "$work/trials.csv" <<'PY' && pass "8 trials over 2 devices: both used, never two at once on one" || fail "devices (above)"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ok = len(rows) == 8
if not ok:
    print(f"{len(rows)} trials, want 8", file=sys.stderr)
devices = [r.get("device", "") for r in rows]
if any(d not in ("0", "1") for d in devices):
    print(f"devices {devices}, want 0 or 1 for every trial", file=sys.stderr); ok = False
elif set(devices) != {"0", "1"}:
    print(f"devices {devices}: one was never used", file=sys.stderr); ok = False
spans = [(float(r["start_time"]), float(r["start_time"]) + float(r["duration_s"]), r["device"], r["number"]) for r in rows]
# A trial's record spans a little more than its hold on the device (its creation before, the
# write of its end after): overlaps under 0.1 s are that, not two trials on one device.
for a in spans:
    for b in spans:
        if a[3] < b[3] and min(a[1], b[1]) - max(a[0], b[0]) > 0.1 and a[2] == b[2]:
            print(f"trials {a[3]} and {b[3]} ran at once on device {a[2]}", file=sys.stderr); ok = False
sys.exit(0 if ok else 1)
PY

gpu_batch="$(cd "$(dirname "$0")/../.." && pwd)/examples/cluster/typetune-workers-gpu.sbatch"
TYPETUNE_STORAGE="sqlite://$work/gpu.db" TYPETUNE_STUDY=gpu-script TYPETUNE_PROGRAM="$job" \
  bash "$gpu_batch" --quick --trials 4 >"$work/gpu-script.out" 2>&1
rc=$?
[ "$rc" -eq 0 ] && grep -q "^typetune worker: array task none" "$work/gpu-script.out" && grep -q "^worker done: 4 trials trained here" "$work/gpu-script.out" \
  && pass "the GPU batch script as a node runs it: 4 trials (on the CPU where there is no GPU)" || fail "the GPU batch script: exit $rc, $(tail -n 8 "$work/gpu-script.out")"

[ "$fails" -eq 0 ] && echo "all device checks passed" || { echo "$fails device checks failed" >&2; exit 1; }
