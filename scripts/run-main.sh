#!/usr/bin/env bash
# The main job: installs what the project needs, builds the examples and runs the Fashion-MNIST
# MLP search on the real data set (Debian's dataset-fashion-mnist), with the embedded defaults.
# Arguments go to the program (fashion_mlp_search --help lists them). The study is kept in
# build/release/fashion_mlp_study.db (SQLite; running the job again continues it), with its HTML
# report and a JSON Lines export beside it; the `typetune` command line
# (build/release/src/cli/typetune) shows, lists and reports it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release -DTYPETUNE_BUILD_EXAMPLES=ON >/dev/null
cmake --build --preset release --target example_fashion_mlp_search typetune_cli
exec build/release/examples/fashion_mlp_search --export build/release/fashion_mlp_study.jsonl \
  --report build/release/fashion_mlp_report.html "$@"
