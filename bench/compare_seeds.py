#!/usr/bin/python3
"""One cell of the quality table looked at seed by seed: typetune's and Optuna 3.1's best values
after 25, 50 and 100 trials on one function with one sampler, over the same seeds, compared by
their medians (as the table does), by a bootstrap interval of the difference of medians, and by
a Mann-Whitney test of the two distributions. Where the table's medians over 30 seeds differ by
less than their own noise, this says whether a gap is there at all.

  bench/compare_seeds.py FUNCTION [SAMPLER=tpe] [SEEDS=400] [--jobs=2]
                         [--table=build/release/bench/quality_table]

Normalised regret r uses Optuna's random search over the same seeds, as compare_quality.py does.
Optuna's side takes about 1 s per seed and sampler for TPE on the 2-core machine.
"""
import os
import subprocess
import sys

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from compare_quality import MINIMUM, NS  # noqa: E402


def rows(text):
    out = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 6:
            out.setdefault(parts[1], []).append([float(v) for v in parts[3:]])
    return {k: np.asarray(v) for k, v in out.items()}


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = dict((f[2:].split("=", 1) + [""])[:2] for f in sys.argv[1:] if f.startswith("--"))
    if not args or args[0] not in MINIMUM:
        sys.exit(f"usage: compare_seeds.py FUNCTION [SAMPLER] [SEEDS]; functions: {', '.join(MINIMUM)}")
    function = args[0]
    sampler = args[1] if len(args) > 1 else "tpe"
    seeds = args[2] if len(args) > 2 else "400"
    table = flags.get("table") or os.path.join(os.path.dirname(HERE), "build", "release", "bench", "quality_table")
    ours = rows(subprocess.run([table, seeds, sampler, "--per-seed", f"--only={function}"], check=True,
                               capture_output=True, text=True).stdout)[sampler]
    theirs = rows(subprocess.run(["/usr/bin/python3", os.path.join(HERE, "optuna_quality.py"), seeds, "random", sampler,
                                  "--per-seed", "--no-extra", f"--only={function}", f"--jobs={flags.get('jobs') or 2}"],
                                 check=True, capture_output=True, text=True).stdout)
    m = MINIMUM[function]
    rng = np.random.default_rng(0)
    print(f"{function}, {sampler}, {seeds} seeds: best after N trials, typetune against Optuna 3.1")
    for i, n in enumerate(NS):
        a, b, rand = ours[:, i], theirs[sampler][:, i], theirs["random"][:, i]
        scale = np.median(rand) - m
        gap = (np.median(a) - np.median(b)) / scale
        boots = [(np.median(rng.choice(a, len(a))) - np.median(rng.choice(b, len(b)))) / scale for _ in range(4000)]
        low, high = np.quantile(boots, [0.05, 0.95])
        p = stats.mannwhitneyu(a, b).pvalue
        print(f"N={n}: median {np.median(a):.4g} against {np.median(b):.4g}; r {(np.median(a) - m) / scale:.3f} against "
              f"{(np.median(b) - m) / scale:.3f}, gap {gap:+.3f} (90% bootstrap interval {low:+.3f} to {high:+.3f}); "
              f"Mann-Whitney p = {p:.3f}")


if __name__ == "__main__":
    main()
