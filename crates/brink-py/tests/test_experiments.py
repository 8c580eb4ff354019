"""brink.sweep, brink.tune and brink.replay against the CLI."""

import csv
import json

import pytest

import brink

SCENARIO = "scenarios/stag_hunt.toml"


def test_sweep_matches_the_cli(in_repo, cli, tmp_path):
    cli("sweep", SCENARIO, "--param", "lambda=0.5..8", "--design", "grid", "--points", 4, "-n", 300, "-s", 9, "-q", "-o", tmp_path / "cli")
    sw = brink.sweep(SCENARIO, {"lambda": (0.5, 8)}, design="grid", points=4, runs=300, seed=9, out=tmp_path / "py")
    for name in ("points.csv", "summary.json", "report.html"):
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    assert sw.to_json().encode() == (tmp_path / "cli" / "summary.json").read_bytes()
    # points: the rows of points.csv, numbers parsed.
    with open(tmp_path / "cli" / "points.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(sw.points) == len(rows) == 4
    assert [p["lambda"] for p in sw.points] == [float(r["lambda"]) for r in rows]
    # A grid of 4 points on [0.5, 8].
    assert sw.points[0]["lambda"] == pytest.approx(0.5) and sw.points[-1]["lambda"] == pytest.approx(8)


def test_sweep_point_equals_a_run_with_the_point_values(in_repo, tmp_path):
    sw = brink.sweep(SCENARIO, {"lambda": (1, 4)}, design="lhs", points=3, runs=200, seed=4, out=tmp_path)
    doc = json.loads(sw.to_json())
    assert sw.summary == doc
    # Replaying a run of a point is the run of the scenario with the point's values.
    lam = sw.points[1]["lambda"]
    a = brink.replay(sweep=tmp_path, point=1, run=7)
    b = brink.replay(SCENARIO, run=7, seed=4, set={"lambda": lam})
    assert a.to_json() == b.to_json()
    with pytest.raises(ValueError, match=r"point 3: the sweep in .* has points 0\.\.3"):
        brink.replay(sweep=tmp_path, point=3, run=0)


def test_sweep_default_dir_and_errors(in_repo):
    sw = brink.sweep(SCENARIO, design="grid", points=2, runs=50, seed=1)
    assert len(sw.points) == 2  # every ranged parameter (lambda) swept
    with pytest.raises(ValueError, match="design"):
        brink.sweep(SCENARIO, design="random", points=2, runs=50)
    with pytest.raises(brink.BrinkError):
        brink.sweep(SCENARIO, {"nope": (0, 1)}, points=2, runs=50)
    with pytest.raises(ValueError):
        brink.sweep(SCENARIO, {"lambda": (3, 1)}, points=2, runs=50)
    with pytest.raises(TypeError):
        brink.sweep(SCENARIO, {"lambda": 3}, points=2, runs=50)


def test_tune_matches_the_cli(in_repo, cli, tmp_path):
    args = ["--target", "both_stag=0.3", "--param", "lambda=0.2..5", "--budget", 8, "-n", 300, "-s", 3]
    expected = cli("tune", SCENARIO, *args, "-f", "json", "-q")
    t = brink.tune(SCENARIO, {"both_stag": 0.3}, {"lambda": (0.2, 5)}, budget=8, runs=300, seed=3, out=tmp_path)
    assert t.to_json().encode() == expected
    assert (tmp_path / "tune.json").read_bytes() == expected
    assert set(t.best) == {"lambda"} and 0.2 <= t.best["lambda"] <= 5
    assert t.evaluations <= 8


def test_tune_errors(in_repo):
    with pytest.raises(brink.BrinkError, match="nope"):
        brink.tune(SCENARIO, {"nope": 0.3}, {"lambda": (0.2, 5)}, budget=4, runs=50)
    with pytest.raises(brink.BrinkError):
        brink.tune(SCENARIO, {"both_stag": 1.5}, {"lambda": (0.2, 5)}, budget=4, runs=50)


def test_replay_matches_the_cli(in_repo, cli):
    expected_json = cli("replay", SCENARIO, "-r", 5, "-s", 8, "--set", "lambda=3", "-f", "json")
    expected_text = cli("replay", SCENARIO, "-r", 5, "-s", 8, "--set", "lambda=3")
    t = brink.replay(SCENARIO, run=5, seed=8, set={"lambda": 3})
    assert t.to_json().encode() == expected_json
    assert t.text.encode() == expected_text
    assert t.data == json.loads(expected_json)


def test_replay_of_a_batch_run_ends_in_its_outcome(in_repo):
    s = brink.load(SCENARIO)
    one = s.run(runs=1, seed=12)
    trace = s.replay(0, seed=12)
    (hit,) = [o["name"] for o in one.outcomes if o["count"] == 1]
    assert hit in trace.text


def test_replay_errors(in_repo, tmp_path):
    with pytest.raises(TypeError):
        brink.replay()
    with pytest.raises(brink.BrinkError):
        brink.replay(sweep=tmp_path, point=0)


def test_sweep_to_pandas(in_repo, tmp_path):
    sw = brink.sweep(SCENARIO, {"lambda": (1, 4)}, design="grid", points=2, runs=60, seed=1, out=tmp_path)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            sw.to_pandas()
        return
    df = sw.to_pandas()
    assert list(df.columns) == list(sw.points[0])
    assert list(df["lambda"]) == [p["lambda"] for p in sw.points]
