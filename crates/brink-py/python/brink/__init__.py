"""brink: agent-based game-theory simulation of crises between states.

The Python face of the ``brink`` command line. Every function calls the same Rust
library code as the command, so results are identical to it for the same scenario,
seed, runs and overrides: ``Summary.to_json()`` is byte for byte the summary.json
that ``brink run ... -o DIR`` writes.

>>> import brink
>>> s = brink.load("scenarios/matching_pennies.toml")
>>> summary = s.run(runs=2000, seed=7)
>>> [(o["name"], o["frequency"]) for o in summary.outcomes]  # doctest: +SKIP

Long computations release the GIL and stop on Ctrl-C (KeyboardInterrupt). Errors in
scenario files raise :class:`ScenarioError` (with ``file``, ``line``, ``column``,
``field`` and ``message``); other problems raise :class:`BrinkError` or
``ValueError``/``TypeError`` for bad arguments.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from fractions import Fraction
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _brink
from ._brink import BrinkError, ScenarioError, __version__

__all__ = [
    "BrinkError",
    "ScenarioError",
    "Scenario",
    "Summary",
    "Sweep",
    "Tuning",
    "Trace",
    "Solution",
    "load",
    "sweep",
    "tune",
    "replay",
    "solve",
    "solve_methods",
    "__version__",
]

PathLike = Union[str, "os.PathLike[str]"]
Range = Union[Tuple[float, float], Tuple[float, float, str]]


def _overrides(values: Optional[Mapping[str, float]]) -> List[Tuple[str, float]]:
    """``{"name": value}`` as the (name, value) pairs of ``--set``, in the given order."""
    if values is None:
        return []
    if not isinstance(values, Mapping):
        raise TypeError("set= must be a mapping of parameter names to numbers, e.g. {'oil_squeeze': 0.8}")
    pairs = []
    for name, value in values.items():
        if not isinstance(name, str):
            raise TypeError(f"set=: parameter names must be strings, got {name!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"set=: the value of {name} must be a number, got {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"set=: the value of {name} must be a finite number, got {value!r}")
        pairs.append((name, number))
    return pairs


def _ranges(params: Optional[Mapping[str, Range]]) -> List[Tuple[str, float, float, bool]]:
    """``{"name": (lo, hi)}`` or ``(lo, hi, "log")`` as (name, lo, hi, log) tuples."""
    if params is None:
        return []
    if not isinstance(params, Mapping):
        raise TypeError("params= must be a mapping of parameter names to (lo, hi) or (lo, hi, 'log')")
    out = []
    for name, spec in params.items():
        if not isinstance(spec, (tuple, list)) or len(spec) not in (2, 3):
            raise TypeError(f"params=: {name} must be (lo, hi) or (lo, hi, 'log'), got {spec!r}")
        log = False
        if len(spec) == 3:
            if spec[2] not in ("log", "linear"):
                raise ValueError(f"params=: the third entry of {name} must be 'log' or 'linear', got {spec[2]!r}")
            log = spec[2] == "log"
        out.append((str(name), float(spec[0]), float(spec[1]), log))
    return out


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError(
            "to_pandas() needs pandas, which is not installed: pip install pandas "
            "(or use the lists of dicts, e.g. summary.outcomes, directly)"
        ) from None
    return pandas


class Summary:
    """The summary of a batch of runs: the content of summary.json.

    ``outcomes``, ``equilibria`` and ``final_state`` are lists of dicts with the keys
    of summary.json (e.g. ``name``, ``count``, ``frequency``, ``ci95_low``,
    ``ci95_high``); ``data`` is the whole document as a dict.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self.data: Dict[str, Any] = json.loads(text)

    @property
    def outcomes(self) -> List[Dict[str, Any]]:
        """Outcome frequencies, in scenario order."""
        return self.data["outcomes"]

    @property
    def equilibria(self) -> List[Dict[str, Any]]:
        """Frequencies of the equilibrium classes that play settled in."""
        return self.data["equilibria"]

    @property
    def final_state(self) -> List[Dict[str, Any]]:
        """Statistics of each state variable at the end of the runs."""
        return self.data["final_state"]

    @property
    def runs(self) -> int:
        return self.data["runs"]

    def to_json(self) -> str:
        """summary.json exactly as ``brink run -o DIR`` writes it (``.encode()`` gives its bytes)."""
        return self._text

    def to_pandas(self, table: str = "outcomes"):
        """One of the tables (``outcomes``, ``equilibria``, ``final_state``) as a pandas DataFrame.

        Needs pandas (``pip install pandas``); raises ImportError saying so otherwise.
        """
        if table not in ("outcomes", "equilibria", "final_state"):
            raise ValueError(f"table {table!r}: expected 'outcomes', 'equilibria' or 'final_state'")
        return _pandas().DataFrame(self.data[table])

    def __repr__(self) -> str:
        top = ", ".join(f"{o['name']}={o['frequency']:.3f}" for o in self.outcomes[:4])
        return f"<brink.Summary {self.data.get('scenario')!s} runs={self.runs} {top}>"


class Trace:
    """One run played round by round (``brink replay``): ``text`` as the command prints
    it, ``data`` as ``brink replay -f json`` prints it (parsed)."""

    def __init__(self, json_text: str, text: str) -> None:
        self._json = json_text
        self.text = text
        self.data: Dict[str, Any] = json.loads(json_text)

    def to_json(self) -> str:
        """The trace exactly as ``brink replay -f json`` prints it."""
        return self._json

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<brink.Trace {len(self.text.splitlines())} lines>"


class Scenario:
    """A compiled scenario (from :func:`load`).

    ``parameters``, ``agents``, ``state`` and ``outcomes`` are lists of dicts, in file
    order; parameters carry ``name``, ``value`` (with overrides), ``default``,
    ``range`` (``[lo, hi]`` or None) and ``doc``.
    """

    def __init__(self, handle: Any, path: str) -> None:
        self._handle = handle
        self.path = path
        info = json.loads(handle.describe_json())
        self.name: str = info["name"]
        self.title: Optional[str] = info["title"]
        self.description: Optional[str] = info["description"]
        self.horizon: int = info["horizon"]
        self.parameters: List[Dict[str, Any]] = info["parameters"]
        self.agents: List[Dict[str, Any]] = info["agents"]
        self.state: List[Dict[str, Any]] = info["state"]
        self.outcomes: List[Dict[str, Any]] = info["outcomes"]

    def run(
        self,
        runs: int = 100_000,
        seed: int = 2021,
        threads: Optional[int] = None,
        out: Optional[PathLike] = None,
    ) -> Summary:
        """Plays runs ``0..runs`` with master ``seed`` (as ``brink run -n RUNS -s SEED``).

        ``threads`` (default: one per core) does not change the result. With ``out``,
        also writes every file of ``brink run -o OUT`` (summary.json, CSVs, SVGs,
        report.html). Releases the GIL; Ctrl-C raises KeyboardInterrupt.
        """
        seed = _seed(seed)
        out_path = None if out is None else os.fspath(out)
        return Summary(self._handle.run(int(runs), seed, threads, out_path))

    def replay(self, run: int, seed: int = 2021) -> Trace:
        """Run ``run`` of the batch with master ``seed``, round by round."""
        return Trace(*self._handle.replay(int(run), _seed(seed)))

    def __repr__(self) -> str:
        return f"<brink.Scenario {self.name} ({self.path}): {len(self.agents)} agents, {len(self.parameters)} parameters>"


def _seed(seed: int) -> int:
    """A master seed as the command line takes it: an integer in 0..2**64-1."""
    seed = int(seed)
    if not 0 <= seed < 2**64:
        raise ValueError(f"seed {seed}: expected an integer from 0 to 2**64-1")
    return seed


def load(path: PathLike, set: Optional[Mapping[str, float]] = None) -> Scenario:
    """Loads and checks a scenario file; ``set`` overrides parameters (``--set NAME=VALUE``).

    Raises :class:`ScenarioError` naming file, line, column and field on a bad file or
    override.
    """
    path = os.fspath(path)
    return Scenario(_brink.load(path, _overrides(set)), path)


class Sweep:
    """A finished sweep in directory ``dir``: ``summary`` is its summary.json (a dict),
    ``points`` the rows of points.csv as dicts (``point``, each swept parameter,
    ``runs``, then ``OUTCOME_count``, ``OUTCOME_freq``, ``OUTCOME_ci95_low``,
    ``OUTCOME_ci95_high`` per outcome, ...), ``files`` what was written."""

    def __init__(self, directory: str, files: Sequence[str]) -> None:
        self.dir = directory
        self.files = [os.fspath(f) for f in files]
        with open(os.path.join(directory, "summary.json"), encoding="utf-8") as f:
            self._text = f.read()
        self.summary: Dict[str, Any] = json.loads(self._text)
        with open(os.path.join(directory, "points.csv"), newline="", encoding="utf-8") as f:
            self.points: List[Dict[str, Any]] = [
                {k: _number(k, v) for k, v in row.items()} for row in csv.DictReader(f)
            ]

    def to_json(self) -> str:
        """The sweep's summary.json as written."""
        return self._text

    def to_pandas(self):
        """points.csv as a pandas DataFrame (needs pandas)."""
        return _pandas().DataFrame(self.points)

    def __repr__(self) -> str:
        return f"<brink.Sweep {len(self.points)} points in {self.dir}>"


def _number(column: str, v: str) -> Any:
    """A points.csv cell: counts as int, everything else (values, frequencies) as float."""
    if column in ("point", "runs") or column.endswith("_count"):
        return int(v)
    try:
        return float(v)
    except ValueError:
        return v


def sweep(
    path: PathLike,
    params: Optional[Mapping[str, Range]] = None,
    *,
    design: str = "lhs",
    points: int = 16,
    runs: int = 1000,
    seed: int = 2021,
    set: Optional[Mapping[str, float]] = None,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
    resume: bool = False,
) -> Sweep:
    """Sweeps parameters over a design, as ``brink sweep``.

    ``params`` maps names to ``(lo, hi)`` or ``(lo, hi, "log")`` (default: every
    parameter with a declared range); ``design`` is ``grid``, ``lhs``, ``sobol`` or
    ``morris``; ``points`` the design size (see ``brink sweep --help``). The sweep
    directory is ``out`` (default: a new temporary directory, kept). Releases the
    GIL; Ctrl-C raises KeyboardInterrupt and leaves a directory that ``resume=True``
    finishes.
    """
    directory = tempfile.mkdtemp(prefix="brink-sweep-") if out is None else os.fspath(out)
    written = _brink.run_sweep(
        os.fspath(path),
        _ranges(params),
        str(design),
        int(points),
        int(runs),
        _seed(seed),
        _overrides(set),
        directory,
        bool(resume),
        threads,
    )
    return Sweep(directory, written)


class Tuning:
    """The result of :func:`tune`: ``data`` is tune.json (a dict); ``best`` maps the
    tuned parameters to their values."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.data: Dict[str, Any] = json.loads(text)
        self.best: Dict[str, float] = {p["name"]: p["value"] for p in self.data["best"]}
        self.objective: float = self.data["objective"]
        self.converged: bool = self.data["converged"]
        self.evaluations: int = self.data["evaluations"]
        self.frequencies: List[Dict[str, Any]] = self.data["frequencies"]
        self.confirmation: List[Dict[str, Any]] = self.data["confirmation"]

    def to_json(self) -> str:
        """tune.json exactly as ``brink tune -o DIR`` writes it."""
        return self._text

    def __repr__(self) -> str:
        return f"<brink.Tuning best={self.best} objective={self.objective:.3e}>"


def tune(
    path: PathLike,
    targets: Mapping[str, float],
    params: Mapping[str, Range],
    *,
    budget: int = 60,
    runs: int = 4000,
    seed: int = 2021,
    set: Optional[Mapping[str, float]] = None,
    weighted: bool = False,
    threads: Optional[int] = None,
    out: Optional[PathLike] = None,
) -> Tuning:
    """Tunes ``params`` (name → (lo, hi)) so that outcome frequencies match ``targets``
    (outcome → frequency), as ``brink tune``. With ``out``, writes tune.json and
    trace.csv there. Releases the GIL; Ctrl-C raises KeyboardInterrupt."""
    if not isinstance(targets, Mapping):
        raise TypeError("targets= must be a mapping of outcome names to frequencies")
    pairs = [(str(k), float(v)) for k, v in targets.items()]
    text = _brink.run_tune(
        os.fspath(path),
        pairs,
        _ranges(params),
        int(budget),
        int(runs),
        _seed(seed),
        _overrides(set),
        bool(weighted),
        threads,
        None if out is None else os.fspath(out),
    )
    return Tuning(text)


def replay(
    path: Optional[PathLike] = None,
    run: int = 0,
    seed: int = 2021,
    set: Optional[Mapping[str, float]] = None,
    *,
    sweep: Optional[PathLike] = None,
    point: Optional[int] = None,
) -> Trace:
    """Replays run ``run`` of a batch (``path``, ``seed``, ``set``) or of point ``point``
    of the sweep in directory ``sweep``, as ``brink replay``."""
    if sweep is not None:
        if path is not None or point is None:
            raise TypeError("replay(sweep=DIR, point=P, run=R) takes no scenario path and needs a point")
        handle, master = _brink.sweep_point(os.fspath(sweep), int(point))
        return Trace(*handle.replay(int(run), master))
    if path is None:
        raise TypeError("replay() needs a scenario path (or sweep=DIR, point=P)")
    return load(path, set).replay(run, seed)


class Solution:
    """Equilibria of a game (``brink solve -f json``): ``equilibria`` is a list of dicts
    with ``exact`` (bool), ``strategies`` (one list of probabilities per player) and
    ``payoffs``; numbers are :class:`fractions.Fraction` where known exactly, floats
    otherwise. ``data`` is the JSON document."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.data: Dict[str, Any] = json.loads(text)
        self.method: str = self.data["method"]
        self.kind: str = self.data["kind"]
        self.players: List[str] = self.data["players"]
        self.labels: List[List[str]] = self.data["labels"]
        self.notes: List[str] = self.data["notes"]
        self.equilibria: List[Dict[str, Any]] = [self._equilibrium(e) for e in self.data["equilibria"]]

    @staticmethod
    def _equilibrium(e: Dict[str, Any]) -> Dict[str, Any]:
        strategies, payoffs = [], []
        for p in e["players"]:
            exact = p["probabilities"]
            strategies.append([Fraction(x) for x in exact] if exact is not None else list(p["probabilities_float"]))
            payoffs.append(Fraction(p["payoff"]) if p["payoff"] is not None else p["payoff_float"])
        return {"exact": e["exact"], "strategies": strategies, "payoffs": payoffs}

    def to_json(self) -> str:
        """The document ``brink solve -f json`` prints (compact)."""
        return self._text

    def __len__(self) -> int:
        return len(self.equilibria)

    def __iter__(self):
        return iter(self.equilibria)

    def __getitem__(self, i: int) -> Dict[str, Any]:
        return self.equilibria[i]

    def __repr__(self) -> str:
        return f"<brink.Solution {self.method}: {len(self.equilibria)} {self.kind}>"


_GAME_FORMATS = ("nfg", "efg", "toml", "json")


def solve(
    game: Union[PathLike, Mapping[str, Any]],
    method: Optional[str] = None,
    *,
    format: Optional[str] = None,
    label: Optional[int] = None,
    lambda_: Optional[float] = None,
    start: Optional[Sequence[Union[Fraction, float, str]]] = None,
    max_memory_mib: int = 1024,
    timeout: Optional[float] = None,
    force: bool = False,
) -> Solution:
    """Solves a game, as ``brink solve``.

    ``game`` is a game file (Gambit .nfg/.efg, brink .toml/.json), a brink game as a
    dict (the JSON game format), or game text with ``format`` one of ``nfg``, ``efg``,
    ``toml``, ``json``. ``method`` names a method of :func:`solve_methods` (default:
    chosen for the game). Exact methods give :class:`fractions.Fraction` probabilities.
    """
    path, text = None, None
    if isinstance(game, Mapping):
        text, format = json.dumps(game), "json"
    elif format is not None:
        if format not in _GAME_FORMATS:
            raise ValueError(f"format {format!r}: expected one of {', '.join(_GAME_FORMATS)}")
        text = str(game)
    else:
        path = os.fspath(game)
    start_text = None
    if start is not None:
        start_text = ",".join(str(x) for x in start)
    return Solution(
        _brink.solve(path, text, format, method, label, lambda_, start_text, int(max_memory_mib), timeout, bool(force))
    )


def solve_methods() -> Dict[str, str]:
    """The solution methods of :func:`solve`, name → description."""
    return dict(_brink.solve_methods())
