"""Build the model folder that Transformers.js reads (apps/sentiment_web/model/course-sentiment/), from the course's asset.

``python -m course_build.web_model`` (``make web``) calls notebook 16's ``transformers_js_folder``
(:mod:`utils.web_app`, exported from its ``#@save`` cells): ``config.json``, ``tokenizer.json``,
``tokenizer_config.json``, ``onnx/model.onnx`` (fp32) and ``onnx/model_quantized.onnx`` (int8, ``dtype: "q8"``),
written under a temporary name and renamed into place, so a failed build leaves the previous one intact.
The folder is git-ignored, never committed: it is rebuilt when the model's manifest changes.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from utils import onnx_export, web_app
from utils.catalog import MANIFEST_NAME
from utils.web_app import WEB_APP, transformers_js_folder

FOLDER = WEB_APP / "model" / "course-sentiment"
STAMP = ".built-from.json"  # the asset's manifest and the exporting code it was built with, beside the folder


def build(target: Path = FOLDER, force: bool = False) -> Path:
    """Export the catalog's sentiment model into ``target`` unless it was built from the same asset; return it."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from utils import catalog

    source = Path(catalog.model("sentiment-model", mode="offline"))
    code = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in (onnx_export, web_app))).hexdigest()
    built_from = {"asset": (source / MANIFEST_NAME).read_text(), "code": code}
    stamp = target.with_name(target.name + STAMP)
    if not force and (target / "onnx" / "model_quantized.onnx").is_file() and stamp.is_file() \
            and json.loads(stamp.read_text()) == built_from:
        print(f"{target.relative_to(WEB_APP)}: up to date")
        return target
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForSequenceClassification.from_pretrained(source).eval()
    sample = tokenizer(["a fine film", "a dull, overlong and tiresome film"], padding=True, return_tensors="pt")
    transformers_js_folder(model, tokenizer, target, sample)
    stamp.write_text(json.dumps(built_from))
    for path in sorted(target.rglob("*")):
        if path.is_file():
            print(f"{path.relative_to(WEB_APP)}: {path.stat().st_size / 1e6:.1f} MB")
    return target


if __name__ == "__main__":
    build(force="--force" in sys.argv)
