#!/usr/bin/python3
"""Multi-objective search quality: the six problems of bench/mo_problems.hpp for Optuna 3.1, the
per-trial records both sides write, and the table made from them. Needs Debian's python3-optuna
(3.1) and numpy.

  mo_quality.py run [SEEDS=30] [sampler ...] [--trials=200] [--first-seed=K] [--only=p1,p2]
                    [--jobs=J] [--out=FILE] [--resume]
      Optuna's samplers on the problems, one JSON line per (problem, sampler, seed) on stdout
      or in FILE (gzip-compressed when FILE ends in .gz). samplers: nsga2 tpe random (default:
      nsga2 tpe). --jobs spreads the runs over processes; --resume keeps the runs FILE already
      holds and adds the others.
  mo_quality.py score FILE ... [--ns=50,100,200] [--gap] [--tsv]
      Hypervolume after N trials, median over seeds, per problem and sampler, from any record
      files (this script's and bench/mo_quality_table's), as a Markdown table; then, at N = 100
      and 200, typetune's default against the better Optuna sampler. --gap shows the largest
      hypervolume minus the median instead (lower is better). --tsv: one row per run and N.
  mo_quality.py check [FILE ...]
      The hypervolume code against optuna._hypervolume.WFG on random sets, the problems at
      known points, the largest hypervolumes (computed again: the numerical ones take a minute),
      and, for record files written with `mo_quality_table --params`, every trial's values
      evaluated again here from its parameters: the two sides' definitions agree.

Samplers, all with Optuna 3.1's defaults and the run's seed:
  nsga2   NSGAIISampler() (population 50, so 200 trials are four generations), with
          constraints_func on the constrained problem
  tpe     TPESampler(), which is multi-objective TPE in 3.1 when the study has several
          directions (MOTPESampler is its deprecated alias); 3.1's TPESampler takes
          constraints_func too (marked experimental), and gets it on the constrained problem
  random  RandomSampler(), a baseline that should match typetune's random search

A record is one JSON object per line: problem, origin ("optuna" or "typetune"), sampler, seed,
columns (the objectives' names, then the constraints'), values (one list per trial in trial
order: the objective values then the constraint values; null for a trial that did not complete),
seconds (wall time of the run) and cpu_seconds (the process's CPU time for it, which does not
grow when other processes take the cores).

Scoring: for each run and N, the trials among the first N that completed, are feasible (every
constraint value <= 0) and lie inside the reference box; the hypervolume of their non-dominated
set, computed exactly (2-D sweep; 3-D by slices along the third objective). The table gives
the median over seeds. The comparison at N = 100 and 200 follows bench/compare_seeds.py: the
difference of the medians of typetune's default and of the better Optuna sampler (by median),
a 90 % bootstrap interval of that difference (4,000 resamples of both sides' seeds, generator
seeded with 0) and a two-sided Mann-Whitney test (normal approximation with tie and continuity
correction, as scipy's asymptotic method). compare_seeds.py keeps that computation inside its
main() and imports scipy, so it is written again here with numpy. The cell reads "above" when
the default's median is at or above the Optuna one, "within noise" when it is below but the
interval reaches 0, and "below" otherwise. The default is typetune's "auto" when the records
hold it, else the typetune sampler with the highest median in that cell.

Problems (every objective minimised; docs/quality.md has the table):
  zdt1, zdt2, zdt3  d = 6, x0..x5 in [0, 1]; f1 = x0, g = 1 + 9 (x1 + ... + x5) / 5,
                    f2 = g h with h = 1 - sqrt(f1 / g) (zdt1), 1 - (f1 / g)^2 (zdt2),
                    1 - sqrt(f1 / g) - (f1 / g) sin(10 pi f1) (zdt3). Reference (1.1, 11):
                    f1 <= 1 and f2 <= g <= 10 for every x, so every trial counts (with the
                    usual (1.1, 1.1), most runs have no trial in the box after 50 trials).
                    Largest hypervolume 12.1 - 1/3, 12.1 - 2/3 (exact) and 12.22176 (zdt3,
                    numerical).
  dtlz2             3 objectives, d = 7, x0..x6 in [0, 1]; g = sum over i = 2..6 of
                    (x_i - 0.5)^2, f1 = (1 + g) cos(x0 pi/2) cos(x1 pi/2),
                    f2 = (1 + g) cos(x0 pi/2) sin(x1 pi/2), f3 = (1 + g) sin(x0 pi/2).
                    Front: the unit sphere's positive octant. Reference (1.1, 1.1, 1.1);
                    largest hypervolume 1.331 - pi/6 (exact).
  ml                model selection: model in {linear, tree, net}, each with its own parameters;
                    objectives error and cost (see ml_problem below). Reference (0.4, 1.7), the
                    front's nadir (0.32, 1.6) pushed out; largest hypervolume 0.55395
                    (numerical).
  srn               Chankong and Haimes: x1, x2 in [-20, 20]; f1 = 2 + (x1 - 2)^2 + (x2 - 1)^2,
                    f2 = 9 x1 - (x2 - 1)^2; constraints c1 = x1^2 + x2^2 - 225 <= 0,
                    c2 = x1 - 3 x2 + 10 <= 0 (about 16 % of the box is feasible). The front
                    is the segment x1 = -2.5 (where f1 + f2 takes its least value, -0.25)
                    between the constraints, continued along both constraints' boundaries:
                    f1 from 10.1 to 222.97, f2 from -217.74 to 2.61. Reference (250, 10);
                    largest hypervolume 33093.8 (numerical).
"""
import gzip
import json
import math
import multiprocessing
import os
import statistics
import sys
import time
import warnings

import numpy as np
import optuna

warnings.filterwarnings("ignore")
optuna.logging.set_verbosity(optuna.logging.ERROR)

NS = (50, 100, 200)


class Problem:
    """A test problem: its objectives' and constraints' names, the hypervolume reference point,
    the largest hypervolume (exact or numerical, see `exact`), and `evaluate(trial)`, which draws
    the parameters through Optuna's suggest_* calls and returns the objective values followed by
    the constraint values."""

    def __init__(self, name, objectives, constraints, reference, max_hv, exact, evaluate):
        self.name = name
        self.objectives = objectives
        self.constraints = constraints
        self.reference = reference
        self.max_hv = max_hv
        self.exact = exact
        self.evaluate = evaluate

    @property
    def columns(self):
        return self.objectives + self.constraints


def zdt_g(x):
    return 1 + 9 * sum(x[1:]) / (len(x) - 1)


def zdt_values(kind, x):
    f1, g = x[0], zdt_g(x)
    r = f1 / g
    if kind == 1:
        h = 1 - math.sqrt(r)
    elif kind == 2:
        h = 1 - r * r
    else:
        h = 1 - math.sqrt(r) - r * math.sin(10 * math.pi * f1)
    return [f1, g * h]


def zdt(kind):
    def evaluate(tr):
        return zdt_values(kind, [tr.suggest_float(f"x{i}", 0, 1) for i in range(6)])

    return evaluate


def dtlz2_values(x):
    g = sum((v - 0.5) ** 2 for v in x[2:])
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return [(1 + g) * math.cos(a) * math.cos(b), (1 + g) * math.cos(a) * math.sin(b), (1 + g) * math.sin(a)]


def dtlz2(tr):
    return dtlz2_values([tr.suggest_float(f"x{i}", 0, 1) for i in range(7)])


def ml_linear(alpha, degree):
    """Cheap, with a high error floor; the best regularisation grows with the degree."""
    error = 0.2 + 0.12 / degree + 0.02 * (math.log10(alpha) - (degree - 4)) ** 2
    return [error, 0.01 * 3 ** (degree - 1)]


def ml_tree(trees, depth, subsample):
    """More trees lower the error and cost more; the best depth grows with the number of trees;
    subsampling saves cost, and the error is lowest at 0.7."""
    u = math.log10(trees)
    error = 0.09 + 0.05 * (3 - u) + 0.003 * (depth - 3 - 2 * u) ** 2 + 0.4 * (subsample - 0.7) ** 2
    cost = (0.05 + 0.1 * (u - 1) + 0.02 * (depth - 2)) * (0.5 + 0.5 * subsample)
    return [error, cost]


def ml_net(layers, width, lr, dropout):
    """The lowest errors at the highest costs: capacity k = layers (log2(width) - 3) sets both;
    the best learning rate falls with depth and the best dropout grows with k."""
    k = layers * (math.log2(width) - 3)
    error = 0.03 + 0.25 / k + 0.04 * (math.log10(lr) + 2 + 0.25 * layers) ** 2 + 0.6 * (dropout - 0.4 * k / 28) ** 2
    return [error, 0.2 + 0.05 * k]


def ml_problem(tr):
    """A model-selection space with two objectives to minimise, error and cost (relative
    training time):
      model = linear: alpha real [1e-6, 1e2] log, degree int [1, 4];
      model = tree:   trees int [10, 1000] log, depth int [2, 12], subsample real [0.2, 1];
      model = net:    layers int [1, 4], width int [16, 1024] log, lr real [1e-5, 1e-1] log,
                      dropout real [0, 0.5].
    Formulas in ml_linear, ml_tree and ml_net. The Pareto front runs from linear models (degree
    1: error 0.32 at cost 0.01; degree 2: 0.26 at 0.03) through trees (cost 0.034 to 0.33, errors
    0.26 to 0.090) to nets (cost 0.41 to 1.6, errors 0.090 down to 0.039)."""
    model = tr.suggest_categorical("model", ["linear", "tree", "net"])
    if model == "linear":
        return ml_linear(tr.suggest_float("model.linear.alpha", 1e-6, 1e2, log=True),
                         tr.suggest_int("model.linear.degree", 1, 4))
    if model == "tree":
        return ml_tree(tr.suggest_int("model.tree.trees", 10, 1000, log=True),
                       tr.suggest_int("model.tree.depth", 2, 12),
                       tr.suggest_float("model.tree.subsample", 0.2, 1.0))
    return ml_net(tr.suggest_int("model.net.layers", 1, 4), tr.suggest_int("model.net.width", 16, 1024, log=True),
                  tr.suggest_float("model.net.lr", 1e-5, 1e-1, log=True), tr.suggest_float("model.net.dropout", 0, 0.5))


def srn_values(x1, x2):
    f1 = 2 + (x1 - 2) ** 2 + (x2 - 1) ** 2
    f2 = 9 * x1 - (x2 - 1) ** 2
    return [f1, f2, x1 * x1 + x2 * x2 - 225, x1 - 3 * x2 + 10]


def srn(tr):
    return srn_values(tr.suggest_float("x1", -20, 20), tr.suggest_float("x2", -20, 20))


# The largest hypervolumes; `check` computes the numerical ones again.
ZDT3_MAX = 12.22176
ML_MAX = 0.55395
SRN_MAX = 33093.8

PROBLEMS = {p.name: p for p in [
    Problem("zdt1", ["f1", "f2"], [], (1.1, 11.0), 12.1 - 1 / 3, True, zdt(1)),
    Problem("zdt2", ["f1", "f2"], [], (1.1, 11.0), 12.1 - 2 / 3, True, zdt(2)),
    Problem("zdt3", ["f1", "f2"], [], (1.1, 11.0), ZDT3_MAX, False, zdt(3)),
    Problem("dtlz2", ["f1", "f2", "f3"], [], (1.1, 1.1, 1.1), 1.1 ** 3 - math.pi / 6, True, dtlz2),
    Problem("ml", ["error", "cost"], [], (0.4, 1.7), ML_MAX, False, ml_problem),
    Problem("srn", ["f1", "f2"], ["c1", "c2"], (250.0, 10.0), SRN_MAX, False, srn),
]}


# --- Hypervolume -------------------------------------------------------------------------------

def nondominated(points):
    """The points no other point dominates (all objectives minimised), duplicates kept once."""
    pts = np.unique(np.asarray(points, dtype=float), axis=0)
    if len(pts) <= 1:
        return pts
    keep = []
    for i, p in enumerate(pts):
        others = np.delete(pts, i, axis=0)
        if not np.any(np.all(others <= p, axis=1) & np.any(others < p, axis=1)):
            keep.append(p)
    return np.array(keep)


def hv2(points, ref):
    """Area dominated by 2-D points and bounded by ref: a sweep in increasing f1."""
    pts = sorted((float(a), float(b)) for a, b in points if a < ref[0] and b < ref[1])
    area, low = 0.0, ref[1]
    for a, b in pts:
        if b < low:
            area += (ref[0] - a) * (low - b)
            low = b
    return area


def hv3(points, ref):
    """Volume dominated by 3-D points and bounded by ref: slices between consecutive f3 values,
    each the 2-D area of the points at or below it."""
    pts = sorted((tuple(float(v) for v in p) for p in points if all(p[k] < ref[k] for k in range(3))),
                 key=lambda p: p[2])
    volume = 0.0
    for i, p in enumerate(pts):
        top = pts[i + 1][2] if i + 1 < len(pts) else ref[2]
        if top > p[2]:
            volume += hv2([q[:2] for q in pts[:i + 1]], ref[:2]) * (top - p[2])
    return volume


def hypervolume(points, ref):
    points = [p for p in points if all(p[k] < ref[k] for k in range(len(ref)))]
    if not points:
        return 0.0
    if len(ref) == 2:
        return hv2(points, ref)
    if len(ref) == 3:
        return hv3(nondominated(points), ref)
    raise ValueError("hypervolume: 2 or 3 objectives")


def hv_after(problem, values, n):
    """Hypervolume of the complete, feasible trials among the first n."""
    m = len(problem.objectives)
    pts = [v[:m] for v in values[:n]
           if v is not None and all(math.isfinite(x) for x in v) and all(c <= 0 for c in v[m:])]
    return hypervolume(pts, problem.reference)


# --- Running Optuna ----------------------------------------------------------------------------

def make_sampler(name, seed, constraints_func):
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=seed, constraints_func=constraints_func)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed, constraints_func=constraints_func)
    if name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    raise ValueError(f"unknown sampler {name}")


def constraint_values(trial):
    return trial.user_attrs["constraints"]


def run_one(task):
    """One seeded study; returns its record."""
    pname, sampler_name, seed, n_trials = task
    problem = PROBLEMS[pname]
    m = len(problem.objectives)
    constrained = bool(problem.constraints)
    sampler = make_sampler(sampler_name, seed, constraint_values if constrained else None)
    study = optuna.create_study(directions=["minimize"] * m, sampler=sampler)

    def objective(tr):
        values = problem.evaluate(tr)
        if constrained:
            tr.set_user_attr("constraints", values[m:])
            tr.set_user_attr("all", values)
        return tuple(values[:m])

    wall, cpu = time.perf_counter(), time.process_time()
    study.optimize(objective, n_trials=n_trials)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    values = []
    for t in sorted(study.trials, key=lambda t: t.number):
        if t.state != optuna.trial.TrialState.COMPLETE:
            values.append(None)
        else:
            values.append(t.user_attrs["all"] if constrained else list(t.values))
    return {"problem": pname, "origin": "optuna", "sampler": sampler_name, "seed": seed, "columns": problem.columns,
            "values": [None if v is None else [float(f"{x:.10g}") for x in v] for v in values],
            "seconds": round(wall, 3), "cpu_seconds": round(cpu, 3)}


def open_text(path, mode):
    return gzip.open(path, mode + "t") if path.endswith(".gz") else open(path, mode)


def read_records(paths):
    out = []
    for path in paths:
        with open_text(path, "r") as f:
            for line in f:
                line = line.strip()
                if line:
                    out.append(json.loads(line))
    return out


def flag(flags, name, default):
    return next((f.split("=", 1)[1] for f in flags if f.startswith(f"--{name}=")), default)


def cmd_run(args, flags):
    seeds = int(args.pop(0)) if args and args[0].isdigit() else 30
    names = args or ["nsga2", "tpe"]
    n_trials = int(flag(flags, "trials", max(NS)))
    first = int(flag(flags, "first-seed", 0))
    only = [p for p in flag(flags, "only", "").split(",") if p] or list(PROBLEMS)
    jobs = int(flag(flags, "jobs", 1))
    out_path = flag(flags, "out", None)
    for p in only:
        if p not in PROBLEMS:
            sys.exit(f"unknown problem {p}; problems: {', '.join(PROBLEMS)}")
    done = set()
    if out_path and "--resume" in flags and os.path.exists(out_path):
        done = {(r["problem"], r["sampler"], r["seed"]) for r in read_records([out_path])}
    tasks = [(p, s, seed, n_trials) for p in only for s in names for seed in range(first, first + seeds)
             if (p, s, seed) not in done]
    out = open_text(out_path, "a" if done else "w") if out_path else sys.stdout
    pool = multiprocessing.Pool(jobs) if jobs > 1 else None
    results = pool.imap(run_one, tasks) if pool else map(run_one, tasks)
    for record in results:
        out.write(json.dumps(record, separators=(",", ":")) + "\n")
        out.flush()
        print(f"{record['problem']} {record['sampler']} seed {record['seed']}: {record['cpu_seconds']:.1f} s CPU",
              file=sys.stderr, flush=True)
    if out is not sys.stdout:
        out.close()


# --- Scoring -----------------------------------------------------------------------------------

def label(origin, sampler):
    return ("O:" if origin == "optuna" else "t:") + sampler


def median_gap_interval(a, b, rng, resamples=4000):
    """90 % bootstrap interval of median(a) - median(b), both sides resampled."""
    a, b = np.asarray(a), np.asarray(b)
    boots = [np.median(rng.choice(a, len(a))) - np.median(rng.choice(b, len(b))) for _ in range(resamples)]
    low, high = np.quantile(boots, [0.05, 0.95])
    return float(low), float(high)


def mann_whitney_p(a, b):
    """Two-sided p-value of the Mann-Whitney U test, normal approximation with tie correction and
    continuity correction."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n1, n2 = len(a), len(b)
    both = np.concatenate([a, b])
    order = np.argsort(both, kind="mergesort")
    ranks = np.empty(len(both))
    sorted_values = both[order]
    i = 0
    ties = 0.0
    while i < len(both):
        j = i
        while j + 1 < len(both) and sorted_values[j + 1] == sorted_values[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    u = ranks[:n1].sum() - n1 * (n1 + 1) / 2
    n = n1 + n2
    sd = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    if sd == 0:
        return 1.0
    z = (abs(u - n1 * n2 / 2) - 0.5) / sd
    return min(1.0, math.erfc(max(z, 0) / math.sqrt(2)))


def cmd_score(args, flags):
    if not args:
        sys.exit("usage: mo_quality.py score FILE ...")
    ns = tuple(int(n) for n in flag(flags, "ns", ",".join(map(str, NS))).split(","))
    gap = "--gap" in flags
    runs = {}  # (problem, origin, sampler) -> {seed: [hv at each N]}
    for r in read_records(args):
        problem = PROBLEMS[r["problem"]]
        if r["columns"] != problem.columns:
            sys.exit(f"{r['problem']}: columns {r['columns']} in a record, {problem.columns} here")
        runs.setdefault((r["problem"], r["origin"], r["sampler"]), {})[r["seed"]] = [
            hv_after(problem, r["values"], n) for n in ns]
    if "--tsv" in flags:
        for (p, o, s), seeds in runs.items():
            for seed, hvs in sorted(seeds.items()):
                for n, hv in zip(ns, hvs):
                    print(f"{p}\t{label(o, s)}\t{seed}\t{n}\t{hv:.10g}")
        return
    order = {"nsga2": 0, "tpe": 1, "random": 2, "sobol": 3, "auto": 4}
    columns = sorted({(o, s) for (_, o, s) in runs}, key=lambda c: (c[0] != "optuna", order.get(c[1], 9), c[1]))
    problems = [p for p in PROBLEMS if any(k[0] == p for k in runs)]

    def per_seed(p, o, s, i):
        seeds = runs.get((p, o, s))
        return None if not seeds else [hvs[i] for _, hvs in sorted(seeds.items())]

    seed_counts = sorted({len(v) for v in runs.values()})
    default_name = "auto" if any(c == ("typetune", "auto") for c in columns) else None
    what = "largest hypervolume minus the median hypervolume (lower is better)" if gap else "median hypervolume"
    print(f"{what} of the feasible non-dominated trials among the first N, over "
          f"{'/'.join(map(str, seed_counts))} seeds (O: Optuna {optuna.__version__}, t: typetune); the last "
          f"column compares {'t:auto' if default_name else 'the best typetune sampler of the cell'} with the better "
          "of O:nsga2 and O:tpe (median difference, 90 % bootstrap interval, Mann-Whitney p)")
    print()
    head = ["problem", "N", "max"] + [label(o, s) for o, s in columns] + ["default vs better Optuna"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    rng = np.random.default_rng(0)
    summary = []
    for p in problems:
        problem = PROBLEMS[p]
        digits = 1 if problem.max_hv > 1000 else 4
        for i, n in enumerate(ns):
            cells, medians = [], {}
            for o, s in columns:
                v = per_seed(p, o, s, i)
                if v is None:
                    cells.append("")
                    continue
                medians[(o, s)] = statistics.median(v)
                shown = problem.max_hv - medians[(o, s)] if gap else medians[(o, s)]
                cells.append(f"{shown:.{digits}f}")
            verdict = ""
            optuna_cols = [c for c in medians if c[0] == "optuna" and c[1] != "random"]
            ours = [c for c in medians if c[0] == "typetune"]
            if n in (100, 200) and optuna_cols and ours:
                best_o = max(optuna_cols, key=lambda c: medians[c])
                default = ("typetune", default_name) if default_name else max(ours, key=lambda c: medians[c])
                if default in medians:
                    a, b = per_seed(p, *default, i), per_seed(p, *best_o, i)
                    d = medians[default] - medians[best_o]
                    low, high = median_gap_interval(a, b, rng)
                    pval = mann_whitney_p(a, b)
                    word = "above" if d >= 0 else ("within noise" if high >= 0 else "below")
                    verdict = (f"{label(*default)} {word} {label(*best_o)}: {d:+.{digits}f} "
                               f"(90% {low:+.{digits}f} to {high:+.{digits}f}, p = {pval:.2f})")
                    summary.append(word)
            print("| " + " | ".join([p, str(n), f"{problem.max_hv:.{digits}f}"] + cells + [verdict]) + " |")
    if summary:
        print()
        print(f"typetune's default against the better Optuna sampler at N = 100 and 200: "
              f"{summary.count('above')} above, {summary.count('within noise')} within noise, "
              f"{summary.count('below')} below, of {len(summary)} cells")
    costs = {}  # label -> problem -> [CPU seconds, trials]
    for r in read_records(args):
        c = costs.setdefault(label(r["origin"], r["sampler"]), {}).setdefault(r["problem"], [0.0, 0])
        c[0] += r.get("cpu_seconds", r.get("seconds", 0.0))
        c[1] += len(r["values"])
    print()
    print("CPU milliseconds per trial, over all runs")
    print()
    print("| sampler | " + " | ".join(problems) + " | all |")
    print("|" + "---|" * (len(problems) + 2))
    for k, per in costs.items():
        cells = [milliseconds(*per[p]) if p in per else "" for p in problems]
        total = milliseconds(sum(v[0] for v in per.values()), sum(v[1] for v in per.values()))
        print(f"| {k} | " + " | ".join(cells) + f" | {total} |")


def milliseconds(seconds, trials):
    ms = 1000 * seconds / max(1, trials)
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.3g}"


# --- Checks ------------------------------------------------------------------------------------

class FixedTrial:
    """Answers suggest_* from a dict of parameters, as a typetune record's parameters give them."""

    def __init__(self, params):
        self.params = params

    def suggest_float(self, name, low, high, log=False):
        v = float(self.params[name])
        assert low <= v <= high, (name, v)
        return v

    def suggest_int(self, name, low, high, log=False):
        v = self.params[name]
        assert v == int(v) and low <= v <= high, (name, v)
        return int(v)

    def suggest_categorical(self, name, choices):
        v = self.params[name]
        assert v in choices, (name, v)
        return v


def max_hv_zdt3(n=2_000_001):
    f1 = np.linspace(0, 1, n)
    h = 1 - np.sqrt(f1) - f1 * np.sin(10 * np.pi * f1)
    low = np.minimum.accumulate(h)  # the front's attainment: the least f2 at or left of f1
    # The area of the region below 11 and above the attainment curve, for f1 in [0, 1.1].
    inside = np.trapz(11 - low, f1)
    return inside + 0.1 * (11 - low[-1])


def front2(points):
    """The non-dominated subset of many 2-D points, by a sort and a running minimum."""
    p = points[np.lexsort((points[:, 1], points[:, 0]))]
    prev = np.concatenate([[np.inf], np.minimum.accumulate(p[:-1, 1])])
    return p[p[:, 1] < prev]


def max_hv_ml():
    pts = [np.array([ml_linear(10.0 ** (d - 4), d) for d in range(1, 5)])]
    u = np.log10(np.arange(10, 1001))
    s = np.linspace(0.2, 1.0, 8001)
    uu, ss = np.meshgrid(u, s, indexing="ij")
    for depth in range(2, 13):
        error = 0.09 + 0.05 * (3 - uu) + 0.003 * (depth - 3 - 2 * uu) ** 2 + 0.4 * (ss - 0.7) ** 2
        cost = (0.05 + 0.1 * (uu - 1) + 0.02 * (depth - 2)) * (0.5 + 0.5 * ss)
        pts.append(front2(np.stack([error.ravel(), cost.ravel()], 1)))
    for layers in range(1, 5):
        k = layers * (np.log2(np.arange(16, 1025)) - 3)
        pts.append(np.stack([0.03 + 0.25 / k, 0.2 + 0.05 * k], 1))
    front = front2(np.concatenate(pts))
    return hv2(front, PROBLEMS["ml"].reference), front


def max_hv_srn(n=2_000_001):
    """On a circle of radius r around (2, 1) (f1 = 2 + r^2), f2 is least where x1 = -2.5 (or
    x2 = 1 when r < 4.5), unless a constraint cuts that point off: the front lies on those two
    lines and on the two constraints' boundaries, which are sampled densely."""
    s = np.linspace(-20, 20, n)
    t = np.linspace(0, 2 * np.pi, n)
    x1 = np.concatenate([np.full(n, -2.5), s, 15 * np.cos(t), s])
    x2 = np.concatenate([s, np.full(n, 1.0), 15 * np.sin(t), (s + 10) / 3])
    f1, f2, c1, c2 = srn_values(x1, x2)
    ok = (c1 <= 1e-9) & (c2 <= 1e-9)
    front = front2(np.stack([f1[ok], f2[ok]], 1))
    return hv2(front, PROBLEMS["srn"].reference), front


def cmd_check(args, flags):
    rng = np.random.default_rng(1)
    from optuna._hypervolume import WFG
    worst = 0.0
    for trial in range(300):
        m = 2 + trial % 2
        pts = rng.random((int(rng.integers(1, 60)), m))
        if trial % 5 == 0:
            pts = np.round(pts, 1)  # ties
        ref = np.full(m, 1.1)
        ours, theirs = hypervolume(pts.tolist(), ref), WFG().compute(pts, ref)
        worst = max(worst, abs(ours - theirs))
    print("hypervolume against optuna._hypervolume.WFG on 300 random sets (2-D and 3-D): "
          f"largest difference {worst:.2e}")
    assert worst < 1e-12
    assert abs(hv2([(0.5, 0.5)], (1, 1)) - 0.25) < 1e-15 and abs(hv3([(0.5, 0.5, 0.5)], (1, 1, 1)) - 0.125) < 1e-15

    # Known points: on each front, and away from it.
    assert zdt_values(1, [0.25] + [0] * 5) == [0.25, 0.5]
    assert zdt_values(2, [0.5] + [0] * 5) == [0.5, 0.75]
    assert abs(zdt_values(1, [0, 1, 1, 1, 1, 1])[1] - 10) < 1e-12
    v = dtlz2_values([0.5, 0.5] + [0.5] * 5)
    assert abs(sum(x * x for x in v) - 1) < 1e-12
    assert abs(dtlz2_values([0, 0, 1, 1, 1, 1, 1])[0] - 2.25) < 1e-12
    assert srn_values(-2.5, 5) == [2 + 20.25 + 16, -22.5 - 16, 6.25 + 25 - 225, -2.5 - 15 + 10]
    assert ml_linear(1e-3, 1) == [0.2 + 0.12, 0.01]
    print("the problems at known points: ok")

    zdt3 = max_hv_zdt3()
    ml, ml_front = max_hv_ml()
    srn_hv, srn_front = max_hv_srn()
    print(f"largest hypervolumes: zdt1 {PROBLEMS['zdt1'].max_hv:.6f}, zdt2 {PROBLEMS['zdt2'].max_hv:.6f}, "
          f"zdt3 {zdt3:.6f} (here {ZDT3_MAX}), dtlz2 {PROBLEMS['dtlz2'].max_hv:.6f}, ml {ml:.6f} (here {ML_MAX}), "
          f"srn {srn_hv:.2f} (here {SRN_MAX})")
    print(f"ml front: error {ml_front[:, 0].min():.4f} to {ml_front[:, 0].max():.4f}, cost {ml_front[:, 1].min():.4f} "
          f"to {ml_front[:, 1].max():.4f}; srn front: f1 {srn_front[:, 0].min():.2f} to {srn_front[:, 0].max():.2f}, "
          f"f2 {srn_front[:, 1].min():.2f} to {srn_front[:, 1].max():.2f}")

    # Records with parameters: every trial evaluated again here.
    checked, worst = 0, 0.0
    for r in read_records(args):
        problem = PROBLEMS[r["problem"]]
        for params, values in zip(r.get("params", []), r["values"]):
            if values is None:
                continue
            again = problem.evaluate(FixedTrial(params))
            worst = max(worst, max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(again, values)))
            checked += 1
    if args:
        print(f"{checked} trials of the records evaluated again: largest relative difference {worst:.2e}")
        assert checked > 0 and worst < 1e-8


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "score", "check"):
        sys.exit(__doc__)
    args = [a for a in sys.argv[2:] if not a.startswith("--")]
    flags = [a for a in sys.argv[2:] if a.startswith("--")]
    {"run": cmd_run, "score": cmd_score, "check": cmd_check}[sys.argv[1]](args, flags)


if __name__ == "__main__":
    main()
