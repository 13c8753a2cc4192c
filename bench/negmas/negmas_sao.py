#!/usr/bin/env python3
"""NegMAS 0.16.0 side of the SAO benchmark (bench/negmas/sao); run with the venv's python.

  negmas_sao.py DOMAIN.json --steps 100,1000 --pairs boulware-conceder,... --sessions 100:20,1000:5

Loads a NegMAS plain JSON domain (peers/negmas/domains/FORMAT.md) into a NegMAS outcome space
and one LinearAdditiveUtilityFunction per party (same values, weights, bias, reserved value),
then for every steps x pair runs N sessions of SAOMechanism(n_steps=steps), party 0 first.
Prints one JSON object per (steps, pair) on stdout.

Timing: time.perf_counter() around the N sessions only (creating the mechanism and the two
negotiators, adding them, mechanism.run()); interpreter start-up, `import negmas` and loading
the domain are outside it. Rounds of a session = the mechanism state's `step` after run()
(NegMAS's default SAO: one step = one round in which every negotiator gets a turn).
Utility of a party = its ufun at the agreement, or its reserved value without one.

NegMAS (AGPL-3.0) is only imported and called through its public API; this file is our own code.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

import negmas
from negmas import SAOMechanism, make_issue, make_os
from negmas.preferences import LinearAdditiveUtilityFunction

# detente negotiator name -> NegMAS 0.16 class name (nash has no NegMAS counterpart)
CLASSES = {
    "boulware": "BoulwareTBNegotiator",
    "linear": "LinearTBNegotiator",
    "conceder": "ConcederTBNegotiator",
    "aspiration": "AspirationNegotiator",
    "tit-for-tat": "NaiveTitForTatNegotiator",
    "random": "RandomNegotiator",
    "hardliner": "ToughNegotiator",
}


def load(path: str):
    with open(path) as fh:
        d = json.load(fh)
    issues = [make_issue([str(v) for v in iss["values"]], name=iss["name"]) for iss in d["issues"]]
    space = make_os(issues, name=d.get("name", "domain"))
    ufuns = []
    for party in d["parties"]:
        tables = []
        for iss, utils in zip(d["issues"], party["value_utils"]):
            tables.append({str(v): float(u) for v, u in zip(iss["values"], utils)})
        ufuns.append(LinearAdditiveUtilityFunction(
            values=tables, weights=[float(w) for w in party["weights"]], bias=float(party.get("bias", 0.0)),
            outcome_space=space, reserved_value=float(party["reserved_value"]), name=party["name"]))
    return d, space, ufuns


def split_pair(p: str) -> list[str]:
    """'tit-for-tat-conceder' -> ['tit-for-tat', 'conceder'] (names may contain '-')."""
    for first in sorted(CLASSES, key=len, reverse=True):
        if p.startswith(first + "-"):
            return [first, p[len(first) + 1:]]
    return p.split("-", 1)


def run_pair(space, ufuns, names: list[str], steps: int, sessions: int) -> dict:
    classes = [getattr(negmas, CLASSES[n]) for n in names]
    rounds = agreements = 0
    util_sums = [0.0] * len(names)
    per_session_steps = []
    t0 = time.perf_counter()
    for s in range(sessions):
        m = SAOMechanism(outcome_space=space, n_steps=steps)
        for k, (cls, uf) in enumerate(zip(classes, ufuns)):
            m.add(cls(name=f"{names[k]}{k}"), ufun=uf)
        state = m.run()
        rounds += state.step
        per_session_steps.append(state.step)
        agreement = state.agreement
        if agreement is not None:
            agreements += 1
        for k, uf in enumerate(ufuns):
            util_sums[k] += float(uf(agreement)) if agreement is not None else float(uf.reserved_value)
    wall = time.perf_counter() - t0
    return {"pair": "-".join(names), "steps": steps, "sessions": sessions, "wall_s": wall,
            "sessions_per_s": sessions / wall, "rounds": rounds, "rounds_per_s": rounds / wall,
            "mean_rounds": rounds / sessions, "agreement_rate": agreements / sessions,
            "mean_utilities": [u / sessions for u in util_sums], "session_steps": per_session_steps}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("domain")
    ap.add_argument("--steps", default="100,1000")
    ap.add_argument("--pairs", required=True, help="comma list of a-b pairs (detente names)")
    ap.add_argument("--sessions", default="100:20,1000:5",
                    help="sessions per steps value, STEPS:N,... (a plain N applies to all)")
    a = ap.parse_args()
    steps_list = [int(x) for x in a.steps.split(",") if x]
    if ":" in a.sessions:
        sess = {int(k): int(v) for k, v in (p.split(":") for p in a.sessions.split(",") if p)}
    else:
        sess = {s: int(a.sessions) for s in steps_list}
    d, space, ufuns = load(a.domain)
    pairs = [split_pair(p) for p in a.pairs.split(",") if p]
    for steps in steps_list:
        for names in pairs:
            if len(names) != len(ufuns) or any(n not in CLASSES for n in names):
                print(json.dumps({"pair": "-".join(names), "steps": steps,
                                  "error": f"no NegMAS class for {names} on {len(ufuns)} parties"}), flush=True)
                continue
            n = sess.get(steps, sess.get(max(sess), 5))
            r = run_pair(space, ufuns, names, steps, n)
            r["domain"] = d.get("name")
            r["negmas"] = negmas.__version__
            print(json.dumps(r), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
