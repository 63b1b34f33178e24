"""Notebook parameters: their values in this run, and whether they are the notebook's defaults.

Every notebook has one cell tagged ``parameters``; its assignments are the notebook's
sizes (``train_size = param("train_size", 4000)``). They can change three ways: an
environment variable (``COURSE_TRAIN_SIZE=320``, read by :func:`param`), a cell after it
that reassigns them (papermill's ``-p train_size 320``, or the test scale of ``make test``),
or an edit of the cell.

Records carry the values a run actually used, read from the notebook's namespace when the
record is made, and compare them with the defaults written in the stored notebook, so a
run with other sizes is flagged and never mixed into the reference tables.
"""

from __future__ import annotations

import ast
import json
import os
from pathlib import Path

from utils.errors import CourseError
from utils.paths import notebooks_dir

#: name -> value returned by :func:`param` in this process (the notebook that runs in it).
_REGISTERED: dict[str, object] = {}


def param(name: str, default):
    """A notebook parameter: ``$COURSE_<NAME>`` if set (converted to ``default``'s type), else ``default``.

    Example: ``num_samples = param("num_samples", 256)`` lets CI or a teacher run
    ``COURSE_NUM_SAMPLES=64 make course`` without editing the notebook.
    """
    variable = f"COURSE_{name.upper()}"
    raw = os.environ.get(variable)
    value = default if raw is None else _convert(variable, raw, default)
    _REGISTERED[name] = value
    return value


def _convert(variable: str, raw: str, default):
    kind = type(default)
    try:
        if kind is bool:
            if raw.strip().lower() not in ("1", "0", "true", "false", "yes", "no"):
                raise ValueError(raw)
            return raw.strip().lower() in ("1", "true", "yes")
        if kind in (list, tuple, dict):
            value = json.loads(raw)
            if not isinstance(value, list | dict):
                raise ValueError(raw)
            return kind(value)
        return kind(raw)
    except ValueError:
        raise CourseError(
            f"{variable}={raw!r} is not a valid {kind.__name__}: unset it or give a value like {default!r}."
        ) from None


def parameters_cell(path: Path) -> str:
    """The source of the cell tagged ``parameters`` in the stored notebook at ``path``."""
    cells = json.loads(Path(path).read_text())["cells"]
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return "".join(cell["source"])
    raise CourseError(f"{Path(path).name} has no cell tagged 'parameters': tag the cell that holds its sizes.")


def defaults(notebook: str) -> dict:
    """The default parameters of ``notebook`` (e.g. "06_trainer.ipynb"), read from its stored file:
    the literal defaults of ``name = param("name", default)`` and of plain ``name = literal`` lines."""
    path = notebooks_dir() / notebook
    if not path.is_file():
        return {}
    found = {}
    for statement in ast.parse(parameters_cell(path)).body:
        if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            continue
        value = statement.value
        if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "param" and len(value.args) == 2:
            value = value.args[1]
        try:
            found[statement.targets[0].id] = ast.literal_eval(value)
        except ValueError:
            continue
    return found


def _namespace() -> dict | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return shell.user_ns if shell is not None else None


def _jsonable(value):
    if isinstance(value, tuple):
        return list(value)
    return value


def current(notebook: str) -> dict:
    """The parameters of ``notebook`` as this run uses them: from the notebook's namespace when
    running in a kernel (papermill's and the learner's changes included), else from :func:`param`."""
    names = defaults(notebook)
    namespace = _namespace()
    values = {}
    for name in {**names, **_REGISTERED}:
        if namespace is not None:
            if name in namespace:
                values[name] = _jsonable(namespace[name])
        elif name in _REGISTERED:
            values[name] = _jsonable(_REGISTERED[name])
    return values


def changed(notebook: str, values: dict) -> dict:
    """The parameters of ``values`` that differ from ``notebook``'s defaults: name -> {value, default}."""
    reference = defaults(notebook)
    return {name: {"value": value, "default": _jsonable(reference[name])}
            for name, value in values.items() if name in reference and value != _jsonable(reference[name])}
