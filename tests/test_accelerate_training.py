"""The accelerate training of notebook 07 and its script: configuration, command line, resume, two processes."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from utils.accelerate_loop import TrainConfig, total_steps
from utils.errors import CourseError
from utils.launch import accelerate_command, cpu_bf16_support, read_summary, to_arguments
from utils.net import free_port
from utils.paths import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "train_sentiment.py"
TINY = ["--train_size=32", "--eval_size=16", "--batch_size=16", "--cpu"]  # two steps of 16 reviews


def _script():
    spec = importlib.util.spec_from_file_location("train_sentiment", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(command):
    env = {**os.environ, "COURSE_MODE": "offline"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_total_steps_counts_optimizer_steps():
    assert total_steps(TrainConfig(train_size=100, batch_size=16)) == 7
    assert total_steps(TrainConfig(train_size=128, batch_size=16, gradient_accumulation_steps=4)) == 2


def test_the_exported_loop_is_the_notebooks():
    from course_build.export import export_all

    assert export_all(check=True) == [], "a module differs from its notebook's #@save cells: run python -m course_build.export"


def test_script_command_line_round_trips_the_config():
    parse_args = _script().parse_args
    config = TrainConfig(train_size=64, lr=3e-4, cpu=True, output="out.json", checkpoint_step=1, checkpoint_dir="ckpt")
    assert parse_args(to_arguments(config)) == config
    assert to_arguments(TrainConfig()) == []
    assert parse_args([]) == TrainConfig()


def test_cpu_bf16_support_reads_the_flags():
    cpuinfo = "processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16 amx_bf16 amx_tile\n"
    assert cpu_bf16_support(cpuinfo) == ["amx_bf16", "avx512_bf16"]
    assert cpu_bf16_support("flags\t: fpu sse avx2\n") == []


def test_launch_helpers(tmp_path):
    assert 1024 < free_port() < 65536
    assert Path(accelerate_command()[0]).exists()
    with pytest.raises(CourseError, match="did not finish"):
        read_summary(tmp_path / "missing.json")


@pytest.mark.assets
def test_resuming_from_a_checkpoint_gives_the_same_weights(tmp_path):
    import torch
    from safetensors.torch import load_file

    command = [sys.executable, str(SCRIPT), *TINY]
    _run([*command, "--checkpoint_step=1", f"--checkpoint_dir={tmp_path}/checkpoint",
          f"--save_model_dir={tmp_path}/full", f"--output={tmp_path}/full.json"])
    _run([*command, f"--resume_from={tmp_path}/checkpoint", f"--save_model_dir={tmp_path}/resumed",
          f"--output={tmp_path}/resumed.json"])
    full, resumed = (load_file(tmp_path / name / "model.safetensors") for name in ("full", "resumed"))
    assert full.keys() == resumed.keys() and all(torch.equal(full[k], resumed[k]) for k in full)
    first, second = (read_summary(tmp_path / f"{name}.json") for name in ("full", "resumed"))
    assert (first["world_size"], first["steps"], first["resumed_at_step"]) == (1, 2, 0)
    assert (second["steps"], second["resumed_at_step"]) == (2, 1)
    assert first["predictions"] == second["predictions"] and len(first["predictions"]) == 16


@pytest.mark.assets
def test_two_cpu_processes_share_the_data(tmp_path):
    """`accelerate launch` with two CPU processes: one gloo group, half of every batch each, all predictions gathered."""
    output = tmp_path / "two.json"
    _run([*accelerate_command(), "launch", "--multi_gpu", "--num_processes=2", "--num_machines=1",
          "--mixed_precision=no", "--dynamo_backend=no", f"--main_process_port={free_port()}",
          str(SCRIPT), *TINY, f"--output={output}"])
    summary = json.loads(output.read_text())
    assert (summary["world_size"], summary["distributed_type"], summary["backend"]) == (2, "MULTI_CPU", "gloo")
    assert [shard["train_examples"] for shard in summary["shards"]] == [16, 16]
    assert summary["shards"][0]["first_review"] != summary["shards"][1]["first_review"]
    # The 16 test reviews fill part of one evaluation batch of 64: accelerate repeats reviews to give each
    # process 32, and gather_for_metrics drops the repeats again.
    assert [shard["eval_examples"] for shard in summary["shards"]] == [32, 32]
    assert summary["eval_examples"] == 16 and len(summary["predictions"]) == 16
