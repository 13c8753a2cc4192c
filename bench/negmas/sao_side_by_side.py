#!/usr/bin/env python3
"""SAO throughput side by side: NegMAS 0.16.0 vs `detente tournament`, per negotiator pair.

Normally started by bench/negmas/sao, which prepares the NegMAS virtual environment and builds
detente. For each domain x steps x ordered pair "a-b" (party 0 plays a and proposes first),
NegMAS's negotiators (BoulwareTBNegotiator, ...) against detente's NegMAS-compatible ones
(`boulware-negmas`, ... under `--mechanism negmas-sao`), which play NegMAS's sessions step
for step: the same sessions, so the same agreements, utilities and rounds (the `same` column
checks it). With --own, detente's own negotiators (`boulware`, ..., under its SAO) instead:
similar tactics, not the same sessions.

  NegMAS   bench/negmas/negmas_sao.py (our script, run with the venv's python, one process per
           domain): N sessions of SAOMechanism(n_steps=steps); time inside the process around
           the sessions only (no interpreter start-up, `import negmas` or domain loading);
           rounds = the mechanism state's `step` after run(), summed over the sessions.

  detente  `detente tournament DOMAIN --mechanism negmas-sao --negotiators a-negmas,b-negmas
           --steps S --repetitions R --json --threads 1` (and `--threads 0`, all cores; with
           --own: `--negotiators a,b` under the default SAO), one process, R chosen so that it runs
           >= --min-detente-s. The tournament plays every ordered combination (a-a, a-b, b-a,
           b-b; just a-a when a == b), so from its `sessions[]` records (`negotiators`: the
           negotiator index per party, `steps`: rounds started, agreement round included):
             tournament rounds/s = rounds of ALL its sessions / process wall time
             pair rounds/s       = rounds of the a-b sessions only / process wall time
           The second is a strict lower bound on detente's a-b rate (the wall time also pays for
           the other combinations, process start-up, building the domain with its exact Pareto
           frontier for the distances, and writing the JSON); the ratio is taken on it.
           Agreement rate and mean utilities come from the a-b sessions only.

A party without agreement gets its reserved value on both sides. detente's negotiators are
written from NegMAS's observed behaviour and the published tactics, not ported: the
`-negmas` ones equal NegMAS's sessions (checked live in crates/python/tests), the others
are compared for plausibility only (--own).

This file is the project's own code; it imports nothing from NegMAS.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

# The frontier bench's helpers (this folder is on sys.path when a script here runs).
from side_by_side import brief, probe_detente  # noqa: E402

DEFAULT_DOMAINS = "Car-A-domain,random_2p_1e4"
DEFAULT_STEPS = "100,1000"
DEFAULT_PAIRS = ("boulware-conceder,conceder-boulware,boulware-linear,linear-conceder,"
                 "aspiration-boulware,aspiration-aspiration")
KNOWN = ["tit-for-tat", "boulware", "linear", "conceder", "aspiration", "random", "hardliner", "nash"]
# The negotiators with a NegMAS-compatible variant (`NAME-negmas`, under `--mechanism negmas-sao`).
COMPATIBLE = ["boulware", "linear", "conceder", "aspiration"]


def split_pair(p: str) -> tuple[str, str]:
    for first in KNOWN:
        if p.startswith(first + "-") and p[len(first) + 1:] in KNOWN:
            return first, p[len(first) + 1:]
    raise ValueError(f"bad pair {p!r}: expected a-b with a, b among {', '.join(KNOWN)}")


# ----------------------------------------------------------------------------- NegMAS
def run_negmas(py: str, script: Path, domain: Path, steps: list[int], pairs: list[str],
               sessions: dict[int, int], timeout: float, env: dict) -> dict:
    """-> {(steps, pair): result dict}; a failure is reported as {"error": ...} for each case."""
    cmd = [py, str(script), str(domain), "--steps", ",".join(map(str, steps)), "--pairs", ",".join(pairs),
           "--sessions", ",".join(f"{s}:{sessions[s]}" for s in steps)]
    out: dict = {}
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        for line in p.stdout:  # one JSON line per case, as it finishes
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            out[(r["steps"], r["pair"])] = r
            if "error" in r:
                print(f"bench:   NegMAS  {r['steps']:>5} {r['pair']:<24} ERROR {r['error']}", file=sys.stderr, flush=True)
            else:
                print(f"bench:   NegMAS  {r['steps']:>5} {r['pair']:<24} {r['sessions']} sessions {r['wall_s']:.2f} s  "
                      f"{r['rounds_per_s']:.0f} rounds/s", file=sys.stderr, flush=True)
            if time.perf_counter() - t0 > timeout:
                raise subprocess.TimeoutExpired(cmd, timeout)
        p.wait(timeout=max(1.0, timeout - (time.perf_counter() - t0)))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        for s in steps:
            for pr in pairs:
                out.setdefault((s, pr), {"error": f"timeout after {timeout:g} s"})
        return out
    err = p.stderr.read()
    for s in steps:
        for pr in pairs:
            out.setdefault((s, pr), {"error": f"exit {p.returncode}: {brief(err)}"})
    return out


def run_harness(py: str, harness: Path, domain: Path, pair: str, steps: int, sessions: int, timeout: float,
                env: dict) -> dict:
    """The peer harness's own SAO mode (`bench_negmas.py sao`), as a black box, to cross-check our
    NegMAS figures. It names negotiators by NegMAS class."""
    classes = {"boulware": "BoulwareTBNegotiator", "linear": "LinearTBNegotiator",
               "conceder": "ConcederTBNegotiator", "aspiration": "AspirationNegotiator",
               "tit-for-tat": "NaiveTitForTatNegotiator"}
    a, b = split_pair(pair)
    if a not in classes or b not in classes:
        return {"error": "no NegMAS class"}
    cmd = [py, str(harness), "sao", "--domain", str(domain), "--pair", f"{classes[a]},{classes[b]}",
           "--steps", str(steps), "--sessions", str(sessions), "--reps", "1"]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:g} s"}
    lines = [l for l in p.stdout.splitlines() if l.startswith("{")]
    if p.returncode != 0 or not lines:
        return {"error": f"exit {p.returncode}: {brief(p.stderr)}"}
    h = json.loads(lines[-1])
    return {k: h.get(k) for k in ("sessions", "sessions_per_s_median", "rounds_per_s_median",
                                  "mean_rounds_per_session", "agreement_rate", "negmas")}


# ----------------------------------------------------------------------------- detente
def detente_once(binary: str, domain: Path, a: str, b: str, steps: int, reps: int, threads: int,
                 timeout: float, own: bool) -> dict:
    if not own:  # NegMAS's sessions: the compatible negotiators under NegMAS's SAO
        a, b = f"{a}-negmas", f"{b}-negmas"
    negs = [a] if a == b else [a, b]
    cmd = [binary, "tournament", str(domain), "--negotiators", ",".join(negs), "--steps", str(steps),
           "--repetitions", str(reps), "--json", "--threads", str(threads)]
    if not own:
        cmd += ["--mechanism", "negmas-sao"]
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:g} s", "cmd": cmd}
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        return {"error": f"exit {p.returncode}: {brief(p.stderr)}", "cmd": cmd}
    try:
        d = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        return {"error": f"bad JSON on stdout ({e})", "cmd": cmd}
    names = d["tournament"]["negotiators"]
    sess = d["sessions"]
    want = [names.index(a), names.index(b)]
    mine = [s for s in sess if list(s["negotiators"]) == want]
    n_parties = len(mine[0]["utilities"]) if mine else 2
    return {
        "cmd": cmd, "wall_s": wall, "repetitions": reps, "threads": threads,
        "all_sessions": len(sess), "all_rounds": sum(s["steps"] for s in sess),
        "pair_sessions": len(mine), "pair_rounds": sum(s["steps"] for s in mine),
        "agreement_rate": (sum(1 for s in mine if s["termination"]["kind"] == "agreement") / len(mine)) if mine else None,
        "mean_utilities": [sum(s["utilities"][k] for s in mine) / len(mine) for k in range(n_parties)] if mine else None,
        "mean_rounds": (sum(s["steps"] for s in mine) / len(mine)) if mine else None,
        "combinations": sorted({tuple(s["negotiators"]) for s in sess}),
    }


def rates(r: dict) -> dict:
    w = r["wall_s"]
    return {"tournament_sessions_per_s": r["all_sessions"] / w, "tournament_rounds_per_s": r["all_rounds"] / w,
            "pair_sessions_per_s": r["pair_sessions"] / w, "pair_rounds_per_s": r["pair_rounds"] / w}


def run_detente(binary: str, domain: Path, pair: str, steps: int, min_s: float, repeat: int, max_reps: int,
                timeout: float, all_cores: bool, own: bool) -> dict:
    a, b = split_pair(pair)
    # calibrate the repetitions on one thread: grow until one run takes >= min_s
    reps = 64
    while True:
        r = detente_once(binary, domain, a, b, steps, reps, 1, timeout, own)
        if r.get("error"):
            return {"error": r["error"], "cmd": " ".join(r["cmd"])}
        if r["wall_s"] >= min_s or reps >= max_reps:
            break
        grow = min_s * 1.25 / max(r["wall_s"], 1e-3)
        reps = min(max_reps, max(reps * 2, int(math.ceil(reps * grow))))
    out = {"repetitions": reps, "min_detente_s": min_s, "repeat": repeat}
    for label, threads in [("one_thread", 1)] + ([("all_cores", 0)] if all_cores else []):
        runs = [r] if threads == 1 else []
        while len(runs) < repeat:
            x = detente_once(binary, domain, a, b, steps, reps, threads, timeout, own)
            if x.get("error"):
                return {"error": x["error"], "cmd": " ".join(x["cmd"])}
            runs.append(x)
        med = sorted(runs, key=lambda x: x["wall_s"])[len(runs) // 2]  # the median run (odd repeat)
        res = {k: med[k] for k in ("wall_s", "threads", "all_sessions", "all_rounds", "pair_sessions", "pair_rounds")}
        res["wall_s_all"] = [x["wall_s"] for x in runs]
        res["cmd"] = " ".join(med["cmd"])
        res.update(rates(med))
        out[label] = res
        # the sessions are the same whatever the threads (deterministic by seed)
        out.update({k: med[k] for k in ("agreement_rate", "mean_utilities", "mean_rounds")})
        out["combinations"] = [list(c) for c in med["combinations"]]
    return out


# ----------------------------------------------------------------------------- table
def f_n(x) -> str:
    if x is None:
        return "-"
    if x >= 1000:
        return f"{x:,.0f}"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def f_u(us) -> str:
    if not us:
        return "-"
    return "/".join(f"{u:.3g}" if abs(u) >= 10 else f"{u:.3f}" for u in us)


def f_ratio(a, b) -> str:
    if a is None or b is None or b <= 0:
        return "-"
    r = a / b
    return f"{r:,.0f}x" if r >= 100 else f"{r:.1f}x"


COLUMNS = ["domain", "steps", "pair",
           "N sess", "N sess/s", "N rounds/s", "N rnd/sess", "N agree", "N utils",
           "d sess", "d sess/s", "d rounds/s", "d rounds/s tourn", "d rounds/s all-cores", "d rnd/sess",
           "d agree", "d utils", "same", "ratio", "ratio all-cores"]


def same_sessions(ng: dict, dt: dict):
    """Whether NegMAS's and detente's sessions of the pair agree as often, last as many rounds
    and give the parties the same mean utilities (to 1e-9, the means being sums in another
    order); None when either is missing."""
    if not ng or not dt or ng.get("error") or dt.get("error") or dt.get("unavailable"):
        return None
    if ng.get("agreement_rate") is None or dt.get("agreement_rate") is None:
        return None
    us = list(zip(ng.get("mean_utilities") or [], dt.get("mean_utilities") or []))
    return (ng["agreement_rate"] == dt["agreement_rate"] and ng.get("mean_rounds") == dt.get("mean_rounds")
            and len(us) == len(ng["mean_utilities"]) and all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
                                                           for x, y in us))


def table_row(r: dict) -> list[str]:
    ng, dt = r.get("negmas") or {}, r.get("detente") or {}
    one, allc = dt.get("one_thread") or {}, dt.get("all_cores") or {}
    ng_err, dt_err = ng.get("error"), dt.get("error") or dt.get("unavailable")
    return [r["domain"], str(r["steps"]), r["pair"],
            "error" if ng_err else str(ng.get("sessions", "-")), f_n(ng.get("sessions_per_s")),
            f_n(ng.get("rounds_per_s")), f_n(ng.get("mean_rounds")), f_n(ng.get("agreement_rate")),
            f_u(ng.get("mean_utilities")),
            "error" if dt_err else str(one.get("pair_sessions", "-")), f_n(one.get("pair_sessions_per_s")),
            f_n(one.get("pair_rounds_per_s")), f_n(one.get("tournament_rounds_per_s")),
            f_n(allc.get("pair_rounds_per_s")), f_n(dt.get("mean_rounds")), f_n(dt.get("agreement_rate")),
            f_u(dt.get("mean_utilities")),
            "-" if r.get("own") or same_sessions(ng, dt) is None else ("yes" if same_sessions(ng, dt) else "no"),
            f_ratio(one.get("pair_rounds_per_s"), ng.get("rounds_per_s")),
            f_ratio(allc.get("pair_rounds_per_s"), ng.get("rounds_per_s"))]


def print_table(rows: list[dict]) -> None:
    cells = [COLUMNS] + [table_row(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    line = lambda c: "| " + " | ".join(x.ljust(w) for x, w in zip(c, widths)) + " |"
    print(line(COLUMNS))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for c in cells[1:]:
        print(line(c))


# ----------------------------------------------------------------------------- main
def parse_sessions(s: str, steps: list[int]) -> dict[int, int]:
    """'100:20,1000:5' or a plain '10' (for every steps value)."""
    if ":" not in s:
        return {st: int(s) for st in steps}
    m = {int(k): int(v) for k, v in (p.split(":") for p in s.split(",") if p)}
    out = {}
    for st in steps:
        if st in m:
            out[st] = m[st]
        else:  # the nearest given steps value's count
            out[st] = m[min(m, key=lambda k: abs(k - st))]
    return out


def main() -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(
        prog="bench/negmas/sao",
        description="SAO sessions/s and rounds/s, NegMAS 0.16.0 vs `detente tournament`, per negotiator pair.")
    ap.add_argument("--domains", default=DEFAULT_DOMAINS, help=f"domain names in peers/negmas/domains (or extra/), "
                    f"or paths to NegMAS JSON domains (default {DEFAULT_DOMAINS})")
    ap.add_argument("--steps", default=DEFAULT_STEPS, help=f"n_steps values (default {DEFAULT_STEPS})")
    ap.add_argument("--pairs", default=DEFAULT_PAIRS, help="ordered pairs a-b, party 0 first (default: "
                    + DEFAULT_PAIRS + ")")
    ap.add_argument("--sessions", default="100:20,1000:5",
                    help="NegMAS sessions per case: N, or STEPS:N,... (default 100:20,1000:5)")
    ap.add_argument("--min-detente-s", type=float, default=0.5,
                    help="grow detente's --repetitions until one run takes at least this long (default 0.5)")
    ap.add_argument("--max-repetitions", type=int, default=200_000, help="cap on detente's --repetitions")
    ap.add_argument("--repeat", type=int, default=3, help="detente runs per case and thread setting; the median "
                    "wall time is reported (default 3)")
    ap.add_argument("--no-all-cores", action="store_true", help="skip the --threads 0 detente runs")
    ap.add_argument("--harness-check", action="store_true",
                    help="also run the peer harness's own `bench_negmas.py sao` on each case (black box), "
                    "to cross-check our NegMAS figures")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per subprocess (default 3600)")
    ap.add_argument("--own", action="store_true",
                    help="detente's own negotiators (boulware, ..., tit-for-tat) under its SAO instead of the "
                    "NegMAS-compatible ones (boulware-negmas, ...) under --mechanism negmas-sao: similar "
                    "tactics, not NegMAS's sessions")
    ap.add_argument("--no-negmas", action="store_true", help="run detente only")
    ap.add_argument("--no-detente", action="store_true", help="run NegMAS only")
    ap.add_argument("--no-build", action="store_true", help="(sao) do not run cargo build first")
    ap.add_argument("--keep-openblas-env", action="store_true",
                    help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for NegMAS (by default both are unset in its process)")
    ap.add_argument("--root", default=str(here.parent.parent), help=argparse.SUPPRESS)
    ap.add_argument("--peer-dir", default=os.environ.get("NEGMAS_PEER_DIR"),
                    help="the peers/negmas folder (default: ROOT/../shared/peers/negmas)")
    ap.add_argument("--detente", help="the detente binary (default: ROOT/target/release/detente)")
    ap.add_argument("--detente-unavailable", metavar="REASON", help=argparse.SUPPRESS)
    ap.add_argument("--out", help="JSON output (default: ROOT/target/bench-negmas-sao.json)")
    a = ap.parse_args()

    root = Path(a.root).resolve()
    peer = Path(a.peer_dir).resolve() if a.peer_dir else (root.parent / "shared" / "peers" / "negmas")
    try:
        steps = [int(x) for x in a.steps.split(",") if x.strip()]
        pairs = [p.strip() for p in a.pairs.split(",") if p.strip()]
        for p in pairs:
            if not a.own and any(x not in COMPATIBLE for x in split_pair(p)):
                raise ValueError(f"pair {p!r}: only {', '.join(COMPATIBLE)} have NegMAS-compatible "
                                 "variants (compare the others with --own)")
        sessions = parse_sessions(a.sessions, steps)
    except ValueError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        return 2
    if a.repeat < 1 or a.repeat % 2 == 0:
        print("bench: error: --repeat must be odd and >= 1 (the median run is reported)", file=sys.stderr)
        return 2
    files = []
    for name in [d.strip() for d in a.domains.split(",") if d.strip()]:
        cands = [Path(name), peer / "domains" / f"{name}.json", peer / "extra" / f"{name}.json"]
        f = next((c for c in cands if c.is_file()), None)
        if f is None:
            print(f"bench: error: no domain {name!r} (looked for {', '.join(map(str, cands))})", file=sys.stderr)
            return 2
        files.append(f.resolve())

    binary = a.detente or str(root / "target" / "release" / "detente")
    unavailable = None
    if a.no_detente:
        unavailable = "not run (--no-detente)"
    elif a.detente_unavailable:
        unavailable = f"unavailable ({a.detente_unavailable})"
    elif (why := probe_detente(binary, "tournament")):
        unavailable = f"unavailable ({why})"
    if unavailable:
        print(f"bench: detente: {unavailable}", file=sys.stderr)

    env = dict(os.environ)
    if not a.keep_openblas_env:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    negmas_version = None
    if not a.no_negmas:
        try:
            negmas_version = subprocess.run([sys.executable, "-c", "import negmas; print(negmas.__version__)"],
                                            capture_output=True, text=True, timeout=300, env=env).stdout.strip() or None
        except subprocess.TimeoutExpired:
            pass
        if not negmas_version:
            print(f"bench: error: {sys.executable} cannot import negmas (use bench/negmas/sao, which installs it)",
                  file=sys.stderr)
            return 2

    t_start = time.perf_counter()
    load0 = os.getloadavg()
    rows = []
    for f in files:
        d = json.loads(f.read_text())
        n_out = int(d.get("n_outcomes") or math.prod(len(i["values"]) for i in d["issues"]))
        print(f"bench: {f.stem} ({n_out:,} outcomes, {len(d['parties'])} parties)", file=sys.stderr, flush=True)
        ng_all = {}
        if not a.no_negmas:
            ng_all = run_negmas(sys.executable, here / "negmas_sao.py", f, steps, pairs, sessions, a.timeout, env)
        for st in steps:
            for pr in pairs:
                row = {"domain": f.stem, "file": str(f), "n_outcomes": n_out, "steps": st, "pair": pr,
                       "own": a.own}
                ng = ng_all.get((st, pr)) if not a.no_negmas else {"error": "not run (--no-negmas)"}
                if ng:
                    ng = dict(ng)
                    ng.pop("session_steps", None)
                if a.harness_check and ng and not ng.get("error"):
                    row["harness_check"] = run_harness(sys.executable, peer / "bench_negmas.py", f, pr, st,
                                                       sessions[st], a.timeout, env)
                    print(f"bench:   harness {st:>5} {pr:<24} {row['harness_check']}", file=sys.stderr, flush=True)
                if unavailable:
                    dt = {"unavailable": unavailable}
                else:
                    dt = run_detente(binary, f, pr, st, a.min_detente_s, a.repeat, a.max_repetitions, a.timeout,
                                     not a.no_all_cores, a.own)
                    if dt.get("error"):
                        print(f"bench:   detente {st:>5} {pr:<24} ERROR {dt['error']}", file=sys.stderr, flush=True)
                    else:
                        one = dt["one_thread"]
                        print(f"bench:   detente {st:>5} {pr:<24} R={dt['repetitions']} {one['wall_s']:.2f} s  "
                              f"{one['pair_rounds_per_s']:,.0f} pair rounds/s (1 thread)", file=sys.stderr, flush=True)
                row["negmas"], row["detente"] = ng, dt
                one = (dt or {}).get("one_thread") or {}
                allc = (dt or {}).get("all_cores") or {}
                nr = (ng or {}).get("rounds_per_s")
                row["ratio_rounds_per_s"] = one["pair_rounds_per_s"] / nr if nr and one.get("pair_rounds_per_s") else None
                row["ratio_rounds_per_s_all_cores"] = (allc["pair_rounds_per_s"] / nr
                                                       if nr and allc.get("pair_rounds_per_s") else None)
                rows.append(row)
    elapsed = time.perf_counter() - t_start

    ratios = [r["ratio_rounds_per_s"] for r in rows if r.get("ratio_rounds_per_s")]
    out = Path(a.out) if a.out else root / "target" / "bench-negmas-sao.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"negmas_version": negmas_version, "python": platform.python_version(),
           "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                       "loadavg_start": load0, "loadavg_end": os.getloadavg()},
           "detente_binary": binary, "detente_unavailable": unavailable,
           "args": {"domains": [str(f) for f in files], "steps": steps, "pairs": pairs, "negmas_sessions": sessions,
                    "min_detente_s": a.min_detente_s, "repeat": a.repeat, "own": a.own},
           "definitions": {
               "rounds": "NegMAS: SAOMechanism state.step after run(), summed over sessions; detente: sessions[].steps "
                         "(rounds started, the agreement round included). One round = every party gets one turn "
                         "(NegMAS one_offer_per_step=False).",
               "negmas_time": "perf_counter around the sessions inside the process (mechanism + negotiator creation "
                              "and run); excludes interpreter start-up, import negmas and domain loading",
               "detente_time": "wall time of the whole `detente tournament` process (start-up, domain + exact "
                               "frontier, all combinations of the pair's negotiators, JSON output)",
               "detente_pair_rates": "sessions/rounds of the ordered pair only, divided by the whole process wall "
                                     "time: a lower bound; the ratio columns use it",
               "detente_tournament_rates": "all sessions of the tournament (a-a, a-b, b-a, b-b) / wall time",
               "utilities": "mean over sessions of each party's utility of the agreement, or its reserved value "
                            "without one"},
           "elapsed_s": elapsed, "min_ratio": min(ratios) if ratios else None,
           "columns": COLUMNS, "table": [table_row(r) for r in rows], "rows": rows}
    out.write_text(json.dumps(doc, indent=1) + "\n")
    print()
    print(f"NegMAS {negmas_version or '-'} (bench/negmas/negmas_sao.py) vs detente tournament; SAO, "
          f"{os.cpu_count()} CPUs, load average {load0[0]:.1f} at start")
    print_table(rows)
    print()
    print("N = NegMAS: N sess sessions of SAOMechanism(n_steps=steps) timed inside the process (no interpreter "
          "start-up, import or domain loading); rounds = state.step after run(). d = detente: one `detente "
          "tournament --negotiators a,b --repetitions R --json` process (it also plays a-a and b-b, and b-a); "
          "d sess = its a-b sessions; d sess/s and d rounds/s = a-b sessions and rounds / the WHOLE process wall "
          "time (a lower bound: start-up, exact frontier, the other combinations and JSON output included), "
          "--threads 1; d rounds/s tourn = all its sessions' rounds / wall; all-cores = --threads 0. "
          "ratio = d rounds/s / N rounds/s. utils = mean utility of party 0/party 1 (reserved value without "
          "agreement). " + ("--own: detente's own negotiators under its SAO, written from the published tactics: "
                            "agreement and utilities are for plausibility, not equality." if a.own else
                            "detente: the -negmas negotiators under --mechanism negmas-sao, which play NegMAS's "
                            "sessions; same = equal agreement rate and rounds, and mean utilities to 1e-9."))
    verdicts = [same_sessions(r.get("negmas"), r.get("detente")) for r in rows] if not a.own else []
    if any(v is not None for v in verdicts):
        print(f"same sessions: {sum(1 for v in verdicts if v)} of {sum(1 for v in verdicts if v is not None)} cases")
    if ratios:
        print(f"smallest ratio (1 thread, lower bound): {min(ratios):,.0f}x over {len(ratios)} cases; "
              f"{sum(1 for x in ratios if x >= 100)} of {len(ratios)} at >= 100x")
    print(f"elapsed {elapsed:.0f} s; wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
