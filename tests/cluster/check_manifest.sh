#!/usr/bin/env bash
# The shipped Kubernetes manifest against the API's schemas: installs the validator's packages
# (package-lock.json) into WORK_DIR, checks examples/cluster/typetune-workers-job.yaml, and
# checks that a broken copy (a completion mode that is not a string) is refused.
#   check_manifest.sh WORK_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1
manifest="$here/../../examples/cluster/typetune-workers-job.yaml"
mkdir -p "$work"
cp "$here/package.json" "$here/package-lock.json" "$here/validate_manifest.mjs" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --silent)
node "$work/validate_manifest.mjs" "$manifest"
sed 's/completionMode: Indexed/completionMode: 7/' "$manifest" > "$work/broken.yaml"
if node "$work/validate_manifest.mjs" "$work/broken.yaml" 2> "$work/broken.err"; then
  echo "check_manifest: FAILED: a broken manifest passed the check" >&2
  exit 1
fi
grep -q "completionMode must be string" "$work/broken.err" || { echo "check_manifest: FAILED: $(cat "$work/broken.err")" >&2; exit 1; }
echo "check_manifest: the manifest is a valid batch/v1 Job, and a broken copy is refused"
