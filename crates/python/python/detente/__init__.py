"""detente from Python: multi-party negotiation analysis.

Load a scenario, then ask it what the command line answers::

    import detente
    s = detente.Scenario.load("ukraine-2025")     # a shipped name, a file, a domain
    print(s.evaluate().to_pandas())                # who accepts which draft
    f = s.frontier()                               # the Pareto frontier
    print(f.points, f.solutions["nash"].outcome)   # NumPy points, the Nash point

Every answer is the CLI's ``--json`` answer (``result.data`` is that JSON, parsed), computed
by the same code. Errors are ``DetenteError``s carrying the CLI's message (a file's problems
located as ``file:line:column: field: message``). Long computations release the GIL, and
Ctrl-C raises ``KeyboardInterrupt`` at once (the abandoned computation finishes in the
background within its work budget). See docs/python.md.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from . import _detente
from ._detente import DetenteError, InputError, InternalError, ScenarioError

__all__ = [
    "Scenario",
    "Result",
    "Evaluation",
    "FrontierResult",
    "Solution",
    "SimulationResult",
    "TournamentResult",
    "RobustResult",
    "DetenteError",
    "ScenarioError",
    "InputError",
    "InternalError",
    "shipped",
    "tournament",
    "tournament_merge",
    "robust_merge",
]

PathLike = Union[str, "os.PathLike[str]"]


def _pandas():
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "to_pandas() needs pandas: pip install pandas (or detente[pandas])"
        ) from e
    return pandas


def _ids(parties: Optional[Sequence[str]]) -> Optional[List[str]]:
    if parties is None:
        return None
    if isinstance(parties, str):
        return [p for p in parties.split(",") if p]
    return [str(p) for p in parties]


def _sets(set: Union[None, str, Sequence[str], Mapping[str, Any]]) -> Optional[List[str]]:
    """What-if settings as ``--set`` takes them: ``["a.reservation=0.5"]``, or a mapping."""
    if set is None:
        return None
    if isinstance(set, str):
        return [set]
    if isinstance(set, Mapping):
        return [f"{k}={v}" for k, v in set.items()]
    return [str(x) for x in set]


class Result:
    """An answer: ``data`` is the command's ``--json`` output, parsed.

    Indexing reads the JSON (``result["gap"]``); ``to_pandas()`` gives a table where the
    answer is tabular.
    """

    def __init__(self, data: Any, text: Optional[str] = None) -> None:
        self.data = data
        self._text = text

    def __getitem__(self, key: Any) -> Any:
        return self.data[key]

    def __contains__(self, key: Any) -> bool:
        return key in self.data

    def keys(self):
        return self.data.keys()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Result):
            return self.data == other.data
        return self.data == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        text = json.dumps(self.data)
        if len(text) > 200:
            text = text[:200] + "..."
        return f"{type(self).__name__}({text})"

    def to_json(self) -> str:
        """The JSON text, byte for byte what ``--json`` prints (for a shard, the part to
        write to a file for ``robust_merge``)."""
        if self._text is not None:
            return self._text
        return json.dumps(self.data, indent=2, ensure_ascii=False) + "\n"

    def to_pandas(self):
        """A pandas DataFrame of the answer's table (pandas must be installed)."""
        raise TypeError(f"{type(self).__name__} has no table: read .data")


class Evaluation(Result):
    """``evaluate``: per proposal and party, the verdict, utility and surplus."""

    def to_pandas(self):
        """One row per proposal and party: proposal, party, verdict, utility and surplus
        ranges (lo, hi) over the open points, reservation."""
        rows = []
        for e in self.data["evaluations"]:
            for p in e["parties"]:
                rows.append(
                    {
                        "proposal": e["proposal"]["id"],
                        "party": p["party"],
                        "verdict": p["verdict"],
                        "utility_lo": p["utility"][0],
                        "utility_hi": p["utility"][1],
                        "reservation": p["reservation"],
                        "surplus_lo": p["surplus"][0],
                        "surplus_hi": p["surplus"][1],
                    }
                )
        return _pandas().DataFrame(rows)


@dataclass(frozen=True)
class Solution:
    """A bargaining solution: ``utilities`` (one per counted party, in ``parties`` order)
    and ``outcome`` (issue id -> term), ``None`` when there is no rational outcome;
    ``exact`` false when its search stopped at a budget (``note`` says what is known)."""

    name: str
    utilities: Optional[Any]
    outcome: Optional[Dict[str, Any]]
    exact: bool
    termination: str
    note: Optional[str]
    ties: List[Dict[str, Any]]


class FrontierResult(Result):
    """``frontier``: the Pareto frontier of the rational outcomes and the bargaining points.

    ``points`` is a NumPy array (one row per listed frontier point, one column per counted
    party, highest welfare first), ``outcomes`` the matching outcomes, ``parties`` the
    columns, and ``solutions`` the Nash, egalitarian, Kalai-Smorodinsky and max-welfare
    points as ``Solution``s.
    """

    SOLUTIONS = ("nash", "egalitarian", "kalai_smorodinsky", "max_welfare")

    @property
    def parties(self) -> List[str]:
        return list(self.data["parties"])

    @property
    def points(self):
        import numpy as np

        pts = np.asarray(self.data["frontier"], dtype=float)
        return pts.reshape(len(self.data["frontier"]), len(self.data["parties"]))

    @property
    def outcomes(self) -> List[Dict[str, Any]]:
        return list(self.data["frontier_outcomes"])

    @property
    def solutions(self) -> Dict[str, Solution]:
        import numpy as np

        out = {}
        for name in self.SOLUTIONS:
            s = self.data[name]
            u = s["utilities"]
            out[name] = Solution(
                name=name,
                utilities=None if u is None else np.asarray(u, dtype=float),
                outcome=s["outcome"],
                exact=s["exact"],
                termination=s["termination"]["kind"],
                note=s.get("note"),
                ties=list(s["ties"]),
            )
        return out

    def to_pandas(self):
        """The listed frontier points: one column per counted party, then the outcome's
        terms (one column per issue)."""
        pd = _pandas()
        rows = []
        for u, o in zip(self.data["frontier"], self.data["frontier_outcomes"]):
            row = dict(zip(self.data["parties"], u))
            row.update(o)
            rows.append(row)
        outcomes = self.data["frontier_outcomes"]
        columns = list(self.data["parties"]) + (list(outcomes[0]) if outcomes else [])
        return pd.DataFrame(rows, columns=columns)


class SimulationResult(Result):
    """``simulate``: one session's trace, agreement and utilities."""

    @property
    def agreement(self) -> Optional[Dict[str, Any]]:
        return self.data["agreement"]

    @property
    def utilities(self):
        import numpy as np

        return np.asarray(self.data["utilities"], dtype=float)

    def to_pandas(self):
        """The kept trace: one row per entry (step, kind, proposer, one utility column per
        negotiating party, the outcome's terms)."""
        pd = _pandas()
        parties = self.data["parties"]
        rows = []
        for t in self.data["trace"]:
            row = {"step": t["step"], "kind": t["kind"], "proposer": t["proposer"]}
            for p, u in zip(parties, t["utilities"] or [None] * len(parties)):
                row[p] = u
            row.update(t["outcome"] or {})
            rows.append(row)
        return pd.DataFrame(rows)


class TournamentResult(Result):
    """``tournament`` (or a merge of its parts): scores per negotiator."""

    def to_pandas(self):
        """The scores across scenarios, one row per negotiator."""
        return _pandas().DataFrame(self.data["scores"])

    def scenario_scores(self):
        """The per-scenario scores, one row per scenario and negotiator (pandas)."""
        rows = []
        for s in self.data["scenario_scores"]:
            for r in s["scores"]:
                rows.append({"scenario": s["scenario"], **r})
        return _pandas().DataFrame(rows)

    def sessions(self):
        """Every session record (pandas; utilities and reservations as lists)."""
        return _pandas().DataFrame(self.data["sessions"])


class RobustResult(Result):
    """``robust``: per proposal and party, the share of draws in which it accepts."""

    def to_pandas(self):
        """One row per proposal and party: the shares of draws in which it accepts,
        depends and rejects, and in which every counted party accepts."""
        rows = []
        for prop in self.data["proposals"]:
            for p in prop["parties"]:
                rows.append(
                    {
                        "proposal": prop["id"],
                        "party": p["party"],
                        "accepts": p["accepts"]["share"],
                        "depends": p["depends"]["share"],
                        "rejects": p["rejects"]["share"],
                        "all_accept": prop["all_accept"]["share"],
                    }
                )
        return _pandas().DataFrame(rows)


def _load(text: str, cls):
    return cls(json.loads(text), text)


class Scenario:
    """A negotiation: parties, issues, stances, red lines, proposals.

    Build one with ``Scenario.load`` (a file, a shipped name such as ``"ukraine-2025"`` or
    ``"tutorial"``, a GENIUS folder or a NegMAS JSON domain), ``from_negmas_json``,
    ``from_genius`` or ``from_dict``. Every method takes the what-if settings of the CLI:
    ``set=["russia.reservation=0.5"]`` (or a mapping) and ``as_of="2025-03-01"``.
    """

    __slots__ = ("_s",)

    def __init__(self, handle: Any) -> None:
        if not isinstance(handle, _detente.Scenario):
            raise TypeError(
                "build a Scenario with Scenario.load, from_negmas_json, from_genius or from_dict"
            )
        self._s = handle

    # Loading and writing.

    @classmethod
    def load(cls, path_or_name: PathLike) -> "Scenario":
        """A scenario file (.toml/.json), a shipped scenario's name, a GENIUS domain folder
        or a NegMAS JSON domain, as the CLI resolves them."""
        return cls(_detente.load(os.fspath(path_or_name)))

    @classmethod
    def from_negmas_json(cls, path: PathLike) -> "Scenario":
        """A NegMAS plain JSON domain (as ``detente import json``)."""
        return cls(_detente.negmas_json(os.fspath(path)))

    @classmethod
    def from_genius(cls, dir: PathLike) -> "Scenario":
        """A GENIUS domain folder (its domain and profile XML files)."""
        return cls(_detente.genius(os.fspath(dir)))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], name: str = "<dict>") -> "Scenario":
        """A scenario from the file format's JSON form as a dict (``to_dict``'s shape);
        problems are located in ``name`` (line and column of ``json.dumps(data, indent=2)``)."""
        return cls(_detente.parse_json(name, json.dumps(data, indent=2)))

    @classmethod
    def from_json(cls, text: str, name: str = "<json>") -> "Scenario":
        """A scenario from the file format's JSON text."""
        return cls(_detente.parse_json(name, text))

    def to_dict(self) -> Dict[str, Any]:
        """The scenario in the file format's JSON form (``detente import ... --json``)."""
        return json.loads(_detente.to_json(self._s))

    @property
    def name(self) -> str:
        """How messages name the scenario: its path, shipped name, or ``<dict>``."""
        return self._s.name

    def __repr__(self) -> str:
        return f"Scenario({self.name!r})"

    def __reduce__(self):
        # Pickled as the file format's JSON text and its name (e.g. to a Dask worker).
        return (_unpickle, (_detente.to_json(self._s), self.name))

    # The questions.

    def analyze(self, samples: int = 1000, seed: int = 0, *, set=None, as_of=None) -> Result:
        """``detente analyze``: acceptance, how sure each verdict is, the gap, any deal."""
        return _load(_detente.analyze(self._s, samples, seed, _sets(set), as_of), Result)

    def evaluate(self, proposal: Optional[str] = None, *, set=None, as_of=None) -> Evaluation:
        """``detente evaluate``: would each party accept the proposal (default: every
        proposal)? Per party and per point."""
        return _load(_detente.evaluate(self._s, proposal, _sets(set), as_of), Evaluation)

    def gap(self, proposal: Optional[str] = None, *, set=None, as_of=None) -> Optional[Dict[str, Any]]:
        """The gap on a proposal (default: the latest draft), as ``analyze --json`` reports
        it under ``gap``; ``None`` when the scenario has no proposal."""
        return json.loads(_detente.gap(self._s, proposal, _sets(set), as_of))

    def compare(self, a: str, b: str, *, set=None, as_of=None) -> Result:
        """``detente compare A B``: what proposal ``b`` changes against ``a``."""
        return _load(_detente.compare(self._s, a, b, _sets(set), as_of), Result)

    def deadlock(
        self, parties: Optional[Sequence[str]] = None, budget: Optional[int] = None, *, set=None, as_of=None
    ) -> Result:
        """``detente deadlock``: is any outcome acceptable to every counted party (default:
        the principals)? If not, a minimal set of colliding constraints."""
        return _load(_detente.deadlock(self._s, _ids(parties), budget, _sets(set), as_of), Result)

    def mediate(
        self,
        from_: str,
        *,
        max_changes: Optional[int] = None,
        objective: Optional[str] = None,
        parties: Optional[Sequence[str]] = None,
        procedure: Optional[str] = None,
        top: Optional[int] = None,
        budget: Optional[int] = None,
        max_rounds: Optional[int] = None,
        min_probability: Optional[float] = None,
        samples: Optional[int] = None,
        seed: Optional[int] = None,
        power: Optional[str] = None,
        set=None,
        as_of=None,
    ) -> Result:
        """``detente mediate --from FROM``: revisions of the draft ranked by ``objective``
        (``"fewest-changes"``, ``"max-min-surplus"`` or ``"nash"``) within
        ``max_changes``; ``procedure="single-text"`` for the single negotiating text."""
        return _load(
            _detente.mediate(
                self._s,
                from_,
                _ids(parties),
                procedure,
                objective,
                max_changes,
                top,
                budget,
                max_rounds,
                min_probability,
                samples,
                seed,
                power,
                _sets(set),
                as_of,
            ),
            Result,
        )

    def frontier(
        self,
        parties: Optional[Sequence[str]] = None,
        *,
        max_points: Optional[int] = None,
        sample: Optional[int] = None,
        seed: Optional[int] = None,
        all: bool = False,
        ignore_red_lines: bool = False,
        power: Optional[str] = None,
        set=None,
        as_of=None,
    ) -> FrontierResult:
        """``detente frontier``: the Pareto frontier of the rational outcomes (every point
        is listed unless ``max_points`` or ``sample`` is given, as in the CLI's JSON) and
        the bargaining solutions. ``seed`` is the seed of ``sample`` (default 0, as
        ``--seed``): (scenario, seed) decides the points drawn."""
        return _load(
            _detente.frontier(
                self._s, _ids(parties), max_points, sample, all, ignore_red_lines, power, _sets(set), as_of, seed
            ),
            FrontierResult,
        )

    def forecast(
        self,
        model: str = "smp",
        seed: Optional[int] = None,
        *,
        stochastic: bool = False,
        max_rounds: Optional[int] = None,
        max_work: Optional[int] = None,
        parties: Optional[Sequence[str]] = None,
        set=None,
        as_of=None,
    ) -> Result:
        """``detente forecast``: where positions move (``model``: ``"smp"``,
        ``"compromise"``, ``"median"`` or ``"eum"``); ``seed`` with ``stochastic=True``."""
        return _load(
            _detente.forecast(
                self._s, model, stochastic, seed, max_rounds, max_work, _ids(parties), _sets(set), as_of
            ),
            Result,
        )

    def simulate(
        self,
        negotiators: Sequence[str],
        steps: Optional[int] = None,
        seed: int = 0,
        *,
        parties: Optional[Sequence[str]] = None,
        mechanism: Optional[str] = None,
        time_limit: Optional[float] = None,
        trace: Optional[str] = None,
        set=None,
        as_of=None,
    ) -> SimulationResult:
        """``detente simulate``: automated negotiators (one per negotiating party, e.g.
        ``["boulware", "conceder"]``) play one session."""
        return _load(
            _detente.simulate(
                self._s,
                [str(n) for n in negotiators],
                _ids(parties),
                mechanism,
                steps,
                time_limit,
                seed,
                trace,
                _sets(set),
                as_of,
            ),
            SimulationResult,
        )

    def robust(
        self,
        samples: Optional[int] = None,
        seed: int = 0,
        *,
        proposal: Optional[str] = None,
        parties: Optional[Sequence[str]] = None,
        budget: Optional[int] = None,
        threads: int = 0,
        shard: Optional[str] = None,
        set=None,
        as_of=None,
    ) -> RobustResult:
        """``detente robust``: Monte Carlo over the estimates' ranges (default 10,000
        draws); ``shard="K/N"`` gives a part for ``robust_merge``."""
        return _load(
            _detente.robust(
                self._s, proposal, samples, seed, _ids(parties), budget, threads, shard, _sets(set), as_of
            ),
            RobustResult,
        )


def _unpickle(text: str, name: str) -> Scenario:
    return Scenario(_detente.parse_json(name, text))


def _scenario(x: Union[Scenario, PathLike]) -> Any:
    return x._s if isinstance(x, Scenario) else _detente.load(os.fspath(x))


def shipped() -> Result:
    """The scenarios shipped inside detente (``detente scenarios --json``)."""
    return _load(_detente.scenarios(), Result)


def tournament(
    scenarios: Sequence[Union[Scenario, PathLike]],
    negotiators: Sequence[str],
    *,
    parties: Optional[Sequence[str]] = None,
    mechanism: Optional[str] = None,
    steps: Optional[int] = None,
    time_limit: Optional[float] = None,
    repetitions: Optional[int] = None,
    seed: int = 0,
    threads: int = 0,
    shard: Optional[str] = None,
    out: Optional[PathLike] = None,
    csv: Optional[PathLike] = None,
) -> TournamentResult:
    """``detente tournament``: every ordered combination of ``negotiators`` on every
    scenario (``Scenario``s or paths/names). ``shard="K/N"`` with ``out=FILE`` writes a part
    for ``tournament_merge``."""
    return _load(
        _detente.tournament(
            [_scenario(s) for s in scenarios],
            [str(n) for n in negotiators],
            _ids(parties),
            mechanism,
            steps,
            time_limit,
            repetitions,
            seed,
            threads,
            shard,
            None if out is None else os.fspath(out),
            None if csv is None else os.fspath(csv),
        ),
        TournamentResult,
    )


def tournament_merge(
    parts: Sequence[PathLike], *, partial: bool = False, out: Optional[PathLike] = None
) -> TournamentResult:
    """``detente tournament merge``: the parts' sessions merged into one run's result."""
    return _load(
        _detente.tournament_merge(
            [os.fspath(p) for p in parts], partial, None if out is None else os.fspath(out)
        ),
        TournamentResult,
    )


def robust_merge(parts: Sequence[PathLike]) -> RobustResult:
    """``detente robust merge``: part files of a sharded study merged into one run's
    result."""
    return _load(_detente.robust_merge([os.fspath(p) for p in parts]), RobustResult)
