"""The course's model in the browser and in Node with Transformers.js: the folder it reads, Node and Chromium runs.

Notebook 16 builds them; `make web` (course_build.web_model) and tests/test_sentiment_web.py use them.

Generated from notebooks/16_browser.ipynb by `python -m course_build.export`: edit the notebook's #@save cells, not this file.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlparse

import onnx
from onnxruntime.quantization import QuantType, quantize_dynamic
from playwright.sync_api import sync_playwright

from utils.errors import CourseError
from utils.net import LOCALHOST, LocalServer
from utils.onnx_export import export_onnx
from utils.paths import REPO_ROOT

WEB_APP = REPO_ROOT / "apps" / "sentiment_web"  # index.html, classify.js, measure.js, node_classify.mjs, model/


def find_tools(app: Path = WEB_APP) -> dict:
    """Node, Chromium and the app's npm packages, or one sentence saying what to install."""
    node = shutil.which("node")
    chromium = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    packages = (app / "node_modules" / "@huggingface" / "transformers").is_dir()
    missing = [what for what, found in (("Node.js 20 (`node`)", node), ("Chromium (Debian's `chromium`)", chromium),
                                        ("the app's npm packages (run `make web`)", packages)) if not found]
    if missing:
        raise CourseError(f"This lesson needs {' and '.join(missing)}: install them, then run this cell again.")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    return {"node": node, "node_version": version, "chromium": chromium}


def quantize_int8(source: Path, target: Path) -> Path:
    """Dynamic int8 quantization of the ONNX model ``source`` into ``target``, a scale per output channel."""
    import logging

    graph = onnx.load(source)
    del graph.graph.value_info[:]  # the dynamo export's shape annotations trip quantize_dynamic's shape inference
    cleared = Path(target).with_name("cleared.onnx")
    onnx.save(graph, cleared)
    root, level = logging.getLogger(), logging.getLogger().level
    root.setLevel(logging.ERROR)  # quiet its advice to pre-process the graph first
    try:
        quantize_dynamic(cleared, target, weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)
        cleared.unlink(missing_ok=True)
    return Path(target)


def transformers_js_folder(model, tokenizer, folder: Path, sample: dict) -> Path:
    """Write the folder Transformers.js reads for ``model``: config, tokenizer, onnx/model.onnx (fp32) and
    onnx/model_quantized.onnx (int8), traced on the tokenized ``sample``; atomically (temporary name, rename)."""
    folder = Path(folder)
    work, old = folder.with_name(f".tmp-{folder.name}"), folder.with_name(f".old-{folder.name}")
    shutil.rmtree(work, ignore_errors=True)
    model.config.save_pretrained(work)
    tokenizer.save_pretrained(work)
    export_onnx(model.eval(), sample, work / "onnx" / "model.onnx", external_data=False)
    quantize_int8(work / "onnx" / "model.onnx", work / "onnx" / "model_quantized.onnx")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        folder.rename(old)
    work.rename(folder)
    shutil.rmtree(old, ignore_errors=True)
    return folder


def run_node(script: Path, reviews: list[str], *args: str, app: Path = WEB_APP, timeout: int = 600):
    """Run the Node ``script`` with the reviews as JSON on stdin and one thread; return its last line, parsed."""
    node = find_tools(app)["node"]
    done = subprocess.run([node, str(script), *args], input=json.dumps(list(reviews)), text=True, capture_output=True,
                          timeout=timeout, cwd=app, env={**os.environ, "OMP_NUM_THREADS": "1"})
    if done.returncode != 0:
        raise CourseError(f"node {Path(script).name} failed: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def probabilities(results: list, label_names: list[str]):
    """Transformers.js' answers ([{label, score}, ...] per review) as an array of P(each label)."""
    import numpy as np

    return np.array([[{d["label"]: d["score"] for d in answer}[name] for name in label_names] for answer in results])


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class StaticSite(LocalServer):
    """The files of ``folder`` over HTTP on 127.0.0.1, as any static host serves them (a context manager)."""

    thread_name = "static-site"

    def __init__(self, folder: Path, port: int = 0):
        self.folder = str(folder)
        super().__init__(port)

    def handler_class(self):
        return functools.partial(_QuietFiles, directory=self.folder)


def guard(allowed, refused: list):
    """A Playwright route: requests to ``allowed`` hosts (".hf.co": any under it) go on, others abort into ``refused``."""
    def route(handle):
        host = urlparse(handle.request.url).hostname or ""
        if host in allowed or any(a.startswith(".") and host.endswith(a) for a in allowed):
            handle.continue_()
        else:
            refused.append(handle.request.url)
            handle.abort()
    return route


def use_page(page, reviews, dtypes):
    """Run measure.js on the reviews in the page, then classify the first one through its form, as a visitor does."""
    measured = page.evaluate("([r, d]) => courseSentiment.measure(r, d)", [reviews, dtypes])
    page.fill("#review", reviews[0])
    page.click("#classify")
    page.wait_for_function("document.getElementById('answer').textContent.includes('%')", timeout=60_000)
    return measured, page.text_content("#answer")


def classify_in_chromium(reviews: list[str], dtypes=("fp32", "q8"), query: str = "", allowed=(LOCALHOST,),
                         app: Path = WEB_APP) -> dict:
    """Open the app's page in Chromium, run measure.js on ``reviews``, then classify the first one through the
    page's form (no reviews: only open the page). Requests to hosts not in ``allowed`` are aborted and listed (``off_host``); ``fetched`` maps
    each path the page fetched to its size in bytes."""
    from concurrent.futures import ThreadPoolExecutor

    # Playwright's sync API refuses a thread whose asyncio loop runs (a Jupyter kernel's): a worker thread has none
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(_chromium_run, list(reviews), list(dtypes), query, allowed, app).result()


def _chromium_run(reviews, dtypes, query, allowed, app):
    chromium, off_host, requests = find_tools(app)["chromium"], [], []
    with StaticSite(app) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        try:
            page = browser.new_page()
            page.route("**/*", guard(allowed, off_host))
            page.on("requestfinished", lambda request: requests.append(request))
            page.goto(f"{site.endpoint}/index.html{query}")
            page.wait_for_function("document.getElementById('answer').textContent === 'ready'", timeout=60_000)
            measured, shown = use_page(page, reviews, dtypes) if reviews else ({}, None)  # none: the page alone
            fetched = {urlparse(r.url).path: r.sizes()["responseBodySize"] for r in requests}
        finally:
            browser.close()
    return {"measured": measured, "off_host": off_host, "fetched": fetched, "shown": shown}


#: Hub models and their Transformers.js twins (the same weights, exported to ONNX in the same layout)
HUB_TWINS = {"distilbert/distilbert-base-uncased-finetuned-sst-2-english":
             "Xenova/distilbert-base-uncased-finetuned-sst-2-english"}
