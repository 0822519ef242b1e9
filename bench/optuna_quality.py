#!/usr/bin/python3
"""Optuna's side of the quality table: Optuna 3.1's samplers on the functions of
bench/quality_suite.hpp, the median over seeds 0..S-1 of the best value found after 25, 50 and 100
trials, with the same spaces, noise rule, simulated workers and learning curve. Needs Debian's
python3-optuna (3.1).

Usage: optuna_quality.py [seeds=10] [sampler ...] [--tsv] [--no-extra] [--only=f1,f2] [--jobs=J]
                         [--first-seed=K]
  samplers: random qmc tpe tpe-multivariate (default: all four)
  --tsv      one tab-separated row per cell group: function sampler setting N=25 N=50 N=100 s/trial
  --no-extra only the eight functions, without the rows for 4 workers and the median pruner
  --jobs     processes to spread the seeds over (default 1)
  --first-seed  seeds K..K+S-1 instead of 0..S-1
  --per-seed    one row per seed (function, sampler, seed, best after 25, 50, 100), 1 worker only

Functions (all minimised; docs/quality.md describes them):
  branin, hartmann6, conditional, noisy-h6  as in the original reference (anchors/optuna_quality.py)
  integers     six integers: Rosenbrock on x1, x2 in [-20, 20] (u = x / 10), batch [8, 512] log,
               epochs [10, 200] step 10, layers [1, 6], k [0, 50]; minimum 0
  categorical  eight categoricals of 2..8 choices with per-choice costs and a neighbour parity
               penalty; minimum 1.375
  levy10       Levy's function on [-10, 10]^10; minimum 0
  cond-blocks  lr [1e-5, 1e-1] log; 1..4 blocks of (width [8, 512] log int, kernel {1,3,5,7},
               dropout [0, 0.5]); schedule {constant, cosine(warmup int [0, 10]),
               step(gamma [0.1, 0.9], every int [1, 20])}; minimum 0
Extra rows:
  4 workers    hartmann6 and conditional with 4 simulated asynchronous workers: each trial takes a
               seeded random 1-5 time units, the first to finish is told and its worker asks at
               once (TPE with constant_liar=True, as Optuna advises for parallel runs)
  median       curve-h6 (hartmann6 as a 10-step learning curve) with MedianPruner(); the
               '1 worker' row of curve-h6 is the same run without the pruner
"""
import heapq
import math
import multiprocessing
import random
import statistics
import sys
import time
import warnings

import optuna

warnings.filterwarnings("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)

A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[.1312, .1696, .5569, .0124, .8283, .5886], [.2329, .4135, .8307, .3736, .1004, .9991],
     [.2348, .1451, .3522, .2883, .3047, .6650], [.4047, .8828, .8732, .5743, .1091, .0381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]
CHECKPOINTS = (25, 50, 100)


def hartmann6(x):
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))


def branin(x1, x2):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


def levy(x):
    w = [1 + (v - 1) / 4 for v in x]
    f = math.sin(math.pi * w[0]) ** 2
    for i in range(len(x) - 1):
        f += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    return f + (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)


CATEGORICAL_SIZES = [2, 3, 3, 4, 4, 5, 6, 8]


def categorical_cost(c):
    f = 0.0
    for i, n in enumerate(CATEGORICAL_SIZES):
        f += ((3 * c[i] + i) % n) / n
        if i < 7 and (c[i] + c[i + 1]) % 2 == 1:
            f += 0.4
    return f


# Each objective takes (trial, seed) and returns the value the sampler sees; the noisy one also
# records its noise-free value as the user attribute "true".
def obj_branin(tr, seed):
    return branin(tr.suggest_float("x1", -5, 10), tr.suggest_float("x2", 0, 15))


def h6_params(tr):
    return [tr.suggest_float(f"x{j}", 0, 1) for j in range(6)]


def obj_h6(tr, seed):
    return hartmann6(h6_params(tr))


def obj_conditional(tr, seed):
    opt = tr.suggest_categorical("optimizer", ["adam", "sgd"])
    lr = tr.suggest_float(f"{opt}_lr", 1e-4, 1e-1, log=True)
    f = (math.log10(lr) - (-3 if opt == "adam" else -1.5)) ** 2
    if opt == "sgd":
        f += 4 * (tr.suggest_float("sgd_momentum", 0, 0.99) - 0.9) ** 2 + 0.2
    n = tr.suggest_int("n", 1, 3)
    for i in range(n):
        u = tr.suggest_int(f"units_{i}", 16, 256, log=True)
        d = tr.suggest_categorical(f"dropout_{i}", [0.0, 0.1, 0.2, 0.3])
        f += ((math.log2(u) - 7) / 4) ** 2 + (d - 0.1) ** 2
    return f + 0.3 * abs(n - 2)


def obj_noisy(tr, seed):
    true = hartmann6(h6_params(tr))
    tr.set_user_attr("true", true)
    return true + random.Random(seed * 1000003 + tr.number).gauss(0, 0.1)


def obj_integers(tr, seed):
    u1 = tr.suggest_int("x1", -20, 20) / 10
    u2 = tr.suggest_int("x2", -20, 20) / 10
    batch = math.log2(tr.suggest_int("batch", 8, 512, log=True))
    epochs = tr.suggest_int("epochs", 10, 200, step=10)
    layers = tr.suggest_int("layers", 1, 6)
    k = tr.suggest_int("k", 0, 50)
    return ((1 - u1) ** 2 + 5 * (u2 - u1 * u1) ** 2 + ((batch - 6) / 2) ** 2 + ((epochs - 120) / 60) ** 2
            + 0.25 * abs(layers - 4) + abs(k - 17) / 25)


def obj_categorical(tr, seed):
    return categorical_cost([tr.suggest_categorical(f"c{i}", list(range(n))) for i, n in enumerate(CATEGORICAL_SIZES)])


def obj_levy10(tr, seed):
    return levy([tr.suggest_float(f"x{j}", -10, 10) for j in range(10)])


def obj_blocks(tr, seed):
    lr = tr.suggest_float("lr", 1e-5, 1e-1, log=True)
    n = tr.suggest_int("blocks", 1, 4)
    f = 0.5 * (math.log10(lr) + 2 + 0.25 * n) ** 2 + 0.25 * abs(n - 3)
    for i in range(n):
        width = math.log2(tr.suggest_int(f"width_{i}", 8, 512, log=True))
        kernel = tr.suggest_categorical(f"kernel_{i}", [1, 3, 5, 7])
        dropout = tr.suggest_float(f"dropout_{i}", 0, 0.5)
        f += ((width - 5 - i) / 3) ** 2 + 0.1 * (kernel != (3 if i < 2 else 5)) + (dropout - 0.1 * i) ** 2
    schedule = tr.suggest_categorical("schedule", ["constant", "cosine", "step"])
    if schedule == "constant":
        f += 0.3
    elif schedule == "cosine":
        f += 0.2 * ((tr.suggest_int("warmup", 0, 10) - 5) / 5) ** 2
    else:
        f += 0.1 + (tr.suggest_float("gamma", 0.1, 0.9) - 0.5) ** 2 + 0.1 * ((tr.suggest_int("every", 1, 20) - 10) / 10) ** 2
    return f


def obj_curve(tr, seed):
    x = h6_params(tr)
    true = hartmann6(x)
    for step in range(1, 10):
        tr.report(true + (0.5 + x[5]) * ((10 - step) / 9) ** 2, step)
        if tr.should_prune():
            raise optuna.TrialPruned()
    tr.report(true, 10)
    return true


# name -> (objective, noisy, dynamic space)
FUNCTIONS = {
    "branin": (obj_branin, False, False),
    "hartmann6": (obj_h6, False, False),
    "conditional": (obj_conditional, False, True),
    "noisy-h6": (obj_noisy, True, False),
    "integers": (obj_integers, False, False),
    "categorical": (obj_categorical, False, False),
    "levy10": (obj_levy10, False, False),
    "cond-blocks": (obj_blocks, False, True),
    "curve-h6": (obj_curve, False, False),
}
SUITE = ["branin", "hartmann6", "conditional", "noisy-h6", "integers", "categorical", "levy10", "cond-blocks"]


def make_sampler(name, seed, workers):
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, constant_liar=workers > 1)
    if name == "tpe-multivariate":
        return optuna.samplers.TPESampler(seed=seed, multivariate=True, group=True, constant_liar=workers > 1)
    if name == "qmc":
        return optuna.samplers.QMCSampler(seed=seed, scramble=True)
    raise ValueError(name)


def run_study(fname, sampler_name, seed, workers, prune):
    objective, noisy, _ = FUNCTIONS[fname]
    pruner = optuna.pruners.MedianPruner() if prune else optuna.pruners.NopPruner()
    study = optuna.create_study(sampler=make_sampler(sampler_name, seed, workers), pruner=pruner)
    n_trials = max(CHECKPOINTS)
    if workers <= 1:
        study.optimize(lambda tr: objective(tr, seed), n_trials=n_trials)
    else:
        # Asynchronous workers in simulated time: a trial's parameters are drawn when it starts
        # (the others still running), its value is told when it ends.
        running = []
        durations = random.Random(seed)

        def start(now):
            if len(study.trials) >= n_trials:
                return
            trial = study.ask()
            value = objective(trial, seed)
            heapq.heappush(running, (now + durations.uniform(1, 5), trial.number, trial, value))

        for _ in range(workers):
            start(0.0)
        while running:
            now, _, trial, value = heapq.heappop(running)
            study.tell(trial, value)
            start(now)
    trials = sorted(study.trials, key=lambda t: t.number)
    best = []
    for n in CHECKPOINTS:
        done = [t for t in trials[:n] if t.state == optuna.trial.TrialState.COMPLETE]
        if not done:
            best.append(math.inf)
        elif noisy:
            best.append(min(done, key=lambda t: t.value).user_attrs["true"])
        else:
            best.append(min(t.value for t in done))
    return best


def run_cell(args):
    fname, sampler_name, seed, workers, prune = args
    return run_study(fname, sampler_name, seed, workers, prune)


def cells(names, only, extra):
    """(function, sampler, setting, workers, prune) for every row of the table."""
    out = []
    for fname in SUITE:
        for name in names:
            if name == "qmc" and FUNCTIONS[fname][2]:
                continue  # Optuna's QMC sampler does not handle dynamic spaces
            out.append((fname, name, "1 worker", 1, False))
    if extra:
        for fname in ("hartmann6", "conditional"):
            for name in names:
                if name in ("tpe", "tpe-multivariate"):
                    out.append((fname, name, "4 workers", 4, False))
        for name in names:
            if name != "qmc":
                out.append(("curve-h6", name, "1 worker", 1, False))
                if name != "random":
                    out.append(("curve-h6", name, "median", 1, True))
    return [c for c in out if not only or c[0] in only]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = [a for a in sys.argv[1:] if a.startswith("--")]
    seeds = 10
    if args and args[0].isdigit():
        seeds = int(args.pop(0))
    names = args or ["random", "qmc", "tpe", "tpe-multivariate"]
    tsv = "--tsv" in flags
    extra = "--no-extra" not in flags
    only = next((f[len("--only="):].split(",") for f in flags if f.startswith("--only=")), [])
    jobs = next((int(f[len("--jobs="):]) for f in flags if f.startswith("--jobs=")), 1)
    first = next((int(f[len("--first-seed="):]) for f in flags if f.startswith("--first-seed=")), 0)
    if not tsv and "--per-seed" not in flags:
        print(f"optuna {optuna.__version__}, median over {seeds} seeds of the best value after N trials")
        print(f"{'function':<12} {'sampler':<22} {'setting':<9} {'N=25':>9} {'N=50':>9} {'N=100':>9} {'s/trial':>9}")
    pool = multiprocessing.Pool(jobs) if jobs > 1 else None
    for fname, name, setting, workers, prune in cells(names, only, extra):
        start = time.perf_counter()
        tasks = [(fname, name, seed, workers, prune) for seed in range(first, first + seeds)]
        results = pool.map(run_cell, tasks) if pool else [run_cell(t) for t in tasks]
        if "--per-seed" in flags:
            if setting == "1 worker":
                for (_, _, seed, _, _), r in zip(tasks, results):
                    print("\t".join([fname, name, str(seed)] + [f"{v:.10g}" for v in r]), flush=True)
            continue
        per_trial = (time.perf_counter() - start) / (seeds * max(CHECKPOINTS))
        med = [statistics.median(r[i] for r in results) for i in range(len(CHECKPOINTS))]
        if tsv:
            print("\t".join([fname, name, setting] + [f"{m:.6g}" for m in med] + [f"{per_trial:.5f}"]), flush=True)
        else:
            print(f"{fname:<12} {name:<22} {setting:<9} " + " ".join(f"{m:9.4f}" for m in med) + f" {per_trial:9.4f}",
                  flush=True)


if __name__ == "__main__":
    main()
