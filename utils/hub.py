"""Hub cache plumbing: seed a local cache in the Hub's own layout, from a model folder.

The Hub cache stores each repository as ``models--ORG--NAME/`` with ``blobs/`` (files by
content hash), ``snapshots/<commit>/`` (the repository's tree at one commit, as links to
blobs) and ``refs/<branch>`` (the commit a branch points to). ``from_pretrained`` with
``local_files_only=True`` (or with ``HF_HUB_OFFLINE=1``) resolves a repo id and a revision
from that layout without any network. :func:`seed_cache` writes it, so that notebooks can
show revisions, pinning and cache scans offline, with the real APIs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from utils.assets import sha256_of
from utils.errors import CourseError


def seed_cache(folder, repo_id: str, cache_dir, branch: str = "main") -> str:
    """Add the files of ``folder`` to ``cache_dir`` as a commit of model repo ``repo_id``.

    The commit hash is derived from the files' content (40 hex digits, like a git commit),
    and ``refs/<branch>`` is moved to it. Files already in ``blobs/`` are not copied again.

    Returns:
        The commit hash: pass it as ``revision=`` to pin this version.
    """
    from huggingface_hub.utils import validate_repo_id

    folder, cache_dir = Path(folder), Path(cache_dir)
    if not folder.is_dir():
        raise CourseError(f"seed_cache needs a model folder, and {folder} is not one.")
    validate_repo_id(repo_id)
    if "/" not in repo_id:
        raise CourseError(f"Use an 'org/name' repo id for the cache, got {repo_id!r}.")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    hashes = {p.relative_to(folder).as_posix(): sha256_of(p) for p in files}
    commit = hashlib.sha1("".join(f"{n}:{h}\n" for n, h in hashes.items()).encode()).hexdigest()
    repo = cache_dir / ("models--" + repo_id.replace("/", "--"))
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    snapshot = repo / "snapshots" / commit
    for name, digest in hashes.items():
        blob = repo / "blobs" / digest
        if not blob.exists():
            shutil.copyfile(folder / name, blob)
        link = snapshot / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.is_symlink():
            link.symlink_to(os.path.relpath(blob, link.parent))
    (repo / "refs" / branch).write_text(commit)
    return commit
