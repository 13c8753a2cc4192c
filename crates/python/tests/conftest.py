"""Shared pieces of the pytest suite: the CLI binary whose --json every answer must equal,
and the shared peer data (../shared beside the workspace)."""

import json
import os
import subprocess
from pathlib import Path

import pytest

WORKSPACE = Path(__file__).resolve().parents[3]


def _binary() -> Path:
    env = os.environ.get("DETENTE_BIN")
    if env:
        return Path(env)
    for profile in ("release", "debug"):
        p = WORKSPACE / "target" / profile / "detente"
        if p.exists():
            return p
    raise RuntimeError(
        "the CLI binary is needed to check answers against: cargo build --release -p detente-cli "
        "(or set DETENTE_BIN)"
    )


@pytest.fixture(scope="session")
def cli():
    """Runs `detente ARGS... --json` and returns its JSON, parsed."""
    binary = _binary()

    def run(*args):
        out = subprocess.run(
            [str(binary), *map(str, args), "--json"], capture_output=True, text=True
        )
        assert out.returncode == 0, f"detente {' '.join(map(str, args))}: {out.stderr}"
        return json.loads(out.stdout)

    return run


@pytest.fixture(scope="session")
def cli_error():
    """Runs `detente ARGS...` expecting exit 2; returns its stderr."""
    binary = _binary()

    def run(*args):
        out = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True)
        assert out.returncode == 2, f"exit {out.returncode}: {out.stderr}"
        return out.stderr

    return run


@pytest.fixture(scope="session")
def shared():
    """The shared folder ($DETENTE_SHARED, else ../shared beside the workspace): skipped
    when missing, a failure when DETENTE_REQUIRE_SHARED=1 (as in CI)."""
    d = os.environ.get("DETENTE_SHARED") or str(WORKSPACE.parent / "shared")
    if not Path(d).is_dir():
        if os.environ.get("DETENTE_REQUIRE_SHARED") == "1":
            pytest.fail(f"the shared folder {d} is missing and DETENTE_REQUIRE_SHARED=1")
        pytest.skip(f"the shared folder {d} is missing (peer data): skipped")
    return Path(d)


def negmas_problem(path):
    """A NegMAS problem (outcome space and linear additive utility functions) built from a
    NegMAS plain JSON domain with NegMAS's public classes (negmas must be installed)."""
    from negmas import make_issue, make_os
    from negmas.preferences import LinearAdditiveUtilityFunction

    d = json.loads(Path(path).read_text())
    issues = [make_issue([str(v) for v in i["values"]], name=i["name"]) for i in d["issues"]]
    space = make_os(issues, name=d["name"])
    ufuns = [
        LinearAdditiveUtilityFunction(
            values=[dict(zip(map(str, i["values"]), u)) for i, u in zip(d["issues"], p["value_utils"])],
            weights=p["weights"],
            bias=p.get("bias", 0.0),
            outcome_space=space,
            reserved_value=p["reserved_value"],
            name=p["name"],
        )
        for p in d["parties"]
    ]
    return space, ufuns
