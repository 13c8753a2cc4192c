#!/usr/bin/env python3
"""Writes a seeded random linear additive domain as NegMAS plain JSON (the format of
../shared/peers/negmas/domains/FORMAT.md, which `detente frontier` and NegMAS both read).

Usage: bench/frontier/domain.py --parties P --issues I --options A[-B] --seed S [--reservations LO-HI]
                                [--name NAME] > FILE.json

Each issue has a number of options drawn uniformly from A..B; each party's weights are
uniform in [0, 1) normalised to sum 1 and its value of each option uniform in [0, 1), both
rounded to 6 decimals; its reserved value is uniform in [LO, HI) (default 0.0-0.2), rounded
to 6 decimals. The numbers come from Python's `random.Random(seed)` (the Mersenne Twister,
stable across Python versions), in the order: the option counts, then party by party its
weights, its values issue by issue, its reserved value. The same arguments give the same
bytes.
"""
import argparse
import json
import random
import sys


def span(text, what):
    a, _, b = text.partition("-")
    try:
        return (float(a), float(b or a)) if what == "float" else (int(a), int(b or a))
    except ValueError:
        sys.exit(f"domain.py: {text!r} is not a number or a range A-B")


def domain(n_parties, n_issues, options, seed, reservations, name):
    rng = random.Random(seed)
    sizes = [rng.randint(options[0], options[1]) for _ in range(n_issues)]
    parties = []
    for p in range(n_parties):
        w = [rng.random() for _ in range(n_issues)]
        total = sum(w)
        weights = [round(x / total, 6) for x in w]
        values = [[round(rng.random(), 6) for _ in range(k)] for k in sizes]
        rv = round(rng.uniform(*reservations), 6)
        parties.append({"name": f"p{p}", "weights": weights, "value_utils": values, "bias": 0.0,
                        "reserved_value": rv})
    n_outcomes = 1
    for k in sizes:
        n_outcomes *= k
    return {
        "name": name,
        "generator": {"script": "bench/frontier/domain.py", "parties": n_parties, "issues": n_issues,
                      "options": list(options), "seed": seed, "reservations": list(reservations)},
        "issues": [{"name": f"i{i}", "values": [f"v{j}" for j in range(k)]} for i, k in enumerate(sizes)],
        "parties": parties,
        "n_outcomes": n_outcomes,
        "outcome_order": "lexicographic (itertools.product over issues in order; last issue varies fastest)",
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--parties", type=int, required=True)
    ap.add_argument("--issues", type=int, required=True)
    ap.add_argument("--options", required=True, help="A or A-B")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--reservations", default="0.0-0.2", help="LO-HI")
    ap.add_argument("--name")
    a = ap.parse_args()
    options = span(a.options, "int")
    reservations = span(a.reservations, "float")
    if a.parties < 1 or a.issues < 1 or options[0] < 1 or options[1] < options[0]:
        sys.exit("domain.py: --parties, --issues and --options must be at least 1, A <= B")
    name = a.name or f"random_{a.parties}p_{a.issues}i_{a.options}o_s{a.seed}"
    d = domain(a.parties, a.issues, options, a.seed, reservations, name)
    json.dump(d, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
