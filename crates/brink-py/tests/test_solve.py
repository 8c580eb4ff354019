"""brink.solve: exact equilibria as Fractions, as `brink solve -f json`."""

import json
from fractions import Fraction

import pytest

import brink

GAMES = "crates/brink-solve/tests/games"


def test_matching_pennies_is_one_half_each(repo):
    sol = brink.solve(repo / GAMES / "matching_pennies.json")
    assert len(sol) == 1
    eq = sol[0]
    assert eq["exact"] is True
    half = Fraction(1, 2)
    assert eq["strategies"] == [[half, half], [half, half]]
    assert all(type(x) is Fraction for s in eq["strategies"] for x in s)
    assert eq["payoffs"] == [0, 0]


def test_battle_of_the_sexes_mixed_equilibrium_from_the_indifference_conditions(repo):
    path = repo / GAMES / "bos.nfg"
    # The payoff list of the .nfg file: profiles in Gambit order (row fastest), one pair each.
    nums = [Fraction(x) for x in path.read_text().split("\n")[-2].split()]
    a = {(0, 0): nums[0], (1, 0): nums[2], (0, 1): nums[4], (1, 1): nums[6]}  # Alice
    b = {(0, 0): nums[1], (1, 0): nums[3], (0, 1): nums[5], (1, 1): nums[7]}  # Bob
    # Alice's p makes Bob indifferent; Bob's q makes Alice indifferent (2x2 closed form).
    p = (b[1, 1] - b[1, 0]) / (b[0, 0] - b[0, 1] - b[1, 0] + b[1, 1])
    q = (a[1, 1] - a[0, 1]) / (a[0, 0] - a[0, 1] - a[1, 0] + a[1, 1])
    sol = brink.solve(path, method="vertex")
    found = [eq["strategies"] for eq in sol]
    assert [[p, 1 - p], [q, 1 - q]] in found
    assert [[1, 0], [1, 0]] in found and [[0, 1], [0, 1]] in found
    assert len(found) == 3


def test_same_document_as_the_cli(repo, cli):
    for game, method in [("bos.nfg", "lh"), ("entry.efg", None), ("prisoners_dilemma.toml", "pure")]:
        args = ["solve", f"{GAMES}/{game}", "-f", "json"] + (["-m", method] if method else [])
        expected = json.loads(cli(*args))
        got = brink.solve(repo / GAMES / game, method=method).data
        expected["file"] = got["file"]  # the path as each was given
        assert got == expected


def test_game_as_dict_and_as_text(repo):
    doc = json.loads((repo / GAMES / "matching_pennies.json").read_text())
    assert brink.solve(doc).equilibria == brink.solve(repo / GAMES / "matching_pennies.json").equilibria
    text = (repo / GAMES / "bos.nfg").read_text()
    assert len(brink.solve(text, format="nfg")) == 3


def test_floating_point_method_gives_floats_unless_exact(repo):
    sol = brink.solve(repo / GAMES / "matching_pennies.json", method="logit")
    for eq in sol:
        for s in eq["strategies"]:
            assert sum(s) == pytest.approx(1)
            assert all(x == pytest.approx(0.5, abs=1e-6) for x in s)


def test_errors(repo, tmp_path):
    with pytest.raises(ValueError, match="method"):
        brink.solve(repo / GAMES / "bos.nfg", method="nope")
    with pytest.raises(ValueError, match="unknown file type"):
        brink.solve(tmp_path / "game.txt")
    with pytest.raises(brink.BrinkError, match="cannot read"):
        brink.solve(tmp_path / "missing.nfg")
    bad = tmp_path / "bad.nfg"
    bad.write_text('NFG 1 R "x" { "A" "B" } { 2 2 }\n1 2 3\n')
    with pytest.raises(brink.BrinkError, match="bad.nfg"):
        brink.solve(bad)
    with pytest.raises(ValueError):
        brink.solve("garbage", format="xyz")
    assert "vertex" in brink.solve_methods()
