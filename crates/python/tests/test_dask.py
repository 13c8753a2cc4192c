"""Shards of a tournament and of a robust study on a Dask LocalCluster of worker
processes, merged to exactly the one-machine result (skipped when dask.distributed is not
installed; .ci/run installs it)."""

import pickle

import pytest

import detente
from detente import Scenario

distributed = pytest.importorskip("dask.distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def test_a_scenario_pickles():
    s = Scenario.load("tutorial")
    again = pickle.loads(pickle.dumps(s))
    assert again.to_dict() == s.to_dict() and again.name == s.name


def test_an_imported_domain_pickles_with_its_raw_utilities(shared):
    s = Scenario.from_negmas_json(shared / "peers" / "negmas" / "domains" / "Car-A-domain.json")
    again = pickle.loads(pickle.dumps(s))
    assert again.frontier().data == s.frontier().data


def test_a_tournament_on_dask_is_the_one_machine_result(client):
    import detente.dask

    args = dict(steps=20, seed=5, repetitions=2)
    scenarios = ["tutorial", Scenario.load("ukraine-2025")]
    whole = detente.tournament(scenarios, ["boulware", "conceder", "linear"], **args)
    for shards in (None, 3):
        got = detente.dask.tournament(
            client, scenarios, ["boulware", "conceder", "linear"], shards=shards, **args
        )
        assert got.data == whole.data


def test_a_robust_study_on_dask_is_the_one_machine_result(client):
    import detente.dask

    s = Scenario.load("ukraine-2025")
    whole = s.robust(samples=120, seed=9)
    got = detente.dask.robust(client, s, shards=3, samples=120, seed=9)
    assert got.data == whole.data
