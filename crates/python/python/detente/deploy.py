"""Job scripts that run a sharded study with the CLI on a cluster, then merge it.

A tournament or a robust study splits into shards (``--shard K/N``) whose parts merge to
exactly the one-machine result. ``slurm(...)`` renders a Slurm job array (one task a shard)
and its merge job; ``kubernetes(...)`` an indexed Job (one pod a shard) and its merge Job.
Both run the ``detente`` binary on every node; the parts go to a folder every task can
write (a shared file system, a ReadWriteMany volume)::

    from detente import deploy
    files = deploy.slurm("tournament", ["tutorial", "domains/Car-A-domain"],
                         ["--negotiators", "boulware,conceder", "--steps", "100"],
                         shards=8, workdir="/scratch/run1")
    # files["shards.sbatch"], files["merge.sbatch"]: then, on the cluster,
    #   jid=$(sbatch --parsable shards.sbatch); sbatch --dependency=afterok:$jid merge.sbatch

The merged result is written to ``WORKDIR/result.json`` (the CLI's ``--json``).
"""

from __future__ import annotations

import shlex
from typing import Dict, Sequence

__all__ = ["slurm", "kubernetes", "shard_command", "merge_command"]

KINDS = ("tournament", "robust")


def _check(kind: str, shards: int) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind {kind!r}: expected one of {', '.join(KINDS)}")
    if not isinstance(shards, int) or shards < 1:
        raise ValueError(f"shards {shards!r}: give a whole number of at least 1")


def shard_command(
    kind: str, inputs: Sequence[str], args: Sequence[str], shards: int, workdir: str,
    index: str, detente: str = "detente",
) -> str:
    """The shell command of one shard: ``index`` is the shell expression of K (e.g.
    ``"$SLURM_ARRAY_TASK_ID"``); the part is written to ``WORKDIR/partK.json``."""
    _check(kind, shards)
    q = shlex.quote
    words = [q(detente), kind, *map(q, inputs), *map(q, args)]
    part = f'{q(workdir)}/part"{index}".json'
    if kind == "tournament":
        return " ".join(words + [f'--shard "{index}"/{shards}', "--out", part, "--json", "> /dev/null"])
    return " ".join(words + [f'--shard "{index}"/{shards}', "--json", ">", part])


def merge_command(kind: str, shards: int, workdir: str, detente: str = "detente") -> str:
    """The shell command that merges the ``shards`` parts into ``WORKDIR/result.json``."""
    _check(kind, shards)
    q = shlex.quote
    parts = " ".join(f"{q(workdir)}/part{k}.json" for k in range(shards))
    return f"{q(detente)} {kind} merge {parts} --json > {q(workdir)}/result.json"


def slurm(
    kind: str, inputs: Sequence[str], args: Sequence[str], shards: int, workdir: str,
    detente: str = "detente", cpus_per_task: int = 1, job_name: str = "detente",
) -> Dict[str, str]:
    """A Slurm job array (``shards.sbatch``, one task a shard) and its merge job
    (``merge.sbatch``, submitted with ``--dependency=afterok:JOBID``)."""
    _check(kind, shards)
    shard = shard_command(kind, inputs, args, shards, workdir, "$K", detente)
    header = "#!/bin/bash\n"
    shards_script = (
        header
        + f"#SBATCH --job-name={job_name}-shards\n"
        + f"#SBATCH --array=0-{shards - 1}\n"
        + f"#SBATCH --cpus-per-task={cpus_per_task}\n"
        + f"#SBATCH --output={workdir}/slurm-%A_%a.out\n"
        + "# One shard of the study a task; its part goes to the shared folder.\n"
        + "set -euo pipefail\n"
        + 'K="${SLURM_ARRAY_TASK_ID:?run this script as a job array (sbatch)}"\n'
        + f"mkdir -p {shlex.quote(workdir)}\n"
        + shard
        + "\n"
    )
    merge_script = (
        header
        + f"#SBATCH --job-name={job_name}-merge\n"
        + "#SBATCH --cpus-per-task=1\n"
        + f"#SBATCH --output={workdir}/slurm-merge-%j.out\n"
        + "# Run after every shard: sbatch --dependency=afterok:JOBID merge.sbatch\n"
        + "set -euo pipefail\n"
        + merge_command(kind, shards, workdir, detente)
        + "\n"
    )
    return {"shards.sbatch": shards_script, "merge.sbatch": merge_script}


def _yaml_str(s: str) -> str:
    # A double-quoted YAML scalar (JSON's escapes are YAML's).
    import json

    return json.dumps(s)


def kubernetes(
    kind: str, inputs: Sequence[str], args: Sequence[str], shards: int, image: str,
    claim: str, workdir: str = "/work", detente: str = "detente", name: str = "detente",
) -> Dict[str, str]:
    """An indexed Job (``shards.yaml``: ``completionMode: Indexed``, one pod a shard, K
    from ``JOB_COMPLETION_INDEX``) and the merge Job (``merge.yaml``, applied once the
    first completes: ``kubectl wait --for=condition=complete job/NAME-shards``). ``image``
    has the ``detente`` binary; ``claim`` is a ReadWriteMany PersistentVolumeClaim mounted
    at ``workdir`` in every pod."""
    _check(kind, shards)
    shard = shard_command(kind, inputs, args, shards, workdir, "$JOB_COMPLETION_INDEX", detente)
    merge = merge_command(kind, shards, workdir, detente)

    def job(job_name: str, command: str, indexed: bool) -> str:
        spec = (
            f"  completions: {shards}\n  parallelism: {shards}\n  completionMode: Indexed\n"
            if indexed
            else "  completions: 1\n"
        )
        return (
            "apiVersion: batch/v1\n"
            "kind: Job\n"
            "metadata:\n"
            f"  name: {job_name}\n"
            "spec:\n"
            + spec
            + "  backoffLimit: 2\n"
            "  template:\n"
            "    spec:\n"
            "      restartPolicy: Never\n"
            "      containers:\n"
            "        - name: detente\n"
            f"          image: {_yaml_str(image)}\n"
            f"          command: [\"sh\", \"-c\", {_yaml_str('set -eu; ' + command)}]\n"
            "          volumeMounts:\n"
            "            - name: work\n"
            f"              mountPath: {_yaml_str(workdir)}\n"
            "      volumes:\n"
            "        - name: work\n"
            "          persistentVolumeClaim:\n"
            f"            claimName: {_yaml_str(claim)}\n"
        )

    return {
        "shards.yaml": job(f"{name}-shards", shard, True),
        "merge.yaml": job(f"{name}-merge", merge, False),
    }
