#!/usr/bin/env python3
"""detente's Python package vs NegMAS 0.16.0, side by side in one Python process.

  bench/python/run [--domains Car-A-domain,Energy,...] [--repeat N] [--sessions N] [--steps N]

Per shared NegMAS domain (../shared/peers/negmas/domains/NAME.json, NegMAS's plain JSON):
  negmas:  pareto_frontier(ufuns, issues) + nash_points(ufuns, frontier, outcome_space)
  detente: Scenario.from_negmas_json(path).frontier()  (the frontier and all four solutions,
           returned as the CLI's JSON and parsed into Python objects)
median wall time of --repeat runs each (time.perf_counter; loading the domain is outside
both), the frontier sizes (which must agree) and the ratio negmas / detente.
Then an SAO loop on Car-A-domain: --sessions sessions of --steps steps, Boulware (party 0)
vs Conceder, NegMAS's SAOMechanism vs detente's simulate(), sessions per second and the
ratio. NegMAS is used as a black box through its public API (bench/negmas/negmas_sao.py
builds its outcome space and utility functions from the plain JSON).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "bench" / "negmas"))

import negmas  # noqa: E402
from negmas import nash_points, pareto_frontier  # noqa: E402
from negmas_sao import CLASSES, load  # noqa: E402

import detente  # noqa: E402

DEFAULT = "Car-A-domain,ItexvsCypress,group2-politics,Travel,Energy,random_2p_1e5,random_3p_1e5,random_2p_1e6"


def ratio(r: float) -> str:
    """NegMAS's time over detente's, in words that stay true below 1."""
    if r >= 10:
        return f"{r:.0f}x"
    if r >= 1:
        return f"{r:.1f}x"
    return f"{r:.2f}x (detente {1 / r:.1f}x slower)"


def median_time(f, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def frontier_row(path: Path, repeat: int) -> dict:
    _, space, ufuns = load(str(path))
    issues = space.issues

    def theirs():
        fu, _ = pareto_frontier(ufuns, issues=issues)
        nash_points(ufuns, fu, outcome_space=space)
        return fu

    s = detente.Scenario.from_negmas_json(path)
    t_neg, fu = median_time(theirs, repeat)
    t_det, f = median_time(s.frontier, repeat)
    return {
        "domain": path.stem,
        "outcomes": f.data["n_outcomes"],
        "frontier": f.data["frontier_size"],
        "negmas_frontier": len(fu),
        "negmas_s": t_neg,
        "detente_s": t_det,
        "ratio": t_neg / t_det,
    }


def sao_row(path: Path, sessions: int, steps: int) -> dict:
    _, space, ufuns = load(str(path))
    classes = [getattr(negmas, CLASSES[n]) for n in ("boulware", "conceder")]
    t = time.perf_counter()
    for _ in range(sessions):
        m = negmas.SAOMechanism(outcome_space=space, n_steps=steps)
        for k, (cls, uf) in enumerate(zip(classes, ufuns)):
            m.add(cls(name=f"n{k}"), ufun=uf)
        m.run()
    t_neg = time.perf_counter() - t
    s = detente.Scenario.from_negmas_json(path)
    t = time.perf_counter()
    for seed in range(sessions):
        s.simulate(["boulware", "conceder"], steps=steps, seed=seed, trace="none")
    t_det = time.perf_counter() - t
    return {
        "domain": path.stem,
        "sessions": sessions,
        "steps": steps,
        "negmas_per_s": sessions / t_neg,
        "detente_per_s": sessions / t_det,
        "ratio": t_neg / t_det,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--domains", default=DEFAULT)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--json", action="store_true", help="print the rows as JSON lines")
    a = ap.parse_args()
    domains = Path(a.shared) / "peers" / "negmas" / "domains"
    if not domains.is_dir():
        print(f"bench: {domains} is missing (the shared peer data)", file=sys.stderr)
        return 2
    print(f"negmas {negmas.__version__}, detente (Python) {detente.__name__}, repeat {a.repeat}")
    print("| domain | outcomes | frontier | NegMAS s | detente s | ratio |")
    print("|---|---|---|---|---|---|")
    for name in a.domains.split(","):
        row = frontier_row(domains / f"{name}.json", a.repeat)
        if a.json:
            print(json.dumps(row))
        agree = "" if row["frontier"] == row["negmas_frontier"] else f" (NegMAS: {row['negmas_frontier']})"
        print(
            f"| {row['domain']} | {row['outcomes']:,} | {row['frontier']}{agree} | "
            f"{row['negmas_s']:.4f} | {row['detente_s']:.4f} | {ratio(row['ratio'])} |"
        )
    row = sao_row(domains / "Car-A-domain.json", a.sessions, a.steps)
    if a.json:
        print(json.dumps(row))
    print()
    print("| SAO, Boulware vs Conceder | sessions | steps | NegMAS sessions/s | detente sessions/s | ratio |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {row['domain']} | {row['sessions']} | {row['steps']} | {row['negmas_per_s']:.1f} | "
        f"{row['detente_per_s']:.1f} | {ratio(row['ratio'])} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
