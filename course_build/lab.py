"""JupyterLab on the course's environment: what ``make install`` sets up and ``make lab`` starts.

``python -m course_build.lab install`` (run by ``make install``) puts into the environment
(``sys.prefix``, that is ``.venv``), every time with the same result:

- ``lab/overrides.json`` as JupyterLab settings overrides
  (``share/jupyter/lab/settings/overrides.d/hf-course.json``): no Jupyter news, no update
  check, the extension manager off;
- ``lab/jupyter_server_config.json`` merged into the environment's Jupyter server config
  (``etc/jupyter/jupyter_server_config.json``): 127.0.0.1 only, no news feed,
  no update check and a read-only extension manager (nothing queries PyPI or GitHub), the
  course's kernel for new notebooks, and kernels that talk to the server over encrypted
  sockets (CurveZMQ) where pyzmq supports it;
- the course's kernels: "HF course (.venv)" (the mode of ``COURSE_MODE``, offline unless
  set) and "HF course (.venv, hub mode)".

``python -m course_build.lab install --user`` (``make kernel``) registers the two kernels for your
user as well, so that any Jupyter front end and VS Code list them.

``python -m course_build.lab`` (``make lab``) starts JupyterLab on ``notebooks/``: as root with
``--allow-root`` (said in one line), on 127.0.0.1, on the first free port from 8888 (or
exactly ``--port``), with a fresh token passed through the environment, and prints the
URL with its token, the environment and the mode once the server answers.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

from utils.errors import CourseError
from utils.modes import MODE_VARIABLE, OFFLINE_ENVIRONMENT, OFFLINE_FLAGS, get_mode
from utils.net import LOCALHOST, http_ok, port_is_free

REPO_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_DIR = REPO_ROOT / "lab"
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
FIRST_NOTEBOOK = "00_setup.ipynb"

#: Kernel names (folder names under share/jupyter/kernels) and what the hub one sets.
KERNEL_NAME = "hf-course"
HUB_KERNEL_NAME = "hf-course-hub"
HUB_KERNEL_ENV = {MODE_VARIABLE: "hub", **{key: "0" for key in OFFLINE_FLAGS}}

DEFAULT_PORT = 8888
PORT_TRIES = 50
SETTINGS_FILE_NAME = "hf-course.json"
PREFIX = "[lab]"


def say(message: str) -> None:
    """Print one line of the launcher, marked as such."""
    print(f"{PREFIX} {message}", flush=True)


# --- what the environment gets ------------------------------------------------------------


def environment_label(prefix: str | Path = sys.prefix) -> str:
    """The environment's short name as the kernels show it: the folder name, e.g. ``.venv``."""
    return Path(prefix).name or str(prefix)


def kernel_display_name(hub: bool = False, prefix: str | Path = sys.prefix) -> str:
    """``HF course (.venv)``, or ``HF course (.venv, hub mode)``."""
    return f"HF course ({environment_label(prefix)}{', hub mode' if hub else ''})"


def installed_settings(prefix: str | Path = sys.prefix) -> dict[Path, Path]:
    """Where each file of ``lab/`` goes in the environment at ``prefix``: {source: target}.

    JupyterLab reads every file in ``overrides.d``, so the course's overrides have one of their
    own; a Jupyter server reads only whole config files (its ``.d`` folders enable extensions,
    nothing else), so the course's server settings are merged into the environment's one.
    """
    prefix = Path(prefix)
    return {
        SETTINGS_DIR / "overrides.json":
            prefix / "share/jupyter/lab/settings/overrides.d" / SETTINGS_FILE_NAME,
        SETTINGS_DIR / "jupyter_server_config.json":
            prefix / "etc/jupyter/jupyter_server_config.json",
    }


def _merged(base: dict, update: dict) -> dict:
    """``base`` with ``update`` written over it, section by section."""
    merged = dict(base)
    for key, value in update.items():
        merged[key] = _merged(merged.get(key) or {}, value) if isinstance(value, dict) else value
    return merged


def _write_json_setting(source: Path, target: Path) -> None:
    """Write ``source``'s settings into ``target``, keeping whatever else ``target`` holds."""
    wanted = json.loads(source.read_text())
    if not _has_curve():  # a server would refuse transport_encryption="auto" without CurveZMQ
        wanted.get("KernelManager", {}).pop("transport_encryption", None)
    current = json.loads(target.read_text()) if target.exists() else {}
    merged = _merged(current, wanted)
    if merged != current or not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(merged, indent=2) + "\n")


def _has_curve() -> bool:
    """Whether pyzmq can encrypt kernel traffic (CurveZMQ)."""
    try:
        import zmq
    except ImportError:
        return False
    return bool(zmq.has("curve"))


def install(prefix: str | Path = sys.prefix, user: bool = False) -> list[str]:
    """Install the lab's settings and the course's kernels into ``prefix``; return what was done.

    With ``user=True`` the kernels go to the user's Jupyter folder (found by every Jupyter
    and by VS Code) and the settings stay where they are.
    """
    from ipykernel.kernelspec import install as install_kernel

    done = []
    if not user:
        for source, target in installed_settings(prefix).items():
            _write_json_setting(source, target)
            done.append(f"{source.relative_to(REPO_ROOT)} -> {target}")
    for name, hub in ((KERNEL_NAME, False), (HUB_KERNEL_NAME, True)):
        path = install_kernel(
            user=user, prefix=None if user else str(prefix), kernel_name=name,
            display_name=kernel_display_name(hub, prefix), env=dict(HUB_KERNEL_ENV) if hub else None,
        )
        done.append(f'kernel "{kernel_display_name(hub, prefix)}" -> {path}')
    return done


# --- how the lab starts -----------------------------------------------------------------


def is_root() -> bool:
    """Whether this process runs as root (JupyterLab then refuses to start without --allow-root)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def can_open_browser(root: bool) -> bool:
    """Open a browser only for an ordinary user with a display (as root, no browser belongs to you)."""
    if root:
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def choose_port(requested: int | None = None, ip: str = LOCALHOST) -> tuple[int, str | None]:
    """The port to serve on and, when it is not the one asked for, a sentence saying why.

    An explicit ``requested`` port is used as it is, or refused with one sentence when it is
    taken; otherwise the first free port from :data:`DEFAULT_PORT` is taken.

    Raises:
        CourseError: the requested port, or every port tried, is in use.
    """
    if requested is not None:
        if port_is_free(requested, ip):
            return requested, None
        raise CourseError(
            f"Port {requested} on {ip} is already in use (another JupyterLab?): stop that server "
            f"or choose another port, for example `make lab LAB_PORT={requested + 1}`."
        )
    for port in range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES):
        if port_is_free(port, ip):
            note = None if port == DEFAULT_PORT else (
                f"Port {DEFAULT_PORT} is in use (another JupyterLab?), so this one takes port {port}.")
            return port, note
    raise CourseError(
        f"Ports {DEFAULT_PORT} to {DEFAULT_PORT + PORT_TRIES - 1} on {ip} are all in use: stop a "
        "server you no longer need, or choose a port with `make lab LAB_PORT=<port>`."
    )


def lab_command(port: int, *, root: bool, open_browser: bool, ip: str = LOCALHOST,
                notebook_dir: str | Path = NOTEBOOK_DIR, extra: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The ``jupyter lab`` command line for this user (the token travels in the environment)."""
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={notebook_dir}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # the port was chosen above: taken meanwhile means stop, not drift
        # this launcher says what matters; LAB_ARGS="--ServerApp.log_level=INFO" for more
        "--ServerApp.log_level=WARN", "--LabApp.log_level=WARN",
    ]
    if not open_browser:
        command.append("--no-browser")
    if root:
        command.append("--allow-root")
    return [*command, *extra]


def lab_environment(environ: dict[str, str], token: str, mode: str) -> dict[str, str]:
    """The server's environment: ``environ`` with the token, minus the offline flags that
    ``import utils`` set in this launcher, so that a notebook can still switch to hub mode
    (each kernel's own ``import utils`` sets them again in offline mode)."""
    env = dict(environ)
    env["JUPYTER_TOKEN"] = token
    if mode == "offline":
        for key in (MODE_VARIABLE, *OFFLINE_ENVIRONMENT):
            env.pop(key, None)
    return env


def lab_url(port: int, token: str, ip: str = LOCALHOST, path: str = "lab") -> str:
    """The address to open, token included."""
    return f"http://{ip}:{port}/{path}?token={token}"


def answers(port: int, token: str, ip: str = LOCALHOST, path: str = "api/status") -> bool:
    """Whether the server answers ``path`` with 200 (asked directly, never through a proxy)."""
    return http_ok(f"http://{ip}:{port}/{path}", headers={"Authorization": f"token {token}"})


def describe_environment(mode: str) -> str:
    """One line: which Python and kernel the notebooks run on, and in which mode."""
    version = ".".join(map(str, sys.version_info[:3]))
    switch = ("`COURSE_MODE=hub make lab` for the Hub" if mode == "offline"
              else "`make lab` without COURSE_MODE for offline")
    return (f'Kernel: Python {version} of {sys.prefix} ("{kernel_display_name()}"); '
            f"mode: {mode} ({switch}).")


def start(port: int | None = None, ip: str = LOCALHOST, open_browser: bool | None = None,
          extra: list[str] | tuple[str, ...] = (), ready_timeout: float = 60.0) -> int:
    """Start JupyterLab on the notebooks, say where it serves, and wait until it stops."""
    mode = get_mode()
    root = is_root()
    chosen, note = choose_port(port, ip)
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    browser = can_open_browser(root) if open_browser is None else open_browser
    say(describe_environment(mode))
    if root:
        say("Running as root (a container or CI box?): passing --allow-root to JupyterLab"
            + (" and opening no browser." if not browser else "."))
    if note:
        say(note)
    command = lab_command(chosen, root=root, open_browser=browser, ip=ip, extra=extra)
    say(f"Starting JupyterLab on notebooks/ at {ip}:{chosen} (Ctrl-C twice stops it) ...")
    began = time.monotonic()
    process = subprocess.Popen(command, env=lab_environment(dict(os.environ), token, mode), cwd=REPO_ROOT)
    # Ctrl-C goes to JupyterLab (it asks, and a second one stops it); a TERM is passed on.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    ready = False
    while process.poll() is None:
        if answers(chosen, token, ip):
            ready = True
            say(f"Ready after {time.monotonic() - began:.1f} s; open {lab_url(chosen, token, ip)} "
                f"and start with {FIRST_NOTEBOOK}.")
            break
        if time.monotonic() - began > ready_timeout:
            say(f"JupyterLab has not answered for {ready_timeout:.0f} s; still waiting "
                "(the lines above may say why).")
            ready_timeout = float("inf")
        time.sleep(0.1)
    code = process.wait()
    if not ready:
        say(f"JupyterLab stopped before serving (exit code {code}): the lines above say why.")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_build.lab",
        description="Start JupyterLab on the course's notebooks (`make lab`), or install its "
                    "settings and kernels (`install`, run by `make install`).",
        epilog="Other options go to `jupyter lab`, e.g. --ServerApp.log_level=INFO.")
    parser.add_argument("action", nargs="?", choices=("start", "install"), default="start")
    parser.add_argument("--user", action="store_true",
                        help="install: register the kernels for your user too (any Jupyter, VS Code)")
    parser.add_argument("--port", type=int, help="serve on exactly this port (default: first free from 8888)")
    parser.add_argument("--ip", default=LOCALHOST, help="address to serve on (default: 127.0.0.1)")
    browser = parser.add_mutually_exclusive_group()
    browser.add_argument("--no-browser", dest="browser", action="store_false", default=None)
    browser.add_argument("--browser", dest="browser", action="store_true")
    args, extra = parser.parse_known_args(argv)
    try:
        if args.action == "install":
            for line in install(user=args.user):
                say(f"installed {line}")
            return 0
        return start(args.port, args.ip, args.browser, extra)
    except CourseError as error:
        say(str(error))
        return 1


if __name__ == "__main__":
    sys.exit(main())
