#!/usr/bin/env bash
# Installs what the project needs, builds it (tests, examples, benchmarks) and runs every test.
# Usage: scripts/test.sh [preset=release]   (the sanitize preset runs them under ASan/UBSan)
# Tests are switched on explicitly, whatever an earlier configure (the main job's) cached.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
scripts/install-deps.sh
cmake --preset "$preset" -DTYPETUNE_BUILD_TESTS=ON -DTYPETUNE_BUILD_EXAMPLES=ON
cmake --build --preset "$preset"
ctest --preset "$preset"
