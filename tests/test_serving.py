"""Serving (notebook 12 and apps/): server processes and the Lambda stand-in, the FastAPI app's
answers to bad input, the Gradio app (a review tab and a photo tab) through gradio_client and in
a real browser.

Every server here binds 127.0.0.1 and is stopped by its test or fixture, also on failure
(ServerProcess kills its whole process group). The tests without the `assets` marker use a
fake classifier and need no model.
"""

import json
import os
import re
import shutil
import sys
import textwrap
import time

import pytest

from utils import CourseError
from utils.paths import REPO_ROOT
from utils.serving import LambdaRuntimeStandIn, ServerProcess, free_port, http_ok

API_DIR = REPO_ROOT / "apps" / "sentiment_api"
GRADIO_APP = REPO_ROOT / "apps" / "sentiment_gradio" / "app.py"
PHOTO = GRADIO_APP.parent / "examples" / "grace_hopper.jpg"
POSITIVE = "A warm, funny and beautifully acted film: I would watch it again tomorrow."


def _fake_classifier(texts):
    """Positive when a text says "good": enough to test the API's plumbing without a model."""
    return [[{"label": "pos", "score": 0.9 if "good" in text else 0.2},
             {"label": "neg", "score": 0.1 if "good" in text else 0.8}] for text in texts]


def _gone(server) -> bool:
    return server.process is not None and server.process.poll() is not None


# --- ServerProcess and the Lambda Runtime API stand-in (no model) --------------------------


def test_a_server_is_started_timed_and_stopped_with_its_process_group(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with ServerProcess([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                       ready=lambda: http_ok(url), cwd=tmp_path, name="http.server") as server:
        assert server.running and 0 < server.cold_start_s < 30
        assert http_ok(url)
    assert _gone(server) and not http_ok(url), "the server still answers after stop()"
    server.stop()  # a second stop does nothing


def test_a_server_that_dies_is_reported_with_its_output():
    command = [sys.executable, "-c", "import sys; print('cannot load the model'); sys.exit(3)"]
    with pytest.raises(CourseError, match=r"(?s)exited with code 3 before it answered.*cannot load the model"):
        ServerProcess(command, ready=lambda: False, name="broken").start()


def test_a_server_that_never_answers_is_stopped_after_the_timeout():
    server = ServerProcess([sys.executable, "-c", "import time; time.sleep(60)"], ready=lambda: False,
                           timeout=1.0, name="silent")
    with pytest.raises(CourseError, match="did not answer within 1 s"):
        server.start()
    assert _gone(server)


def test_a_server_gets_one_thread_and_a_command_list():
    server = ServerProcess(["python", "app.py"], ready=lambda: True)
    assert server.env["OMP_NUM_THREADS"] == "1" and server.env["GRADIO_ANALYTICS_ENABLED"] == "False"
    with pytest.raises(CourseError, match="as a list of arguments"):
        ServerProcess("python app.py", ready=lambda: True)


def _runtime(tmp_path, stand_in, handler="function.handler"):
    env = {"AWS_LAMBDA_RUNTIME_API": stand_in.address, "LAMBDA_TASK_ROOT": str(tmp_path)}
    return ServerProcess([sys.executable, "-m", "awslambdaric", handler], cwd=tmp_path, env=env,
                         ready=lambda: stand_in.polling, timeout=60, name="awslambdaric")


def test_awslambdaric_runs_a_handler_against_the_runtime_api_stand_in(tmp_path):
    (tmp_path / "function.py").write_text(textwrap.dedent("""
        def handler(event, context):
            if event.get("fail"):
                raise ValueError("asked to fail")
            return {"echo": event, "arn": context.invoked_function_arn,
                    "time_left": context.get_remaining_time_in_millis() > 0, "id": context.aws_request_id}
    """))
    with LambdaRuntimeStandIn(function_name="echo") as stand_in, _runtime(tmp_path, stand_in):
        first, second = stand_in.invoke({"n": 1}), stand_in.invoke({"n": 2})
        assert first["echo"] == {"n": 1} and second["echo"] == {"n": 2}
        assert first["arn"].endswith(":function:echo") and first["time_left"] and first["id"] != second["id"]
        with pytest.raises(CourseError, match="the function raised ValueError: asked to fail"):
            stand_in.invoke({"fail": True})
        assert stand_in.invoke({"n": 3})["echo"] == {"n": 3}, "the runtime stopped after a handler error"


def test_a_handler_that_cannot_be_imported_is_an_init_error(tmp_path):
    (tmp_path / "function.py").write_text("import a_module_that_does_not_exist\n")
    with LambdaRuntimeStandIn() as stand_in:
        with pytest.raises(CourseError, match="(?s)exited with code 1 before it answered.*Runtime.ImportModuleError"):
            _runtime(tmp_path, stand_in).start()
        assert stand_in.init_error["errorType"] == "Runtime.ImportModuleError"
        with pytest.raises(CourseError, match="failed to start: Runtime.ImportModuleError"):
            stand_in.invoke({"n": 1}, timeout=10)


def test_measure_service_times_each_request_then_concurrent_clients():
    from utils.service_timing import describe, measure_service

    calls = []

    def call(x):
        calls.append(x)
        time.sleep(0.02)

    timing = measure_service("fake", call, range(8), cold_start_s=1.5, concurrency=4, warmup=2)
    assert calls == [0, 1, *range(8)] + sorted(calls[10:]) and sorted(calls[10:]) == list(range(8))
    assert len(timing.latency.times) == 8 and min(timing.latency.times) >= 0.02
    assert timing.requests_per_s > 2 / timing.latency.median, "4 clients should overlap their waits"
    assert describe(timing).startswith("fake: cold start 1.5 s, p50 2") and "with 4 clients" in describe(timing)


# --- the FastAPI app: validation, in-process and over HTTP (fake classifier) -----------------


@pytest.fixture(scope="module")
def service():
    sys.path.insert(0, str(API_DIR))
    try:
        import service as module
    finally:
        sys.path.remove(str(API_DIR))
    return module


BAD_REQUESTS = [  # (why, body sent as JSON or raw bytes, status, words of the message)
    ("empty text", {"text": ""}, 422, "at least 1 character"),
    ("blank text", {"text": "   \n"}, 422, "the text is blank"),
    ("a number", {"text": 42}, 422, "valid string"),
    ("a list", {"text": ["good", "film"]}, 422, "valid string"),
    ("no text field", {"review": "good"}, 422, "Field required"),
    ("an extra field", {"text": "good", "debug": True}, 422, "Extra inputs are not permitted"),
    ("not JSON", b"text=good", 422, "JSON"),
    ("a huge review", {"text": "good " * 1000}, 413, "shorten it to 2,000 at most"),
    ("a huge body", {"text": "x" * 100_000}, 413, "at most 64,000 are accepted"),
]


def _send(post, body):
    if isinstance(body, bytes):
        return post("/predict", content=body, headers={"content-type": "application/json"})
    return post("/predict", json=body)


def test_the_api_answers_bad_input_with_a_status_and_a_message_in_process(service):
    from fastapi.testclient import TestClient

    client = TestClient(service.create_app(_fake_classifier))
    for why, body, status, words in BAD_REQUESTS:
        response = _send(client.post, body)
        assert response.status_code == status, f"{why}: {response.status_code} {response.text}"
        assert words in response.text, f"{why}: {response.text}"
    good = client.post("/predict", json={"text": "a good film"}).json()
    assert good == {"label": "pos", "score": 0.9, "scores": {"pos": 0.9, "neg": 0.1}}


def test_the_api_keeps_serving_after_bad_input_over_http(tmp_path):
    """A real uvicorn process on 127.0.0.1, with the fake classifier, hit with every bad request."""
    import httpx

    (tmp_path / "fake_service.py").write_text(textwrap.dedent("""
        from service import create_app

        def make():
            return create_app(lambda texts: [[{"label": "pos", "score": 0.9 if "good" in text else 0.2},
                                              {"label": "neg", "score": 0.1 if "good" in text else 0.8}]
                                             for text in texts])
    """))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "uvicorn", "--factory", "fake_service:make", "--host", "127.0.0.1",
               "--port", str(port), "--app-dir", str(tmp_path)]
    with ServerProcess(command, cwd=API_DIR, env={"PYTHONPATH": str(API_DIR)}, ready=lambda: http_ok(f"{base}/health"),
                       name="uvicorn"), httpx.Client(base_url=base, timeout=10) as client:
        for why, body, status, words in BAD_REQUESTS:
            response = _send(client.post, body)
            assert response.status_code == status and words in response.text, f"{why}: {response.text}"
            assert client.get("/health").json()["status"] == "ok", f"the server stopped answering after {why}"
        assert client.post("/predict", json={"text": "a good film"}).json()["label"] == "pos"


def test_the_lambda_events_of_the_app_folder_are_api_gateway_v1_and_v2():
    v1, v2 = (json.loads((API_DIR / f"event-v{n}.json").read_text()) for n in (1, 2))
    assert v1["httpMethod"] == "POST" and v1["path"] == "/predict" and "version" not in v1
    assert v2["version"] == "2.0" and v2["requestContext"]["http"]["method"] == "POST"
    assert all(json.loads(e["body"])["text"] for e in (v1, v2))


def test_the_space_ships_small_example_photos_with_their_sources():
    examples = sorted((GRADIO_APP.parent / "examples").iterdir())
    assert examples and sum(path.stat().st_size for path in examples) < 50_000, "keep the Space's examples small"
    readme = (GRADIO_APP.parent / "README.md").read_text()
    for path in examples:
        assert path.name in GRADIO_APP.read_text(), f"{path.name} is not an example of the app"
        assert path.name in readme, f"the Space's README does not say where {path.name} comes from"


def test_the_space_readme_declares_a_gradio_space():
    import yaml

    readme = (GRADIO_APP.parent / "README.md").read_text()
    header = yaml.safe_load(readme.split("---")[1])
    assert header["sdk"] == "gradio" and header["app_file"] == "app.py"
    assert len(header["short_description"]) <= 60, "the Hub refuses a short_description over 60 characters"
    pins = dict(line.split("==") for line in (REPO_ROOT / "requirements.txt").read_text().splitlines() if "==" in line)
    assert header["sdk_version"] == pins["gradio"], "the Space must run the Gradio the course pins"
    for line in (GRADIO_APP.parent / "requirements.txt").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==")
            assert pins[name] == version, f"the Space pins {line}, the course {name}=={pins[name]}"


# --- the real model: the Lambda handler in-process, the Gradio app, the browser --------------


@pytest.mark.assets
def test_the_lambda_handler_answers_v1_and_v2_events_with_the_real_model(service):
    from mangum import Mangum

    handler = Mangum(service.create_app(), lifespan="off")
    for version, label in ((1, "pos"), (2, "neg")):
        event = json.loads((API_DIR / f"event-v{version}.json").read_text())
        response = handler(event, None)
        assert response["statusCode"] == 200, response
        assert json.loads(response["body"])["label"] == label, f"v{version}: {response['body']}"
    event["body"] = json.dumps({"text": ""})
    response = handler(event, None)
    assert response["statusCode"] == 422 and "at least 1 character" in response["body"]


@pytest.fixture(scope="module")
def gradio_app():
    """The app of apps/sentiment_gradio, started as `python app.py` on a free port of 127.0.0.1."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {"GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port)}
    with ServerProcess([sys.executable, str(GRADIO_APP)], cwd=GRADIO_APP.parent, env=env,
                       ready=lambda: http_ok(url), timeout=120, name="gradio") as server:
        yield url
    assert _gone(server)


@pytest.mark.assets
def test_the_gradio_app_answers_through_gradio_client(gradio_app):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    client = Client(gradio_app, verbose=False)
    assert "/classify" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    confidences, flag = client.predict(POSITIVE, api_name="/classify")
    scores = {c["label"]: c["confidence"] for c in confidences["confidences"]}
    assert confidences["label"] == "pos" and sum(scores.values()) == pytest.approx(1, abs=1e-4)
    assert flag.startswith(("confident: pos", "unsure: pos"))
    with pytest.raises(AppError, match="The review is empty"):
        client.predict("  ", api_name="/classify")
    assert client.predict("Dull, lifeless and far too long.", api_name="/classify")[0]["label"] == "neg"


@pytest.mark.assets
def test_the_gradio_app_classifies_a_photo_through_gradio_client(gradio_app, tmp_path):
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError
    from PIL import Image
    from transformers import pipeline

    from utils import catalog

    client = Client(gradio_app, verbose=False)
    assert "/classify_image" in client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    top, flag = client.predict(handle_file(PHOTO), api_name="/classify_image")
    scores = [c["confidence"] for c in top["confidences"]]
    assert len(scores) == 5 and scores == sorted(scores, reverse=True) and 0 < sum(scores) <= 1 + 1e-6
    expected = pipeline("image-classification", model=catalog.model("image-classifier"))(
        Image.open(PHOTO).convert("RGB"), top_k=1)[0]
    assert top["label"] == top["confidences"][0]["label"] == expected["label"], (top, expected)
    assert scores[0] == pytest.approx(expected["score"], abs=1e-4)
    assert flag.startswith((f"confident: {expected['label']}", f"unsure: {expected['label']}")), flag
    Image.open(PHOTO).convert("L").save(tmp_path / "grey.png")  # one channel: the app converts it to RGB
    assert client.predict(handle_file(tmp_path / "grey.png"), api_name="/classify_image")[0]["label"]
    with pytest.raises(AppError, match="There is no image: upload a photo"):
        client.predict(None, api_name="/classify_image")
    assert client.predict(POSITIVE, api_name="/classify")[0]["label"] == "pos", "the sentiment tab stopped answering"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def _in_a_browser(url: str, steps) -> None:
    """Open ``url`` in Debian's Chromium, run ``steps(page)``; no request may leave 127.0.0.1, and all within 30 s."""
    chromium = _chromium()
    if chromium is None:
        message = "no Chromium found: install Debian's `chromium` (`.ci/run` does) to run the browser test."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    elsewhere = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        try:
            page = browser.new_page()
            page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                    else elsewhere.append(r.url))
            page.goto(url)
            steps(page)
        finally:
            browser.close()
    seconds = time.perf_counter() - start
    assert not elsewhere, f"the page requested something off this machine: {elsewhere[:3]}"
    assert seconds < 30, f"the browser test took {seconds:.1f} s (floor: 30 s)"


@pytest.mark.assets
def test_a_browser_types_a_review_clicks_submit_and_reads_the_label(gradio_app):
    from playwright.sync_api import expect

    def steps(page):
        page.get_by_label("Review").fill(POSITIVE)
        page.get_by_role("button", name="Submit").click()
        expect(page.get_by_test_id("label-output-value")).to_contain_text("pos", timeout=20_000)
        expect(page.get_by_label("Confidence flag")).to_have_value(
            re.compile(r"^(confident|unsure): pos"), timeout=5_000)

    _in_a_browser(gradio_app, steps)


@pytest.mark.assets
def test_a_browser_uploads_a_photo_in_its_tab_and_reads_the_label(gradio_app):
    from gradio_client import Client, handle_file
    from playwright.sync_api import expect

    label = Client(gradio_app, verbose=False).predict(handle_file(PHOTO), api_name="/classify_image")[0]["label"]

    def steps(page):
        page.get_by_role("tab", name="Photo").click()
        panel = page.get_by_role("tabpanel")  # the visible tab only: the review tab stays in the page, hidden
        panel.locator("input[type=file]").set_input_files(PHOTO)
        expect(panel.locator(".image-frame img")).to_be_visible(timeout=10_000)  # uploaded: its preview shows
        panel.get_by_role("button", name="Submit").click()
        expect(panel.get_by_test_id("label-output-value")).to_have_text(label, timeout=20_000)
        expect(panel.get_by_label("Image confidence flag")).to_have_value(
            re.compile(rf"^(confident|unsure): {re.escape(label)}"), timeout=5_000)

    _in_a_browser(gradio_app, steps)


def test_ci_installs_chromium_and_fails_without_it():
    script = (REPO_ROOT / ".ci" / "run").read_text()
    assert "apt-get install" in script and "chromium" in script
    if os.environ.get("CI"):
        assert _chromium(), ".ci/run installs Debian's chromium, and it is missing"
