"""The course's classifier is fine-tuned one way: the asset recipe, notebook 06's defaults and the
accelerate loop's config (exported from 08) all follow :data:`utils.catalog.CLASSIFIER_SETTINGS`."""

import ast
import json

from utils import catalog
from utils.accelerate_loop import TrainConfig, adamw_with_linear_schedule
from utils.params import defaults
from utils.paths import notebooks_dir

SETTINGS = catalog.CLASSIFIER_SETTINGS


def _keywords(notebook: str, call: str) -> dict:
    """The constant keyword arguments of every ``call(...)`` in the notebook's code cells."""
    found = {}
    for cell in json.loads((notebooks_dir() / notebook).read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).endswith(call):
                found |= {k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)}
    return found


def test_the_asset_is_trained_with_the_declared_settings():
    assert catalog.get("sentiment-model").offline.settings is SETTINGS


def test_notebook_06_defaults_are_the_recipe():
    values = defaults("06_trainer.ipynb")
    assert {k: values[k] for k in ("seed", "num_epochs", "batch_size", "max_length", "group_by_length")} == {
        k: SETTINGS[k] for k in ("seed", "num_epochs", "batch_size", "max_length", "group_by_length")}
    assert values["lr"] == SETTINGS["learning_rate"]
    options = _keywords("06_trainer.ipynb", "options.update")
    assert (options["warmup_steps"], options["weight_decay"]) == (SETTINGS["warmup_steps"], SETTINGS["weight_decay"])


def test_the_accelerate_loop_defaults_are_the_recipe():
    config = TrainConfig()
    assert (config.batch_size, config.lr, config.max_length, config.seed) == (
        SETTINGS["batch_size"], SETTINGS["learning_rate"], SETTINGS["max_length"], SETTINGS["seed"])
    import torch

    model = torch.nn.Linear(4, 2)
    optimizer, scheduler = adamw_with_linear_schedule(model, lr=1e-3, total_steps=100)
    assert optimizer.param_groups[0]["weight_decay"] == SETTINGS["weight_decay"]
    lrs = []
    for _ in range(12):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    warmup = next(i for i, lr in enumerate(lrs) if lr >= 1e-3)
    assert warmup == round(SETTINGS["warmup_steps"] * 100), "the schedule warms up over 10% of the steps"
