"""Verify the prepared offline assets declared in :mod:`utils.catalog` (notebook 00 shows their status).

Each prepared folder holds a manifest of its files' sizes and sha256 and of the source it was
built from (package, version, wheel sha256, recipe version). :func:`verify` compares the files
with the manifest and the manifest with the catalog's declaration; preparing the assets
(``make assets``) is the machinery's job: :mod:`course_build.assets`.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from utils import catalog
from utils.catalog import MANIFEST_NAME, Asset, TrainedSource
from utils.errors import CourseError

#: Bump a recipe's version when its output changes, so prepared folders are rebuilt.
RECIPE_VERSIONS = {
    "copy_folder": 1,
    "gguf_to_safetensors": 1,
    "rotten_tomatoes": 1,
    "sms_spam": 1,
    "mnist": 1,
    "train_classifier": 1,
    "efficientnet_lite": 1,
}


@dataclass
class AssetStatus:
    """The outcome of preparing or verifying one asset."""

    role: str
    folder: Path
    action: str  # "reused", "prepared", "verified", "missing", "stale", "corrupt"
    seconds: float
    files: int = 0
    size_mb: float = 0.0
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.action in ("reused", "prepared", "verified")


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file (``hashlib.file_digest`` reads it in chunks)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def offline_asset(role: str) -> Asset:
    asset = catalog.get(role)
    if asset.offline is None:
        raise CourseError(f"{role!r} exists only on the Hub ({asset.hub_id}): there is nothing to prepare offline.")
    return asset


def _manifest_digest(role: str) -> str:
    """A digest of the files of a prepared asset (changes when any of its files does)."""
    manifest = json.loads((catalog.get(role).folder / MANIFEST_NAME).read_text())
    return hashlib.sha256(json.dumps(manifest["files"], sort_keys=True).encode()).hexdigest()


def expected_source(asset: Asset) -> dict:
    recipe = {"recipe": asset.recipe, "recipe_version": RECIPE_VERSIONS[asset.recipe]}
    if isinstance(asset.offline, TrainedSource):
        inputs = {}
        for role in asset.offline.inputs:
            inputs[role] = _manifest_digest(role) if catalog.is_prepared(role) else None
        return {"inputs": inputs, "settings": asset.offline.settings, **recipe}
    source = {
        "package": asset.offline.package,
        "version": asset.offline.version,
        "sha256": asset.offline.sha256,
        **recipe,
    }
    if asset.extra_sources:
        source["extra"] = [{"package": s.package, "version": s.version, "sha256": s.sha256} for s in asset.extra_sources]
    return source


def verify(role: str) -> AssetStatus:
    """Check the prepared folder of ``role`` against its manifest and the catalog.

    Every file's size and sha256 is compared with the manifest, and the manifest's source
    (package, version, wheel sha256, recipe version) with the catalog's declaration.
    """
    asset = offline_asset(role)
    start = time.perf_counter()
    folder = asset.folder

    def status(action: str, detail: str = "", files: int = 0, size: int = 0) -> AssetStatus:
        return AssetStatus(role, folder, action, time.perf_counter() - start, files, size / 1e6, detail)

    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        return status("missing", "not prepared yet")
    try:
        manifest = json.loads(manifest_path.read_text())
        recorded_source, files = manifest["source"], manifest["files"]
    except (ValueError, KeyError, TypeError):
        return status("corrupt", f"unreadable manifest {manifest_path.name}")
    if recorded_source != expected_source(asset):
        return status("stale", "the catalog declares another source, recipe version or input")
    total = 0
    for name, expected in files.items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != expected["size"]:
            return status("corrupt", f"{name} is missing or has the wrong size")
        if sha256_of(path) != expected["sha256"]:
            return status("corrupt", f"{name} does not match its recorded sha256")
        total += expected["size"]
    return status("verified", "", len(files), total)


def verify_all() -> list[AssetStatus]:
    """Verify every offline asset of the catalog (no download, no conversion)."""
    return [verify(role) for role in catalog.roles(offline=True)]
