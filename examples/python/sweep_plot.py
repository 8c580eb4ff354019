"""Sweep the logit precision of the stag hunt and plot outcome frequencies against it.

    pip install ./crates/brink-py matplotlib
    python examples/python/sweep_plot.py [--runs N] [--points P] [--out plot.png]

Without matplotlib it prints the table and says so.
"""

import argparse
import pathlib

import brink

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "stag_hunt.toml"))
    ap.add_argument("--points", type=int, default=12)
    ap.add_argument("--runs", type=int, default=2000)
    ap.add_argument("--out", default="stag_hunt_sweep.png")
    a = ap.parse_args()

    scenario = brink.load(a.scenario)
    outcomes = [o["name"] for o in scenario.outcomes]
    sweep = brink.sweep(a.scenario, {"lambda": (0.1, 20, "log")}, design="grid", points=a.points, runs=a.runs, seed=2021)
    points = sorted(sweep.points, key=lambda p: p["lambda"])

    print(f"{'lambda':>8}  " + "  ".join(f"{o:>15}" for o in outcomes))
    for p in points:
        print(f"{p['lambda']:8.3f}  " + "  ".join(f"{p[o + '_freq']:15.3f}" for o in outcomes))

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install matplotlib): printed the table only")
        return
    fig, ax = plt.subplots(figsize=(7, 4))
    xs = [p["lambda"] for p in points]
    for o in outcomes:
        ax.plot(xs, [p[o + "_freq"] for p in points], marker="o", label=o)
    ax.set_xscale("log")
    ax.set_xlabel("logit precision λ")
    ax.set_ylabel(f"frequency ({a.runs} runs per point)")
    ax.set_title(scenario.title or scenario.name)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
