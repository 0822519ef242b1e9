#!/usr/bin/env bash
# Installs the Debian packages typetune's core, tests, examples and benchmarks need.
# Usage: scripts/install-deps.sh        (as root, or with sudo available)
set -euo pipefail
pkgs=(
  g++ cmake ninja-build make
  libboost-dev            # Hana (space DSL), Random (Sobol), Math (normal pdf/cdf)
  graphviz                # dot: the SVG graphs of the spaces in docs/spaces
  catch2                  # v2, the test framework
  libbenchmark-dev        # Google benchmark
  libeigen3-dev           # GP linear algebra
  liblbfgspp-dev          # L-BFGS-B for GP hyperparameters and acquisition
  nlohmann-json3-dev      # JSON output of space descriptions
  libcli11-dev libfmt-dev
  libcpp-httplib-dev      # the HTTP server of `typetune serve`
  libsqlite3-dev
  libpq-dev postgresql    # the PostgreSQL backend, and the throwaway server its tests start
  libtorch-dev            # LibTorch 1.13 (CPU): the typetune::torch target
  libopenblas0-pthread    # without it LibTorch falls back to the reference BLAS, ~16x slower
  librange-v3-dev zlib1g-dev
  dataset-fashion-mnist   # the real data set, in /usr/share/datasets/fashion-mnist
  python3-sklearn         # ships the diabetes table the regression example trains on
  chromium                # headless, for the test that opens a study report as a person would
  slurm-wlm munge         # a throwaway single-node Slurm for the tests of workers launched by it
  dpkg-dev file           # dpkg-shlibdeps (and file) for the Depends of `cpack -G DEB`'s package
  lintian                 # the package test lints the .deb (an E: fails it)
)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then echo "install-deps: all packages present"; exit 0; fi
sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo_cmd apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
