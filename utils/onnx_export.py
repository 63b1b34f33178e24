"""Exporting a model to ONNX for ONNX Runtime and Transformers.js.

Notebook 10 writes it; notebook 16 builds the folder Transformers.js reads with it.

Generated from notebooks/10_compression.ipynb by `python -m course_build.export`: edit the notebook's #@save cells, not this file.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import torch


def export_onnx(model, sample: dict, path, external_data: bool = True) -> Path:
    """Export ``model`` to ONNX at ``path`` with torch.onnx's dynamo exporter, traced on the tokenized ``sample``,
    batch and sequence dynamic (one graph for every shape); ``external_data=False`` keeps the weights in the file."""
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)  # quiet its "torchvision is not installed" notes
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # notes that the inputs share the axis names below
        torch.onnx.export(model, kwargs=dict(sample), f=path, dynamo=True, verbose=False, input_names=list(sample),
                          output_names=["logits"], dynamic_shapes={name: {0: "batch", 1: "sequence"} for name in sample},
                          external_data=external_data)
    return path
