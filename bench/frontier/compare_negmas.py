#!/usr/bin/env python3
"""Compares `detente frontier --all --json` with NegMAS 0.16.0's pareto_frontier (run as a
black box through ../shared/peers/negmas/bench_negmas.py) on NegMAS plain JSON domains:
every frontier point (utility vectors, bit for bit: detente sums as NegMAS does) and the
count, and both times. Prints one table row per domain.

Usage: bench/frontier/compare_negmas.py --detente PATH --python VENV_PYTHON DOMAIN.json...

Make domains with bench/frontier/domain.py; NegMAS writes DOMAIN_answer.json next to each
(an existing one is reused, its time then read from DOMAIN.negmas.out when present).
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "..", "shared", "peers", "negmas", "bench_negmas.py")


def negmas(python, domain):
    answer = domain[:-5] + "_answer.json"
    out = domain[:-5] + ".negmas.out"
    if not os.path.exists(answer):
        run = subprocess.run([python, BENCH, "pareto", domain, "--reps", "1", "--answer"],
                             stdout=subprocess.PIPE, text=True, check=True)
        with open(out, "w") as f:
            f.write(run.stdout)
    seconds = float("nan")
    if os.path.exists(out):
        seconds = json.loads(open(out).read().strip().splitlines()[-1])["pareto_s_median"]
    return json.load(open(answer)), seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--detente", required=True)
    ap.add_argument("--python", required=True)
    ap.add_argument("domains", nargs="+")
    a = ap.parse_args()
    print("| domain | parties | issues | outcomes | NegMAS points | detente points | same points | NegMAS s | detente s |")
    print("|---|---|---|---|---|---|---|---|---|")
    bad = 0
    for domain in a.domains:
        d = json.load(open(domain))
        ans, t_negmas = negmas(a.python, domain)
        t = time.perf_counter()
        ours = json.loads(subprocess.run([a.detente, "frontier", domain, "--all", "--json"],
                                         stdout=subprocess.PIPE, text=True, check=True).stdout)
        t_ours = time.perf_counter() - t
        theirs = sorted(tuple(p) for p in ans["frontier_utils"])
        mine = sorted(tuple(p) for p in ours["frontier"])
        same = theirs == mine and ours["frontier_size"] == len(theirs) and ours["frontier_complete"]
        bad += not same
        print(f"| {d['name']} | {len(d['parties'])} | {len(d['issues'])} | {d['n_outcomes']:,} | "
              f"{len(theirs):,} | {ours['frontier_size']:,} | {'yes, bit for bit' if same else 'NO'} | "
              f"{t_negmas:.1f} | {t_ours:.2f} |")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
