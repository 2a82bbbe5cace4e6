"""Side-by-side timing of symbiomc and OpenTURNS 1.20 on the same problems, in one session.

Every run is a separate process under /usr/bin/time -v (wall time, user+sys CPU time, peak
RSS); tools alternate within each repetition (symbiomc first in even repetitions, OpenTURNS
first in odd ones) so slow drifts of a shared machine hit both. Medians are reported.

Problems (default):
  ishigami N=2^16, 2^20     Sobol' S1 + ST with 95 % intervals, a = 7, b = 0.1
  sobol-g  N=2^16, 2^20     D = 20, a = 0, 1, 4.5, 9, 99 x 16
  biomass  10^6 runs        plain Monte Carlo of cases/biomass (5 modes x 10 outputs)
symbiomc runs `symbiomc sensitivity --model ...` (mc; plus --sampling qmc as a second row) and
`symbiomc uncertainty --case cases/biomass ...`, all cores; OpenTURNS runs ot_sobol.py /
ot_biomass.py (SymbolicFunction models, TBB on all cores).

Errors: largest |estimate - analytic| over S1 and ST of every factor (OpenTURNS: Saltelli's
and Jansen's algorithm separately), and how many of the 2D analytic values the 95 % intervals
cover. Biomass has no analytic truth: the column is the largest |mean difference| between the
tools over the 50 outputs in units of its standard error (z; about 3 is expected from chance).

--targets runs the symbiomc-only checks of issue 5 instead (large N, 10^7 runs, threads).
"""

import argparse
import csv
import datetime
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = "/usr/bin/python3"
G_A = [0.0, 1.0, 4.5, 9.0]


def g_coefficients(dims):
    return (G_A + [99.0] * dims)[:dims]


def g_spec(dims):
    return "sobol-g:a=" + ",".join(f"{a:g}" for a in g_coefficients(dims))


# ---------------------------------------------------------------------------------------
# Analytic indices (the formulas of include/symbiomc/model/analytic_models.hpp)
# ---------------------------------------------------------------------------------------


def ishigami_truth(a=7.0, b=0.1):
    pi4 = math.pi ** 4
    pi8 = pi4 * pi4
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a * a / 8
    v13 = b * b * pi8 * (1 / 18 - 1 / 50)
    v = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def g_truth(a):
    vi = [1 / (3 * (1 + ai) ** 2) for ai in a]
    prod = math.prod(1 + v for v in vi)
    v = prod - 1
    return [x / v for x in vi], [x * prod / (1 + x) / v for x in vi]


# ---------------------------------------------------------------------------------------
# Running and measuring
# ---------------------------------------------------------------------------------------


def timed(cmd, log):
    """Runs cmd under /usr/bin/time -v; returns wall s, cpu s (user + sys), peak RSS MiB."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        load = os.getloadavg()[0]
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        text = tf.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")

    def field(name):
        m = re.search(re.escape(name) + r":\s*(.+)", text)
        return m.group(1).strip()

    parts = [float(p) for p in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":")]
    wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    rss = float(field("Maximum resident set size (kbytes)")) / 1024.0
    log.write(f"{datetime.datetime.now():%H:%M:%S} load {load:5.2f} wall {wall:8.2f} s cpu {cpu:8.2f} s "
              f"rss {rss:8.1f} MiB  {' '.join(cmd)}\n")
    log.flush()
    return {"wall_s": wall, "cpu_s": cpu, "rss_mib": rss, "load1": load}


def read_symbiomc_sobol(out_dir):
    rows = []
    with open(os.path.join(out_dir, "sobol.csv")) as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            if row["kind"] == "parameter":
                rows.append(row)
    rows.sort(key=lambda r: int(r["parameter"][1:]))
    get = lambda c: [float(r[c]) for r in rows]
    return {"S1": get("S1"), "ST": get("ST"), "S1_interval": [get("S1_low"), get("S1_high")],
            "ST_interval": [get("ST_low"), get("ST_high")]}


def sobol_errors(est, truth):
    s1, st = truth
    err = max(max(abs(a - b) for a, b in zip(est["S1"], s1)), max(abs(a - b) for a, b in zip(est["ST"], st)))
    covered = sum(lo <= t <= hi for t, lo, hi in zip(s1, *est["S1_interval"]))
    covered += sum(lo <= t <= hi for t, lo, hi in zip(st, *est["ST_interval"]))
    return err, covered


def read_symbiomc_summary(out_dir):
    out = {}
    with open(os.path.join(out_dir, "summary.csv")) as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            out[f"{row['mode']}__{row['output']}"] = (float(row["mean"]), float(row["standard_error"]))
    return out


class Problem:
    def __init__(self, key, label, kind, n, dims=None, ot_reps=None):
        self.key, self.label, self.kind, self.n, self.dims, self.ot_reps = key, label, kind, n, dims, ot_reps

    def truth(self):
        return ishigami_truth() if self.kind == "ishigami" else g_truth(g_coefficients(self.dims))

    def spec(self):
        return "ishigami" if self.kind == "ishigami" else g_spec(self.dims)


def run_tool(tool, problem, seed, args, work, log):
    out = os.path.join(work, f"{problem.key}-{tool}-{seed}")
    os.makedirs(out, exist_ok=True)
    if problem.kind == "biomass":
        if tool == "openturns":
            res = timed([PY, os.path.join(HERE, "ot_biomass.py"), "--case", args.case, "--distributions",
                         args.distributions, "--runs", str(problem.n), "--seed", str(seed), "--out",
                         os.path.join(out, "ot.json")], log)
            with open(os.path.join(out, "ot.json")) as f:
                r = json.load(f)
            res["means"] = {k: (v["mean"], v["standard_error"]) for k, v in r["outputs"].items()}
            res["phases"] = r["phases"]
            return res
        res = timed([args.symbiomc, "uncertainty", "--case", args.case, "--distributions", args.distributions,
                     "--runs", str(problem.n), "--seed", str(seed), "--threads", str(args.threads), "--quiet",
                     "--no-correlations",  # OpenTURNS' script samples the marginals independently
                     "--out", out], log)
        res["means"] = read_symbiomc_summary(out)
        return res
    if tool == "openturns":
        cmd = [PY, os.path.join(HERE, "ot_sobol.py"), "--model", problem.kind, "--base-runs", str(problem.n),
               "--seed", str(seed), "--out", os.path.join(out, "ot.json")]
        if problem.dims:
            cmd += ["--dims", str(problem.dims)]
        res = timed(cmd, log)
        with open(os.path.join(out, "ot.json")) as f:
            r = json.load(f)
        res["phases"] = r["phases"]
        for algo in ("saltelli", "jansen"):
            res[f"err_{algo}"], res[f"covered_{algo}"] = sobol_errors(r[algo], problem.truth())
        return res
    cmd = [args.symbiomc, "sensitivity", "--model", problem.spec(), "--base-runs", str(problem.n), "--seed", str(seed),
           "--threads", str(args.threads), "--quiet", "--out", out]
    if tool == "symbiomc-qmc":
        cmd += ["--sampling", "qmc"]
    res = timed(cmd, log)
    res["err"], res["covered"] = sobol_errors(read_symbiomc_sobol(out), problem.truth())
    return res


def median(values):
    return statistics.median(values) if values else float("nan")


def fmt(x, digits=3):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.{digits}g}"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ver = subprocess.run([PY, "-c", "import openturns; print(openturns.__version__)"], capture_output=True,
                         text=True).stdout.strip()
    gcc = subprocess.run(["g++", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(), "openturns": ver, "compiler": gcc,
            "date": datetime.datetime.now().isoformat(timespec="seconds")}


# ---------------------------------------------------------------------------------------
# Self-check: the OpenTURNS biomass program equals symbiomc's balance
# ---------------------------------------------------------------------------------------


def check_biomass_translation(args):
    """Evaluates the ExprTk program and `symbiomc balance --set ...` at the nominal point and at
    3 random draws; fails unless all 50 outputs agree to 1e-9 relative."""
    import openturns as ot

    sys.path.insert(0, HERE)
    import biomass_exprtk

    program = biomass_exprtk.BiomassProgram(args.case, args.distributions)
    f = ot.SymbolicFunction(program.inputs, program.outputs, program.formula)
    rows = {r["parameter"]: r for r in program.distributions}
    dist = ot.ComposedDistribution([biomass_exprtk.ot_distribution(rows[n]) for n in program.inputs])
    ot.RandomGenerator.SetSeed(12345)
    points = [program.nominal_inputs()] + [list(p) for p in dist.getSample(3)]
    worst = 0.0
    for point in points:
        sets = []
        for name, value in zip(program.inputs, point):
            sets += ["--set", f"{name}={value!r}"]
        out = subprocess.run([args.symbiomc, "balance", "--case", args.case, "--format", "csv"] + sets,
                             capture_output=True, text=True, check=True).stdout
        ref = {f"{r['mode']}__{r['name']}": float(r["value"]) for r in csv.DictReader(out.splitlines())
               if r["kind"] == "output"}
        y = f(point)
        for i, name in enumerate(program.outputs):
            scale = max(abs(ref[name]), 1e-6)
            worst = max(worst, abs(y[i] - ref[name]) / scale)
    if worst > 1e-9:
        raise SystemExit(f"biomass translation differs from symbiomc's balance: worst relative difference {worst:g}")
    return worst, len(program.lines)


# ---------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------


def compare(args):
    problems = [
        Problem("ishigami-16", "Ishigami, N = 2^16", "ishigami", 1 << 16),
        Problem("ishigami-20", "Ishigami, N = 2^20", "ishigami", 1 << 20, ot_reps=args.ot_reps_ishigami_20),
        Problem("g20-16", "G, D = 20, N = 2^16", "sobol-g", 1 << 16, dims=20),
        Problem("g20-20", "G, D = 20, N = 2^20", "sobol-g", 1 << 20, dims=20, ot_reps=args.ot_reps_g_20),
        Problem("biomass", "biomass MC, 10^6 runs", "biomass", 10 ** 6, ot_reps=args.ot_reps_biomass),
    ]
    if args.problems:
        keep = args.problems.split(",")
        problems = [p for p in problems if p.key in keep]
    if args.quick:
        problems = [p for p in problems if p.key in ("ishigami-16", "g20-16")]
        problems.append(Problem("biomass-1e5", "biomass MC, 10^5 runs", "biomass", 10 ** 5))
    work = args.out
    os.makedirs(work, exist_ok=True)
    log = open(os.path.join(work, "runs.log"), "a")
    info = machine()
    print(f"# symbiomc vs OpenTURNS {info['openturns']} -- {info['date']}, {info['nproc']} x {info['cpu']}, "
          f"{info['compiler']}", flush=True)
    if any(p.kind == "biomass" for p in problems):
        worst, lines = check_biomass_translation(args)
        print(f"biomass ExprTk program ({lines} statements) matches `symbiomc balance` at 4 points "
              f"(worst relative difference {worst:.1e})", flush=True)
    results = {p.key: {} for p in problems}
    started = time.time()
    for rep in range(args.reps):
        for p in problems:
            tools = ["symbiomc", "openturns"] if p.kind == "biomass" else ["symbiomc", "symbiomc-qmc", "openturns"]
            if rep % 2:
                tools.reverse()
            for tool in tools:
                if tool == "openturns" and p.ot_reps is not None and rep >= p.ot_reps:
                    continue
                r = run_tool(tool, p, rep + 1, args, work, log)
                results[p.key].setdefault(tool, []).append(r)
                print(f"  rep {rep + 1} {p.label:24s} {tool:13s} wall {r['wall_s']:7.2f} s  cpu {r['cpu_s']:7.2f} s  "
                      f"rss {r['rss_mib']:7.1f} MiB  load {r['load1']:.1f}", flush=True)
    elapsed = time.time() - started

    # Table
    lines = [
        f"symbiomc vs OpenTURNS {info['openturns']}: {info['date']}; {info['nproc']} x {info['cpu']}; {info['compiler']}; "
        f"medians of {args.reps} alternating repetitions (OpenTURNS fewer where noted); whole comparison {elapsed / 60:.1f} min; "
        f"load average (1 min) during the runs {min(r['load1'] for v in results.values() for rs in v.values() for r in rs):.1f}"
        f"-{max(r['load1'] for v in results.values() for rs in v.values() for r in rs):.1f}.",
        "",
        "| problem | tool | reps | wall s | CPU s | peak RSS MiB | OT/symbiomc wall | OT/symbiomc CPU | OT/symbiomc RSS | max abs error | CI covers truth |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    summary = {}
    for p in problems:
        per = results[p.key]
        med = {t: {k: median([r[k] for r in rs]) for k in ("wall_s", "cpu_s", "rss_mib")} for t, rs in per.items()}
        summary[p.key] = med
        base = med.get("symbiomc")
        ot_med = med.get("openturns")
        for tool, rs in per.items():
            m = med[tool]
            ratio = lambda k: fmt(ot_med[k] / base[k]) if (tool == "openturns" and base and ot_med) else ""
            if p.kind == "biomass":
                if tool == "openturns" and "symbiomc" in per:
                    zs = []
                    for r_ot, r_sym in zip(per["openturns"], per["symbiomc"]):
                        for k, (m_ot, se_ot) in r_ot["means"].items():
                            m_sym, se_sym = r_sym["means"][k]
                            se = math.hypot(se_ot, se_sym)
                            if se > 0:
                                zs.append(abs(m_ot - m_sym) / se)
                    err = f"means agree: max z = {fmt(max(zs))}" if zs else "-"
                else:
                    err = "(reference for z)"
                cover = ""
            elif tool == "openturns":
                err = f"Saltelli {fmt(median([r['err_saltelli'] for r in rs]))} / Jansen {fmt(median([r['err_jansen'] for r in rs]))}"
                cover = (f"{fmt(median([r['covered_saltelli'] for r in rs]))} / "
                         f"{fmt(median([r['covered_jansen'] for r in rs]))} of {2 * (p.dims or 3)}")
            else:
                err = fmt(median([r["err"] for r in rs]))
                cover = f"{fmt(median([r['covered'] for r in rs]))} of {2 * (p.dims or 3)}"
            lines.append(f"| {p.label} | {tool} | {len(rs)} | {fmt(m['wall_s'])} | {fmt(m['cpu_s'])} | {fmt(m['rss_mib'])} | "
                         f"{ratio('wall_s')} | {ratio('cpu_s')} | {ratio('rss_mib')} | {err} | {cover} |")
    table = "\n".join(lines)
    print("\n" + table)
    with open(os.path.join(work, "compare.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(work, "compare.json"), "w") as f:
        json.dump({"machine": info, "results": results, "medians": summary, "elapsed_s": elapsed}, f, indent=1)
    print(f"\nraw runs: {os.path.join(work, 'runs.log')}, {os.path.join(work, 'compare.json')}")


# ---------------------------------------------------------------------------------------
# symbiomc-only targets (issue 5, tightened by issue 14 where it sets its own)
# ---------------------------------------------------------------------------------------


def targets(args):
    work = args.out
    os.makedirs(work, exist_ok=True)
    log = open(os.path.join(work, "runs.log"), "a")
    info = machine()
    s = args.symbiomc
    scale = args.targets_scale  # 1 = the sizes of issue 5; 1/16 etc. for a quick look

    def sens(spec, n, threads, seed=1):
        out = os.path.join(work, f"t-sens-{spec.split(':')[0]}-{n}-{threads}")
        return timed([s, "sensitivity", "--model", spec, "--base-runs", str(n), "--seed", str(seed), "--threads",
                      str(threads), "--quiet", "--out", out], log)

    def unc(runs, threads):
        out = os.path.join(work, f"t-unc-{runs}-{threads}")
        r = timed([s, "uncertainty", "--case", args.case, "--distributions", args.distributions, "--runs", str(runs),
                   "--threads", str(threads), "--no-correlations", "--quiet", "--out", out], log)
        r["runs_per_s"] = runs / r["wall_s"]
        return r

    def sens_case(n, threads):
        out = os.path.join(work, f"t-sens-biomass-{n}-{threads}")
        return timed([s, "sensitivity", "--case", args.case, "--distributions", args.distributions, "--base-runs", str(n),
                      "--threads", str(threads), "--ignore-correlation", "--quiet", "--out", out], log)

    n = lambda x: max(4, int(x * scale))
    rows = []

    def add(label, target, r, check):
        ok = check(r)
        rows.append(f"| {label} | {target} | {fmt(r['wall_s'])} | {fmt(r['cpu_s'])} | {fmt(r['rss_mib'])} | "
                    f"{fmt(r['load1'])} | {'met' if ok else 'NOT met'} |")
        print(rows[-1], flush=True)

    print(f"# symbiomc targets -- {info['date']}, {info['nproc']} x {info['cpu']}, scale {scale}", flush=True)
    r = sens(g_spec(20), n(1 << 20), 2)
    add(f"G D=20 N={n(1 << 20)}, 2 threads", "<= 3 s wall, <= 32 MiB", r, lambda r: r["wall_s"] <= 3 and r["rss_mib"] <= 32)
    r = sens("ishigami", n(1 << 26), 2)
    add(f"Ishigami N={n(1 << 26)}, 2 threads", "one command, <= 32 MiB", r, lambda r: r["rss_mib"] <= 32)
    r = sens(g_spec(20), n(1 << 24), 2)
    add(f"G D=20 N={n(1 << 24)}, 2 threads", "one command, <= 32 MiB", r, lambda r: r["rss_mib"] <= 32)
    r1 = unc(n(10 ** 6), 1)
    add(f"biomass {n(10 ** 6)} runs, 1 thread ({fmt(r1['runs_per_s'])} runs/s)", ">= 1e6 runs/s per core", r1,
        lambda r: r["runs_per_s"] >= 1e6)
    r2 = unc(n(10 ** 6), 2)
    add(f"biomass {n(10 ** 6)} runs, 2 threads ({fmt(r2['runs_per_s'])} runs/s; x{fmt(r2['runs_per_s'] / r1['runs_per_s'])} vs 1)",
        ">= 1.8 x one thread", r2, lambda r: r["runs_per_s"] >= 1.8 * r1["runs_per_s"])
    r = unc(n(10 ** 7), 2)
    add(f"biomass {n(10 ** 7)} runs, 2 threads", "<= 6 s wall (issue 14; issue 5: 10 s), <= 64 MiB", r,
        lambda r: r["wall_s"] <= 6 and r["rss_mib"] <= 64)
    r = sens_case(n(1 << 18), 2)
    add(f"biomass Sobol' N={n(1 << 18)} (49 factors, 5 modes x 10 outputs), 2 threads",
        "<= 4 s wall (issue 14; issue 5: 30 s)", r, lambda r: r["wall_s"] <= 4)
    table = "\n".join(["| run | target | wall s | CPU s | peak RSS MiB | load | status |", "|---|---|---|---|---|---|---|"] + rows)
    with open(os.path.join(work, "targets.md"), "w") as f:
        f.write(table + "\n")
    print("\n" + table)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--symbiomc", required=True, help="path of the symbiomc binary (Release build)")
    ap.add_argument("--case", default=os.path.join(ROOT, "cases/biomass"))
    ap.add_argument("--distributions", default=os.path.join(ROOT, "distributions/biomass.csv"))
    ap.add_argument("--threads", type=int, default=0, help="symbiomc --threads (0 = all cores, like OpenTURNS' TBB)")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--ot-reps-ishigami-20", type=int, default=3)
    ap.add_argument("--ot-reps-g-20", type=int, default=1, help="OpenTURNS repetitions at G N=2^20 (minutes each)")
    ap.add_argument("--ot-reps-biomass", type=int, default=3)
    ap.add_argument("--problems", help="comma-separated subset: ishigami-16,ishigami-20,g20-16,g20-20,biomass")
    ap.add_argument("--quick", action="store_true", help="small sizes only (a smoke test of the script)")
    ap.add_argument("--targets", action="store_true", help="run symbiomc's issue-5 targets instead")
    ap.add_argument("--targets-scale", type=float, default=1.0)
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "symbiomc-compare"))
    args = ap.parse_args()
    args.symbiomc = os.path.abspath(args.symbiomc)
    if args.targets:
        targets(args)
    else:
        compare(args)


if __name__ == "__main__":
    main()
