"""Type stubs of the native module ``detente._detente`` (crates/python/src/lib.rs).

Each function returns the JSON text the CLI's ``--json`` prints; ``detente`` (the Python
half) parses it. Use ``detente.Scenario`` rather than these functions directly.
"""

from os import PathLike
from typing import List, Optional, Union

class DetenteError(Exception):
    """Every error detente raises."""

class ScenarioError(DetenteError):
    """A file is not a valid scenario or domain: every problem, located, one a line."""

class InputError(DetenteError):
    """Bad input other than a file's content (exit 2 in the CLI)."""

class InternalError(DetenteError):
    """A bug in detente (exit 1 in the CLI), a panic among them."""

class Scenario:
    """A loaded scenario (opaque)."""

    @property
    def name(self) -> str: ...

def load(path_or_name: str) -> Scenario: ...
def negmas_json(path: str) -> Scenario: ...
def genius(dir: str) -> Scenario: ...
def parse_json(name: str, text: str) -> Scenario: ...
def to_json(scenario: Scenario) -> str: ...
def scenarios() -> str: ...
def analyze(
    scenario: Scenario, samples: int, seed: int, set: Optional[List[str]] = None, as_of: Optional[str] = None
) -> str: ...
def evaluate(
    scenario: Scenario, proposal: Optional[str] = None, set: Optional[List[str]] = None, as_of: Optional[str] = None
) -> str: ...
def gap(
    scenario: Scenario, proposal: Optional[str] = None, set: Optional[List[str]] = None, as_of: Optional[str] = None
) -> str: ...
def compare(
    scenario: Scenario, a: str, b: str, set: Optional[List[str]] = None, as_of: Optional[str] = None
) -> str: ...
def deadlock(
    scenario: Scenario,
    parties: Optional[List[str]] = None,
    budget: Optional[int] = None,
    set: Optional[List[str]] = None,
    as_of: Optional[str] = None,
) -> str: ...
def mediate(
    scenario: Scenario,
    from_: str,
    parties: Optional[List[str]] = None,
    procedure: Optional[str] = None,
    objective: Optional[str] = None,
    max_changes: Optional[int] = None,
    top: Optional[int] = None,
    budget: Optional[int] = None,
    max_rounds: Optional[int] = None,
    min_probability: Optional[float] = None,
    samples: Optional[int] = None,
    seed: Optional[int] = None,
    power: Optional[str] = None,
    set: Optional[List[str]] = None,
    as_of: Optional[str] = None,
) -> str: ...
def frontier(
    scenario: Scenario,
    parties: Optional[List[str]] = None,
    max_points: Optional[int] = None,
    sample: Optional[int] = None,
    all: bool = False,
    ignore_red_lines: bool = False,
    power: Optional[str] = None,
    set: Optional[List[str]] = None,
    as_of: Optional[str] = None,
    seed: Optional[int] = None,
) -> str: ...
def forecast(
    scenario: Scenario,
    model: Optional[str] = None,
    stochastic: bool = False,
    seed: Optional[int] = None,
    max_rounds: Optional[int] = None,
    max_work: Optional[int] = None,
    parties: Optional[List[str]] = None,
    set: Optional[List[str]] = None,
    as_of: Optional[str] = None,
) -> str: ...
def simulate(
    scenario: Scenario,
    negotiators: List[str],
    parties: Optional[List[str]] = None,
    mechanism: Optional[str] = None,
    steps: Optional[int] = None,
    time_limit: Optional[float] = None,
    seed: int = 0,
    trace: Optional[str] = None,
    set: Optional[List[str]] = None,
    as_of: Optional[str] = None,
) -> str: ...
def tournament(
    scenarios: List[Scenario],
    negotiators: List[str],
    parties: Optional[List[str]] = None,
    mechanism: Optional[str] = None,
    steps: Optional[int] = None,
    time_limit: Optional[float] = None,
    repetitions: Optional[int] = None,
    seed: int = 0,
    threads: int = 0,
    shard: Optional[str] = None,
    out: Optional[Union[str, PathLike[str]]] = None,
    csv: Optional[Union[str, PathLike[str]]] = None,
) -> str: ...
def tournament_merge(
    parts: List[str], partial: bool = False, out: Optional[Union[str, PathLike[str]]] = None
) -> str: ...
def robust(
    scenario: Scenario,
    proposal: Optional[str] = None,
    samples: Optional[int] = None,
    seed: int = 0,
    parties: Optional[List[str]] = None,
    budget: Optional[int] = None,
    threads: int = 0,
    shard: Optional[str] = None,
    set: Optional[List[str]] = None,
    as_of: Optional[str] = None,
) -> str: ...
def robust_merge(parts: List[str]) -> str: ...
def _panic_for_test() -> str: ...
def _sleep_for_test(seconds: float) -> None: ...

def utility_tables(scenario: Scenario) -> str:
    """Each party's utility as tables (bias, contributions per issue and option, red lines),
    JSON; used by ``detente.negmas.to_negmas``."""

class Player:
    """A built-in negotiator playing one party of a scenario move by move (used by
    ``detente.negmas.DetenteNegotiator``). Outcomes are indices in the mixed radix of the
    issues (issue 0 most significant), NegMAS's order of outcomes."""

    def __init__(self, scenario: Scenario, party: str, negotiator: str, seed: int = 0) -> None: ...
    @property
    def n_outcomes(self) -> int: ...
    def propose(self, step: int, relative_time: float, n_steps: Optional[int] = None) -> Optional[int]:
        """The offer (an outcome index), or ``None`` to end the negotiation."""
    def respond(self, offer: int, step: int, relative_time: float, n_steps: Optional[int] = None) -> str:
        """``"accept"``, ``"reject"`` or ``"end"``."""
