#!/usr/bin/env python3
"""Time Nashpy and pygambit on the games of brink's criterion bench and print ratios.

    # once, already done (the games are committed):
    python3 benches/peers/peers.py --write-games
    # brink's side (writes target/criterion/<group>/<bench>/new/estimates.json):
    cargo bench --bench solve
    # the peers' side and the table:
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 benches/peers/peers.py

See README.md beside this script. The games live in `games/*.json` (same format
as tests/reference/fixtures: `num_strategies` and flat `payoffs` in brink's
layout, last player fastest, `payoffs[profile * n + player]`); `benches/solve.rs`
reads the same files, so both sides solve the same games.

Each peer time is the best of several runs (timeit: calls per run chosen so a
run lasts >= 0.2 s, unless a single call is slower than `--slow` seconds, in
which case single calls are timed, at most 3 times, or once if slower than 10x that). Brink's time is criterion's mean
point estimate. Ratio = peer time / brink time (> 1: brink is faster).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import timeit
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
GAMES = HERE / "games"
SEED = 4_2024

# (file stem, num_strategies, low, high, need_nondegenerate)
GAME_SPECS = [
    ("random_4x4", [4, 4], -50, 50, True),
    ("random_8x8", [8, 8], -50, 50, True),
    ("random_11x11", [11, 11], -50, 50, True),
    ("random_50x50", [50, 50], -1000, 1000, False),
    ("random_10x10x10", [10, 10, 10], -50, 50, False),
    ("random_2x2x2", [2, 2, 2], -50, 50, False),
    ("random_3x3x3", [3, 3, 3], -50, 50, False),
    # Appended last so the games above keep their draws (and bytes).
    ("random_4x4x4x4", [4, 4, 4, 4], -50, 50, False),
]

# (criterion group, criterion bench id = game size, game stem, peer, method label, runner key)
# The criterion ids must match benches/solve.rs.
COMPARISONS = [
    ("support_enumeration", "4x4", "random_4x4", "nashpy", "support_enumeration(non_degenerate=True)", "nashpy_support"),
    ("support_enumeration", "8x8", "random_8x8", "nashpy", "support_enumeration(non_degenerate=True)", "nashpy_support"),
    ("support_enumeration", "11x11", "random_11x11", "nashpy", "support_enumeration(non_degenerate=True)", "nashpy_support"),
    ("vertex_enumeration", "4x4", "random_4x4", "nashpy", "vertex_enumeration", "nashpy_vertex"),
    ("vertex_enumeration", "8x8", "random_8x8", "nashpy", "vertex_enumeration", "nashpy_vertex"),
    ("vertex_enumeration", "11x11", "random_11x11", "nashpy", "vertex_enumeration", "nashpy_vertex"),
    ("vertex_enumeration", "4x4", "random_4x4", "gambit", "enummixed_solve(rational=True)", "gambit_enummixed_q"),
    ("vertex_enumeration", "8x8", "random_8x8", "gambit", "enummixed_solve(rational=True)", "gambit_enummixed_q"),
    ("vertex_enumeration", "11x11", "random_11x11", "gambit", "enummixed_solve(rational=True)", "gambit_enummixed_q"),
    ("vertex_enumeration", "4x4", "random_4x4", "gambit", "enummixed_solve(rational=False)", "gambit_enummixed_f"),
    ("vertex_enumeration", "8x8", "random_8x8", "gambit", "enummixed_solve(rational=False)", "gambit_enummixed_f"),
    ("vertex_enumeration", "11x11", "random_11x11", "gambit", "enummixed_solve(rational=False)", "gambit_enummixed_f"),
    ("lemke_howson", "11x11", "random_11x11", "nashpy", "lemke_howson(initial_dropped_label=0)", "nashpy_lh"),
    ("lemke_howson", "11x11", "random_11x11", "gambit", "lcp_solve(rational=True, stop_after=1)", "gambit_lcp_q"),
    ("lemke_howson", "11x11", "random_11x11", "gambit", "lcp_solve(rational=False, stop_after=1)", "gambit_lcp_f"),
    ("lemke_howson", "50x50", "random_50x50", "nashpy", "lemke_howson(initial_dropped_label=0)", "nashpy_lh"),
    ("lemke_howson", "50x50", "random_50x50", "gambit", "lcp_solve(rational=True, stop_after=1)", "gambit_lcp_q"),
    ("lemke_howson", "50x50", "random_50x50", "gambit", "lcp_solve(rational=False, stop_after=1)", "gambit_lcp_f"),
    ("pure_nash", "10x10x10", "random_10x10x10", "gambit", "enumpure_solve", "gambit_enumpure"),
    ("enum_n", "2x2x2", "random_2x2x2", "gambit", "enumpoly_solve(use_strategic=True)", "gambit_enumpoly"),
    ("enum_n", "3x3x3", "random_3x3x3", "gambit", "enumpoly_solve(use_strategic=True)", "gambit_enumpoly"),
    # No criterion id (brink takes minutes; timed by the enum_n example, see
    # RESULTS.md): the brink column shows "-".
    ("enum_n", "4x4x4x4", "random_4x4x4x4", "gambit", "enumpoly_solve(use_strategic=True)", "gambit_enumpoly"),
]


# ------------------------------------------------------------------------- games


def flat_payoffs(arrays):
    return [int(v) for v in np.stack(arrays, axis=-1).reshape(-1)]


def arrays_of(game: dict) -> list[np.ndarray]:
    shape = game["num_strategies"]
    n = len(shape)
    table = np.array(game["payoffs"], dtype=np.int64).reshape(*shape, n)
    return [table[..., p] for p in range(n)]


def write_games() -> None:
    sys.path.insert(0, str(ROOT / "tests" / "reference"))
    from generate import is_degenerate  # exact test, see tests/reference/generate.py

    GAMES.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    for stem, shape, low, high, need_nondegenerate in GAME_SPECS:
        draws = 0
        while True:
            draws += 1
            arrays = [rng.integers(low, high + 1, shape) for _ in shape]
            if not need_nondegenerate or not is_degenerate(arrays[0], arrays[1]):
                break
        doc = {
            "id": stem,
            "seed": SEED,
            "draws": draws,
            "nondegenerate": True if need_nondegenerate else None,
            "num_strategies": shape,
            "payoffs": flat_payoffs(arrays),
        }
        path = GAMES / f"{stem}.json"
        path.write_text(json.dumps(doc, separators=(",", ":")) + "\n")
        print(f"wrote {path.relative_to(ROOT)} ({draws} draw(s))")


def load_game(stem: str) -> dict:
    return json.loads((GAMES / f"{stem}.json").read_text())


# ------------------------------------------------------------------------ runners


def make_runner(key: str, game: dict):
    """A zero-argument callable doing the work once, and a function giving the count."""
    arrays = arrays_of(game)
    if key.startswith("nashpy"):
        import nashpy

        g = nashpy.Game(arrays[0], arrays[1])
        if key == "nashpy_support":
            return lambda: list(g.support_enumeration(non_degenerate=True))
        if key == "nashpy_vertex":
            return lambda: list(g.vertex_enumeration())
        if key == "nashpy_lh":
            return lambda: [g.lemke_howson(initial_dropped_label=0)]
    import pygambit as gbt

    g = gbt.Game.from_arrays(*arrays)
    nash = gbt.nash
    runners = {
        "gambit_enummixed_q": lambda: nash.enummixed_solve(g, rational=True).equilibria,
        "gambit_enummixed_f": lambda: nash.enummixed_solve(g, rational=False).equilibria,
        "gambit_lcp_q": lambda: nash.lcp_solve(g, rational=True, stop_after=1).equilibria,
        "gambit_lcp_f": lambda: nash.lcp_solve(g, rational=False, stop_after=1).equilibria,
        "gambit_enumpure": lambda: nash.enumpure_solve(g).equilibria,
        "gambit_enumpoly": lambda: nash.enumpoly_solve(g, use_strategic=True).equilibria,
    }
    return runners[key]


def _timed_child(key, stem, repeat, slow, conn):
    import warnings

    warnings.simplefilter("ignore")
    try:
        conn.send(("ok", best_time(make_runner(key, load_game(stem)), repeat, slow)))
    except Exception as exc:  # noqa: BLE001 -- report whatever the peer raised
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:120]))


def time_peer(key: str, stem: str, repeat: int, slow: float, timeout: float):
    """best_time in a child process, so a peer that never returns can be stopped.
    Returns (status, (seconds, found, calls) or message)."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_timed_child, args=(key, stem, repeat, slow, child))
    proc.start()
    if parent.poll(timeout):
        status, value = parent.recv()
        proc.join()
        return status, value
    proc.kill()
    proc.join()
    return "timeout", f"no result within {timeout:.0f} s"


def best_time(fn, repeat: int, slow: float) -> tuple[float, int, int]:
    """(best seconds per call, equilibria found, calls timed)."""
    timer = timeit.Timer(fn)
    first = timer.timeit(number=1)
    found = len(fn())
    if first >= slow:
        extra = 0 if first >= 10 * slow else max(0, min(repeat, 3) - 1)
        runs = [first] + timer.repeat(repeat=extra, number=1)
        return min(runs), found, len(runs)
    number, _ = timer.autorange()
    runs = timer.repeat(repeat=repeat, number=number)
    return min(runs) / number, found, repeat * number


# ------------------------------------------------------------------------- brink


def criterion_dir() -> Path:
    target = os.environ.get("CARGO_TARGET_DIR")
    if not target:
        try:
            meta = subprocess.run(
                ["cargo", "metadata", "--format-version", "1", "--no-deps"],
                cwd=ROOT, capture_output=True, text=True, check=True,
            )
            target = json.loads(meta.stdout)["target_directory"]
        except (OSError, subprocess.CalledProcessError, KeyError, ValueError):
            target = str(ROOT / "target")
    return Path(target) / "criterion"


def brink_ns(base: Path, group: str, bench: str) -> float | None:
    path = base / group / bench / "new" / "estimates.json"
    try:
        return float(json.loads(path.read_text())["mean"]["point_estimate"])
    except (OSError, KeyError, ValueError):
        return None


def fmt_time(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write-games", action="store_true", help="(re)write games/*.json and exit")
    parser.add_argument("--repeat", type=int, default=5, help="timeit repeats (default 5)")
    parser.add_argument("--slow", type=float, default=2.0,
                        help="a call slower than this many seconds is timed at most 3 times (default 2)")
    parser.add_argument("--skip", action="append", default=[],
                        help="skip comparisons whose 'group/bench/runner' contains this text (repeatable)")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="give up on one comparison after this many seconds (default 300)")
    parser.add_argument("--criterion-dir", type=Path, help="default: <cargo target dir>/criterion")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args()
    if args.write_games:
        write_games()
        return 0

    import warnings

    import nashpy
    import pygambit

    # Nashpy warns "an even number of equilibria ... degenerate" when its support
    # enumeration misses some (see the #eq column); keep the table readable.
    warnings.simplefilter("ignore", RuntimeWarning)

    base = args.criterion_dir or criterion_dir()
    print(f"nashpy {nashpy.__version__}, pygambit {pygambit.__version__}, numpy {np.__version__}, "
          f"python {sys.version.split()[0]}")
    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')} "
          f"OPENBLAS_L2_SIZE={os.environ.get('OPENBLAS_L2_SIZE', '(unset)')}")
    print(f"brink times: {base}/<group>/<bench>/new/estimates.json (mean)\n")
    header = f"{'brink bench':<28} {'peer method':<48} {'#eq':>4} {'peer':>10} {'brink':>10} {'ratio':>9}"
    print(header)
    print("-" * len(header))
    rows = []
    for group, bench, stem, peer, label, key in COMPARISONS:
        tag = f"{group}/{bench}/{key}"
        if any(s in tag for s in args.skip):
            continue
        status, value = time_peer(key, stem, args.repeat, args.slow, args.timeout)
        ns = brink_ns(base, group, bench)
        brink_s = None if ns is None else ns * 1e-9
        name = f"{group + '/' + bench:<28} {peer + ' ' + label:<48}"
        if status != "ok":
            lower = f">{args.timeout:.0f} s" if status == "timeout" else "error"
            ratio_s = "-" if brink_s is None or status != "timeout" else f">{args.timeout / brink_s:,.0f}x"
            print(f"{name} {'-':>4} {lower:>10} {fmt_time(brink_s):>10} {ratio_s:>9}  ({value})", flush=True)
            rows.append({"group": group, "bench": bench, "game": stem, "peer": peer, "method": label,
                         "status": status, "message": value, "brink_seconds": brink_s})
            continue
        seconds, found, calls = value
        ratio = None if brink_s is None else seconds / brink_s
        ratio_s = "-" if ratio is None else f"{ratio:,.1f}x"
        print(f"{name} {found:>4} {fmt_time(seconds):>10} {fmt_time(brink_s):>10} {ratio_s:>9}", flush=True)
        rows.append({"group": group, "bench": bench, "game": stem, "peer": peer, "method": label,
                     "status": "ok", "equilibria": found, "peer_seconds": seconds, "peer_calls": calls,
                     "brink_seconds": brink_s, "ratio": ratio})
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if any(r["brink_seconds"] is None for r in rows):
        print("\n'-': no criterion estimate found; run `cargo bench --bench solve` first.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
