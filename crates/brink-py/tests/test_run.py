"""Scenario.run: the same bytes as `brink run`, reproducibility, overrides, bad arguments."""

import json

import pytest

import brink

SCENARIO = "scenarios/stag_hunt.toml"


def test_summary_json_is_byte_identical_to_the_cli(in_repo, cli, tmp_path):
    cli("run", SCENARIO, "-n", 3000, "-s", 11, "-q", "-o", tmp_path / "cli")
    summary = brink.load(SCENARIO).run(runs=3000, seed=11)
    assert summary.to_json().encode() == (tmp_path / "cli" / "summary.json").read_bytes()


def test_overrides_give_the_cli_bytes_for_the_same_set(in_repo, cli, tmp_path):
    cli("run", SCENARIO, "-n", 1500, "-s", 5, "--set", "lambda=0.25", "--set", "hare=2.5", "-q", "-o", tmp_path / "cli")
    s = brink.load(SCENARIO, set={"lambda": 0.25, "hare": 2.5})
    py = s.run(runs=1500, seed=5, out=tmp_path / "py")
    expected = (tmp_path / "cli" / "summary.json").read_bytes()
    assert py.to_json().encode() == expected
    # out= writes the same files as `brink run -o`, with the same contents.
    cli_files = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert sorted(p.name for p in (tmp_path / "py").iterdir()) == cli_files
    for name in cli_files:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes(), name
    # The override changed the result.
    base = brink.load(SCENARIO).run(runs=1500, seed=5)
    assert base.outcomes != py.outcomes


def test_summary_tables_have_summary_json_keys(in_repo):
    summary = brink.load(SCENARIO).run(runs=1000, seed=3)
    doc = json.loads(summary.to_json())
    assert summary.outcomes == doc["outcomes"]
    assert summary.equilibria == doc["equilibria"]
    assert summary.final_state == doc["final_state"]
    assert summary.runs == 1000
    for row in summary.outcomes:
        assert {"name", "count", "frequency", "ci95_low", "ci95_high"} <= set(row)
        assert row["frequency"] == row["count"] / 1000
        assert row["ci95_low"] <= row["frequency"] <= row["ci95_high"]
    assert sum(r["count"] for r in summary.outcomes) == 1000
    assert sum(r["count"] for r in summary.equilibria) == 1000
    assert [r["name"] for r in summary.outcomes] == [o["name"] for o in brink.load(SCENARIO).outcomes]


def test_same_seed_same_result_on_one_or_two_threads(in_repo):
    s = brink.load(SCENARIO)
    a = s.run(runs=1200, seed=99, threads=1).to_json()
    b = s.run(runs=1200, seed=99, threads=2).to_json()
    assert a == b
    assert s.run(runs=1200, seed=100, threads=2).to_json() != a


def test_largest_seed_gives_the_cli_bytes(in_repo, cli, tmp_path):
    cli("run", SCENARIO, "-n", 600, "-s", 2**64 - 1, "-q", "-o", tmp_path)
    py = brink.load(SCENARIO).run(runs=600, seed=2**64 - 1)
    assert py.to_json().encode() == (tmp_path / "summary.json").read_bytes()


@pytest.mark.parametrize("kwargs", [{"runs": 0}, {"runs": 10, "threads": 0}, {"runs": 10, "seed": 2**64}, {"runs": 10, "seed": -3}])
def test_bad_arguments_raise_value_error(in_repo, kwargs):
    with pytest.raises(ValueError):
        brink.load(SCENARIO).run(**kwargs)


def test_negative_runs_is_an_error_not_a_panic(in_repo):
    with pytest.raises(OverflowError):
        brink.load(SCENARIO).run(runs=-1)


def test_to_pandas(in_repo):
    summary = brink.load(SCENARIO).run(runs=500, seed=1)
    try:
        import pandas  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pandas"):
            summary.to_pandas()
        return
    df = summary.to_pandas()
    assert list(df["name"]) == [r["name"] for r in summary.outcomes]
    assert list(df["count"]) == [r["count"] for r in summary.outcomes]
    assert len(summary.to_pandas("equilibria")) == len(summary.equilibria)
