import os
import sys

import pytest

from utils import CourseError
from utils.modes import OFFLINE_ENVIRONMENT, VALID_MODES, apply_mode_environment, get_mode


def test_default_mode_is_offline(monkeypatch):
    monkeypatch.delenv("COURSE_MODE", raising=False)
    assert get_mode() == "offline"


@pytest.mark.parametrize("raw, mode", [("hub", "hub"), (" HUB ", "hub"), ("Offline", "offline"), ("", "offline")])
def test_mode_from_environment(monkeypatch, raw, mode):
    monkeypatch.setenv("COURSE_MODE", raw)
    assert get_mode() == mode


@pytest.mark.parametrize("bad", ["colab", "online", "gpu", "hub mode"])
def test_unknown_mode_names_the_valid_ones(monkeypatch, bad):
    monkeypatch.setenv("COURSE_MODE", bad)
    with pytest.raises(CourseError) as err:
        get_mode()
    message = str(err.value)
    assert repr(bad) in message and all(repr(m) in message for m in VALID_MODES)
    assert message.count(".") >= 1 and "\n" not in message


def test_offline_sets_flags_and_switches_imported_libraries(monkeypatch):
    import datasets.config
    import huggingface_hub.constants

    for name in OFFLINE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    assert apply_mode_environment("offline") == "offline"
    assert all(os.environ[name] == value for name, value in OFFLINE_ENVIRONMENT.items())
    assert huggingface_hub.constants.HF_HUB_OFFLINE is True
    assert datasets.config.HF_HUB_OFFLINE is True


def test_setup_in_hub_mode_after_import_utils_goes_back_online(tmp_path):
    """import utils (offline by default) then setup(mode="hub"): the flags are cleared and the
    libraries already imported, which read them once, are switched back online."""
    import subprocess

    code = ("import utils, huggingface_hub.constants as c, datasets.config as d, os; utils.setup(mode='hub', "
            "show=False); print(c.HF_HUB_OFFLINE, d.HF_DATASETS_OFFLINE, os.environ.get('HF_HUB_OFFLINE'), "
            "os.environ['HF_HUB_DISABLE_TELEMETRY'])")
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_ENVIRONMENT and k != "COURSE_MODE"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["False", "False", "None", "1"]


def test_importing_utils_applies_offline_before_hf_libraries(tmp_path):
    """A fresh interpreter that imports utils first sees the Hub offline."""
    import subprocess

    code = "import utils, huggingface_hub.constants as c; print(c.HF_HUB_OFFLINE)"
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_ENVIRONMENT and k != "COURSE_MODE"}
    # from a folder outside the repository: the editable install makes `utils` importable anywhere
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "True"


def test_importing_utils_with_a_bad_mode_fails_with_one_sentence():
    import subprocess

    env = {**os.environ, "COURSE_MODE": "colab"}
    out = subprocess.run([sys.executable, "-c", "import utils"], env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "Unknown course mode 'colab'" in out.stderr
