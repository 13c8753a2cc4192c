#!/usr/bin/env python3
"""Side-by-side benchmark of NegMAS 0.16.0 and `detente frontier` on the peer domains.

Normally started by bench/negmas/run, which prepares the NegMAS virtual environment and
builds detente. For each domain it runs, each in its own subprocess (so that peak memory
is measured separately):

  (a) NegMAS, through the peer harness shared/peers/negmas/bench_negmas.py, used as a black
      box: `bench_negmas.py pareto COPY.json --reps R --answer` on a copy of the domain file
      in a scratch folder (the harness writes COPY_answer.json next to its input);
  (b) `target/release/detente frontier DOMAIN.json --json`, R times.

It then compares the answers (frontier as a set of utility vectors, relative tolerance
1e-9, and each solution's set of tied utility vectors), also against the stored
NAME_answer.json, prints a table and writes target/bench-negmas.json.

This file is the project's own code; it imports nothing from NegMAS.
"""
from __future__ import annotations

import argparse
import bisect
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REL_TOL = 1e-9
ABS_TOL = 1e-12  # only matters for utilities that are (almost) exactly zero
BIG = 1_000_000  # at and above this many outcomes NegMAS runs once whatever --repeat says
TIME_V = "/usr/bin/time"

# detente JSON key -> NegMAS answer-file key
SOLUTIONS = [
    ("nash", "nash"),
    ("egalitarian", "kalai_egalitarian"),
    ("kalai_smorodinsky", "kalai_smorodinsky"),
    ("max_welfare", "max_welfare"),
]


# ----------------------------------------------------------------------------- comparison
def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def vec_close(a, b) -> bool:
    return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))


def as_vectors(v) -> list[tuple[float, ...]]:
    """A solution's `utilities`: None, one vector [u1, ..., un] or a list of vectors."""
    if v is None:
        return []
    if isinstance(v, dict):  # a NegMAS-style point {"utils": [...]} or {"utilities": ...}
        return as_vectors(v.get("utilities", v.get("utils")))
    if not isinstance(v, list) or not v:
        return []
    if all(isinstance(x, (int, float)) for x in v):
        return [tuple(float(x) for x in v)]
    out = []
    for x in v:
        out.extend(as_vectors(x))
    return out


def solution_vectors(sol) -> list[tuple[float, ...]]:
    """All tied points of one detente solution: its `utilities` (a vector or a list of
    vectors) plus, when present, the `utilities` of each entry of its `ties` list."""
    if not isinstance(sol, dict):
        return as_vectors(sol)
    pts = as_vectors(sol.get("utilities"))
    if sol.get("ties"):
        pts += as_vectors(sol["ties"])
    return dedupe(pts)[0]


def dedupe(points: list[tuple[float, ...]]) -> tuple[list[tuple[float, ...]], int]:
    """Exact duplicates collapse to one (NegMAS keeps one representative). -> (points, n removed)."""
    seen, out = set(), []
    for p in points:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out, len(points) - len(out)


def match_sets(a: list, b: list) -> tuple[list, list]:
    """One-to-one matching of two sets of utility vectors within the tolerance.
    -> (points of a with no partner in b, points of b with no partner in a)."""
    a, _ = dedupe([tuple(p) for p in a])
    b, _ = dedupe([tuple(p) for p in b])
    if not a or not b:
        return a, b
    order = sorted(range(len(b)), key=lambda k: b[k][0])
    keys = [b[k][0] for k in order]
    used = [False] * len(b)
    only_a = []
    for p in a:
        # isclose(x, y) implies |x - y| < 2 * REL_TOL * |x| (or <= ABS_TOL): a window on the first coordinate
        t = max(2 * REL_TOL * abs(p[0]), ABS_TOL)
        j = bisect.bisect_left(keys, p[0] - t)
        found = False
        while j < len(keys) and keys[j] <= p[0] + t:
            k = order[j]
            if not used[k] and vec_close(p, b[k]):
                used[k] = found = True
                break
            j += 1
        if not found:
            only_a.append(p)
    only_b = [b[k] for k in range(len(b)) if not used[k]]
    return only_a, only_b


def fmt_vec(p) -> str:
    return "(" + ", ".join(f"{x:.12g}" for x in p) + ")"


def compare_answers(ref: dict, got: dict, ref_name: str = "negmas", got_name: str = "detente") -> dict:
    """ref: a NegMAS answer (answer-file format); got: detente's `frontier --json` output.
    -> {"agree": bool, "differences": [short strings], "details": {...}}"""
    diffs, details, notes = [], {}, []
    if "n_outcomes" in ref and "n_outcomes" in got and int(ref["n_outcomes"]) != int(got["n_outcomes"]):
        diffs.append(f"n_outcomes {ref['n_outcomes']} vs {got['n_outcomes']}")
    gf = [tuple(float(x) for x in p) for p in (got.get("frontier") or [])]
    gf_set, dups = dedupe(gf)
    if dups:
        diffs.append(f"{got_name} frontier repeats {dups} point(s)")
    if got.get("frontier_complete") is False:  # detente lists only part of a too-large frontier
        diffs.append(f"{got_name} lists {len(gf)} of >= {got.get('frontier_size')} frontier points "
                     "(frontier_complete: false)")
    elif "frontier_size" in got and got["frontier_size"] != len(gf):
        diffs.append(f"{got_name} frontier_size {got['frontier_size']} != {len(gf)} points listed")
    rf = [tuple(float(x) for x in p) for p in ref.get("frontier_utils", [])]
    only_r, only_g = match_sets(rf, gf_set)
    details["frontier"] = {"only_" + ref_name: [list(p) for p in only_r[:20]],
                           "only_" + got_name: [list(p) for p in only_g[:20]],
                           "n_only_" + ref_name: len(only_r), "n_only_" + got_name: len(only_g)}
    if only_r or only_g:
        diffs.append(f"frontier: {len(only_r)} only in {ref_name}, {len(only_g)} only in {got_name}")
    for gkey, rkey in SOLUTIONS:
        rv = as_vectors(ref.get(rkey))
        if gkey not in got:
            diffs.append(f"{gkey}: missing in {got_name}")
            continue
        gv = solution_vectors(got[gkey])
        if isinstance(got[gkey], dict) and got[gkey].get("exact") is False:
            notes.append(f"{gkey}: {got_name} says not exact ({got[gkey].get('note')})")
        o_r, o_g = match_sets(rv, gv)
        details[gkey] = {ref_name: [list(p) for p in rv], got_name: [list(p) for p in gv]}
        if o_r or o_g:
            if not o_g and gv:
                diffs.append(f"{gkey}: {got_name} gives {len(gv)} of {ref_name}'s {len(dedupe(rv)[0])} tied points")
            elif not o_r and rv:
                diffs.append(f"{gkey}: {got_name} gives {len(o_g)} tied point(s) more than {ref_name}")
            else:
                diffs.append(f"{gkey}: {ref_name} {', '.join(fmt_vec(p) for p in rv[:2]) or 'none'}"
                             f" vs {got_name} {', '.join(fmt_vec(p) for p in gv[:2]) or 'none'}")
    return {"agree": not diffs, "differences": diffs, "notes": notes, "details": details}


def safe_compare(ref: dict, got: dict, **names) -> dict:
    """compare_answers, but a malformed answer becomes a reported difference, not a crash."""
    try:
        return compare_answers(ref, got, **names)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as e:
        return {"agree": False, "differences": [f"malformed answer ({type(e).__name__}: {e})"], "details": {}}


def answer_as_detente(ans: dict, vector_for_single: bool = True) -> dict:
    """A NegMAS answer file in the shape of `detente frontier --json` (used by --self-test)."""
    out = {"n_outcomes": ans["n_outcomes"], "frontier": [list(p) for p in ans["frontier_utils"]],
           "frontier_size": len(ans["frontier_utils"])}
    for gkey, rkey in SOLUTIONS:
        pts = [p["utils"] for p in ans[rkey]]
        util = pts[0] if (vector_for_single and len(pts) == 1) else pts
        out[gkey] = {"utilities": util, "outcome": ans[rkey][0]["outcome"] if ans[rkey] else None}
    return out


# ----------------------------------------------------------------------------- subprocesses
def run_measured(cmd: list[str], timeout: float, env: dict | None = None) -> dict:
    """Run cmd under `/usr/bin/time -v`: wall seconds, peak RSS (MB), exit code, stdout, stderr."""
    t0 = time.perf_counter()
    p = subprocess.Popen([TIME_V, "-v"] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)  # time and the program it runs: its own process group
        p.communicate()
        return {"error": f"timeout after {timeout:g} s", "rc": None, "wall_s": None, "peak_mb": None,
                "stdout": "", "stderr": ""}
    wall = time.perf_counter() - t0
    peak = None
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)\s*$", err, re.M)
    if m:
        peak = int(m.group(1)) / 1024
    marks = list(re.finditer(r"(?m)^(Command (exited with non-zero status|terminated by signal) \d+\n)?"
                             r"\tCommand being timed:", err))
    if marks:  # time's own report follows the program's stderr
        err = err[: marks[-1].start()]
    return {"rc": p.returncode, "wall_s": wall, "peak_mb": peak, "stdout": out, "stderr": err}


def run_measured_wait4(cmd: list[str], timeout: float, env: dict | None = None) -> dict:
    """Fallback without /usr/bin/time: os.wait4 gives this one child's rusage (ru_maxrss, kB)."""
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, text=True, env=env, start_new_session=True)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(p.pid, signal.SIGKILL)
                os.wait4(p.pid, 0)
                return {"error": f"timeout after {timeout:g} s", "rc": None, "wall_s": None, "peak_mb": None,
                        "stdout": "", "stderr": ""}
            time.sleep(0.002)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        return {"rc": p.returncode, "wall_s": wall, "peak_mb": ru.ru_maxrss / 1024,
                "stdout": fo.read(), "stderr": fe.read()}


def measure(cmd, timeout, env=None):
    if os.access(TIME_V, os.X_OK):
        return run_measured(cmd, timeout, env)
    return run_measured_wait4(cmd, timeout, env)


def brief(s: str, n: int = 160) -> str:
    """The telling line of an error output: a line starting with 'error' / 'detente:' /
    'Traceback'-style exception, else the last line."""
    lines = [l.strip() for l in (s or "").strip().splitlines() if l.strip()]
    for l in lines:
        if l.lower().startswith(("error", "detente:")):
            return l[:n]
    return (lines[-1] if lines else "no message")[:n]


# ----------------------------------------------------------------------------- the two sides
def run_negmas(py: str, harness: Path, domain: Path, reps: int, scratch: Path, timeout: float,
               env: dict) -> dict:
    scratch.mkdir(parents=True, exist_ok=True)
    copy_ = scratch / domain.name
    shutil.copyfile(domain, copy_)
    ans_path = scratch / (domain.stem + "_answer.json")
    if ans_path.exists():
        ans_path.unlink()
    r = measure([py, str(harness), "pareto", str(copy_), "--reps", str(reps), "--answer"], timeout, env)
    res = {"reps": reps, "process_wall_s": r["wall_s"], "peak_mb": r["peak_mb"]}
    if r.get("error"):
        res["error"] = r["error"]
        return res
    lines = [l for l in r["stdout"].splitlines() if l.startswith("{")]
    if r["rc"] != 0 or not lines or not ans_path.exists():
        res["error"] = f"exit {r['rc']}: {brief(r['stderr'])}"
        return res
    h = json.loads(lines[-1])
    res["harness"] = {k: h[k] for k in ("load_s", "pareto_s_median", "pareto_s_all", "nash_s_median",
                                        "kalai_ks_welfare_s_median", "frontier_size", "negmas") if k in h}
    res["compute_s"] = h["load_s"] + h["pareto_s_median"] + h["nash_s_median"] + h["kalai_ks_welfare_s_median"]
    res["answer"] = json.loads(ans_path.read_text())
    res["n_parties"] = h.get("n_parties")
    res["n_outcomes"] = h.get("n_outcomes")
    return res


def run_detente(binary: str, domain: Path, reps: int, timeout: float) -> dict:
    walls, peaks, out = [], [], None
    for _ in range(reps):
        r = measure([binary, "frontier", str(domain), "--json"], timeout)
        if r.get("error"):
            return {"error": r["error"], "reps": reps}
        if r["rc"] != 0:
            return {"error": f"exit {r['rc']}: {brief(r['stderr'])}", "reps": reps}
        try:
            out = json.loads(r["stdout"])
        except json.JSONDecodeError as e:
            return {"error": f"bad JSON on stdout ({e})", "reps": reps}
        walls.append(r["wall_s"])
        if r["peak_mb"] is not None:
            peaks.append(r["peak_mb"])
    return {"reps": reps, "wall_s": statistics.median(walls), "wall_s_all": walls,
            "peak_mb": max(peaks) if peaks else None, "answer": out}


def probe_detente(binary: str, command: str = "frontier") -> str | None:
    """None when `detente COMMAND` exists, else why not."""
    if not os.access(binary, os.X_OK):
        return f"no binary at {binary}"
    try:
        p = subprocess.run([binary, command, "--help"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"cannot run {binary}: {e}"
    if p.returncode != 0:
        return f"'detente {command}' not available ({brief(p.stderr or p.stdout, 80)})"
    return None


# ----------------------------------------------------------------------------- table
def f_s(x) -> str:
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 1:
        return f"{x:.2f}"
    return f"{x:.3f}" if x >= 0.01 else f"{x:.4f}"


def f_mb(x) -> str:
    return "-" if x is None else f"{x:.0f}" if x >= 10 else f"{x:.1f}"


def f_ratio(a, b) -> str:
    if a is None or b is None or b <= 0:
        return "-"
    r = a / b
    return f"{r:.0f}x" if r >= 100 else f"{r:.1f}x" if r >= 1 else f"{r:.2f}x"


COLUMNS = ["domain", "parties", "outcomes", "NegMAS s", "detente s", "speed-up", "NegMAS MB",
           "detente MB", "mem ratio", "frontier N/d", "agree", "detente=stored", "NegMAS=stored"]


def table_row(r: dict) -> list[str]:
    ng, dt = r.get("negmas") or {}, r.get("detente") or {}
    fn = ng.get("frontier_size")
    fd = dt.get("frontier_size")
    return [r["domain"], str(r.get("n_parties", "-")), f"{r['n_outcomes']:,}" if r.get("n_outcomes") else "-",
            "error" if ng.get("error") else f_s(ng.get("compute_s")),
            "-" if dt.get("error") or dt.get("unavailable") else f_s(dt.get("wall_s")),
            f_ratio(ng.get("compute_s"), dt.get("wall_s")),
            f_mb(ng.get("peak_mb")), f_mb(dt.get("peak_mb")), f_ratio(ng.get("peak_mb"), dt.get("peak_mb")),
            f"{'-' if fn is None else fn}/{'-' if fd is None else fd}",
            r["agree"], r.get("detente_vs_stored", "-"), r.get("negmas_vs_stored", "-")]


def print_table(rows: list[dict]) -> None:
    cells = [COLUMNS] + [table_row(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS) - 3)]
    def line(c):  # the last three (free text) columns are not padded
        return "| " + " | ".join(x.ljust(w) for x, w in zip(c, widths)) + " | " + " | ".join(c[len(widths):]) + " |"
    print(line(COLUMNS))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|" + "|".join("---" for _ in COLUMNS[len(widths):]) + "|")
    for c in cells[1:]:
        print(line(c))


def verdict(cmp: dict | None, unavailable: str | None = None) -> str:
    if unavailable:
        return unavailable
    if cmp is None:
        return "-"
    return "yes" if cmp["agree"] else "no: " + "; ".join(cmp["differences"])


# ----------------------------------------------------------------------------- self-test
def self_test(peer: Path) -> int:
    """Exercise the comparison on the stored answer files: each against itself (in detente's
    shape, shuffled, single solutions as vectors or as lists) must agree; perturbed copies
    must be caught; perturbations below the tolerance must not be."""
    files = sorted((peer / "domains").glob("*_answer.json"))
    rng = random.Random(7)
    n_pass = n_fail = 0

    def check(name, cond):
        nonlocal n_pass, n_fail
        if cond:
            n_pass += 1
        else:
            n_fail += 1
            print(f"FAIL {name}")

    for f in files:
        ans = json.loads(f.read_text())
        nm = f.name[: -len("_answer.json")]
        for vec in (True, False):
            got = answer_as_detente(ans, vector_for_single=vec)
            rng.shuffle(got["frontier"])
            check(f"{nm} self (vector={vec})", compare_answers(ans, got)["agree"])
        # below tolerance: relative 1e-12 everywhere
        got = answer_as_detente(ans)
        got["frontier"] = [[x * (1 + 1e-12) for x in p] for p in got["frontier"]]
        check(f"{nm} 1e-12 perturbation tolerated", compare_answers(ans, got)["agree"])
        if not ans["frontier_utils"]:
            continue
        # a frontier point moved by 1e-7 (relative): one only-in-each-side
        got = answer_as_detente(ans)
        k = rng.randrange(len(got["frontier"]))
        got["frontier"][k] = [got["frontier"][k][0] * (1 + 1e-7)] + got["frontier"][k][1:]
        c = compare_answers(ans, got)
        check(f"{nm} moved point caught", not c["agree"] and "frontier: 1 only in negmas, 1 only in detente" in c["differences"])
        # a frontier point dropped
        got = answer_as_detente(ans)
        got["frontier"].pop(k)
        got["frontier_size"] -= 1
        c = compare_answers(ans, got)
        check(f"{nm} dropped point caught", not c["agree"] and "frontier: 1 only in negmas, 0 only in detente" in c["differences"])
        # a duplicated point (set-equal, but reported)
        got = answer_as_detente(ans)
        got["frontier"].append(list(got["frontier"][0]))
        got["frontier_size"] += 1
        c = compare_answers(ans, got)
        check(f"{nm} duplicate reported", not c["agree"] and any("repeats 1" in d for d in c["differences"]))
        # a wrong Nash point (another frontier point, when there is one)
        if len(ans["frontier_utils"]) > 1:
            got = answer_as_detente(ans)
            other = next(p for p in ans["frontier_utils"]
                         if not any(vec_close(p, q["utils"]) for q in ans["nash"]))
            got["nash"]["utilities"] = other
            c = compare_answers(ans, got)
            check(f"{nm} wrong nash caught", not c["agree"] and any(d.startswith("nash:") for d in c["differences"]))
        # ties: detente giving a tie list (list of vectors) in another order still agrees
        got = answer_as_detente(ans, vector_for_single=False)
        got["max_welfare"]["utilities"] = list(reversed(got["max_welfare"]["utilities"]))
        check(f"{nm} tie list order-free", compare_answers(ans, got)["agree"])
        # ties given as `ties: [{"utilities": ...}, ...]` beside a single `utilities` vector
        got = answer_as_detente(ans)
        for gkey, rkey in SOLUTIONS:
            pts = [p["utils"] for p in ans[rkey]]
            got[gkey] = {"utilities": pts[0] if pts else None,
                         "ties": [{"utilities": u} for u in reversed(pts)]}
        check(f"{nm} ties list read", compare_answers(ans, got)["agree"])
        if any(len(ans[rkey]) > 1 for _, rkey in SOLUTIONS):
            for gkey, rkey in SOLUTIONS:
                if len(ans[rkey]) > 1:
                    got[gkey]["ties"] = got[gkey]["ties"][:1]
            c = compare_answers(ans, got)
            check(f"{nm} missing tie caught", not c["agree"] and any("tied points" in d for d in c["differences"]))
    # a missing solution and an empty frontier
    ans = json.loads(files[0].read_text())
    got = answer_as_detente(ans)
    del got["egalitarian"]
    c = compare_answers(ans, got)
    check("missing solution caught", not c["agree"] and "egalitarian: missing in detente" in c["differences"])
    empty = {"n_outcomes": 5, "frontier_utils": [], "nash": [], "kalai_egalitarian": [], "kalai_smorodinsky": [],
             "max_welfare": []}
    got = {"n_outcomes": 5, "frontier": [], "frontier_size": 0, "nash": {"utilities": None, "outcome": None},
           "egalitarian": {"utilities": []}, "kalai_smorodinsky": {"utilities": [], "outcome": None},
           "max_welfare": None}
    check("empty frontier agrees", compare_answers(empty, got)["agree"])
    print(f"self-test: {len(files)} answer files")
    print(f"{n_pass} passed, {n_fail} failed")
    return 1 if n_fail else 0


# ----------------------------------------------------------------------------- main
def main() -> int:
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(
        prog="bench/negmas/run",
        description="NegMAS 0.16.0 vs `detente frontier`, side by side: time, peak memory, answers.")
    ap.add_argument("--extra", action="store_true", help="also the larger problems in peers/negmas/extra")
    ap.add_argument("--domains", help="comma-separated domain names (file stems), e.g. Laptop,random_2p_1e5")
    ap.add_argument("--repeat", type=int, default=1, help="runs per side; the median wall time is reported "
                    f"(NegMAS runs once on domains with >= {BIG:,} outcomes)")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per subprocess (default 3600)")
    ap.add_argument("--no-negmas", action="store_true", help="run detente only (compare with stored answers)")
    ap.add_argument("--no-build", action="store_true", help="(run) do not run cargo build first")
    ap.add_argument("--keep-openblas-env", action="store_true",
                    help="keep OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for NegMAS (by default both are unset in its subprocess)")
    ap.add_argument("--self-test", action="store_true", help="test the comparison on the stored answer files and exit")
    ap.add_argument("--root", default=str(here.parent.parent), help=argparse.SUPPRESS)
    ap.add_argument("--peer-dir", default=os.environ.get("NEGMAS_PEER_DIR"),
                    help="the peers/negmas folder (default: ROOT/../shared/peers/negmas)")
    ap.add_argument("--detente", help="the detente binary (default: ROOT/target/release/detente)")
    ap.add_argument("--detente-unavailable", metavar="REASON", help=argparse.SUPPRESS)
    ap.add_argument("--out", help="JSON output (default: ROOT/target/bench-negmas.json)")
    a = ap.parse_args()

    root = Path(a.root).resolve()
    peer = Path(a.peer_dir).resolve() if a.peer_dir else (root.parent / "shared" / "peers" / "negmas")
    if not (peer / "domains").is_dir():
        print(f"bench: error: no NegMAS peer folder at {peer} (set --peer-dir or NEGMAS_PEER_DIR)", file=sys.stderr)
        return 2
    if a.self_test:
        return self_test(peer)
    if a.repeat < 1:
        print("bench: error: --repeat must be >= 1", file=sys.stderr)
        return 2

    # the domains, smallest first
    folders = [peer / "domains"] + ([peer / "extra"] if a.extra else [])
    files = [f for d in folders for f in sorted(d.glob("*.json")) if not f.name.endswith("_answer.json")]
    if a.domains:
        want = [w.strip() for w in a.domains.split(",") if w.strip()]
        known = {f.stem: f for f in files}
        if not a.extra:  # a name from extra/ may be asked for without --extra
            known.update({f.stem: f for f in sorted((peer / "extra").glob("*.json"))
                          if not f.name.endswith("_answer.json") and f.stem not in known})
        missing = [w for w in want if w not in known]
        if missing:
            print(f"bench: error: unknown domain(s): {', '.join(missing)}; known: {', '.join(sorted(known))}",
                  file=sys.stderr)
            return 2
        files = [known[w] for w in want]
    meta = {}
    for f in files:
        d = json.loads(f.read_text())
        meta[f] = (int(d.get("n_outcomes") or math.prod(len(i["values"]) for i in d["issues"])), len(d["parties"]))
    if not a.domains:
        files.sort(key=lambda f: (meta[f][0], f.stem))

    binary = a.detente or str(root / "target" / "release" / "detente")
    unavailable = f"detente: unavailable ({a.detente_unavailable})" if a.detente_unavailable else None
    if not unavailable:
        why = probe_detente(binary)
        if why:
            unavailable = f"detente: unavailable ({why})"
    if unavailable:
        print(f"bench: {unavailable}", file=sys.stderr)
    if not os.access(TIME_V, os.X_OK):
        print(f"bench: note: {TIME_V} not found (Debian package 'time': apt-get install time); "
              "peak memory comes from os.wait4's ru_maxrss instead", file=sys.stderr)

    harness = peer / "bench_negmas.py"
    env = dict(os.environ)
    if not a.keep_openblas_env:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    scratch = root / "target" / "bench-negmas-work"
    negmas_version = None
    if not a.no_negmas:
        try:
            negmas_version = subprocess.run([sys.executable, "-c", "import negmas; print(negmas.__version__)"],
                                            capture_output=True, text=True, timeout=300, env=env).stdout.strip() or None
        except subprocess.TimeoutExpired:
            pass
        if not negmas_version:
            print(f"bench: error: {sys.executable} cannot import negmas (use bench/negmas/run, "
                  "which installs it)", file=sys.stderr)
            return 2

    rows = []
    for f in files:
        n_out, n_par = meta[f]
        row = {"domain": f.stem, "file": str(f), "n_parties": n_par, "n_outcomes": n_out}
        print(f"bench: {f.stem} ({n_out:,} outcomes, {n_par} parties)", file=sys.stderr, flush=True)
        stored_path = f.with_name(f.stem + "_answer.json")
        stored = json.loads(stored_path.read_text()) if stored_path.exists() else None
        ng = None
        if not a.no_negmas:
            reps = 1 if n_out >= BIG else a.repeat
            ng = run_negmas(sys.executable, harness, f, reps, scratch, a.timeout, env)
            if "answer" in ng:
                ng["frontier_size"] = len(ng["answer"]["frontier_utils"])
            print(f"bench:   NegMAS  {f_s(ng.get('compute_s'))} s compute, "
                  f"{f_s(ng.get('process_wall_s'))} s process, {f_mb(ng.get('peak_mb'))} MB"
                  + (f"  ERROR {ng['error']}" if ng.get("error") else ""), file=sys.stderr, flush=True)
        dt = None
        if unavailable:
            dt = {"unavailable": unavailable}
        else:
            dt = run_detente(binary, f, a.repeat, a.timeout)
            if "answer" in dt:
                fr = dt["answer"].get("frontier") or []
                dt["frontier_size"] = len(dedupe([tuple(p) for p in fr])[0])
                if dt["answer"].get("frontier_complete") is False:
                    dt["frontier_size"] = f"{dt['answer'].get('frontier_size')}+"
            print(f"bench:   detente {f_s(dt.get('wall_s'))} s, {f_mb(dt.get('peak_mb'))} MB"
                  + (f"  ERROR {dt['error']}" if dt.get("error") else ""), file=sys.stderr, flush=True)
        # comparisons
        cmp_nd = cmp_ds = cmp_ns = None
        if ng and "answer" in ng and dt and "answer" in dt:
            cmp_nd = safe_compare(ng["answer"], dt["answer"])
        if stored and dt and "answer" in dt:
            cmp_ds = safe_compare(stored, dt["answer"], ref_name="stored")
            row["detente_vs_stored"] = verdict(cmp_ds)
        if stored and ng and "answer" in ng:
            cmp_ns = safe_compare(stored, answer_as_detente(ng["answer"], vector_for_single=False),
                                  ref_name="stored", got_name="negmas")
            row["negmas_vs_stored"] = verdict(cmp_ns)
        if dt.get("unavailable"):
            row["agree"] = dt["unavailable"]
        elif dt.get("error"):
            row["agree"] = f"detente: error ({dt['error']})"
        elif ng is None:
            row["agree"] = "NegMAS not run"
        elif ng.get("error"):
            row["agree"] = f"NegMAS: error ({ng['error']})"
        else:
            row["agree"] = verdict(cmp_nd)
        row["comparison"] = {"negmas_vs_detente": cmp_nd, "stored_vs_detente": cmp_ds, "stored_vs_negmas": cmp_ns}
        if ng:
            ng.pop("answer", None)
        if dt:
            dt.pop("answer", None)
        row["negmas"], row["detente"] = ng, dt
        row["speedup"] = (ng["compute_s"] / dt["wall_s"]) if ng and ng.get("compute_s") and dt.get("wall_s") else None
        row["memory_ratio"] = (ng["peak_mb"] / dt["peak_mb"]) if ng and ng.get("peak_mb") and dt.get("peak_mb") else None
        rows.append(row)

    out = Path(a.out) if a.out else root / "target" / "bench-negmas.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {"negmas_version": negmas_version, "python": platform.python_version(),
           "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
           "repeat": a.repeat, "rel_tol": REL_TOL, "abs_tol": ABS_TOL,
           "detente_binary": binary, "detente_unavailable": unavailable,
           "peak_memory_source": "/usr/bin/time -v" if os.access(TIME_V, os.X_OK) else "os.wait4 ru_maxrss",
           "columns": COLUMNS, "table": [table_row(r) for r in rows], "rows": rows}
    out.write_text(json.dumps(doc, indent=1) + "\n")
    print()
    print(f"NegMAS {negmas_version or '-'} (via peers/negmas/bench_negmas.py) vs detente frontier; "
          f"--repeat {a.repeat}")
    print_table(rows)
    print()
    print("NegMAS s = domain load + pareto_frontier + nash/kalai/ks/max_welfare points inside one process "
          "(medians, without interpreter start-up and `import negmas`); detente s = whole `detente frontier "
          "--json` process wall time. speed-up = NegMAS s / detente s. MB = peak RSS of each process "
          "(NegMAS's includes the interpreter, negmas and writing its answer). frontier N/d = NegMAS/detente "
          "frontier sizes. agree: tolerance rel 1e-9.")

    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
