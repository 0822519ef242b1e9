#!/usr/bin/python3
"""Optuna 3.1's independent TPE and typetune's, given one and the same history: the distribution
of the proposals for one parameter, as quantiles, mean and standard deviation.

  bench/tpe_same_history.py [draws=5000] [--trials=90] [--seed=3]
                            [--binary=build/release/bench/tpe_same_history]

The history is TRIALS random points of levy10 (bench/quality_suite.hpp), drawn with Python's
random module from SEED. Each side then proposes x0 DRAWS times from that history, each proposal
from its own random stream (Optuna: TPESampler(seed=i); typetune: proposal number i). If the
two estimators are the same, the rows agree to within the draws' sampling error (about
2 sd / sqrt(DRAWS) for a mid quantile).
"""
import os
import random
import subprocess
import sys
import tempfile

import numpy as np
import optuna

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from optuna_quality import levy  # noqa: E402  (the same function the quality table scores)


def summary(name, xs):
    xs = np.asarray(xs)
    qs = " ".join(f"{q:.3f}" for q in np.quantile(xs, [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]))
    return f"{name} {qs}  mean {xs.mean():.3f} sd {xs.std():.3f}"


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = dict((f[2:].split("=", 1) + [""])[:2] for f in sys.argv[1:] if f.startswith("--"))
    draws = int(args[0]) if args else 5000
    n_trials = int(flags.get("trials") or 90)
    rng = random.Random(int(flags.get("seed") or 3))
    binary = flags.get("binary") or os.path.join(os.path.dirname(HERE), "build", "release", "bench", "tpe_same_history")
    rows = []
    for _ in range(n_trials):
        x = [rng.uniform(-10, 10) for _ in range(10)]
        rows.append(x + [levy(x)])

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for r in rows:
            f.write(" ".join(repr(v) for v in r) + "\n")
        history = f.name
    try:
        ours = subprocess.run([binary, history, str(draws)], check=True, capture_output=True, text=True).stdout.strip()
    finally:
        os.unlink(history)

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    dists = {f"x{j}": optuna.distributions.FloatDistribution(-10, 10) for j in range(10)}
    study = optuna.create_study()
    for r in rows:
        study.add_trial(optuna.trial.create_trial(params={f"x{j}": r[j] for j in range(10)}, distributions=dists,
                                                  value=r[10]))
    xs = []
    for i in range(draws):
        trial = study.ask()
        frozen = study._storage.get_trial(trial._trial_id)
        xs.append(optuna.samplers.TPESampler(seed=i).sample_independent(study, frozen, "x0", dists["x0"]))
        study._storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)  # out of the history
    print(f"x0 over {draws} proposals from one history of {n_trials} levy10 trials "
          "(quantiles 5, 10, 25, 50, 75, 90, 95 %)")
    print(summary("optuna  ", xs))
    print(ours)


if __name__ == "__main__":
    main()
