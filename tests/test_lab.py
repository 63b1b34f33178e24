"""`make lab`: the command line for root and for an ordinary user, ports, the installed settings
and kernels, and a real JupyterLab started briefly on 127.0.0.1 that serves a notebook quietly."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

pytest.importorskip("jupyterlab", reason="JupyterLab is not installed here, so `make lab` cannot start it.")

from course_build import lab  # noqa: E402
from utils.errors import CourseError  # noqa: E402
from utils.net import free_port  # noqa: E402
from utils.paths import course_notebooks  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
OVERRIDES = json.loads((REPO_ROOT / "lab" / "overrides.json").read_text())
SERVER_CONFIG = json.loads((REPO_ROOT / "lab" / "jupyter_server_config.json").read_text())
START_LIMIT_S = 20  # the floor: a served notebook page within 20 s of `make lab`


@pytest.mark.parametrize("root", [True, False], ids=["root", "ordinary-user"])
def test_command_line_for_root_and_for_an_ordinary_user(root):
    command = lab.lab_command(8890, root=root, open_browser=False)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert ("--allow-root" in command) is root, "only root needs --allow-root"
    assert "--ServerApp.ip=127.0.0.1" in command and "--ServerApp.port=8890" in command
    assert "--ServerApp.port_retries=0" in command and "--no-browser" in command
    assert f"--ServerApp.root_dir={REPO_ROOT / 'notebooks'}" in command
    assert not any("token" in part.lower() for part in command), "the token travels in the environment"


def test_no_browser_for_root():
    assert lab.can_open_browser(root=True) is False


def test_the_server_environment_carries_the_token_and_leaves_hub_mode_reachable():
    launcher = {"PATH": "/bin", "COURSE_MODE": "offline", "HF_HUB_OFFLINE": "1", "DO_NOT_TRACK": "1"}
    env = lab.lab_environment(launcher, "t0k", "offline")
    assert env["JUPYTER_TOKEN"] == "t0k" and env["PATH"] == "/bin"
    assert "HF_HUB_OFFLINE" not in env and "COURSE_MODE" not in env, "a notebook may still switch to hub"
    hub = lab.lab_environment({"COURSE_MODE": "hub"}, "t0k", "hub")
    assert hub["COURSE_MODE"] == "hub"


def test_a_taken_port_ends_in_one_sentence_or_moves_to_the_next(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CourseError) as error:
            lab.choose_port(port)
        message = str(error.value)
        assert f"Port {port}" in message and "LAB_PORT" in message
        assert "\n" not in message and message.endswith(".") and message.count(". ") == 0
        monkeypatch.setattr(lab, "DEFAULT_PORT", port)
        chosen, note = lab.choose_port()
        assert chosen != port and lab.port_is_free(chosen)
        assert note and f"port {chosen}" in note


def test_the_overrides_name_real_settings_of_the_installed_jupyterlab():
    schemas = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"
    for plugin, values in OVERRIDES.items():
        package, name = plugin.split(":")
        schema = json.loads((schemas / package / f"{name}.json").read_text())
        for key, value in values.items():
            assert key in schema["properties"], f"{plugin} has no setting {key!r} in this JupyterLab"
            spec = schema["properties"][key]
            allowed = [choice["const"] for choice in spec.get("oneOf", [])] or None
            assert allowed is None or value in allowed, f"{plugin}.{key} takes one of {allowed}"


def test_install_puts_settings_and_kernels_into_an_environment(tmp_path):
    config = tmp_path / "etc" / "jupyter" / "jupyter_server_config.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"ServerApp": {"shutdown_no_activity_timeout": 600}}))
    for _ in range(2):  # a second run changes nothing
        done = lab.install(prefix=tmp_path)
    assert len(done) == 4
    overrides = tmp_path / "share/jupyter/lab/settings/overrides.d" / lab.SETTINGS_FILE_NAME
    assert json.loads(overrides.read_text()) == OVERRIDES
    merged = json.loads(config.read_text())
    assert merged["ServerApp"] == {"shutdown_no_activity_timeout": 600, **SERVER_CONFIG["ServerApp"]}
    assert merged["LabApp"] == SERVER_CONFIG["LabApp"]
    label = lab.environment_label(tmp_path)
    for name, display, mode in [("hf-course", f"HF course ({label})", None),
                                ("hf-course-hub", f"HF course ({label}, hub mode)", "hub")]:
        spec = json.loads((tmp_path / "share/jupyter/kernels" / name / "kernel.json").read_text())
        assert spec["display_name"] == display and spec["argv"][0] == sys.executable
        assert spec.get("env", {}).get("COURSE_MODE") == mode


def _get(port, path, token):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(f"http://127.0.0.1:{port}/{path}",
                                     headers={"Authorization": f"token {token}"})
    with opener.open(request, timeout=5) as response:
        assert response.status == 200, f"/{path} answered {response.status}"
        return response.read().decode()


def _run_in_kernel(port, token, kernel_name, code):
    """Start ``kernel_name`` in the lab, run ``code`` over the kernel's websocket as a notebook
    does, return what it printed, and shut the kernel down."""
    import websocket  # websocket-client, a dependency of jupyter_server

    auth = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    start = urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels", method="POST", headers=auth,
                                   data=json.dumps({"name": kernel_name}).encode())
    kernel_id = json.load(opener.open(start, timeout=10))["id"]
    session, msg_id, printed = uuid.uuid4().hex, uuid.uuid4().hex, []
    channel = websocket.create_connection(
        f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels?session_id={session}",
        header=[f"Authorization: token {token}"], timeout=15)
    try:
        channel.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                       "session": session, "version": "5.4", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        while True:
            message = json.loads(channel.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                printed.append(f"{message['content']['ename']}: {message['content']['evalue']}")
            elif message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                return "".join(printed)
    finally:
        channel.close()
        opener.open(urllib.request.Request(f"http://127.0.0.1:{port}/api/kernels/{kernel_id}",
                                           method="DELETE", headers=auth), timeout=10)


def test_the_lab_serves_a_notebook_quietly_offline(tmp_path):
    settings = lab.installed_settings()
    missing = [str(target) for target in settings.values() if not target.exists()]
    assert not missing, f"the course's lab settings are not installed ({missing}): run `make install`."
    notebook = course_notebooks()[0].name
    port, token = free_port(), "course-lab-test-token"
    env = {**os.environ, "JUPYTER_TOKEN": token, "COURSE_MODE": "offline",
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    log = tmp_path / "lab.log"
    began = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "course_build.lab", "--port", str(port), "--no-browser"],
                                   cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        while not lab.answers(port, token, path=f"lab/tree/{notebook}"):
            assert process.poll() is None, f"the lab stopped: {log.read_text()}"
            assert time.monotonic() - began < START_LIMIT_S, f"no page after {START_LIMIT_S} s: {log.read_text()}"
            time.sleep(0.1)

        page = _get(port, f"lab/tree/{notebook}", token)
        page_config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S)[1])
        assert page_config["treePath"] == notebook
        assert page_config["news"] == {"disabled": True}, "the server fetches no news"
        assert page_config["extensionManager"]["name"] == "read-only", "the extension manager queries nothing"
        content = json.loads(_get(port, f"api/contents/{notebook}", token))
        assert content["type"] == "notebook" and content["content"]["cells"]

        for plugin, values in OVERRIDES.items():
            schema = json.loads(_get(port, f"lab/api/settings/{plugin}", token))["schema"]
            in_force = {key: schema["properties"][key]["default"] for key in values}
            assert in_force == values, f"{plugin}: {in_force} instead of the course's {values}"
        assert json.loads(_get(port, "lab/api/news", token)) == {"news": []}
        assert json.loads(_get(port, "lab/api/update", token)) == {"notification": None}

        specs = json.loads(_get(port, "api/kernelspecs", token))
        assert specs["default"] == lab.KERNEL_NAME
        names = {name: spec["spec"]["display_name"] for name, spec in specs["kernelspecs"].items()}
        assert names[lab.KERNEL_NAME] == lab.kernel_display_name()
        assert names[lab.HUB_KERNEL_NAME] == lab.kernel_display_name(hub=True)

        # the course's kernels run, each in its mode (the way a notebook switches to the Hub)
        code = "import utils, huggingface_hub.constants as c; print(utils.modes.get_mode(), c.HF_HUB_OFFLINE)"
        assert _run_in_kernel(port, token, lab.KERNEL_NAME, code) == "offline True\n"
        assert _run_in_kernel(port, token, lab.HUB_KERNEL_NAME, code) == "hub False\n"

        output = log.read_text()
        assert "without encryption" not in output, "kernels talk to the server over encrypted sockets"
        assert f"http://127.0.0.1:{port}/lab?token={token}" in output, output
        assert "mode: offline" in output and sys.prefix in output, output
        assert ("--allow-root" in output) is lab.is_root(), output
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
