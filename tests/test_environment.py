"""The pinned environment, setup() and notebook parameters."""

import re

import pytest
import yaml

from utils import CourseError, param, setup
from utils.paths import REPO_ROOT

REQUIRED = {"torch", "transformers", "datasets", "evaluate", "peft", "accelerate", "huggingface_hub",
            "safetensors", "sentence-transformers", "gguf", "scikit-learn", "pandas", "matplotlib",
            "jupyterlab", "ipykernel", "nbclient", "pytest", "trl"}


def _requirements():
    lines = (REPO_ROOT / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def test_every_requirement_is_an_exact_pin():
    for line in _requirements():
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", line), line
    assert "torch==2.13.0" in _requirements()
    names = {line.split("==")[0].lower() for line in _requirements()}
    assert {n.lower() for n in REQUIRED} <= names


def test_environment_yml_has_the_same_pins():
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    (pip_section,) = [d for d in deps if isinstance(d, dict)]
    pins = [p for p in pip_section["pip"] if p != "-e ."]
    assert sorted(pins) == sorted(_requirements())


def test_installed_versions_match_the_pins():
    from importlib import metadata

    for line in _requirements():
        name, version = line.split("==")
        assert metadata.version(name).split("+")[0] == version, name


@pytest.mark.parametrize("package", ["torchvision", "timm"])
def test_torchvision_and_timm_are_absent(package):
    """The only torchvision for the pinned CPU torch is a CUDA build that breaks transformers' image
    processors, and timm needs torchvision: the course uses the PIL image processors instead."""
    from importlib import metadata, util

    assert util.find_spec(package) is None, f"{package} is installed: uninstall it (pip uninstall {package})"
    with pytest.raises(metadata.PackageNotFoundError):
        metadata.version(package)
    assert package not in {line.split("==")[0].lower() for line in _requirements()}


def test_setup_prints_versions_device_mode_and_seed(capsys):
    import torch

    info = setup(seed=7)
    first = torch.rand(3)
    setup(seed=7, show=False)
    assert torch.equal(first, torch.rand(3))
    out = capsys.readouterr().out
    for word in ("mode", "seed    7", "device", "torch", "transformers", "datasets"):
        assert word in out
    assert info.mode == "offline" and info.cpu_cores >= 1 and info.versions["python"].startswith("3.11")


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True])
def test_setup_rejects_a_bad_seed(seed):
    with pytest.raises(CourseError, match="seed must be a non-negative integer"):
        setup(seed=seed, show=False)


def test_param_reads_the_environment(monkeypatch):
    assert param("num_samples", 64) == 64
    monkeypatch.setenv("COURSE_NUM_SAMPLES", "16")
    assert param("num_samples", 64) == 16
    monkeypatch.setenv("COURSE_LR", "0.001")
    assert param("lr", 5e-5) == 0.001
    monkeypatch.setenv("COURSE_USE_FP16", "no")
    assert param("use_fp16", True) is False


@pytest.mark.parametrize("name, default, raw", [("num_samples", 64, "many"), ("use_fp16", True, "maybe")])
def test_param_rejects_a_bad_value(monkeypatch, name, default, raw):
    monkeypatch.setenv(f"COURSE_{name.upper()}", raw)
    with pytest.raises(CourseError, match=f"COURSE_{name.upper()}='{raw}' is not a valid"):
        param(name, default)
