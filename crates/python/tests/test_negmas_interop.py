"""NegMAS interop: a NegMAS problem (outcome space and linear additive utility functions)
converted to a detente scenario answers the frontier and the bargaining points equal to
NegMAS's stored answers. Skipped where negmas is not installed (CI's venv does not install
it; the benchmark's venv does: bench/python/run)."""

import json

import pytest

negmas = pytest.importorskip("negmas", reason="negmas is not installed (optional interop)")

import detente.negmas  # noqa: E402
from detente import Scenario  # noqa: E402


def _problem(path):
    from negmas import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction

    d = json.loads(path.read_text())
    issues = [make_issue([str(v) for v in i["values"]], name=i["name"]) for i in d["issues"]]
    space = make_os(issues, name=d["name"])
    ufuns = [
        LinearAdditiveUtilityFunction(
            values=[dict(zip(map(str, i["values"]), u)) for i, u in zip(d["issues"], p["value_utils"])],
            weights=p["weights"],
            bias=p.get("bias", 0.0),
            outcome_space=space,
            reserved_value=p["reserved_value"],
            name=p["name"],
        )
        for p in d["parties"]
    ]
    return space, ufuns


@pytest.mark.parametrize("domain", ["Car-A-domain", "group2-politics"])
def test_a_negmas_problem_converts_and_answers_as_negmas(shared, domain):
    d = shared / "peers" / "negmas" / "domains"
    space, ufuns = _problem(d / f"{domain}.json")
    f = detente.negmas.frontier(space, ufuns=ufuns)
    answer = json.loads((d / f"{domain}_answer.json").read_text())
    assert sorted(map(tuple, f.points.tolist())) == sorted(map(tuple, answer["frontier_utils"]))
    nash = f.solutions["nash"]
    got = sorted(tuple(t["utilities"]) for t in nash.ties)
    assert got == sorted(tuple(p["utils"]) for p in answer["nash"])
    # The same frontier as the plain JSON file read directly.
    assert f.data["frontier"] == Scenario.from_negmas_json(d / f"{domain}.json").frontier().data["frontier"]


def test_a_negmas_scenario_object_converts(shared):
    folder = shared / "peers" / "negmas" / "domains" / "Car-A-domain"
    sc = negmas.Scenario.from_genius_folder(folder, ignore_discount=True)
    f = detente.negmas.frontier(sc)
    assert f.data["frontier_size"] == 55


def test_other_utility_functions_are_refused():
    from negmas import make_issue, make_os
    from negmas.preferences import MappingUtilityFunction

    space = make_os([make_issue(["a", "b"], name="x")])
    u = MappingUtilityFunction(lambda o: 1.0, outcome_space=space)
    with pytest.raises(TypeError, match="LinearAdditiveUtilityFunction"):
        detente.negmas.from_negmas(space, ufuns=[u, u])
