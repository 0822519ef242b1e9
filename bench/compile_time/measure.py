#!/usr/bin/env python3
"""Compile time of validating a generated space of N parameters (and nesting depth D) against a
builder struct, minus the compile time of an empty translation unit. Prints a table of medians.
Usage: bench/compile_time/measure.py [--repeat 5] [--sizes 10,50,100,200] [--cxx g++]
"""
import argparse, os, resource, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

HEADERS = ["#include <typetune/check/fits.hpp>",
           "#include <typetune/space/branch.hpp>", "#include <typetune/space/choice.hpp>",
           "#include <typetune/space/int_param.hpp>", "#include <typetune/space/real_param.hpp>",
           "#include <typetune/space/space.hpp>", "#include <variant>", "namespace tt = typetune;"]

def leaf(i):
    k = i % 3
    if k == 0:
        return f'tt::int_<"p{i}">(0, {10 + i}, tt::step{{1}})', f"int p{i};"
    if k == 1:
        return f'tt::real<"p{i}">(1e-4, {1 + i}.0, tt::log)', f"double p{i};"
    return f'tt::choice<"p{i}">(0.1, 0.2, 0.{i % 7 + 3})', f"double p{i};"

def generate(n, depth, reflect="typetune"):
    """A space of about n declared parameters (ints, log reals and choices in turn).
    depth 0: all at top level, checked through the struct-free record params_of<space> (a
    reflected struct holds at most 40 fields, Hana's limit). depth d >= 1: groups, each a chain
    of d nested branches (option "on" holds leaves and the next branch, "off" is empty), checked
    against reflected structs with a std::variant per branch."""
    out = list(HEADERS) + ["#include <typetune/reflect.hpp>"]
    if depth == 0:
        out.insert(0, "#include <typetune/params_of.hpp>")
        nodes = [leaf(i)[0] for i in range(n)]
        out.append("inline constexpr auto generated_space = tt::space(" + ",\n  ".join(nodes) + ");")
        out.append(f"static_assert(generated_space.size() == {n});")
        out.append("using record = tt::params_of<generated_space>;")
        out.append("static_assert(tt::fits<record>(generated_space));")
        out.append(f"static_assert(sizeof(decltype(record{{}}.get<\"p{n - 1}\">())) > 0);")
        return "\n".join(out) + "\n", n
    per_level = 7
    group_size = depth * (per_level + 1)
    groups = max(1, round(n / group_size))
    i = 0
    structs, top_nodes, top_fields = [], [], []
    for g in range(groups):
        def chain(level):
            nonlocal i
            nodes, fields = [], []
            for _ in range(per_level):
                node, field = leaf(i); i += 1
                nodes.append(node); fields.append(field)
            if level + 1 < depth:
                cn, ct, cname = chain(level + 1)
                nodes.append(cn); fields.append(f"{ct} {cname};")
            sname, ename, bname = f"g{g}_l{level}", f"g{g}_off{level}", f"g{g}_b{level}"
            structs.append((sname, fields)); structs.append((ename, []))
            node = f'tt::branch<"{bname}">(tt::option<"on", gen::{sname}>({", ".join(nodes)}), tt::option<"off", gen::{ename}>())'
            return node, f"std::variant<{sname}, {ename}>", bname
        node, typ, name = chain(0)
        top_nodes.append(node); top_fields.append(f"{typ} {name};")
    declared = i + groups * depth
    out.append("namespace gen {")
    for name, fields in structs:
        out.append(f"struct {name} {{ {' '.join(fields)} }};")
    out.append(f"struct params {{ {' '.join(top_fields)} }};")
    out.append("}")
    adapt = "TYPETUNE_REFLECT" if reflect == "typetune" else "BOOST_HANA_ADAPT_STRUCT"
    for name, fields in structs:
        if fields:
            names = ", ".join(f.split()[-1].rstrip(";") for f in fields)
            out.append(f"{adapt}(gen::{name}, {names});")
    names = ", ".join(f.split()[-1].rstrip(";") for f in top_fields)
    out.append(f"{adapt}(gen::params, {names});")
    out.append("inline constexpr auto generated_space = tt::space(" + ",\n  ".join(top_nodes) + ");")
    out.append(f"static_assert(generated_space.size() == {declared});")
    out.append("static_assert(tt::fits<gen::params>(generated_space));")
    return "\n".join(out) + "\n", declared

def time_compile(cxx, path, repeat):
    # CPU time (user + sys) of the compiler: on a shared machine wall time also counts waiting.
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = subprocess.run([cxx, "-std=c++20", "-fsyntax-only", f"-I{ROOT}/include", path], capture_output=True, text=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if r.returncode != 0:
            sys.exit(f"compile failed for {path}:\n{r.stderr[:3000]}")
    return statistics.median(times)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sizes", default="10,50,100,200")
    ap.add_argument("--depths", default="0,3")
    ap.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    ap.add_argument("--reflect", default="typetune,hana", help="struct reflection(s) to measure")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        empty = os.path.join(tmp, "empty.cpp")
        open(empty, "w").write("int main() { return 0; }\n")
        base = time_compile(args.cxx, empty, args.repeat)
        print(f"empty translation unit: {base:.3f} s CPU (median of {args.repeat}, {args.cxx} -fsyntax-only)")
        print(f"{'params':>7} {'depth':>6} {'checked against':<24} {'total_s':>9} {'over_empty_s':>13}")
        for n in map(int, args.sizes.split(",")):
            for d in map(int, args.depths.split(",")):
                for r in (["-"] if d == 0 else args.reflect.split(",")):
                    src, declared = generate(n, d, r)
                    path = os.path.join(tmp, f"space_{n}_{d}_{r}.cpp")
                    open(path, "w").write(src)
                    t = time_compile(args.cxx, path, args.repeat)
                    what = "params_of record" if d == 0 else ("TYPETUNE_REFLECT structs" if r == "typetune" else "Hana-adapted structs")
                    print(f"{declared:>7} {d:>6} {what:<24} {t:>9.3f} {t - base:>13.3f}", flush=True)

if __name__ == "__main__":
    main()
