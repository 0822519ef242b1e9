#!/usr/bin/env bash
# Installs what the project needs, builds it (tests, examples, benchmarks) and runs every test.
# Usage: scripts/test.sh [preset=release]   (the sanitize preset runs them under ASan/UBSan)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
scripts/install-deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
