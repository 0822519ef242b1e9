#!/usr/bin/python3
"""Optuna's side of bench_tuner_overhead's two_objectives_* cases: the cost per trial (sampler
plus bookkeeping) of a study with two objectives on the anchor's conditional MLP space
(shared/anchors/optuna_overhead.py's space), with free objectives so that only the tuner is
timed. The first objective is the anchor's; the second is 1000 / (the units of the bottom and
hidden layers), as bench_tuner_overhead.cpp's size_objective. Needs Debian's python3-optuna
(3.1).

Usage: optuna_mo_overhead.py [sampler ...]   samplers: nsga2 tpe random (default: all three)
Prints one line per sampler and trial count (100, 500): total seconds and ms per trial."""
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def objectives(trial):
    bottom = trial.suggest_int("dense_bot", 50, 350, step=50)
    layers = trial.suggest_int("num_dense_layers", 1, 2)
    value = bottom / 350.0
    units = bottom
    for i in range(layers):
        width = trial.suggest_int(f"dense_{i}", 50, 100, step=25)
        units += width
        value += width / 100.0
        value += trial.suggest_categorical(f"dropout_{i}", [0.0, 0.1, 0.2])
    optimizer = trial.suggest_categorical("optimizer", ["adam", "sgd"])
    rate = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
    if optimizer == "sgd":
        value += trial.suggest_float("momentum", 0.5, 0.99)
    return (math.log10(rate) + 2.5) ** 2 + value, 1000.0 / units


SAMPLERS = {
    "nsga2": lambda: optuna.samplers.NSGAIISampler(seed=1),
    "tpe": lambda: optuna.samplers.TPESampler(seed=1),
    "random": lambda: optuna.samplers.RandomSampler(seed=1),
}


def run(name, n_trials):
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=SAMPLERS[name]())
    start = time.perf_counter()
    study.optimize(objectives, n_trials=n_trials)
    seconds = time.perf_counter() - start
    print(f"optuna {optuna.__version__} two objectives {name} trials={n_trials} total_s={seconds:.3f} "
          f"per_trial_ms={1000 * seconds / n_trials:.3f} front={len(study.best_trials)}")


if __name__ == "__main__":
    for sampler in sys.argv[1:] or list(SAMPLERS):
        for n in (100, 500):
            run(sampler, n)
