"""Logit QRE fixtures for brink-core's heterogeneous-λ QRE (issue 11).

Writes fixtures/logit_qre.json: 2x2 and 3x3 games with the logit QRE on the
principal branch computed by pygambit's `logit_solve_lambda` (the tracer of
gambit-logit). Heterogeneous precisions λ_i are solved by pygambit on the game with
payoffs scaled by λ_i / λ_max at λ_max (the same QRE conditions); the Rust test also
checks the fixed-point equations on the unscaled game.

Usage (needs pygambit==16.7.0, see requirements.txt):
    python tests/reference/generate_qre.py
"""

import json
import pathlib
import random

import numpy as np
import pygambit as gbt

SEED = 11
OUT = pathlib.Path(__file__).parent / "fixtures" / "logit_qre.json"


def games():
    rng = random.Random(SEED)
    out = [
        # Symmetric games (chicken, the textbook battle of the sexes) have a
        # pitchfork on the principal branch, where tracers may take either branch:
        # asymmetric variants keep the branch generic.
        ("chicken_asymmetric", [[0, -1], [1.5, -10]], [[0, 1], [-1, -8]]),
        ("battle_of_the_sexes_asymmetric", [[3, 0], [0, 2]], [[2, 0], [0, 4]]),
        ("asymmetric_pennies", [[4, -1], [-1, 1]], [[-1, 1], [1, -1]]),
        ("rock_paper_scissors_biased",
         [[0, -1, 2], [1, 0, -1], [-1, 1, 0]],
         [[0, 1, -1], [-1, 0, 1], [2, -1, 0]]),
    ]
    for k in range(3):
        a = [[rng.randint(-5, 5) for _ in range(2)] for _ in range(2)]
        b = [[rng.randint(-5, 5) for _ in range(2)] for _ in range(2)]
        out.append((f"random_2x2_{k}", a, b))
    for k in range(3):
        a = [[rng.randint(-5, 5) for _ in range(3)] for _ in range(3)]
        b = [[rng.randint(-5, 5) for _ in range(3)] for _ in range(3)]
        out.append((f"random_3x3_{k}", a, b))
    return out


def qre(a, b, lam):
    """pygambit's QRE at lam = (λ_row, λ_col) (scaled game at the larger λ)."""
    top = max(lam)
    sa = np.array(a, dtype=float) * (lam[0] / top)
    sb = np.array(b, dtype=float) * (lam[1] / top)
    g = gbt.Game.from_arrays(sa, sb)
    [res] = gbt.qre.logit_solve_lambda(g, lam=[top], first_step=0.03, max_accel=1.1)
    if abs(res.lam - top) > 1e-6 * top:
        # pygambit stopped short of the target (it does so at the pitchfork of a
        # symmetric game such as chicken, whose principal branch is not generic).
        return None
    prof = res.profile
    return [[float(prof[s]) for s in player.strategies] for player in g.players]


def main():
    lines, skipped = [], []
    for name, a, b in games():
        n, m = len(a), len(a[0])
        payoffs = []
        for i in range(n):
            for j in range(m):
                payoffs += [a[i][j], b[i][j]]
        for lam in [(0.5, 0.5), (1.0, 1.0), (2.0, 2.0), (1.0, 3.0), (4.0, 0.5)]:
            q = qre(a, b, lam)
            if q is None:
                skipped.append(f"{name} at {lam}")
                continue
            lines.append(json.dumps({
                "id": f"{name}_l{lam[0]}_{lam[1]}",
                "num_strategies": [n, m],
                "payoffs": payoffs,
                "lambdas": list(lam),
                "qre": q,
                "source": f"pygambit {gbt.__version__} qre.logit_solve_lambda",
            }))
    header = {"generator": "tests/reference/generate_qre.py", "seed": SEED,
              "layout": "payoffs[profile * players + player], profile index row-major (row player most significant)",
              "pygambit": gbt.__version__,
              "skipped (pygambit did not reach the target λ)": skipped}
    OUT.write_text(json.dumps(header) + "\n" + "\n".join(lines) + "\n")
    print(f"wrote {len(lines)} cases to {OUT}")


if __name__ == "__main__":
    main()
