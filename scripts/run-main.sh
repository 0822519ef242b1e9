#!/usr/bin/env bash
# Installs what the project needs, builds the examples and runs the main job: describe the
# tutorials' search spaces and search them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release -DTYPETUNE_BUILD_TESTS=OFF -DTYPETUNE_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build --preset release
exec build/release/examples/tutorial_search "$@"
