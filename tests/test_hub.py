"""utils.hub.seed_cache writes the Hub cache layout that the real APIs resolve offline."""

import pytest

from utils import CourseError, catalog
from utils.hub import seed_cache


@pytest.fixture
def tiny_model_folder(tmp_path):
    from transformers import BertConfig, BertForSequenceClassification

    config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=16, id2label={0: "neg", 1: "pos"}, label2id={"neg": 0, "pos": 1})
    model = BertForSequenceClassification(config)
    model.save_pretrained(tmp_path / "v1")
    model.config.id2label = {0: "NEGATIVE", 1: "POSITIVE"}
    model.config.label2id = {"NEGATIVE": 0, "POSITIVE": 1}
    model.save_pretrained(tmp_path / "v2")
    return tmp_path


def test_revisions_resolve_and_pin(tiny_model_folder, no_network):
    from huggingface_hub import scan_cache_dir
    from transformers import AutoConfig

    cache = tiny_model_folder / "cache"
    first = seed_cache(tiny_model_folder / "v1", "course/tiny", cache)
    second = seed_cache(tiny_model_folder / "v2", "course/tiny", cache)
    assert len(first) == 40 and first != second
    latest = AutoConfig.from_pretrained("course/tiny", cache_dir=cache, local_files_only=True)
    pinned = AutoConfig.from_pretrained("course/tiny", cache_dir=cache, local_files_only=True, revision=first)
    assert latest.id2label[1] == "POSITIVE" and pinned.id2label[1] == "pos"
    (repo,) = scan_cache_dir(cache).repos
    assert repo.repo_id == "course/tiny" and len(repo.revisions) == 2
    assert len(list((cache / "models--course--tiny" / "blobs").iterdir())) == 3  # shared weights blob


def test_seeding_twice_is_idempotent(tiny_model_folder):
    cache = tiny_model_folder / "cache"
    assert seed_cache(tiny_model_folder / "v1", "course/tiny", cache) == seed_cache(
        tiny_model_folder / "v1", "course/tiny", cache)


@pytest.mark.parametrize("folder, repo_id, pattern", [
    ("missing", "course/tiny", "needs a model folder"),
    ("v1", "tiny", "'org/name' repo id"),
])
def test_bad_arguments(tiny_model_folder, folder, repo_id, pattern):
    with pytest.raises(CourseError, match=pattern):
        seed_cache(tiny_model_folder / folder, repo_id, tiny_model_folder / "cache")


@pytest.mark.assets
def test_local_folder_offline_is_the_prepared_folder():
    assert catalog.local_folder("encoder", mode="offline") == catalog.get("encoder").folder
