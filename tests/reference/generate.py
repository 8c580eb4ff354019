#!/usr/bin/env python3
"""Generate the reference fixtures that brink-solve is cross-checked against.

Run from anywhere (see README.md beside this file):

    pip install -r tests/reference/requirements.txt
    python3 tests/reference/generate.py

It writes `fixtures/two_player.json`, `fixtures/zero_sum.json` and
`fixtures/n_player.json` beside this script. The output is deterministic for a
given seed and given library versions (the versions are recorded in every
fixture file). The Rust test `crates/brink-solve/tests/reference.rs` reads the
fixtures; it does not need Python.

Layout of one game (all players' payoffs of one pure profile together, profiles
numbered mixed-radix with the LAST player varying fastest, exactly as
`brink_solve::NormalFormGame` stores them):

    payoffs[profile_index * num_players + player]

Probabilities are exact fractions written as strings ("0", "1", "3/5"); floats
(from Nashpy, and from pygambit's polynomial solver for n players) are plain
JSON numbers.

References:
- two-player games: pygambit `enummixed_solve(rational=True)` -- all extreme
  equilibria, exact (Gambit's vertex enumeration of the best-response
  polytopes); also Nashpy `support_enumeration` and `vertex_enumeration`
  (floats), with whether each agrees with pygambit (same set within 1e-6);
- zero-sum games: additionally the exact value from pygambit
  `lp_solve(rational=True)`;
- n-player games (3 or 4 players): pygambit `enumpoly_solve(use_strategic=True)`
  (floats, with each point's max regret), run in a child process with a time
  limit; games it fails on are kept with `"status"` saying why and no equilibria.
  Because enumpoly both misses equilibria and accepts approximate points (its
  acceptance test is max regret <= 1e-4 times the payoff range), each n-player
  game also gets an independent reference (`"independent"`): support enumeration
  with an exact lex Groebner basis per support and exact real roots (sympy),
  see `independent_enumeration`. Games with a pure tie or a continuum
  of equilibria on some support are flagged `"degenerate"`.

Each two-player game is also classified exactly as degenerate or not (by the
definition in von Stengel, "Equilibrium computation for two-player games in
strategic and extensive form", AGT 2007, Def. 3.2: a game is nondegenerate iff no
mixed strategy with support size k has more than k pure best responses). That is
equivalent to both best-response polytopes P = {x >= 0, B^T x <= 1} and
Q = {A y <= 1, y >= 0} (payoffs shifted positive) being simple, counting every
inequality; `is_degenerate` checks it by exact pivoting over all vertices.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
import platform
import sys
import time
import warnings
from collections import deque
from fractions import Fraction
from pathlib import Path

import nashpy
import numpy as np
import pygambit as gbt
import sympy as sp

SEED = 20_240_504
HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
FLOAT_TOL = 1e-6
ENUMPOLY_TIMEOUT_S = 60.0


# --------------------------------------------------------------------------- helpers


def frac_str(x) -> str:
    f = Fraction(x)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def flat_payoffs(arrays: list[np.ndarray]) -> list[int]:
    """brink layout: C-order over profiles (last player fastest), players inner."""
    stacked = np.stack(arrays, axis=-1)  # shape (*num_strategies, n)
    return [int(v) for v in stacked.reshape(-1)]


def round_float(x: float) -> float:
    x = float(x)
    if abs(x) < 1e-13:
        return 0.0
    return float(f"{x:.12g}")


def float_profile(profile) -> list[list[float]]:
    return [[round_float(p) for p in strategy] for strategy in profile]


def profile_distance(a, b) -> float:
    return max(abs(float(x) - float(y)) for sa, sb in zip(a, b) for x, y in zip(sa, sb))


def sets_agree(xs, ys, tol=FLOAT_TOL) -> bool:
    """Order-free equality of two lists of profiles (every member matched both ways)."""
    return all(any(profile_distance(x, y) <= tol for y in ys) for x in xs) and all(
        any(profile_distance(x, y) <= tol for x in xs) for y in ys
    )


def dedupe_exact(profiles):
    seen, out = set(), []
    for p in profiles:
        key = tuple(tuple(s) for s in p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


# ------------------------------------------------------------------- degeneracy test


def polytope_is_simple(M: list[list[Fraction]]) -> bool:
    """Whether {z >= 0 : M z <= 1} (M > 0, shape rows x cols) is a simple polytope.

    Breadth-first search over its vertices by exact simplex pivoting on the
    tableau [M | I | 1] (slack basis at z = 0). At a simple vertex every one of the
    `cols` nonbasic variables spans an edge; a tie in a ratio test, or a zero ratio,
    means the neighbouring (or the current) vertex has more than `cols` tight
    inequalities. If no pivot from any reachable vertex ever ties, every vertex is
    simple (the vertex graph is connected and all edges at simple vertices are
    pivots).
    """
    rows, cols = len(M), len(M[0])
    width = cols + rows
    tableau = [list(M[i]) + [Fraction(int(i == j)) for j in range(rows)] + [Fraction(1)] for i in range(rows)]
    basis = tuple(cols + i for i in range(rows))
    seen = {frozenset(basis)}
    queue = deque([(basis, tableau)])
    while queue:
        basis, tab = queue.popleft()
        if any(tab[i][width] == 0 for i in range(rows)):
            return False
        for enter in range(width):
            if enter in basis:
                continue
            ratios = [(tab[i][width] / tab[i][enter], i) for i in range(rows) if tab[i][enter] > 0]
            if not ratios:
                continue  # cannot happen for a bounded polytope, but be safe
            best = min(r for r, _ in ratios)
            leaving = [i for r, i in ratios if r == best]
            if best == 0 or len(leaving) > 1:
                return False
            row = leaving[0]
            new_basis = list(basis)
            new_basis[row] = enter
            key = frozenset(new_basis)
            if key in seen:
                continue
            seen.add(key)
            new = [r[:] for r in tab]
            pivot = new[row][enter]
            new[row] = [v / pivot for v in new[row]]
            for i in range(rows):
                if i != row and new[i][enter] != 0:
                    factor = new[i][enter]
                    new[i] = [a - factor * b for a, b in zip(new[i], new[row])]
            queue.append((tuple(new_basis), new))
    return True


def is_degenerate(A: np.ndarray, B: np.ndarray) -> bool:
    shift_a = 1 - int(A.min())
    shift_b = 1 - int(B.min())
    Ap = [[Fraction(int(v) + shift_a) for v in row] for row in A]
    Bt = [[Fraction(int(v) + shift_b) for v in row] for row in B.T]
    # P = {x >= 0 : B^T x <= 1} and Q = {y >= 0 : A y <= 1}.
    return not (polytope_is_simple(Bt) and polytope_is_simple(Ap))


# ------------------------------------------------------------------ solver wrappers


def gambit_two_player(A, B):
    g = gbt.Game.from_arrays(A, B)
    res = gbt.nash.enummixed_solve(g, rational=True)
    players = list(g.players)
    raw = []
    for eq in res.equilibria:
        raw.append([[Fraction(eq[s]) for s in p.strategies] for p in players])
    unique = dedupe_exact(raw)
    payoffs = {}
    for eq in res.equilibria:
        key = tuple(tuple(Fraction(eq[s]) for s in p.strategies) for p in players)
        payoffs[key] = [Fraction(eq.payoff(p)) for p in players]
    pay = [payoffs[tuple(tuple(s) for s in p)] for p in unique]
    return unique, pay, len(raw) - len(unique)


def gambit_lp_value(A, B):
    g = gbt.Game.from_arrays(A, B)
    res = gbt.nash.lp_solve(g, rational=True)
    eq = res.equilibria[0]
    players = list(g.players)
    return (
        Fraction(eq.payoff(players[0])),
        [[Fraction(eq[s]) for s in p.strategies] for p in players],
    )


def nashpy_two_player(A, B):
    game = nashpy.Game(A, B)
    out = {}
    for method in ("support_enumeration", "vertex_enumeration"):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                eqs = [float_profile(e) for e in getattr(game, method)()]
            out[method] = {"equilibria": eqs}
            if caught:
                out[method]["warnings"] = sorted({" ".join(str(w.message).split()) for w in caught})
        except Exception as exc:  # noqa: BLE001 -- record whatever nashpy raised
            out[method] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return out


def _enumpoly_child(arrays, conn):
    try:
        g = gbt.Game.from_arrays(*arrays)
        res = gbt.nash.enumpoly_solve(g, use_strategic=True)
        players = list(g.players)
        eqs = [[[float(eq[s]) for s in p.strategies] for p in players] for eq in res.equilibria]
        conn.send(("ok", eqs))
    except Exception as exc:  # noqa: BLE001
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:300]))


def gambit_enumpoly(arrays):
    parent, child = mp.Pipe(duplex=False)
    proc = mp.Process(target=_enumpoly_child, args=([a.tolist() for a in arrays], child))
    proc.start()
    if parent.poll(ENUMPOLY_TIMEOUT_S):
        status, value = parent.recv()
        proc.join()
    else:
        proc.kill()
        proc.join()
        return "timeout", []
    if status != "ok":
        return f"failed: {value}", []
    return "ok", value


def max_regret(arrays, profile) -> float:
    """Largest gain any player gets from a pure deviation (floats)."""
    n = len(arrays)
    worst = 0.0
    for p in range(n):
        u = np.asarray(arrays[p], dtype=float)
        for q in reversed(range(n)):
            if q != p:
                u = np.tensordot(u, np.asarray(profile[q], dtype=float), axes=([q], [0]))
        # u is now player p's payoff for each of its pure strategies.
        value = float(np.dot(u, profile[p]))
        worst = max(worst, float(u.max()) - value)
    return worst


# ------------------------------------------- independent n-player support enumeration

INDEP_DPS = 30  # digits of the recorded floats' evaluation


def _shape_lemma_solve(basis, gens):
    """Real solutions of a zero-dimensional system from its lex Groebner basis, exactly.

    Needs the basis in *shape position*: `x_i - h_i(x_last)` for every generator but
    the last, and one univariate polynomial in the last (true for generic systems;
    anything else raises ArithmeticError and the game is recorded as failed). Every
    real root of the univariate polynomial (sympy `real_roots`: exact isolating
    intervals) then gives exactly one real solution.
    """
    last = gens[-1]
    univariate = [g for g in basis if g.free_symbols == {last}]
    if len(univariate) != 1 or len(basis) != len(gens):
        raise ArithmeticError("lex basis not in shape position")
    solution_of = {}
    for g in basis:
        if g is univariate[0]:
            continue
        lead = [v for v in gens[:-1] if v in g.free_symbols]
        if len(lead) != 1:
            raise ArithmeticError("lex basis not in shape position")
        poly = sp.Poly(g, lead[0])
        if poly.degree() != 1 or not poly.LC().is_number:
            raise ArithmeticError("lex basis not in shape position")
        solution_of[lead[0]] = sp.expand(-poly.nth(0) / poly.LC())
    if set(solution_of) != set(gens[:-1]):
        raise ArithmeticError("lex basis not in shape position")
    out = []
    for root in sp.Poly(univariate[0], last).real_roots():
        sol = {v: h.subs(last, root) for v, h in solution_of.items()}
        sol[last] = root
        out.append(sol)
    return out


def independent_enumeration(shape, payoffs):
    """All isolated equilibria by support enumeration, exactly (sympy).

    For every support profile, the indifference conditions are a square system of
    multilinear polynomial equations with integer coefficients in the support
    probabilities. Its exact lex Groebner basis (sympy) says whether it has no
    solution, finitely many, or a continuum (a positive-dimensional support:
    recorded, and the game is then degenerate); finitely many solutions are the real
    roots of a univariate polynomial, exactly (`_shape_lemma_solve`), kept if
    strictly positive on the support and if no pure strategy outside a support earns
    more -- both decided by sympy's adaptive-precision evaluation of the exact
    algebraic numbers. Returns (equilibria as floats, positive-dimensional supports).
    """
    n = len(shape)
    table = np.array(payoffs, dtype=object).reshape(*shape, n)
    subsets = [[S for r in range(1, k + 1) for S in itertools.combinations(range(k), r)] for k in shape]
    found, continua = [], []
    for support in itertools.product(*subsets):
        probs, free = [], []
        for p, S in enumerate(support):
            vec = [sp.Integer(0)] * shape[p]
            syms = [sp.Symbol(f"x{p}_{s}") for s in S[1:]]
            free += syms
            for s, v in zip(S[1:], syms):
                vec[s] = v
            vec[S[0]] = 1 - sum(syms)
            probs.append(vec)

        def utility(p, s):
            total = sp.Integer(0)
            others = [q for q in range(n) if q != p]
            for rest in itertools.product(*[range(shape[q]) for q in others]):
                weight = sp.Integer(1)
                for q, sq in zip(others, rest):
                    weight *= probs[q][sq]
                    if weight == 0:
                        break
                if weight != 0:
                    full = list(rest)
                    full.insert(p, s)
                    total += weight * int(table[tuple(full) + (p,)])
            return sp.expand(total)

        U = [[utility(p, s) for s in range(shape[p])] for p in range(n)]
        eqs = [e for e in (sp.expand(U[p][s] - U[p][S[0]]) for p, S in enumerate(support) for s in S[1:]) if e != 0]
        if free:
            if not eqs:
                continua.append(support)
                continue
            basis = sp.groebner(eqs, *free, order="lex")
            if basis.exprs == [1]:
                continue
            if not basis.is_zero_dimensional:
                continua.append(support)
                continue
            solutions = _shape_lemma_solve(list(basis.exprs), free)
        else:
            if eqs:
                continue
            solutions = [{}]
        for sol in solutions:
            # Exact substitution (real algebraic numbers), then evalf, which raises
            # its working precision until the requested digits are right.
            profile = [[sp.N(sp.sympify(x).subs(sol), INDEP_DPS, maxn=4000) for x in probs[p]] for p in range(n)]
            if any(not (profile[p][s] > 0) for p, S in enumerate(support) for s in S):
                continue
            best = True
            for p, S in enumerate(support):
                gains = [sp.N(sp.expand(U[p][s] - U[p][S[0]]).subs(sol), INDEP_DPS, maxn=4000)
                         for s in range(shape[p]) if s not in S]
                if any(g > 0 for g in gains):
                    best = False
            if best:
                found.append([[round_float(x) for x in s] for s in profile])
    return found, [[list(S) for S in sup] for sup in continua]


def has_pure_tie(arrays) -> bool:
    """Whether some player is indifferent between two pure strategies against some pure
    profile of the others (then equilibria can form continua: the game is degenerate)."""
    for p, u in enumerate(arrays):
        moved = np.moveaxis(np.asarray(u), p, -1)
        flat = moved.reshape(-1, moved.shape[-1])
        if any(len(set(row.tolist())) < len(row) for row in flat):
            return True
    return False


# ------------------------------------------------------------------- game families


def random_bimatrix(rng, m, n, low=-50, high=50):
    return rng.integers(low, high + 1, (m, n)), rng.integers(low, high + 1, (m, n))


def constructed_degenerate():
    """Hand-made degenerate games (name, A, B)."""
    a = np.array
    return [
        # von Stengel (2007), AGT ch. 3, the degenerate 3x2 example: a continuum of equilibria.
        ("vs_3x2_continuum", a([[3, 3], [2, 5], [0, 6]]), a([[3, 3], [2, 6], [3, 1]])),
        ("all_zero_2x2", a([[0, 0], [0, 0]]), a([[0, 0], [0, 0]])),
        ("tied_column_2x2", a([[1, 0], [1, 2]]), a([[1, 0], [0, 1]])),
        ("duplicate_row_3x3", a([[2, 0, 1], [2, 0, 1], [0, 3, 1]]), a([[1, 0, 2], [1, 0, 2], [2, 1, 0]])),
        ("weak_dominance_2x2", a([[1, 1], [1, 0]]), a([[1, 1], [1, 0]])),
        ("constant_column_player_3x3", a([[3, 0, 1], [0, 2, 4], [1, 1, 1]]), a([[1, 1, 1], [1, 1, 1], [1, 1, 1]])),
        ("duplicate_column_3x4", a([[1, 4, 4, 0], [3, 0, 0, 2], [2, 2, 2, 3]]), a([[4, 1, 1, 0], [0, 3, 3, 1], [2, 2, 2, 4]])),
        ("three_best_responses_3x3", a([[1, 0, 0], [0, 1, 0], [0, 0, 1]]), a([[1, 1, 1], [0, 2, 0], [2, 0, 0]])),
    ]


# ------------------------------------------------------------------------- records


def two_player_record(gid, kind, family, A, B, zero_sum=False):
    t0 = time.perf_counter()
    degenerate = is_degenerate(A, B)
    eqs, pays, dups = gambit_two_player(A, B)
    npy = nashpy_two_player(A, B)
    nashpy_out = {}
    for method, res in npy.items():
        entry = dict(res)
        if "equilibria" in res:
            entry["agrees_with_pygambit"] = sets_agree(res["equilibria"], eqs)
        else:
            entry["agrees_with_pygambit"] = False
        nashpy_out[method] = entry
    record = {
        "id": gid,
        "kind": kind,
        "family": family,
        "num_strategies": [int(A.shape[0]), int(A.shape[1])],
        "payoffs": flat_payoffs([A, B]),
        "degenerate": degenerate,
        "reference": {
            "source": f"pygambit {gbt.__version__} enummixed_solve(rational=True)",
            "equilibria": [[[frac_str(x) for x in s] for s in eq] for eq in eqs],
            "payoffs": [[frac_str(v) for v in p] for p in pays],
        },
        "nashpy": nashpy_out,
    }
    if dups:
        record["reference"]["duplicates_removed"] = dups
    if zero_sum:
        value, lp_profile = gambit_lp_value(A, B)
        record["value"] = frac_str(value)
        record["lp_reference"] = {
            "source": f"pygambit {gbt.__version__} lp_solve(rational=True)",
            "value": frac_str(value),
            "strategies": [[frac_str(x) for x in s] for s in lp_profile],
        }
    record["_seconds"] = time.perf_counter() - t0
    return record


def n_player_record(gid, family, arrays):
    t0 = time.perf_counter()
    status, eqs = gambit_enumpoly(arrays)
    regrets = [max_regret(arrays, eq) for eq in eqs]
    shape = [int(k) for k in arrays[0].shape]
    payoffs = flat_payoffs(arrays)
    try:
        indep, continua = independent_enumeration(shape, payoffs)
        indep_status = "ok"
    except ArithmeticError as exc:
        indep, continua, indep_status = [], [], f"failed: {exc}"
    pure_tie = has_pure_tie(arrays)
    reference = {
        "source": f"pygambit {gbt.__version__} enumpoly_solve(use_strategic=True)",
        "status": status,
        "equilibria": [[[round_float(x) for x in s] for s in eq] for eq in eqs],
        "max_regret": [float(f"{r:.3g}") for r in regrets],
    }
    independent = {
        "source": f"generate.py independent_enumeration (sympy {sp.__version__}: exact lex Groebner basis "
                  f"per support, exact real roots)",
        "status": indep_status,
        "equilibria": indep,
        "positive_dimensional_supports": continua,
    }
    record = {
        "id": gid,
        "kind": "n_player",
        "family": family,
        "num_strategies": shape,
        "payoffs": payoffs,
        "degenerate": bool(pure_tie or continua),
        "reference": reference,
        "independent": independent,
        "pygambit_agrees_with_independent": status == "ok" and indep_status == "ok" and sets_agree(eqs, indep),
    }
    record["_seconds"] = time.perf_counter() - t0
    return record


def _n_player_job(job):
    gid, family, arrays = job
    return n_player_record(gid, family, [np.asarray(a) for a in arrays])


# ---------------------------------------------------------------------------- main


def header(kind: str) -> dict:
    return {
        "generator": "tests/reference/generate.py",
        "seed": SEED,
        "kind": kind,
        "versions": {
            "python": platform.python_version(),
            "pygambit": gbt.__version__,
            "nashpy": nashpy.__version__,
            "numpy": np.__version__,
            "sympy": sp.__version__,
        },
        "layout": "payoffs[profile_index * num_players + player], profile index mixed-radix, last player fastest",
    }


def write(name: str, kind: str, games: list[dict]) -> None:
    for g in games:
        g.pop("_seconds", None)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    doc = header(kind)
    doc["games"] = games
    path = FIXTURES / name
    # One game per line: small diffs when regenerating, still valid JSON.
    with path.open("w") as f:
        f.write("{\n")
        for key, value in doc.items():
            if key == "games":
                continue
            f.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
        f.write('  "games": [\n')
        for i, g in enumerate(games):
            sep = "," if i + 1 < len(games) else ""
            f.write("    " + json.dumps(g, separators=(",", ":")) + sep + "\n")
        f.write("  ]\n}\n")
    print(f"wrote {path.relative_to(HERE)}: {len(games)} games, {path.stat().st_size} bytes")


def section_rng(section: int) -> np.random.Generator:
    """An independent random stream per section, so adding games to one section
    leaves the others unchanged."""
    return np.random.default_rng([SEED, section])


def generate_two_player(scale) -> list[dict]:
    rng = section_rng(1)
    two = []
    sizes = [
        ((2, 2), 30), ((3, 3), 30), ((4, 4), 25), ((5, 5), 20), ((6, 6), 15), ((8, 8), 10),
        ((3, 5), 8), ((5, 3), 8), ((2, 4), 4), ((4, 7), 4),
    ]
    for (m, n), count in sizes:
        for i in range(scale(count)):
            A, B = random_bimatrix(rng, m, n)
            two.append(two_player_record(f"random_{m}x{n}_{i:02}", "two_player", "random", A, B))
    # Wider payoff range: larger games that are (almost always) nondegenerate.
    for (m, n), count in [((6, 6), 5), ((8, 8), 8)]:
        for i in range(scale(count)):
            A, B = random_bimatrix(rng, m, n, -999, 999)
            two.append(two_player_record(f"wide_{m}x{n}_{i:02}", "two_player", "wide_range", A, B))
    # Coordination games with many equilibria: diagonal games with distinct positive
    # diagonals have 2^k - 1 equilibria (one per nonempty common support).
    for k in (3, 4, 6):
        A = np.diag(rng.permutation(np.arange(1, k + 1)) * 2 + 3)
        B = np.diag(rng.permutation(np.arange(1, k + 1)) * 3 + 1)
        two.append(two_player_record(f"coordination_{k}x{k}", "two_player", "coordination", A, B))
    # Small payoff ranges: frequently degenerate (the flag says which are).
    for (m, n), count, high in [((2, 2), 4, 1), ((3, 3), 4, 1), ((4, 4), 3, 2), ((5, 5), 2, 1), ((3, 4), 2, 2)]:
        for i in range(scale(count)):
            A, B = random_bimatrix(rng, m, n, 0, high)
            two.append(two_player_record(f"small_range_{m}x{n}_{i:02}", "two_player", "small_range", A, B))
    for name, A, B in constructed_degenerate():
        two.append(two_player_record(f"constructed_{name}", "two_player", "constructed", A, B))
    for r in two:
        print(f"  {r['id']}: {len(r['reference']['equilibria'])} eq, degenerate={r['degenerate']}, "
              f"nashpy agree se={r['nashpy']['support_enumeration']['agrees_with_pygambit']} "
              f"ve={r['nashpy']['vertex_enumeration']['agrees_with_pygambit']}, {r['_seconds']:.2f}s",
              file=sys.stderr)
    return two


def generate_zero_sum(scale) -> list[dict]:
    rng = section_rng(2)
    zs = []
    for (m, n), count in [((2, 2), 4), ((3, 3), 4), ((4, 4), 3), ((5, 5), 3), ((6, 6), 2), ((3, 5), 2), ((5, 3), 2)]:
        for i in range(scale(count)):
            A = rng.integers(-50, 51, (m, n))
            zs.append(two_player_record(f"zero_sum_{m}x{n}_{i:02}", "zero_sum", "random", A, -A, zero_sum=True))
    # Classics: matching pennies (value 0), rock-paper-scissors (value 0), and a
    # degenerate zero-sum game (duplicated strategy, value 1/2 -- a continuum of
    # optimal column strategies).
    classics = [
        ("matching_pennies", np.array([[1, -1], [-1, 1]])),
        ("rock_paper_scissors", np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])),
        ("duplicate_column", np.array([[1, 0, 0], [0, 1, 1]])),
    ]
    for name, A in classics:
        zs.append(two_player_record(f"zero_sum_{name}", "zero_sum", "classic", A, -A, zero_sum=True))
    for r in zs:
        print(f"  {r['id']}: value={r['value']} {len(r['reference']['equilibria'])} eq, "
              f"degenerate={r['degenerate']}", file=sys.stderr)
    return zs


def generate_n_player(scale, workers: int) -> list[dict]:
    rng = section_rng(3)
    jobs = []
    # Wide payoff range, so that ties (and with them continua of equilibria) are rare;
    # plus a few small-range games, which often have ties (flagged degenerate).
    for shape, count, low, high, family in [
        ((2, 2, 2), 15, -999, 999, "random"),
        ((2, 2, 3), 10, -999, 999, "random"),
        ((2, 3, 2), 3, -999, 999, "random"),
        ((3, 3, 3), 8, -999, 999, "random"),
        ((2, 2, 2, 2), 4, -999, 999, "random"),
        ((2, 2, 2), 3, 0, 3, "small_range"),
    ]:
        for i in range(scale(count)):
            arrays = [rng.integers(low, high + 1, shape) for _ in shape]
            prefix = "random" if family == "random" else family
            gid = prefix + "_" + "x".join(map(str, shape)) + f"_{i:02}"
            jobs.append((gid, family, [a.tolist() for a in arrays]))
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            npl = list(pool.map(_n_player_job, jobs))
    else:
        npl = [_n_player_job(job) for job in jobs]
    for r in npl:
        ref, ind = r["reference"], r["independent"]
        print(f"  {r['id']}: pygambit {ref['status']} {len(ref['equilibria'])} eq "
              f"(max regret {max(ref['max_regret'], default=0.0):.1e}), independent {ind['status']} "
              f"{len(ind['equilibria'])} eq, continua {len(ind['positive_dimensional_supports'])}, "
              f"degenerate={r['degenerate']}, agree={r['pygambit_agrees_with_independent']}, "
              f"{r['_seconds']:.1f}s", file=sys.stderr)
    return npl


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few games per family (for trying changes)")
    parser.add_argument("--only", choices=["two_player", "zero_sum", "n_player"], action="append",
                        help="regenerate only this fixture file (repeatable); default: all")
    parser.add_argument("--workers", type=int, default=2, help="processes for the n-player games (default 2)")
    args = parser.parse_args()
    scale = (lambda k: min(k, 2)) if args.quick else (lambda k: k)
    only = set(args.only or ["two_player", "zero_sum", "n_player"])
    if "two_player" in only:
        write("two_player.json", "two_player", generate_two_player(scale))
    if "zero_sum" in only:
        write("zero_sum.json", "zero_sum", generate_zero_sum(scale))
    if "n_player" in only:
        write("n_player.json", "n_player", generate_n_player(scale, args.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
