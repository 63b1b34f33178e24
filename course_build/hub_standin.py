"""A stand-in of the Hugging Face Hub on 127.0.0.1, for the hub rehearsal.

It serves repositories from a local folder (``<root>/models/<owner>/<name>/...``, and the
same under ``datasets/`` and ``spaces/``) through the few endpoints that ``from_pretrained``,
``snapshot_download``, ``load_dataset``, ``evaluate.load`` and the cards use: repository
info, file resolution (HEAD and GET, with byte ranges), tree listings and paths-info. The
libraries reach it unchanged once ``HF_ENDPOINT`` names it (set before they are imported).

It is a rehearsal of the code paths, not of the Hub: no uploads, no authentication, one
revision per repository (``main``, or its commit hash).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from utils.net import LocalServer, QuietHandler

#: repo types as they appear in URLs (``/api/models/...``) and in the stand-in's folder
REPO_TYPES = ("models", "datasets", "spaces")
#: files stored with Git LFS on the Hub (their ETag is the SHA-256 of the content)
LFS_SUFFIXES = (".safetensors", ".bin", ".parquet", ".gguf", ".onnx", ".h5", ".msgpack", ".pt", ".pth")
_REPO = r"(?P<repo>[\w.-]+/[\w.-]+)"
_API = re.compile(rf"^/api/(?P<type>models|datasets|spaces)/{_REPO}(?:/revision/(?P<rev>[^/]+))?/?$")
_TREE = re.compile(rf"^/api/(?P<type>models|datasets|spaces)/{_REPO}/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?$")
_PATHS_INFO = re.compile(rf"^/api/(?P<type>models|datasets|spaces)/{_REPO}/paths-info/(?P<rev>[^/]+)$")
_RESOLVE = re.compile(rf"^/(?:(?P<type>datasets|spaces)/)?{_REPO}/resolve/(?P<rev>[^/]+)/(?P<path>.+)$")


class _Repo:
    """One repository of the stand-in: its files, their hashes and the commit hash."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        self._entries: dict[str, dict] = {}
        digest = hashlib.sha1()
        for path in self.files:
            entry = self.entry(path)
            digest.update(f"{path}\0{entry['oid']}\0".encode())
        self.sha = digest.hexdigest()

    def entry(self, path: str) -> dict:
        """The tree entry of file ``path`` (the Hub's shape: type, oid, size, path, and lfs for large files)."""
        if path not in self._entries:
            data = (self.folder / path).read_bytes()
            entry = {"type": "file", "oid": hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(),
                     "size": len(data), "path": path}
            if path.endswith(LFS_SUFFIXES):
                entry["lfs"] = {"oid": hashlib.sha256(data).hexdigest(), "size": len(data), "pointerSize": 134}
            self._entries[path] = entry
        return self._entries[path]

    def etag(self, path: str) -> str:
        entry = self.entry(path)
        return entry["lfs"]["oid"] if "lfs" in entry else entry["oid"]

    def directories(self) -> set[str]:
        return {"/".join(f.split("/")[:i]) for f in self.files for i in range(1, f.count("/") + 1)}

    def listing(self, under: str, recursive: bool) -> list[dict]:
        """The entries below folder ``under`` ("" for the root): direct children, or all with ``recursive``."""
        prefix = f"{under.strip('/')}/" if under.strip("/") else ""

        def wanted(path: str) -> bool:
            rest = path[len(prefix):]
            return path.startswith(prefix) and bool(rest) and (recursive or "/" not in rest)

        folders = [{"type": "directory", "oid": hashlib.sha1(d.encode()).hexdigest(), "size": 0, "path": d}
                   for d in sorted(self.directories()) if wanted(d)]
        return folders + [self.entry(f) for f in self.files if wanted(f)]


class HubStandIn(LocalServer):
    """A local Hub stand-in over ``root``; use it as a context manager, then set ``HF_ENDPOINT``
    to :attr:`endpoint` in the processes that should use it.

    Every request is logged in :attr:`requests` as ``(method, path, status)``, so a rehearsal
    can say which endpoint a library needed that the stand-in does not answer.
    """

    thread_name = "hub-stand-in"

    def __init__(self, root: str | Path, port: int = 0):
        self.root = Path(root)
        self.requests: list[tuple[str, str, int]] = []
        #: requests for endpoints the stand-in does not implement (a rehearsal reports them)
        self.unanswered: list[str] = []
        self._repos: dict[tuple[str, str], _Repo] = {}
        self._lock = threading.Lock()
        super().__init__(port)

    def repo(self, repo_type: str, repo_id: str) -> _Repo | None:
        """The repository ``repo_id`` of ``repo_type`` ("models", "datasets", "spaces"), or None."""
        folder = self.root / repo_type / repo_id
        if not folder.is_dir():
            return None
        with self._lock:
            if (repo_type, repo_id) not in self._repos:
                self._repos[(repo_type, repo_id)] = _Repo(folder)
            return self._repos[(repo_type, repo_id)]

    def info(self, repo_type: str, repo: _Repo, repo_id: str) -> dict:
        """The repository's info, in the shape of the Hub's ``/api/<type>/<id>`` answer."""
        info = {"_id": repo.sha[:24], "id": repo_id, "sha": repo.sha, "private": False, "disabled": False,
                "gated": False, "downloads": 0, "likes": 0, "tags": [], "author": repo_id.split("/")[0],
                "lastModified": "2025-01-01T00:00:00.000Z", "createdAt": "2025-01-01T00:00:00.000Z",
                "siblings": [{"rfilename": f} for f in repo.files]}
        if repo_type == "models":
            info["modelId"] = repo_id
        if repo_type == "spaces":
            info["sdk"] = "gradio"
        return info

    def handler_class(self):
        hub = self

        class Handler(QuietHandler):
            def _send(self, status: int, body: bytes = b"", headers: dict | None = None, head: bool = False):
                hub.requests.append((self.command, self.path, status))
                # as the Hub: any page may fetch its files (Transformers.js in a browser, notebook 16)
                cors = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "*"}
                self.reply(status, body, {**cors, **(headers or {})}, head)

            def do_OPTIONS(self):  # a browser's preflight before a cross-origin request with its own headers
                self._send(204, b"", {"Access-Control-Allow-Methods": "GET, HEAD",
                                      "Access-Control-Allow-Headers": "*", "Access-Control-Max-Age": "600"})

            def _json(self, status: int, payload, headers: dict | None = None):
                self._send(status, json.dumps(payload).encode(), {"Content-Type": "application/json", **(headers or {})})

            def _error(self, status: int, code: str, message: str, head: bool = False):
                if code == "NotFound":
                    hub.unanswered.append(f"{self.command} {urlsplit(self.path).path}")
                self._send(status, json.dumps({"error": message}).encode(),
                           {"Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": message},
                           head=head)

            def _repo(self, repo_type: str | None, repo_id: str, revision: str, head: bool = False):
                repo_type = repo_type or "models"
                repo = hub.repo(repo_type, repo_id)
                if repo is None:
                    self._error(404, "RepoNotFound", f"Repository Not Found for url: {self.path}.", head)
                    return None
                if unquote(revision) not in ("main", repo.sha):
                    self._error(404, "RevisionNotFound", f"Invalid rev id: {unquote(revision)}", head)
                    return None
                return repo

            def do_HEAD(self):
                self._resolve(head=True)

            def do_GET(self):
                path = urlsplit(self.path).path
                if path.startswith("/api/"):
                    return self._api_get(path, parse_qs(urlsplit(self.path).query))
                self._resolve(head=False)

            def do_POST(self):
                path = urlsplit(self.path).path
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                match = _PATHS_INFO.match(path)
                if not match:
                    return self._error(404, "NotFound", f"The Hub stand-in does not answer POST {path}.")
                repo = self._repo(match["type"], match["repo"], match["rev"])
                if repo is None:
                    return
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    paths = json.loads(body or "{}").get("paths", [])
                else:
                    paths = parse_qs(body).get("paths", [])
                paths = [p.strip("/") for p in paths]
                folders = repo.directories()
                found = [repo.entry(p) for p in paths if p in repo.files]
                found += [{"type": "directory", "oid": hashlib.sha1(p.encode()).hexdigest(), "size": 0, "path": p}
                          for p in paths if p in folders]
                self._json(200, found)

            def _api_get(self, path: str, query: dict):
                if path == "/api/agent-harnesses":  # huggingface_hub's registry of agent tools: none here
                    return self._json(200, {"standardEnvVars": [], "harnesses": {}})
                if path == "/api/whoami-v2":
                    return self._error(401, "Unauthorized", "The Hub stand-in has no accounts.")
                match = _TREE.match(path)
                if match:
                    repo = self._repo(match["type"], match["repo"], match["rev"])
                    if repo is None:
                        return
                    under = unquote(match["path"] or "")
                    if under and under not in repo.directories():
                        return self._error(404, "EntryNotFound", f"{under} does not exist on {match['rev']}")
                    recursive = query.get("recursive", ["false"])[0].lower() in ("1", "true")
                    return self._json(200, repo.listing(under, recursive))
                match = _API.match(path)
                if match:
                    repo = self._repo(match["type"], match["repo"], match["rev"] or "main")
                    if repo is not None:
                        self._json(200, hub.info(match["type"], repo, match["repo"]))
                    return
                self._error(404, "NotFound", f"The Hub stand-in does not answer GET {path}.")

            def _resolve(self, head: bool):
                path = urlsplit(self.path).path
                match = _RESOLVE.match(path)
                if not match:
                    return self._error(404, "NotFound", f"The Hub stand-in does not answer {self.command} {path}.", head)
                repo = self._repo(match["type"], match["repo"], match["rev"], head)
                if repo is None:
                    return
                file = unquote(match["path"])
                if file not in repo.files:
                    return self._error(404, "EntryNotFound", f"{file} does not exist in {match['repo']}.", head)
                data = (repo.folder / file).read_bytes()
                headers = {"X-Repo-Commit": repo.sha, "ETag": f'"{repo.etag(file)}"', "Accept-Ranges": "bytes",
                           "Content-Type": "application/octet-stream"}
                if "lfs" in repo.entry(file):
                    headers.update({"X-Linked-Etag": f'"{repo.etag(file)}"', "X-Linked-Size": len(data)})
                ranged = re.match(r"bytes=(\d*)-(\d*)$", self.headers.get("Range", ""))
                if ranged and not head:
                    start = int(ranged[1]) if ranged[1] else max(0, len(data) - int(ranged[2] or 0))
                    end = min(int(ranged[2]), len(data) - 1) if ranged[1] and ranged[2] else len(data) - 1
                    headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
                    return self._send(206, data[start:end + 1], headers)
                self._send(200, data, headers, head=head)

        return Handler
