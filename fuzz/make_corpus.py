#!/usr/bin/env python3
"""Regenerates the seed corpora in fuzz/corpus/ from small real inputs of the tree.

    python3 fuzz/make_corpus.py [SYMBIOMC_BINARY]

With a symbiomc binary, also runs it on tests/data/sampling/linear to take a checkpoint and
result folders (balance, uncertainty, Sobol', Morris) as seeds of checkpoint_reader and
result_reader. One seed per file, named after where it came from; the fuzz targets' input
formats are described at the top of each fuzz/<target>.cpp and in fuzz/named_files.hpp.
"""
import csv
import pathlib
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
CASE_FILES = ["case.csv", "parameters.csv", "commodities.csv", "processes.csv", "flows.csv",
              "variables.csv", "modes.csv", "outputs.csv", "curves.csv", "options.csv"]

# Inputs on which the expression target's differential check once failed (issue 15, point 1:
# the constant pool matched NaN to any constant and -0 to +0), kept as they were found.
FIXED_EXPRESSIONS = {
    "nan_folded_min": "min(x, 0 / 0) + max(1, y, 3)",
    "nan_folded_to_number": "2 * sqrt(-4) + x",
    "negative_zero_constant": "!2 * -1",
    "overflow_then_nan_folded": "2^3^2^22^3^2^2^2^3-3^3^2^2^3^3^3^2^3^2^22^3^2^2^2^3^3^322^33^2^22^3^2^2^2^3^3^322^3^3^3^2",
    "signed_zero_constant_pool": "y - -0",
}


def named_files(files):
    """One fuzz input holding every (name, path) as a '=== name' section."""
    return "".join(f"=== {name}\n{pathlib.Path(path).read_text()}" for name, path in files)


def write(target, name, text):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode() if isinstance(text, str) else text)


def case_seeds():
    cases = [ROOT / "cases" / "biomass", ROOT / "cases" / "mining", ROOT / "tests/data/decision/choice",
             *sorted((ROOT / "tests/data/networks").iterdir()), *[ROOT / "tests/data/sampling" / n for n in ("linear", "failing")]]
    for case in cases:
        files = [(n, case / n) for n in CASE_FILES if (case / n).exists()]
        write("case_reader", case.name, named_files(files))


def distributions_seeds():
    biomass = ROOT / "distributions" / "biomass.csv"
    write("distributions_reader", "biomass", named_files([("fuzz.csv", biomass)]))
    write("distributions_reader", "biomass_correlated",
          named_files([("fuzz.csv", biomass), ("fuzz.corr.csv", ROOT / "tests/data/shapley/biomass.corr.csv")]))
    # Fixtures made for other parameter lists: every column and every distribution once, and
    # the defects the reader reports, as starting points for mutation.
    for name in ("good", "many_defects", "several_defects", "list_lengths", "lognorm_mixed"):
        files = [("fuzz.csv", ROOT / f"tests/data/distributions/{name}.csv")]
        write("distributions_reader", name, named_files(files))


def expression_seeds():
    seen = set()
    for path in [ROOT / "tests/data/networks/expressions/outputs.csv",
                 ROOT / "tests/data/networks/expressions/variables.csv",
                 ROOT / "cases/biomass/outputs.csv", ROOT / "cases/biomass/variables.csv",
                 ROOT / "cases/mining/variables.csv"]:
        for row in csv.DictReader(line for line in path.open() if not line.startswith("#")):
            text = row["expression"]
            if text and text not in seen:
                seen.add(text)
    # Every function and operator on x and y, and constants that fold.
    seen.update(["if(x > y, sqrt(x), log(y)) - exp(-x) ^ 2 / pow(y, 0.5)", "clamp(-x, -1, 1) != 0 && !(y <= 2) || x >= 3",
                 "abs(-1e308 * 10) + 2 ^ 1024", "min(x, 0 / 0) + max(1, y, 3)", "2 * sqrt(-4) + x"])
    for i, text in enumerate(sorted(seen)):
        write("expression", f"expr_{i:03d}", text)
    for name, text in FIXED_EXPRESSIONS.items():
        write("expression", f"fixed_{name}", text)


def run_seeds(binary):
    linear = ROOT / "tests/data/sampling/linear"
    dist = ROOT / "tests/data/sampling/linear.csv"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        runs = {
            "balance": ["balance", "--case", str(linear), "--out", str(tmp / "balance")],
            "uncertainty": ["uncertainty", "--case", str(linear), "--distributions", str(dist), "--runs", "16", "--bins", "16", "--seed", "1",
                            "--out", str(tmp / "uncertainty"), "--checkpoint", str(tmp / "uncertainty.checkpoint")],
            "sobol": ["sensitivity", "--case", str(linear), "--distributions", str(dist), "--base-runs", "64", "--seed", "1",
                      "--out", str(tmp / "sobol"), "--checkpoint", str(tmp / "sobol.checkpoint")],
            "morris": ["sensitivity", "--case", str(linear), "--method", "morris", "--distributions", str(dist),
                       "--trajectories", "8", "--seed", "1", "--out", str(tmp / "morris"),
                       "--checkpoint", str(tmp / "morris.checkpoint")],
        }
        for name, args in runs.items():
            subprocess.run([binary, *args], check=True, stdout=subprocess.DEVNULL)
            folder = tmp / name
            files = [(p.name, p) for p in sorted(folder.iterdir()) if p.is_file()]
            write("result_reader", name, named_files(files))
            if name == "uncertainty":
                # Fixed: a number a double cannot hold escaped the JSON reader as nlohmann's
                # out_of_range (tests/test_result_files.cpp, ReportReading.NumberThatOverflows...).
                text = named_files(files)
                at = text.index(b'"runs": 16') if isinstance(text, bytes) else text.index('"runs": 16')
                overflow = b'"runs": 9.4e768' if isinstance(text, bytes) else '"runs": 9.4e768'
                write("result_reader", "fixed_json_number_overflow", text[:at] + overflow + text[at + 10:])
            checkpoint = tmp / f"{name}.checkpoint"
            if checkpoint.exists():
                write("checkpoint_reader", name, checkpoint.read_bytes())


def main():
    for target in ("case_reader", "distributions_reader", "expression"):
        shutil.rmtree(CORPUS / target, ignore_errors=True)
    case_seeds()
    distributions_seeds()
    expression_seeds()
    if len(sys.argv) > 1:
        for target in ("checkpoint_reader", "result_reader"):
            shutil.rmtree(CORPUS / target, ignore_errors=True)
        run_seeds(sys.argv[1])


if __name__ == "__main__":
    main()
