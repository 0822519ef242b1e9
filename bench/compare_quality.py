#!/usr/bin/python3
"""typetune's quality table beside Optuna's, in normalised regret, from one command.

  bench/compare_quality.py [seeds=30] [--table=build/bench/quality_table] [--jobs=2]
                           [--optuna=FILE] [--rerun-optuna] [--markdown]
                           [--samplers=tpe,tpe+sigma,...] [--no-extra] [--noise]

Runs `quality_table SEEDS --tsv` and `optuna_quality.py SEEDS --tsv` (Optuna's rows are kept in
FILE, by default build/optuna_quality_SEEDS.tsv, and reused unless --rerun-optuna: they take
tens of minutes and change only with Optuna), then prints for each function, setting and N the
normalised regret r = (best - minimum) / (Optuna random's best - minimum) of every sampler, and
the mean r of each sampler over the eight functions' cells, and the checks of issue 13's bars.
Lower is better; r = 1 is Optuna's random search. --samplers and --no-extra are passed to
quality_table (to compare variants such as tpe+sigma; see quality_table's usage line).
--noise also measures typetune's TPE modes on the next SEEDS seeds and applies the per-cell
statistic of the TPE bar to the two measurements of the same algorithm: its noise floor.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Global minima, as in bench/quality_suite.hpp.
MINIMUM = {"branin": 0.397887, "hartmann6": -3.32237, "conditional": 0.0, "noisy-h6": -3.32237, "integers": 0.0,
           "categorical": 1.375, "levy10": 0.0, "cond-blocks": 0.0, "curve-h6": -3.32237}
NS = (25, 50, 100)
OPTUNA_MODEL = ("tpe", "tpe-multivariate")


def parse(text, origin):
    rows = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) != 7:
            continue
        function, sampler, setting = parts[:3]
        rows[(origin, function, sampler, setting)] = ([float(v) for v in parts[3:6]], float(parts[6]))
    return rows


def run(cmd):
    print("$ " + " ".join(cmd), file=sys.stderr, flush=True)
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = dict((f[2:].split("=", 1) + [""])[:2] for f in sys.argv[1:] if f.startswith("--"))
    seeds = int(args[0]) if args else 30
    table = flags.get("table") or os.path.join(ROOT, "build", "bench", "quality_table")
    jobs = flags.get("jobs") or "2"
    cache = flags.get("optuna") or os.path.join(ROOT, "build", f"optuna_quality_{seeds}.tsv")
    markdown = "markdown" in flags

    table_args = [table, str(seeds), "--tsv"] + [n for n in flags.get("samplers", "").split(",") if n]
    if "no-extra" in flags:
        table_args.append("--no-extra")
    rows = parse(run(["nice", "-n", "10"] + table_args), "typetune")
    if "rerun-optuna" in flags or not os.path.exists(cache):
        text = run(["nice", "-n", "10", "/usr/bin/python3", os.path.join(HERE, "optuna_quality.py"), str(seeds),
                    "--tsv", f"--jobs={jobs}"])
        os.makedirs(os.path.dirname(cache), exist_ok=True)
        with open(cache, "w") as f:
            f.write(text)
    else:
        print(f"(Optuna's rows from {cache}; --rerun-optuna to measure them again)", file=sys.stderr)
    with open(cache) as f:
        rows.update(parse(f.read(), "optuna"))

    def regret(origin, function, sampler, setting, i):
        key = (origin, function, sampler, setting)
        base = rows.get(("optuna", function, "random", "1 worker"))
        if key not in rows or base is None:
            return None
        m = MINIMUM[function]
        return (rows[key][0][i] - m) / (base[0][i] - m)

    groups = []  # (function, setting) in the order the tables list them
    for (_, function, _, setting) in rows:
        if (function, setting) not in groups:
            groups.append((function, setting))
    groups.sort(key=lambda g: (g[0] == "curve-h6", g[1] != "1 worker", g[1] == "4 threads", list(MINIMUM).index(g[0])))
    columns = []
    for origin in ("optuna", "typetune"):
        for (o, _, sampler, _) in rows:
            if o == origin and (origin, sampler) not in columns:
                columns.append((origin, sampler))
    short = {"random": "rand", "qmc": "qmc", "sobol": "sobol", "tpe": "tpe", "tpe-multivariate": "tpe-mv", "gp": "gp",
             "auto": "auto"}

    def label(c):
        return ("O:" if c[0] == "optuna" else "t:") + short.get(c[1], c[1])

    print(f"Normalised regret at N = 25 / 50 / 100, median over {seeds} seeds "
          "(O: Optuna 3.1, t: typetune; 1 = Optuna's random search, 0 = the minimum)")
    head = ["function", "setting", "N"] + [label(c) for c in columns] + ["O:best"]
    body = []
    for function, setting in groups:
        for i, n in enumerate(NS):
            cells = []
            for origin, sampler in columns:
                r = regret(origin, function, sampler, setting, i)
                cells.append("" if r is None else f"{r:.3f}")
            best = [regret("optuna", function, s, setting, i) for s in ("random", "qmc") + OPTUNA_MODEL]
            best = [b for b in best if b is not None]
            body.append([function, setting, str(n)] + cells + [f"{min(best):.3f}" if best else ""])
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for line in body:
            print("| " + " | ".join(line) + " |")
    else:
        widths = [max(len(r[k]) for r in [head] + body) for k in range(len(head))]
        for line in [head] + body:
            print("  ".join(v.ljust(w) if k < 2 else v.rjust(w) for k, (v, w) in enumerate(zip(line, widths))))

    print()
    sequential = [g for g in groups if g[1] == "1 worker" and g[0] != "curve-h6"]
    print("Mean r over the eight functions at N = 25, 50, 100: " + ", ".join(
        f"{label(c)} {sum(v) / len(v):.3f}" for c in columns
        for v in [[r for f, st in sequential for i in range(len(NS))
                   for r in [regret(c[0], f, c[1], st, i)] if r is not None]] if v))
    # Issue 13's bars.
    print()
    for mode in OPTUNA_MODEL:
        pairs = [(regret("typetune", f, mode, s, i), regret("optuna", f, mode, s, i))
                 for f, s in sequential for i in range(len(NS))]
        pairs = [p for p in pairs if None not in p]
        if not pairs:
            continue
        worst = max(t - o for t, o in pairs)
        print(f"{mode}: mean r typetune {sum(t for t, _ in pairs) / len(pairs):.3f} vs Optuna "
              f"{sum(o for _, o in pairs) / len(pairs):.3f}; worst cell {worst:+.3f} (bar: mean <=, worst <= +0.05)")
    if "noise" in flags:
        # The bar's statistic for the same sampler on two sets of seeds: how far apart two
        # measurements of one algorithm land, cell by cell, at this many seeds.
        other = parse(run(["nice", "-n", "10", table, str(seeds), "--tsv", "--no-extra", f"--first-seed={seeds}"]
                          + list(OPTUNA_MODEL)), "typetune-b")
        rows.update(other)
        for mode in OPTUNA_MODEL:
            pairs = [(regret("typetune", f, mode, s, i), regret("typetune-b", f, mode, s, i))
                     for f, s in sequential for i in range(len(NS))]
            pairs = [p for p in pairs if None not in p]
            if not pairs:
                continue
            gaps = sorted((abs(a - b) for a, b in pairs), reverse=True)
            print(f"{mode} against itself (seeds 0-{seeds - 1} vs {seeds}-{2 * seeds - 1}): mean r "
                  f"{sum(a for a, _ in pairs) / len(pairs):.3f} vs {sum(b for _, b in pairs) / len(pairs):.3f}; "
                  f"largest cell gaps {', '.join(f'{g:.3f}' for g in gaps[:3])}; "
                  f"{sum(g > 0.05 for g in gaps)} of {len(gaps)} cells apart by more than 0.05")
    for default in ("auto",):
        fails = []
        for f, s in sequential:
            for i in (1, 2):
                r = regret("typetune", f, default, s, i)
                best = [regret("optuna", f, o, s, i) for o in ("random", "qmc") + OPTUNA_MODEL]
                best = min(b for b in best if b is not None)
                if r is not None and r > best:
                    fails.append(f"{f} N={NS[i]} ({r:.3f} > {best:.3f})")
        if any(("typetune", f, default, s) in rows for f, s in sequential):
            print(f"{default}: r <= Optuna's best at N = 50 and 100 in every function: "
                  + ("yes" if not fails else "no: " + ", ".join(fails)))
    for sampler in ("tpe", "gp", "auto"):
        for f in ("hartmann6", "conditional"):
            one = regret("typetune", f, sampler, "1 worker", 1)
            for setting in ("4 workers", "4 threads"):
                four = regret("typetune", f, sampler, setting, 1)
                if one is not None and four is not None:
                    print(f"{sampler} on {f}, N=50: r with {setting} {four:.3f} vs 1 worker {one:.3f} "
                          f"(bar: at most +0.1): {'ok' if four - one <= 0.1 else 'over'}")
        plain, pruned = regret("typetune", "curve-h6", sampler, "1 worker", 2), regret("typetune", "curve-h6", sampler,
                                                                                       "median", 2)
        if plain is not None and pruned is not None:
            print(f"{sampler} on curve-h6, N=100: r with the median pruner {pruned:.3f} vs without {plain:.3f} "
                  f"(bar: at most 1.5x): {'ok' if pruned <= 1.5 * plain else 'over'}")


if __name__ == "__main__":
    main()
