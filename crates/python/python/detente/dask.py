"""Sharded tournaments and robust studies on a Dask cluster (``dask.distributed``).

Each shard runs on a worker (``--shard K/N``) and sends its part back; the parts merge, on
the client, to exactly the one-machine result (the CLI's merge, which checks every part)::

    from dask.distributed import Client, LocalCluster
    import detente, detente.dask
    with Client(LocalCluster(n_workers=4)) as client:
        r = detente.dask.tournament(client, ["tutorial"], ["boulware", "conceder"], steps=100)
    # r.data == detente.tournament(["tutorial"], ["boulware", "conceder"], steps=100).data

Scenarios travel to the workers in the file format's JSON form (``Scenario`` pickles so);
workers need the ``detente`` package installed.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Optional, Sequence, Union

from . import RobustResult, Scenario, TournamentResult, robust_merge, tournament_merge
from . import tournament as _tournament

__all__ = ["tournament", "robust"]


def _tournament_part(scenarios, negotiators, shard, options) -> str:
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "part.json")
        _tournament(scenarios, negotiators, shard=shard, out=out, **options)
        with open(out, encoding="utf-8") as f:
            return f.read()


def _robust_part(scenario, shard, options) -> str:
    return scenario.robust(shard=shard, **options).to_json()


def _shards(client: Any, shards: Optional[int]) -> int:
    if shards is None:
        shards = max(1, len(client.scheduler_info().get("workers", {})))
    if not isinstance(shards, int) or shards < 1:
        raise ValueError(f"shards {shards!r}: give a whole number of at least 1")
    return shards


def _merge(texts, merge):
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for k, text in enumerate(texts):
            p = os.path.join(d, f"part{k}.json")
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
            paths.append(p)
        return merge(paths)


def tournament(
    client: Any,
    scenarios: Sequence[Union[Scenario, str, "os.PathLike[str]"]],
    negotiators: Sequence[str],
    *,
    shards: Optional[int] = None,
    **options: Any,
) -> TournamentResult:
    """``detente.tournament(scenarios, negotiators, **options)`` run as ``shards`` parts
    (default: one per worker) on the cluster of ``client``, merged to the one-machine
    result. ``options`` are ``detente.tournament``'s (``steps``, ``seed``, ...; not
    ``shard`` or ``out``)."""
    for key in ("shard", "out", "csv"):
        if key in options:
            raise TypeError(f"{key}= is chosen by detente.dask.tournament")
    n = _shards(client, shards)
    loaded = [s if isinstance(s, Scenario) else Scenario.load(s) for s in scenarios]
    negotiators = [str(x) for x in negotiators]
    futures = [
        client.submit(_tournament_part, loaded, negotiators, f"{k}/{n}", options, pure=False)
        for k in range(n)
    ]
    return _merge(client.gather(futures), tournament_merge)


def robust(
    client: Any, scenario: Union[Scenario, str], *, shards: Optional[int] = None, **options: Any
) -> RobustResult:
    """``scenario.robust(**options)`` run as ``shards`` parts (default: one per worker) on
    the cluster of ``client``, merged to the one-machine result (``options``: ``samples``,
    ``seed``, ``proposal``, ``parties``, ``budget``, ``threads``; no what-if settings, as
    for the CLI's shards)."""
    if "shard" in options:
        raise TypeError("shard= is chosen by detente.dask.robust")
    n = _shards(client, shards)
    s = scenario if isinstance(scenario, Scenario) else Scenario.load(scenario)
    futures = [
        client.submit(_robust_part, s, f"{k}/{n}", options, pure=False) for k in range(n)
    ]
    return _merge(client.gather(futures), robust_merge)
