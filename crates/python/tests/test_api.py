"""Every API call on the shipped scenarios ukraine-2025 and tutorial, each answer equal to
the CLI's --json (the binary, run beside it)."""

import json

import numpy as np
import pytest

import detente
from detente import InputError, Scenario

SCENARIOS = {
    "ukraine-2025": {"proposals": ["us-28", "e3-markup", "us-ua-20"]},
    "tutorial": {"proposals": ["commission-draft", "lowland-markup"]},
}


@pytest.fixture(params=sorted(SCENARIOS), scope="module")
def name(request):
    return request.param


@pytest.fixture(scope="module")
def s(name):
    return Scenario.load(name)


def test_load_names_the_scenario(s, name):
    assert s.name == name
    assert repr(s) == f"Scenario({name!r})"


def test_evaluate_equals_the_cli(s, name, cli):
    assert s.evaluate().data == cli("evaluate", name)
    last = SCENARIOS[name]["proposals"][-1]
    assert s.evaluate(last).data == cli("evaluate", name, "-p", last)


def test_evaluate_as_a_table(s, name):
    df = s.evaluate().to_pandas()
    n_parties = len(s.to_dict()["parties"])
    assert len(df) == n_parties * len(SCENARIOS[name]["proposals"])
    assert set(df["verdict"]) <= {"accepts", "rejects", "depends"}
    assert list(df.columns[:3]) == ["proposal", "party", "verdict"]


def test_gap_equals_analyze(s, name, cli):
    assert s.gap() == cli("analyze", name, "--samples", "10")["gap"]
    assert s.analyze(samples=10, seed=2).data == cli(
        "analyze", name, "--samples", "10", "--seed", "2"
    )


def test_compare_equals_the_cli(s, name, cli):
    a, b = SCENARIOS[name]["proposals"][:2]
    assert s.compare(a, b).data == cli("compare", name, a, b)


def test_deadlock_equals_the_cli(s, name, cli):
    assert s.deadlock().data == cli("deadlock", name)
    assert s.deadlock(budget=5).data == cli("deadlock", name, "--budget", "5")


@pytest.mark.parametrize("objective", [None, "max-min-surplus", "nash"])
def test_mediate_equals_the_cli(s, name, cli, objective):
    last = SCENARIOS[name]["proposals"][-1]
    args = ["mediate", name, "--from", last, "--max-changes", "2"]
    if objective:
        args += ["--objective", objective]
    assert s.mediate(last, max_changes=2, objective=objective).data == cli(*args)


def test_single_text_equals_the_cli(s, name, cli):
    first = SCENARIOS[name]["proposals"][0]
    got = s.mediate(first, procedure="single-text", max_rounds=5)
    assert got.data == cli(
        "mediate", name, "--from", first, "--procedure", "single-text", "--max-rounds", "5"
    )


def test_frontier_equals_the_cli(s, name, cli):
    f = s.frontier()
    assert f.data == cli("frontier", name)
    pts = f.points
    assert isinstance(pts, np.ndarray)
    assert pts.shape == (len(f.data["frontier"]), len(f.parties))
    for solution in f.solutions.values():
        if solution.outcome is not None:
            assert solution.utilities.shape == (len(f.parties),)
            assert set(solution.outcome) == {i["id"] for i in s.to_dict()["issues"]}
    df = f.to_pandas()
    assert list(df.columns[: len(f.parties)]) == f.parties
    assert len(df) == len(pts)


def test_frontier_options_equal_the_cli(s, name, cli):
    d = s.to_dict()
    parties = [p["id"] for p in d["parties"]][:2]
    got = s.frontier(parties, max_points=3, ignore_red_lines=True)
    want = cli(
        "frontier", name, "--parties", ",".join(parties), "--max-points", "3", "--ignore-red-lines"
    )
    assert got.data == want
    assert got.points.shape[0] <= 3


def test_frontier_sample_seed_equals_the_cli(cli):
    # 219 frontier points between Ukraine and the US with the red lines set aside: a sample
    # of 5 depends on its seed.
    s = Scenario.load("ukraine-2025")
    args = ["--parties", "ukraine,us", "--ignore-red-lines", "--sample", "5"]
    drawn = {}
    for seed in (None, 0, 7, 2**64 - 1):
        got = s.frontier(["ukraine", "us"], sample=5, seed=seed, ignore_red_lines=True)
        seed_args = [] if seed is None else ["--seed", str(seed)]
        assert got.data == cli("frontier", "ukraine-2025", *args, *seed_args)
        assert got.data["frontier_sampled"] and len(got.data["frontier"]) == 5
        drawn[seed] = got.data["frontier"]
    assert drawn[None] == drawn[0]
    assert drawn[7] != drawn[0]
    with pytest.raises(InputError, match="--seed"):
        s.frontier(seed=3)


@pytest.mark.parametrize("model", ["smp", "compromise", "median"])
def test_forecast_equals_the_cli(s, name, cli, model):
    assert s.forecast(model=model).data == cli("forecast", name, "--model", model)


def test_stochastic_forecast_equals_the_cli(s, name, cli):
    got = s.forecast(model="smp", seed=7, stochastic=True)
    assert got.data == cli("forecast", name, "--stochastic", "--seed", "7")


def test_simulate_equals_the_cli(s, name, cli):
    counted = cli("deadlock", name)["deadlock"]["parties"]
    negotiators = (["boulware", "conceder", "linear", "aspiration"] * 3)[: len(counted)]
    got = s.simulate(negotiators=negotiators, steps=40, seed=3)
    assert got.data == cli(
        "simulate", name, "--negotiators", ",".join(negotiators), "--steps", "40", "--seed", "3"
    )
    df = got.to_pandas()
    assert len(df) == len(got.data["trace"])


def test_robust_equals_the_cli(s, name, cli):
    got = s.robust(samples=200, seed=5)
    assert got.data == cli("robust", name, "--samples", "200", "--seed", "5")
    df = got.to_pandas()
    assert ((df["accepts"] >= 0) & (df["accepts"] <= 1)).all()


def test_robust_shards_merge_to_one_run(s, name, cli, tmp_path):
    whole = s.robust(samples=90, seed=1)
    paths = []
    for k in range(3):
        part = s.robust(samples=90, seed=1, shard=f"{k}/3")
        p = tmp_path / f"part{k}.json"
        p.write_text(part.to_json())
        paths.append(p)
    assert detente.robust_merge(paths).data == whole.data
    assert detente.robust_merge(paths).data == cli("robust", "merge", *paths)


def test_what_if_equals_the_cli(s, name, cli):
    party = s.to_dict()["parties"][0]["id"]
    setting = f"{party}.reservation=0.3"
    got = s.evaluate(set=[setting])
    assert got.data == cli("evaluate", name, "--set", setting)
    assert "what_if" in json.dumps(got.data) or got.data != s.evaluate().data
    assert s.evaluate(set={f"{party}.reservation": 0.3}).data == got.data


def test_a_dict_round_trips(s, name, cli):
    d = s.to_dict()
    again = Scenario.from_dict(d)
    assert again.to_dict() == d
    assert again.name == "<dict>"
    assert again.frontier().data["frontier"] == cli("frontier", name)["frontier"]


def test_tournament_equals_the_cli(cli, tmp_path):
    got = detente.tournament(
        ["tutorial", Scenario.load("ukraine-2025")],
        ["boulware", "conceder"],
        steps=20,
        seed=4,
        parties=None,
    )
    want = cli(
        "tournament", "tutorial", "ukraine-2025", "--negotiators", "boulware,conceder",
        "--steps", "20", "--seed", "4",
    )
    assert got.data == want
    df = got.to_pandas()
    assert set(df["negotiator"]) == {"boulware", "conceder"}
    assert len(got.scenario_scores()) == 4


def test_tournament_shards_merge_to_one_run(tmp_path):
    args = dict(steps=15, seed=2, repetitions=2)
    whole = detente.tournament(["tutorial"], ["boulware", "linear"], **args)
    parts = []
    for k in range(2):
        out = tmp_path / f"part{k}.json"
        detente.tournament(["tutorial"], ["boulware", "linear"], shard=f"{k}/2", out=out, **args)
        parts.append(out)
    merged = detente.tournament_merge(parts)
    assert merged.data["scores"] == whole.data["scores"]
    assert merged.data["complete"] is True


def test_shipped_lists_both(cli):
    got = detente.shipped()
    assert got.data == cli("scenarios")
