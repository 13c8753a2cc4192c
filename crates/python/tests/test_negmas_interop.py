"""NegMAS interop: a NegMAS problem (outcome space and linear additive utility functions)
converted to a detente scenario answers the frontier and the bargaining points equal to
NegMAS's stored answers; a detente scenario converted to NegMAS objects; a detente
negotiator inside NegMAS's SAO mechanism. Skipped where negmas is not installed (.ci/run
installs negmas 0.16.0 into its venv)."""

import json

import pytest

negmas = pytest.importorskip("negmas", reason="negmas is not installed (optional interop)")

import detente.negmas  # noqa: E402
from detente import Scenario  # noqa: E402
from conftest import negmas_problem as _problem  # noqa: E402


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


@pytest.mark.parametrize("domain", ["Car-A-domain", "group2-politics"])
def test_a_detente_scenario_converts_to_negmas_with_the_same_utilities(shared, domain):
    import itertools

    path = shared / "peers" / "negmas" / "domains" / f"{domain}.json"
    space, ufuns = _problem(path)
    s = Scenario.from_negmas_json(path)
    sc = detente.negmas.to_negmas(s)
    assert isinstance(sc, negmas.Scenario)
    assert [u.name for u in sc.ufuns] == [p["id"] for p in s.to_dict()["parties"]]
    assert sc.outcome_space.cardinality == space.cardinality
    # outcome by outcome in the same order, every utility equal to NegMAS's own to the bit
    ours = list(itertools.product(*[list(i.all) for i in sc.outcome_space.issues]))
    theirs = list(itertools.product(*[list(i.all) for i in space.issues]))
    for o, t in zip(ours[::7], theirs[::7]):
        for u, v in zip(sc.ufuns, ufuns):
            assert float(u(o)) == float(v(t))
    assert [u.reserved_value for u in sc.ufuns] == [u.reserved_value for u in ufuns]
    # and back: the same frontier
    assert detente.negmas.frontier(sc).data["frontier"] == s.frontier().data["frontier"]
    # a subset of the parties, in the order named
    ids = [p["id"] for p in s.to_dict()["parties"]][::-1]
    assert [u.name for u in detente.negmas.to_negmas(s, ids).ufuns] == ids
    with pytest.raises(ValueError, match="not a party"):
        detente.negmas.to_negmas(s, ["nobody"])


def test_red_lines_do_not_convert_unless_dropped(shared):
    s = Scenario.load("tutorial")
    with pytest.raises(ValueError, match="red lines"):
        detente.negmas.to_negmas(s)
    sc = detente.negmas.to_negmas(s, ignore_red_lines=True)
    principals = [p["id"] for p in s.to_dict()["parties"] if p.get("role", "principal") == "principal"]
    f = detente.negmas.frontier(detente.negmas.to_negmas(s, principals, ignore_red_lines=True))
    assert f.data["frontier"] == s.frontier(principals, ignore_red_lines=True).data["frontier"]
    assert len(sc.ufuns) == len(s.to_dict()["parties"])


def test_a_detente_negotiator_refuses_what_it_cannot_play():
    with pytest.raises(ValueError, match="every party"):
        detente.negmas.DetenteNegotiator("nash")
    from negmas import make_issue, make_os
    from negmas.preferences import MappingUtilityFunction

    space = make_os([make_issue(["a", "b"], name="x")])
    u = MappingUtilityFunction(lambda o: 1.0, outcome_space=space)
    m = negmas.SAOMechanism(outcome_space=space, n_steps=5)
    m.add(detente.negmas.DetenteNegotiator("linear"), ufun=u)
    m.add(negmas.sao.ToughNegotiator(), ufun=u)
    with pytest.raises(TypeError, match="LinearAdditiveUtilityFunction"):
        m.run()
