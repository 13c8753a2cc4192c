"""The Slurm job array and the Kubernetes indexed Job (detente.deploy), rendered and run
here: each shard's command with its index as the cluster sets it, then the merge, whose
result must equal the one-machine run of the CLI."""

import json
import os
import subprocess

import pytest

from detente import deploy

from conftest import _binary

STUDIES = [
    ("tournament", ["tutorial"], ["--negotiators", "boulware,conceder,linear", "--steps", "20", "--seed", "3"]),
    ("robust", ["tutorial"], ["--samples", "60", "--seed", "2"]),
]


@pytest.mark.parametrize("kind,inputs,args", STUDIES)
def test_the_slurm_array_merges_to_one_run(tmp_path, cli, kind, inputs, args):
    work = tmp_path / "run dir"  # a space: the paths are quoted
    files = deploy.slurm(kind, inputs, args, shards=3, workdir=str(work), detente=str(_binary()))
    assert "#SBATCH --array=0-2" in files["shards.sbatch"]
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    # Without the array's variable the script refuses to run.
    out = subprocess.run(["bash", str(tmp_path / "shards.sbatch")], capture_output=True, text=True)
    assert out.returncode != 0 and "job array" in out.stderr
    for k in range(3):
        env = dict(os.environ, SLURM_ARRAY_TASK_ID=str(k))
        subprocess.run(["bash", str(tmp_path / "shards.sbatch")], env=env, check=True)
    subprocess.run(["bash", str(tmp_path / "merge.sbatch")], check=True)
    merged = json.loads((work / "result.json").read_text())
    assert merged == cli(kind, *inputs, *args)


def _command(manifest: str):
    line = next(l for l in manifest.splitlines() if l.strip().startswith("command:"))
    return json.loads(line.split("command:", 1)[1])


@pytest.mark.parametrize("kind,inputs,args", STUDIES)
def test_the_kubernetes_indexed_job_merges_to_one_run(tmp_path, cli, kind, inputs, args):
    files = deploy.kubernetes(
        kind, inputs, args, shards=2, image="example.invalid/detente:1", claim="detente-work",
        workdir=str(tmp_path), detente=str(_binary()),
    )
    shards, merge = files["shards.yaml"], files["merge.yaml"]
    assert "completionMode: Indexed" in shards and "completions: 2" in shards
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is not None:
        job = yaml.safe_load(shards)
        assert job["kind"] == "Job" and job["spec"]["completionMode"] == "Indexed"
        pod = job["spec"]["template"]["spec"]
        assert pod["volumes"][0]["persistentVolumeClaim"]["claimName"] == "detente-work"
        assert pod["containers"][0]["command"] == _command(shards)
    for k in range(2):
        env = dict(os.environ, JOB_COMPLETION_INDEX=str(k))
        subprocess.run(_command(shards), env=env, check=True)
    subprocess.run(_command(merge), check=True)
    assert json.loads((tmp_path / "result.json").read_text()) == cli(kind, *inputs, *args)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        deploy.slurm("frontier", ["tutorial"], [], shards=2, workdir="/tmp/x")
    with pytest.raises(ValueError):
        deploy.kubernetes("robust", ["tutorial"], [], shards=0, image="i", claim="c")
