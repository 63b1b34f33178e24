"""The hub rehearsal's parts: the local Hub stand-in answers the real libraries' calls, an
unreachable Hub ends in one sentence, the stand-in repositories have the real ones' layout,
and checks are relaxed only in the rehearsal."""

import json
import os
import subprocess
import sys
import time

import pytest

from course_build.hub_standin import HubStandIn
from utils.modes import expect
from utils.net import free_port
from utils.paths import REPO_ROOT


def run_hub_python(code: str, endpoint: str, home, **extra) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter in hub mode against ``endpoint`` (the libraries read
    ``HF_ENDPOINT`` when they are imported), with an empty Hub cache in ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "COURSE_", "TRANSFORMERS_"))}
    env.update({"COURSE_MODE": "hub", "HF_ENDPOINT": endpoint, "HF_HOME": str(home),
                "HF_HUB_DISABLE_TELEMETRY": "1", **extra})
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def tiny_hub(tmp_path):
    """A stand-in with one model repo (a config, a weights file, a TensorFlow copy) and one
    dataset repo (a parquet split whose rows are positives first), served on 127.0.0.1."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    model = tmp_path / "repos" / "models" / "someone" / "tiny-model"
    model.mkdir(parents=True)
    (model / "config.json").write_text(json.dumps({"model_type": "bert", "hidden_size": 8}))
    (model / "model.safetensors").write_bytes(b"\0" * 4096)
    (model / "tf_model.h5").write_bytes(b"\0" * 4096)
    data = tmp_path / "repos" / "datasets" / "someone" / "tiny-data"
    data.mkdir(parents=True)
    pq.write_table(pa.table({"text": ["good", "great", "bad"], "label": [1, 1, 0]}), data / "test.parquet")
    with HubStandIn(tmp_path / "repos") as hub:
        yield hub, tmp_path


def test_stand_in_answers_the_libraries_unchanged(tiny_hub):
    hub, tmp_path = tiny_hub
    code = """
from pathlib import Path
from huggingface_hub import HfApi, hf_hub_download, snapshot_download
from huggingface_hub.errors import EntryNotFoundError, RepositoryNotFoundError
from datasets import load_dataset

info = HfApi().model_info("someone/tiny-model")
path = hf_hub_download("someone/tiny-model", "config.json")
assert info.sha in path, (info.sha, path)
folder = Path(snapshot_download("someone/tiny-model", allow_patterns=["*.json", "*.safetensors"]))
assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors"]
for call, error in [(lambda: hf_hub_download("someone/nothing", "config.json"), RepositoryNotFoundError),
                    (lambda: hf_hub_download("someone/tiny-model", "nothing.json"), EntryNotFoundError)]:
    try:
        call()
        raise SystemExit("no error")
    except error:
        pass
rows = load_dataset("someone/tiny-data")["test"]
assert rows["text"] == ["good", "great", "bad"], rows["text"]
print("ok")
"""
    result = run_hub_python(code, hub.endpoint, tmp_path / "home")
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-3000:]
    assert not hub.unanswered, hub.unanswered
    assert ("GET", "/someone/tiny-model/resolve/main/tf_model.h5") not in {(m, p) for m, p, _ in hub.requests}


def test_stand_in_binds_loopback_only(tiny_hub):
    hub, _ = tiny_hub
    assert hub.endpoint.startswith("http://127.0.0.1:")


def closed_port() -> int:
    return free_port()  # free now, and nothing listens on it


def test_unreachable_hub_is_one_sentence_naming_the_repo(tmp_path):
    code = """
from utils import catalog
from utils.errors import CourseError
for ask in (lambda: catalog.model("encoder"), lambda: catalog.dataset("sentiment"),
            lambda: catalog.evaluation_module("accuracy")):
    try:
        ask()
        raise SystemExit("no error")
    except CourseError as error:
        print(error)
"""
    began = time.monotonic()
    result = run_hub_python(code, f"http://127.0.0.1:{closed_port()}", tmp_path / "home")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3 and all("COURSE_MODE=offline" in line for line in lines), lines
    for repo in ("sentence-transformers/all-MiniLM-L6-v2", "cornell-movie-review-data/rotten_tomatoes",
                 "evaluate-metric/accuracy"):
        assert any(repo in line for line in lines), (repo, lines)
    assert time.monotonic() - began < 60, "no minute of retries"


def test_offline_names_hub_ids_without_asking_the_hub(no_network, monkeypatch):
    from utils import catalog

    monkeypatch.setenv("COURSE_MODE", "offline")
    assert catalog.model("encoder", mode="hub") == "sentence-transformers/all-MiniLM-L6-v2"


def test_expect_is_relaxed_only_in_the_rehearsal(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_REHEARSAL", raising=False)
    expect(True, "holds")
    with pytest.raises(AssertionError, match="accuracy above the baseline"):
        expect(False, "accuracy above the baseline")
    monkeypatch.setenv("COURSE_REHEARSAL", "1")
    expect(False, "accuracy above the baseline")
    assert "[rehearsal] not checked" in capsys.readouterr().out


def test_hub_records_never_mix_with_offline_ones(monkeypatch, capsys):
    from course_build import runner
    from utils import paths

    monkeypatch.delenv("COURSE_REPORT_DIR", raising=False)
    monkeypatch.setenv("COURSE_MODE", "hub")
    assert paths.report_dir() == paths.LEARNER_DIR / "hub"
    assert runner.main(["--reference"]) == 1
    assert "offline run" in capsys.readouterr().err
    monkeypatch.setenv("COURSE_MODE", "offline")
    assert paths.report_dir() == paths.LEARNER_DIR


@pytest.mark.assets
def test_stand_in_repositories_have_the_real_layouts():
    import pyarrow.parquet as pq
    from safetensors import safe_open

    from course_build.hub_rehearsal import build
    from utils import catalog

    root = build()
    sentiment = json.loads((root / "models" / catalog.get("sentiment-model").hub_id / "config.json").read_text())
    assert sentiment["architectures"] == ["DistilBertForSequenceClassification"]
    assert sentiment["id2label"] == {"0": "NEGATIVE", "1": "POSITIVE"}
    chat = root / "models" / catalog.get("chat").hub_id
    assert json.loads((chat / "config.json").read_text())["dtype"] == "bfloat16"
    with safe_open(chat / "model.safetensors", "pt") as weights:
        assert {str(weights.get_tensor(k).dtype) for k in weights.keys()} == {"torch.bfloat16"}
    labels = pq.read_table(root / "datasets" / catalog.get("sentiment").hub_id / "test.parquet")["label"].to_pylist()
    assert labels == sorted(labels, reverse=True) and labels[0] == 1 and labels[-1] == 0, "positives first"
    spam = root / "datasets" / catalog.get("spam").hub_id
    assert [p.name for p in spam.rglob("*.parquet")] == ["train-00000-of-00001.parquet"]
    digits = root / "datasets" / catalog.get("digits").hub_id
    assert sorted(p.name.split("-")[0] for p in digits.rglob("*.parquet")) == ["test", "train"]
    for name in catalog.HUB_EVALUATION_MODULES:
        owner = catalog.EVALUATION_OWNERS[catalog.EVALUATION_MODULES[name]]
        assert (root / "spaces" / owner / name / f"{name}.py").is_file()

