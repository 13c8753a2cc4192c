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
value); NegMAS is used as a black box. Converting back (a detente scenario to NegMAS) and a
detente negotiator inside NegMAS's SAO mechanism are not built yet.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, Dict, Optional, Sequence

from . import FrontierResult, Scenario

__all__ = ["to_plain_json", "from_negmas", "frontier"]


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
