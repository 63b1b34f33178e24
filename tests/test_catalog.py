import re

import pytest
from huggingface_hub.utils import validate_repo_id

from course_build.recipes import RECIPES
from utils import CourseError, catalog
from utils.assets import RECIPE_VERSIONS
from utils.catalog import TrainedSource

REQUIRED_ROLES = {"encoder": "model", "chat": "model", "sentiment": "dataset", "spam": "dataset",
                  "digits": "dataset", "sentiment-model": "model"}


def test_required_roles_are_declared():
    for role, kind in REQUIRED_ROLES.items():
        assert catalog.get(role).kind == kind


@pytest.mark.parametrize("role", list(catalog.ASSETS))
def test_declaration_is_well_formed(role):
    asset = catalog.get(role)
    assert asset.role == role and asset.kind in ("model", "dataset")
    validate_repo_id(asset.hub_id)
    assert "/" in asset.hub_id  # an organisation-qualified id, as the Hub lists them today
    assert asset.licence and asset.title
    source = asset.offline
    if source is None:  # Hub only: the notes say what the course uses offline instead
        assert "offline" in asset.notes and not asset.recipe
        return
    assert asset.recipe in RECIPES and asset.recipe in RECIPE_VERSIONS and asset.local_name
    if isinstance(source, TrainedSource):
        assert source.inputs and all(catalog.get(r).offline is not None for r in source.inputs)
        assert list(catalog.ASSETS).index(role) > max(list(catalog.ASSETS).index(r) for r in source.inputs)
        return
    assert re.fullmatch(r"[0-9a-f]{64}", source.sha256)
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", source.package)
    assert re.fullmatch(r"\d+(\.\d+)*", source.version)
    assert source.members and all(m and not m.startswith("/") for m in source.members)


def test_local_names_are_unique_and_never_a_hub_id():
    names = [a.local_name for a in catalog.ASSETS.values() if a.offline is not None]
    assert len(set(names)) == len(names)
    assert all("/" not in n for n in names)


def test_hub_mode_returns_the_hub_id():
    assert catalog.model("encoder", mode="hub") == "sentence-transformers/all-MiniLM-L6-v2"
    assert catalog.model("chat", mode="hub") == "HuggingFaceTB/SmolLM2-135M-Instruct"
    assert catalog.dataset("sentiment", mode="hub") == "cornell-movie-review-data/rotten_tomatoes"


@pytest.mark.assets
def test_offline_mode_returns_the_prepared_folder():
    folder = catalog.model("encoder", mode="offline")
    assert folder == str(catalog.get("encoder").folder)


def test_unprepared_asset_says_to_run_make_assets(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_ASSETS_DIR", str(tmp_path))
    with pytest.raises(CourseError, match=r"not prepared .*make assets"):
        catalog.model("encoder", mode="offline")


@pytest.mark.parametrize("call, pattern", [
    (lambda: catalog.get("bert"), "Unknown asset role 'bert': use one of encoder"),
    (lambda: catalog.model("sentiment"), "'sentiment' is a dataset, not a model"),
    (lambda: catalog.dataset("chat"), "'chat' is a model, not a dataset"),
    (lambda: catalog.model("encoder", mode="colab"), "Unknown course mode 'colab'"),
    (lambda: catalog.roles("tokenizer"), "Unknown asset kind"),
    (lambda: catalog.model("summarizer", mode="offline"), "exists only on the Hub .*prompts the chat model"),
])
def test_bad_lookups_end_in_one_sentence(call, pattern):
    with pytest.raises(CourseError, match=pattern) as err:
        call()
    assert "\n" not in str(err.value)


def test_describe_lists_every_role():
    table = catalog.describe()
    assert list(table.index) == catalog.roles()
    assert {"offline source", "hub source", "licence"} <= set(table.columns)


def test_hub_only_roles_resolve_on_the_hub():
    assert catalog.model("summarizer", mode="hub") == "sshleifer/distilbart-cnn-12-6"
    assert not catalog.is_prepared("zero-shot")
    assert "zero-shot" in catalog.roles(offline=False) and "zero-shot" not in catalog.roles(offline=True)


@pytest.mark.assets
def test_card_loads_the_offline_card_of_a_model_and_a_dataset():
    from huggingface_hub import DatasetCard, ModelCard

    model_card = catalog.card("sentiment-model", mode="offline")
    assert isinstance(model_card, ModelCard) and model_card.data.pipeline_tag == "text-classification"
    data_card = catalog.card("spam", mode="offline")
    assert isinstance(data_card, DatasetCard) and data_card.data.license == "cc-by-4.0"
