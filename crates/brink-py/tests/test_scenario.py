"""brink.load: parameters, agents, outcomes, overrides, and scenario errors."""

import sys

import pytest

import brink

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = None


@pytest.mark.skipif(tomllib is None, reason="reading the TOML independently needs tomllib (Python 3.11+)")
def test_load_lists_parameters_agents_outcomes_as_in_the_file(in_repo):
    path = "scenarios/stag_hunt.toml"
    s = brink.load(path)
    with open(path, "rb") as f:
        raw = tomllib.load(f)
    assert s.name == raw["scenario"]["name"] == "stag_hunt"
    assert s.horizon == raw["scenario"]["horizon"]
    assert [p["name"] for p in s.parameters] == list(raw["parameters"])
    for p in s.parameters:
        declared = raw["parameters"][p["name"]]
        assert p["default"] == p["value"] == declared["default"]
        assert p["range"] == declared.get("range")
        assert p["doc"] == declared.get("doc")
    assert [a["name"] for a in s.agents] == [a["name"] for a in raw["agents"]]
    assert [a["actions"] for a in s.agents] == [a["actions"] for a in raw["agents"]]
    assert [o["name"] for o in s.outcomes] == [o["name"] for o in raw["outcomes"]]


def test_set_overrides_a_parameter_value_not_its_default(in_repo):
    s = brink.load("scenarios/stag_hunt.toml", set={"lambda": 7.5})
    lam = next(p for p in s.parameters if p["name"] == "lambda")
    assert lam["value"] == 7.5 and lam["default"] == 2.0


def test_unknown_override_is_a_scenario_error_naming_it(in_repo):
    with pytest.raises(brink.ScenarioError) as e:
        brink.load("scenarios/stag_hunt.toml", set={"lambdaa": 1.0})
    assert e.value.field == "lambdaa"
    assert e.value.overridden is True
    assert e.value.line is None and e.value.column is None
    assert e.value.file == "scenarios/stag_hunt.toml"
    assert "lambda" in e.value.message  # the suggestion


def test_malformed_file_raises_scenario_error_with_its_location(repo):
    path = repo / "tests" / "malformed" / "accuracy_above_one.toml"
    text = path.read_text()
    # Where the bad value is, found independently of brink: the `1.2` of `column = 1.2`.
    line_no, line = next((i + 1, l) for i, l in enumerate(text.splitlines()) if "column = 1.2" in l)
    column = line.index("1.2") + 1
    with pytest.raises(brink.ScenarioError) as e:
        brink.load(path)
    err = e.value
    assert isinstance(err, brink.BrinkError)
    assert type(err).__module__ == "brink" and type(err).__name__ == "ScenarioError"
    assert (err.file, err.line, err.column) == (str(path), line_no, column)
    assert err.field == "agents[0].intel.column"
    assert "between 0 and 1" in err.message and "1.2" in err.message
    assert str(err) == f"{path}:{line_no}:{column}: agents[0].intel.column: {err.message}"


def test_every_malformed_file_gives_a_scenario_error_not_a_panic(repo):
    files = sorted((repo / "tests" / "malformed").glob("*.toml"))
    assert len(files) > 50
    for path in files:
        with pytest.raises(brink.ScenarioError) as e:
            brink.load(path)
        assert e.value.file == str(path)
        assert e.value.message


def test_missing_file(tmp_path):
    with pytest.raises(brink.ScenarioError) as e:
        brink.load(tmp_path / "nope.toml")
    assert e.value.file == str(tmp_path / "nope.toml")
    assert e.value.line is None


@pytest.mark.parametrize(
    "bad, exc",
    [({"lambda": "x"}, TypeError), ({1: 2.0}, TypeError), ([("lambda", 1.0)], TypeError), ({"lambda": float("nan")}, ValueError)],
)
def test_bad_set_values(in_repo, bad, exc):
    with pytest.raises(exc):
        brink.load("scenarios/stag_hunt.toml", set=bad)
