#!/usr/bin/env python3
"""Reference values from SALib for brink's sensitivity analysis (issue 6).

Writes the JSON fixtures beside this file, which `crates/brink-mc/tests/sensitivity.rs`
and `crates/brink-mc/tests/design.rs` read (the Rust tests never run Python):

  ishigami_sobol.json   SALib Saltelli sample (sobol.sample, N=1024, first order and
                        total only) of the Ishigami function, its outputs and
                        SALib's sobol.analyze S1/ST (+ analytic values)
  ishigami_morris.json  SALib morris.sample (100 trajectories, 4 levels) of Ishigami,
                        outputs and morris.analyze mu, mu_star, sigma
  stag_hunt_sobol.json  SALib Saltelli sample (N=64) over two parameters of
                        scenarios/stag_hunt.toml, the brink binary's outcome
                        frequencies at each point, and sobol.analyze per outcome
  stag_hunt_morris.json the same with a Morris sample (16 trajectories)

Usage (from anywhere; see README.md):

  python3 -m venv /tmp/salib-venv
  /tmp/salib-venv/bin/pip install -r tests/reference/salib/requirements.txt
  /tmp/salib-venv/bin/python tests/reference/salib/generate.py [--brink PATH]

Without --brink it runs `cargo build --release` at the workspace root and uses
./target/release/brink. Everything is seeded, so a rerun with the pinned versions
writes the same files (the brink outputs depend on the engine's version).
"""

import argparse
import hashlib
import json
import math
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import scipy
from importlib.metadata import version as dist_version
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Ishigami
from SALib.util import scale_samples

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

# Ishigami & Homma (1990) with the usual a = 7, b = 0.1 on [-pi, pi]^3.
ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1
ISHIGAMI_BASE = 1024
ISHIGAMI_TRAJECTORIES = 100
MORRIS_LEVELS = 4
RESAMPLES = 1000

SEED_ISHIGAMI_SOBOL = 6001
SEED_ISHIGAMI_MORRIS = 6002
SEED_STAG_SOBOL = 6003
SEED_STAG_MORRIS = 6004
SEED_ANALYZE = 6100

# The brink scenario: two parameters of the stag hunt, lambda swept in log space.
SCENARIO = "scenarios/stag_hunt.toml"
STAG_RANGES = [
    {"name": "lambda", "lo": 0.5, "hi": 5.0, "log": True},
    {"name": "hare", "lo": 2.5, "hi": 3.5, "log": False},
]
STAG_BASE = 64
STAG_TRAJECTORIES = 16
BRINK_RUNS = 2000
BRINK_SEED = 1


def from_unit(r, u):
    """brink's ParamRange::from_unit (crates/brink-mc/src/design.rs), in Python."""
    if u == 0.0:
        return r["lo"]
    if u == 1.0:
        return r["hi"]
    if r["log"]:
        a, b = math.log(r["lo"]), math.log(r["hi"])
        return math.exp(a + u * (b - a))
    return r["lo"] + u * (r["hi"] - r["lo"])


def ishigami_analytic(a, b):
    """Analytic first-order and total indices of the Ishigami function on [-pi, pi]^3
    (Ishigami & Homma 1990; Saltelli et al. 2008, The Primer, section 4.5)."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return {"S1": [v1 / v, v2 / v, 0.0], "ST": [(v1 + v13) / v, v2 / v, v13 / v]}


def floats(a):
    return [float(x) for x in np.asarray(a, dtype=float).ravel()]


def rows(a):
    return [floats(r) for r in np.asarray(a, dtype=float)]


def dump(obj, indent=0):
    """JSON with one matrix row per line (readable diffs, exact floats via repr)."""
    pad = " " * indent
    if isinstance(obj, dict):
        items = [f'{pad}  {json.dumps(k)}: {dump(v, indent + 2).lstrip()}' for k, v in obj.items()]
        return pad + "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and obj and isinstance(obj[0], list):
        inner = [pad + "  " + json.dumps(r, allow_nan=False) for r in obj]
        return pad + "[\n" + ",\n".join(inner) + "\n" + pad + "]"
    return pad + json.dumps(obj, allow_nan=False)


def write(name, obj):
    path = HERE / name
    path.write_text(dump(obj) + "\n")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)", file=sys.stderr)


def provenance(extra=None):
    p = {
        "generator": "tests/reference/salib/generate.py",
        "python": platform.python_version(),
        "salib": dist_version("SALib"),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
    p.update(extra or {})
    return p


def sobol_result(si, d):
    return {
        "num_resamples": RESAMPLES,
        "seed": SEED_ANALYZE,
        "S1": floats(si["S1"][:d]),
        "S1_conf": floats(si["S1_conf"][:d]),
        "ST": floats(si["ST"][:d]),
        "ST_conf": floats(si["ST_conf"][:d]),
    }


def morris_result(si):
    return {
        "num_resamples": RESAMPLES,
        "seed": SEED_ANALYZE,
        "mu": floats(si["mu"]),
        "mu_star": floats(si["mu_star"]),
        "sigma": floats(si["sigma"]),
        "mu_star_conf": floats(si["mu_star_conf"]),
    }


def ishigami():
    names = ["x1", "x2", "x3"]
    ranges = [{"name": n, "lo": -math.pi, "hi": math.pi, "log": False} for n in names]
    problem = {"num_vars": 3, "names": names, "bounds": [[-math.pi, math.pi]] * 3}

    x = sobol_sample.sample(problem, ISHIGAMI_BASE, calc_second_order=False, seed=SEED_ISHIGAMI_SOBOL)
    y = Ishigami.evaluate(x, A=ISHIGAMI_A, B=ISHIGAMI_B)
    si = sobol_analyze.analyze(
        problem, y, calc_second_order=False, num_resamples=RESAMPLES, seed=SEED_ANALYZE
    )
    write(
        "ishigami_sobol.json",
        {
            "provenance": provenance(),
            "function": {"name": "ishigami", "a": ISHIGAMI_A, "b": ISHIGAMI_B},
            "ranges": ranges,
            "sampler": (
                f"SALib.sample.sobol.sample(problem, {ISHIGAMI_BASE}, calc_second_order=False, "
                f"seed={SEED_ISHIGAMI_SOBOL}); points in SALib's order: per base row i, "
                "A_i, AB_i^(1..d), B_i"
            ),
            "base": ISHIGAMI_BASE,
            "analytic": ishigami_analytic(ISHIGAMI_A, ISHIGAMI_B),
            "salib": sobol_result(si, 3),
            "y": floats(y),
            "points": rows(x),
        },
    )

    unit_problem = dict(problem, bounds=[[0.0, 1.0]] * 3)
    unit = morris_sample.sample(
        unit_problem, ISHIGAMI_TRAJECTORIES, num_levels=MORRIS_LEVELS, seed=SEED_ISHIGAMI_MORRIS
    )
    x = scale_samples(unit.copy(), dict(problem))
    y = Ishigami.evaluate(x, A=ISHIGAMI_A, B=ISHIGAMI_B)
    si = morris_analyze.analyze(
        problem, x, y, num_resamples=RESAMPLES, num_levels=MORRIS_LEVELS, seed=SEED_ANALYZE
    )
    write(
        "ishigami_morris.json",
        {
            "provenance": provenance(),
            "function": {"name": "ishigami", "a": ISHIGAMI_A, "b": ISHIGAMI_B},
            "ranges": ranges,
            "sampler": (
                f"SALib.sample.morris.sample(problem, {ISHIGAMI_TRAJECTORIES}, "
                f"num_levels={MORRIS_LEVELS}, seed={SEED_ISHIGAMI_MORRIS}) on [0, 1]^3, then "
                "SALib.util.scale_samples"
            ),
            "trajectories": ISHIGAMI_TRAJECTORIES,
            "levels": MORRIS_LEVELS,
            "salib": morris_result(si),
            "y": floats(y),
            "unit": rows(unit),
            "points": rows(x),
        },
    )


def brink_binary(args):
    if args.brink:
        return Path(args.brink).resolve()
    subprocess.run(["cargo", "build", "--release", "--bin", "brink"], cwd=ROOT, check=True)
    return ROOT / "target" / "release" / "brink"


def brink_command(binary, values):
    cmd = [str(binary), "run", SCENARIO, "-n", str(BRINK_RUNS), "-q", "--seed", str(BRINK_SEED), "-f", "json"]
    for r, v in zip(STAG_RANGES, values):
        cmd += ["--set", f"{r['name']}={v!r}"]
    return cmd


def run_brink(binary, points):
    """Outcome frequencies at each point: {outcome: [y per point]} in scenario order."""
    out = {}
    version = None
    for k, values in enumerate(points):
        res = subprocess.run(brink_command(binary, values), cwd=ROOT, check=True, capture_output=True, text=True)
        summary = json.loads(res.stdout)
        version = summary["brink_version"]
        for o in summary["outcomes"]:
            out.setdefault(o["name"], []).append(float(o["frequency"]))
        if (k + 1) % 32 == 0:
            print(f"  {k + 1}/{len(points)} brink runs", file=sys.stderr)
    return out, version


def stag_hunt(args):
    binary = brink_binary(args)
    d = len(STAG_RANGES)
    problem = {"num_vars": d, "names": [r["name"] for r in STAG_RANGES], "bounds": [[0.0, 1.0]] * d}
    scenario_sha256 = hashlib.sha256((ROOT / SCENARIO).read_bytes()).hexdigest()
    template = " ".join(brink_command("brink", ["<" + r["name"] + ">" for r in STAG_RANGES]))
    template = template.replace("'", "")

    unit = sobol_sample.sample(problem, STAG_BASE, calc_second_order=False, seed=SEED_STAG_SOBOL)
    points = [[from_unit(r, float(u)) for r, u in zip(STAG_RANGES, row)] for row in unit]
    y, version = run_brink(binary, points)
    write(
        "stag_hunt_sobol.json",
        {
            "provenance": provenance(
                {"brink_version": version, "scenario": SCENARIO, "scenario_sha256": scenario_sha256, "command": template}
            ),
            "ranges": STAG_RANGES,
            "sampler": (
                f"SALib.sample.sobol.sample(problem, {STAG_BASE}, calc_second_order=False, "
                f"seed={SEED_STAG_SOBOL}) on [0, 1]^{d}, mapped with brink's ParamRange::from_unit"
            ),
            "base": STAG_BASE,
            "salib": {
                name: sobol_result(
                    sobol_analyze.analyze(
                        problem, np.array(v), calc_second_order=False, num_resamples=RESAMPLES, seed=SEED_ANALYZE
                    ),
                    d,
                )
                for name, v in y.items()
            },
            "y": y,
            "unit": rows(unit),
            "points": rows(points),
        },
    )

    unit = morris_sample.sample(problem, STAG_TRAJECTORIES, num_levels=MORRIS_LEVELS, seed=SEED_STAG_MORRIS)
    points = [[from_unit(r, float(u)) for r, u in zip(STAG_RANGES, row)] for row in unit]
    y, version = run_brink(binary, points)
    write(
        "stag_hunt_morris.json",
        {
            "provenance": provenance(
                {"brink_version": version, "scenario": SCENARIO, "scenario_sha256": scenario_sha256, "command": template}
            ),
            "ranges": STAG_RANGES,
            "sampler": (
                f"SALib.sample.morris.sample(problem, {STAG_TRAJECTORIES}, num_levels={MORRIS_LEVELS}, "
                f"seed={SEED_STAG_MORRIS}) on [0, 1]^{d}, mapped with brink's ParamRange::from_unit"
            ),
            "trajectories": STAG_TRAJECTORIES,
            "levels": MORRIS_LEVELS,
            "salib": {
                name: morris_result(
                    morris_analyze.analyze(
                        problem, unit, np.array(v), num_resamples=RESAMPLES, num_levels=MORRIS_LEVELS, seed=SEED_ANALYZE
                    )
                )
                for name, v in y.items()
            },
            "y": y,
            "unit": rows(unit),
            "points": rows(points),
        },
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--brink", help="use this brink binary instead of building ./target/release/brink")
    ap.add_argument("--skip-brink", action="store_true", help="only the Ishigami fixtures")
    args = ap.parse_args()
    ishigami()
    if not args.skip_brink:
        stag_hunt(args)


if __name__ == "__main__":
    main()
