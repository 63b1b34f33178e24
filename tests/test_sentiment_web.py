"""The course's model in Node and in the browser (apps/sentiment_web/, Transformers.js): the Python
pipeline's probabilities, from local files only, with notebook 16's helpers (utils/web_app.py).

Needs the app's npm packages (`make web`); builds the model folder when it is missing (`make test` runs
these tests after the notebooks, on the folder notebook 16 built). Skips with one sentence when node,
chromium or the packages are missing (under CI, a missing node or chromium fails).
"""

import os

import pytest

from utils.errors import CourseError

NUM_REVIEWS = 100
FP32_TOLERANCE, INT8_SAME_LABEL = 1e-4, 0.95

pytestmark = [pytest.mark.assets, pytest.mark.web]


@pytest.fixture(scope="module")
def expected():
    """The reviews and the Python pipeline's P(each label) on them (the reference), one review at a time."""
    import numpy as np
    import torch
    from datasets import load_dataset
    from transformers import pipeline

    from utils import catalog
    from utils.web_app import WEB_APP, find_tools

    try:
        find_tools()
    except CourseError as missing:
        if os.environ.get("CI") and "npm packages" not in str(missing):
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    if not (WEB_APP / "model" / "course-sentiment" / "onnx" / "model_quantized.onnx").is_file():
        from course_build.web_model import build

        build()
    torch.set_num_threads(1)
    reviews = load_dataset(catalog.dataset("sentiment"), split="test").shuffle(seed=42)["text"][:NUM_REVIEWS]
    classify = pipeline("text-classification", model=catalog.model("sentiment-model"), top_k=None)
    names = [classify.model.config.id2label[i] for i in range(classify.model.config.num_labels)]
    python = np.array([[{d["label"]: d["score"] for d in out}[n] for n in names] for out in classify(reviews)])
    return reviews, names, python


def _compare(expected, measured: dict) -> None:
    from utils.web_app import probabilities

    _, names, python = expected
    fp32 = probabilities(measured["fp32"]["results"], names)
    worst = abs(fp32 - python).max()
    assert worst < FP32_TOLERANCE, f"fp32 P(label) is {worst:.2e} off the Python pipeline's"
    same = (probabilities(measured["q8"]["results"], names).argmax(1) == python.argmax(1)).mean()
    assert same >= INT8_SAME_LABEL, f"int8 keeps the label on {same:.1%} of the reviews (floor {INT8_SAME_LABEL:.0%})"


def test_node_gives_the_python_pipelines_probabilities(expected):
    from utils.web_app import WEB_APP, run_node

    _compare(expected, run_node(WEB_APP / "node_classify.mjs", expected[0], "fp32,q8", "course-sentiment"))


def test_the_page_gives_them_in_chromium_with_no_request_off_this_machine(expected):
    from utils.web_app import classify_in_chromium

    page = classify_in_chromium(expected[0])
    assert page["off_host"] == [], f"the page asked for {len(page['off_host'])} files off this machine: {page['off_host'][:3]}"
    _compare(expected, page["measured"])
    best = expected[1][int(expected[2][0].argmax())]
    assert page["shown"].startswith(best), f"the page's form shows {page['shown']!r} for the first review, not {best}"


def test_a_page_that_reaches_for_another_host_is_caught(expected, tmp_path):
    """The route really refuses and counts: a copy of the app whose page loads a script from another host."""
    import shutil

    from utils.web_app import WEB_APP, classify_in_chromium

    copy = tmp_path / "app"
    shutil.copytree(WEB_APP, copy, ignore=shutil.ignore_patterns("node_modules", "model"), symlinks=True)
    (copy / "node_modules").symlink_to(WEB_APP / "node_modules")
    (copy / "model").symlink_to(WEB_APP / "model")
    html = (copy / "index.html").read_text()
    (copy / "index.html").write_text(html.replace("</body>", '<script src="https://cdn.example.org/x.js"></script></body>'))
    page = classify_in_chromium([], app=copy)
    assert page["off_host"] == ["https://cdn.example.org/x.js"], page["off_host"]
