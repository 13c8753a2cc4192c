"""NegMAS interop (optional: needs ``negmas`` installed; detente does not depend on it).

A NegMAS problem whose utility functions are linear additive (``Scenario`` of NegMAS, or an
outcome space and a list of ``LinearAdditiveUtilityFunction``) becomes a detente scenario,
with NegMAS's raw utilities (bias plus weight x value, added left to right), so the
frontier and bargaining points equal NegMAS's own to the bit::

    import negmas, detente.negmas
    sc = negmas.Scenario.from_genius_folder("Car-A-domain", ignore_discount=True)
    f = detente.negmas.frontier(sc)          # in place of pareto_frontier + nash_points
    f.points, f.solutions["nash"].outcome

The conversion goes through NegMAS's plain JSON domain form (peers' FORMAT.md), read by the
same importer as ``Scenario.from_negmas_json``. Only NegMAS's public attributes are read
(issue names and values, each utility function's value tables, weights, bias, reserved
value); NegMAS is used as a black box.

The other way, ``to_negmas(scenario)`` gives NegMAS's ``Scenario`` (issues and one
``LinearAdditiveUtilityFunction`` per party, each utility equal to detente's to the bit),
and ``DetenteNegotiator("linear-negmas")`` is a NegMAS SAO negotiator whose moves are
detente's built-in negotiator's, called through the bindings::

    sc = detente.negmas.to_negmas(detente.Scenario.load("tutorial"))
    m = negmas.SAOMechanism(outcome_space=sc.outcome_space, n_steps=100)
    m.add(detente.negmas.DetenteNegotiator("boulware-negmas"), ufun=sc.ufuns[0])
    m.add(negmas.sao.LinearTBNegotiator(), ufun=sc.ufuns[1])
    m.run()
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, Optional, Sequence

from . import FrontierResult, Scenario

__all__ = ["to_plain_json", "from_negmas", "frontier", "to_negmas", "DetenteNegotiator"]


def _parts(problem: Any, ufuns: Optional[Sequence[Any]]):
    if ufuns is None:
        space = getattr(problem, "outcome_space", None)
        ufuns = getattr(problem, "ufuns", None)
        if space is None or ufuns is None:
            raise TypeError(
                "give a NegMAS Scenario (with outcome_space and ufuns), or an outcome space and ufuns="
            )
    else:
        space = problem
    return space, list(ufuns)


def _value(v: Any) -> Any:
    return v if isinstance(v, (str, int, float)) and not isinstance(v, bool) else str(v)


def to_plain_json(problem: Any, ufuns: Optional[Sequence[Any]] = None, name: str = "negmas") -> Dict[str, Any]:
    """NegMAS's plain JSON domain form of a problem with linear additive utility functions
    (``TypeError`` for any other kind of utility function)."""
    space, ufuns = _parts(problem, ufuns)
    issues = list(space.issues)
    parties = []
    for k, u in enumerate(ufuns):
        values, weights = getattr(u, "values", None), getattr(u, "weights", None)
        if values is None or weights is None or type(u).__name__ != "LinearAdditiveUtilityFunction":
            raise TypeError(
                f"utility function {k} ({type(u).__name__}): only LinearAdditiveUtilityFunction converts"
            )
        reserved = u.reserved_value
        if reserved is None or reserved != reserved:  # None or NaN: no reservation
            reserved = float("-inf")
        parties.append(
            {
                "name": str(u.name or f"p{k}"),
                "weights": [float(w) for w in weights],
                "value_utils": [[float(f(v)) for v in issue.all] for f, issue in zip(values, issues)],
                "bias": float(getattr(u, "_bias", 0.0) or 0.0),
                "reserved_value": float(reserved),
            }
        )
    return {
        "name": name,
        "issues": [{"name": str(i.name), "values": [_value(v) for v in i.all]} for i in issues],
        "parties": parties,
        "n_outcomes": int(space.cardinality),
    }


def from_negmas(problem: Any, ufuns: Optional[Sequence[Any]] = None, name: str = "negmas") -> Scenario:
    """A detente scenario of a NegMAS problem (a NegMAS ``Scenario``, or an outcome space
    with ``ufuns=``); ``name`` names it in messages and results."""
    d = to_plain_json(problem, ufuns, name)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, f"{name}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(d, f, allow_nan=True)
        return Scenario.from_negmas_json(path)


def frontier(problem: Any, ufuns: Optional[Sequence[Any]] = None, **options: Any) -> FrontierResult:
    """``detente.Scenario.frontier`` of a NegMAS problem: the Pareto frontier of the
    rational outcomes and the Nash, egalitarian, Kalai-Smorodinsky and max-welfare points,
    as NegMAS defines them (peers' FORMAT.md)."""
    return from_negmas(problem, ufuns).frontier(**options)


def to_negmas(
    scenario: Scenario, parties: Optional[Sequence[str]] = None, *, ignore_red_lines: bool = False
) -> Any:
    """NegMAS's ``Scenario`` of a detente scenario: one issue per issue (its values the
    option ids, or the grid values of a scale issue) and one ``LinearAdditiveUtilityFunction``
    per party (all parties, or those named, in that order), named by the party's id, with
    the party's reservation as its reserved value (``-inf`` for none). Each utility equals
    detente's to the bit: the party's bias plus one contribution per issue, added in issue
    order (weights of 1). Outcomes are in the same order in both (``itertools.product``
    over the issues' values; detente's outcome index).

    NegMAS's linear additive utilities have no red lines: a party with red lines is refused
    (``ValueError`` naming it) unless ``ignore_red_lines=True``, which drops them."""
    from negmas import Scenario as NegmasScenario
    from negmas import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction

    from . import _detente

    tables = json.loads(_detente.utility_tables(scenario._s))
    by_id = {p["id"]: p for p in tables["parties"]}
    if parties is None:
        chosen = tables["parties"]
    else:
        names = [parties] if isinstance(parties, str) else list(parties)
        unknown = [p for p in names if p not in by_id]
        if unknown:
            raise ValueError(f"not a party of {scenario.name}: {', '.join(unknown)} (parties: {', '.join(by_id)})")
        chosen = [by_id[p] for p in names]
    issues = [make_issue(list(i["options"]), name=i["id"]) for i in tables["issues"]]
    space = make_os(issues, name=scenario.name)
    ufuns = []
    for p in chosen:
        if p["allowed"] is not None and not ignore_red_lines:
            raise ValueError(
                f"party {p['id']} has red lines, which NegMAS's linear additive utilities cannot "
                "hold: pass ignore_red_lines=True to drop them"
            )
        reserved = p["reservation"]
        ufuns.append(
            LinearAdditiveUtilityFunction(
                values=[dict(zip(i["options"], c)) for i, c in zip(tables["issues"], p["contributions"])],
                weights=[1.0] * len(issues),
                bias=p["bias"],
                outcome_space=space,
                reserved_value=float("-inf") if reserved is None else reserved,
                name=p["id"],
            )
        )
    return NegmasScenario(outcome_space=space, ufuns=tuple(ufuns), name=scenario.name)


def _negotiator_base():
    try:
        from negmas.sao import SAONegotiator
    except ImportError:  # pragma: no cover - depends on the environment
        return object
    return SAONegotiator


class DetenteNegotiator(_negotiator_base()):  # type: ignore[misc]
    """A NegMAS SAO negotiator whose moves are detente's built-in negotiator ``negotiator``
    (as ``simulate`` names them; ``"boulware-negmas"``, ``"linear-negmas"``,
    ``"conceder-negmas"``, ``"aspiration-negmas"`` play as NegMAS's own time-based
    negotiators), called through the bindings at each ``propose`` and ``respond`` with
    NegMAS's step and relative time.

    Its utility function must be a ``LinearAdditiveUtilityFunction`` over a discrete
    outcome space (``TypeError`` otherwise, at its first move). It knows only its own
    utility, as a NegMAS negotiator does, so ``"nash"`` (which reads every party's) is
    refused; for the others, the scenario detente builds holds the negotiator's own utility
    twice, the second party a stand-in none of them reads. ``seed`` seeds the detente
    negotiator's generator (``random``, ``boulware``, ... draw from it)."""

    def __init__(self, negotiator: str = "linear-negmas", *args: Any, seed: int = 0, **kwargs: Any) -> None:
        if negotiator.lower().replace("_", "-") in ("nash", "nash-seeker"):
            raise ValueError(
                "the nash negotiator reads every party's utility, which a NegMAS negotiator does not have"
            )
        super().__init__(*args, **kwargs)
        self.detente_negotiator = negotiator
        self.seed = seed
        self._player: Any = None
        self._values: Any = None
        self._index: Any = None

    def _ensure(self) -> Any:
        if self._player is None:
            from . import _detente

            space = self.nmi.outcome_space
            d = to_plain_json(space, [self.ufun], name="negmas")
            me = dict(d["parties"][0], name="self")
            d["parties"] = [me, dict(me, name="stand-in")]
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "negmas.json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(d, f, allow_nan=True)
                s = Scenario.from_negmas_json(path)
            party = s.to_dict()["parties"][0]["id"]
            self._player = _detente.Player(s._s, party, self.detente_negotiator, self.seed)
            self._values = [list(i.all) for i in space.issues]
            self._index = [{v: k for k, v in enumerate(vs)} for vs in self._values]
        return self._player

    def _encode(self, outcome: Any) -> int:
        k = 0
        for vs, index, v in zip(self._values, self._index, outcome):
            k = k * len(vs) + index[v]
        return k

    def _decode(self, k: int) -> tuple:
        out = []
        for vs in reversed(self._values):
            k, r = divmod(k, len(vs))
            out.append(vs[r])
        return tuple(reversed(out))

    def _n_steps(self) -> Optional[int]:
        n = getattr(self.nmi, "n_steps", None)
        return int(n) if n is not None and n != float("inf") else None

    def propose(self, state: Any, dest: Optional[str] = None) -> Any:
        player = self._ensure()
        k = player.propose(int(state.step), float(state.relative_time), self._n_steps())
        return None if k is None else self._decode(k)

    def respond(self, state: Any, source: Optional[str] = None) -> Any:
        from negmas import ResponseType

        player = self._ensure()
        offer = state.current_offer
        if offer is None:
            return ResponseType.REJECT_OFFER
        answer = player.respond(self._encode(offer), int(state.step), float(state.relative_time), self._n_steps())
        return {
            "accept": ResponseType.ACCEPT_OFFER,
            "reject": ResponseType.REJECT_OFFER,
            "end": ResponseType.END_NEGOTIATION,
        }[answer]
