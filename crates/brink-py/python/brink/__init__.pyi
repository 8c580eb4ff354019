"""Typing stubs of the brink package (see __init__.py for the documentation)."""

import os
from fractions import Fraction
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

__version__: str

PathLike = Union[str, os.PathLike[str]]
Range = Union[Tuple[float, float], Tuple[float, float, str]]
Number = Union[Fraction, float]

class BrinkError(Exception):
    """An error reported by brink (bad arguments, unreadable files, a failed solve)."""

class ScenarioError(BrinkError):
    """A problem with a scenario file or a ``set=`` override."""

    file: str
    line: Optional[int]
    column: Optional[int]
    field: Optional[str]
    message: str
    overridden: bool

class Summary:
    data: Dict[str, Any]
    @property
    def outcomes(self) -> List[Dict[str, Any]]: ...
    @property
    def equilibria(self) -> List[Dict[str, Any]]: ...
    @property
    def final_state(self) -> List[Dict[str, Any]]: ...
    @property
    def runs(self) -> int: ...
    def to_json(self) -> str: ...
    def to_pandas(self, table: str = "outcomes") -> Any: ...

class Trace:
    text: str
    data: Dict[str, Any]
    def to_json(self) -> str: ...

class Scenario:
    path: str
    name: str
    title: Optional[str]
    description: Optional[str]
    horizon: int
    parameters: List[Dict[str, Any]]
    agents: List[Dict[str, Any]]
    state: List[Dict[str, Any]]
    outcomes: List[Dict[str, Any]]
    def run(
        self,
        runs: int = 100_000,
        seed: int = 2021,
        threads: Optional[int] = None,
        out: Optional[PathLike] = None,
    ) -> Summary: ...
    def replay(self, run: int, seed: int = 2021) -> Trace: ...

def load(path: PathLike, set: Optional[Mapping[str, float]] = None) -> Scenario: ...

class Sweep:
    dir: str
    files: List[str]
    summary: Dict[str, Any]
    points: List[Dict[str, Any]]
    def to_json(self) -> str: ...
    def to_pandas(self) -> Any: ...

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
) -> Sweep: ...

class Tuning:
    data: Dict[str, Any]
    best: Dict[str, float]
    objective: float
    converged: bool
    evaluations: int
    frequencies: List[Dict[str, Any]]
    confirmation: List[Dict[str, Any]]
    def to_json(self) -> str: ...

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
) -> Tuning: ...

def replay(
    path: Optional[PathLike] = None,
    run: int = 0,
    seed: int = 2021,
    set: Optional[Mapping[str, float]] = None,
    *,
    sweep: Optional[PathLike] = None,
    point: Optional[int] = None,
) -> Trace: ...

class Solution:
    data: Dict[str, Any]
    method: str
    kind: str
    players: List[str]
    labels: List[List[str]]
    notes: List[str]
    equilibria: List[Dict[str, Any]]
    """Each: ``exact`` (bool), ``strategies`` (List[List[Number]]), ``payoffs`` (List[Number])."""
    def to_json(self) -> str: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Dict[str, Any]]: ...
    def __getitem__(self, i: int) -> Dict[str, Any]: ...

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
) -> Solution: ...
def solve_methods() -> Dict[str, str]: ...
