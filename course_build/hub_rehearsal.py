"""The hub rehearsal: every notebook in ``COURSE_MODE=hub`` against a local Hub stand-in.

Nothing here reaches the Hub. :func:`build` writes stand-in repositories under the real Hub
ids, each with what the course's code reads from the real one: the architecture class and
its config fields, label names, dtype, tokenizer kind, dataset columns, ``ClassLabel`` names,
split layout and row order. Weights are tiny and random (except the encoder and the chat
model's tokenizer, which are the real files), data are the course's offline rows laid out
as on the Hub. :func:`main` serves them with :class:`course_build.hub_standin.HubStandIn`, points
``HF_ENDPOINT`` at it and runs the notebooks through the same runner as ``make test``
(:mod:`course_build.runner`, ``pytest --nbmake``), exercises solved, at the rehearsal scale of
:mod:`course_build.sizes`.

The point is the code paths (ids, classes, names, dtypes, layouts), not the results: the
checks that need a trained model say so and are relaxed under ``COURSE_REHEARSAL=1`` only
(:func:`utils.modes.expect`). Its records go to ``build/hub-rehearsal/report``, never to the
committed report.

    python -m course_build.hub_rehearsal            # build, serve, run every notebook
    python -m course_build.hub_rehearsal 01 09      # only these notebooks
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from utils import catalog
from utils.paths import REPO_ROOT

BUILD = REPO_ROOT / "build" / "hub-rehearsal"
#: bump when the stand-in repositories change, so that ``build`` rebuilds them
VERSION = "4"


def _save_model(model, tokenizer_or_processor, folder: Path, dtype=None) -> None:
    import torch

    torch.manual_seed(0)
    if dtype is not None:
        model = model.to(dtype)
    model.save_pretrained(folder)
    if tokenizer_or_processor is not None:
        tokenizer_or_processor.save_pretrained(folder)


def _card(folder: Path, text: str, metadata: dict) -> None:
    from huggingface_hub import ModelCard, ModelCardData

    card = ModelCard.from_template(ModelCardData(**metadata), template_str="---\n{{ card_data }}\n---\n\n" + text)
    card.save(folder / "README.md")


def _bart_tokenizer():
    """A small byte-level BPE with BART's special tokens, trained on the course's reviews
    (the real BART repositories hold GPT-2's 50,265-entry vocabulary)."""
    import pandas as pd
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartTokenizerFast

    texts = pd.read_parquet(catalog.get("sentiment").folder / "data" / "train.parquet")["text"].tolist()
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(texts, vocab_size=2000, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    scratch = Path(tempfile.mkdtemp())
    bpe.save_model(str(scratch))
    tokenizer = BartTokenizerFast(vocab_file=str(scratch / "vocab.json"), merges_file=str(scratch / "merges.txt"),
                                  model_max_length=1024)
    shutil.rmtree(scratch)
    return tokenizer


def _models(root: Path) -> None:
    import torch
    from transformers import (
        AutoTokenizer,
        BartConfig,
        BartForConditionalGeneration,
        BartForSequenceClassification,
        DistilBertConfig,
        DistilBertForSequenceClassification,
        DistilBertTokenizerFast,
        EfficientNetConfig,
        EfficientNetForImageClassification,
        EfficientNetImageProcessor,
        LlamaConfig,
        LlamaForCausalLM,
    )

    torch.manual_seed(0)
    # the encoder: the real repository's files (the offline asset is an unchanged copy)
    encoder = root / catalog.get("encoder").hub_id
    shutil.copytree(catalog.get("encoder").folder, encoder, ignore=shutil.ignore_patterns(".course-asset.json"))

    # the sentiment model: DistilBERT, uncased WordPiece (MiniLM's is the same bert-base-uncased vocabulary)
    folder = root / catalog.get("sentiment-model").hub_id
    tokenizer = DistilBertTokenizerFast(vocab_file=str(catalog.get("encoder").folder / "vocab.txt"),
                                        do_lower_case=True, model_max_length=512)
    config = DistilBertConfig(vocab_size=30522, dim=64, hidden_dim=128, n_layers=6, n_heads=2,
                              id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1},
                              finetuning_task="sst-2", architectures=["DistilBertForSequenceClassification"])
    _save_model(DistilBertForSequenceClassification(config), tokenizer, folder)
    _card(folder, "# DistilBERT base uncased finetuned SST-2 (stand-in: tiny random weights)\n",
          {"language": "en", "license": "apache-2.0", "datasets": ["sst2"]})
    # also in the real repository, never needed by the course (allow_patterns must leave it out)
    (folder / "tf_model.h5").write_bytes(b"\0" * 1024)
    # its Transformers.js twin (Xenova/...): the same weights in the folder layout Transformers.js reads (16)
    from utils.web_app import HUB_TWINS, transformers_js_folder

    twin = AutoTokenizer.from_pretrained(folder)
    transformers_js_folder(DistilBertForSequenceClassification.from_pretrained(folder), twin,
                           root / HUB_TWINS[catalog.get("sentiment-model").hub_id],
                           twin(["a fine film", "a dull, overlong film"], padding=True, return_tensors="pt"))

    # the chat model: Llama, its real byte-level BPE tokenizer and chat template, bf16 weights as on the Hub
    chat = catalog.get("chat")
    folder = root / chat.hub_id
    real = json.loads((chat.folder / "config.json").read_text())
    config = LlamaConfig(**{**{k: v for k, v in real.items() if k not in ("_model_name_or_path", "dtype",
                                                                         "transformers_version")},
                            "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
                            "num_attention_heads": 2, "num_key_value_heads": 1, "head_dim": 32})
    config.dtype = torch.bfloat16
    model = LlamaForCausalLM(config)
    _save_model(model, AutoTokenizer.from_pretrained(chat.folder), folder, dtype=torch.bfloat16)
    shutil.copy(chat.folder / "generation_config.json", folder / "generation_config.json")
    _card(folder, "# SmolLM2-135M-Instruct (stand-in: tiny random weights, real tokenizer)\n",
          {"language": "en", "license": "apache-2.0", "library_name": "transformers"})

    # the Hub-only models: BART, with BART's tokenizer kind (byte-level BPE, <s> </s> <pad> <mask>)
    bart_tokenizer = _bart_tokenizer()
    small = dict(vocab_size=len(bart_tokenizer), d_model=32, encoder_layers=1, decoder_layers=1,
                 encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64, decoder_ffn_dim=64,
                 max_position_embeddings=1024)
    nli = BartConfig(**small, id2label={0: "contradiction", 1: "neutral", 2: "entailment"},
                     label2id={"contradiction": 0, "neutral": 1, "entailment": 2})
    _save_model(BartForSequenceClassification(nli), bart_tokenizer, root / catalog.get("zero-shot").hub_id)
    summarizer = BartConfig(**small, task_specific_params={"summarization": {
        "length_penalty": 2.0, "max_length": 142, "min_length": 56, "no_repeat_ngram_size": 3, "num_beams": 4}})
    _save_model(BartForConditionalGeneration(summarizer), bart_tokenizer, root / catalog.get("summarizer").hub_id)

    # the image classifier: EfficientNet-B0's config (transformers' class, squeeze-excite, swish), ImageNet labels
    lite = json.loads((catalog.get("image-classifier").folder / "config.json").read_text())
    id2label = {int(k): v for k, v in lite["id2label"].items()}
    config = EfficientNetConfig(image_size=224, width_coefficient=1.0, depth_coefficient=1.0, dropout_rate=0.2,
                                hidden_dim=1280, id2label=id2label, label2id={v: k for k, v in id2label.items()})
    # the normalisation of transformers' EfficientNet conversions (Keras' ImageNet mean and std), include_top on
    processor = EfficientNetImageProcessor(size={"height": 224, "width": 224}, image_mean=[0.485, 0.456, 0.406],
                                           image_std=[0.47853944, 0.4732864, 0.47434163], do_center_crop=False)
    _save_model(EfficientNetForImageClassification(config), processor, root / catalog.get("image-classifier").hub_id)


def _dataset_card(folder: Path, features: list[str], configs: list[dict]) -> None:
    lines = ["---", "configs:"]
    for config in configs:
        lines += [f"- config_name: {config['name']}", "  data_files:"]
        lines += [f"  - split: {split}\n    path: {path}" for split, path in config["files"].items()]
    lines += ["dataset_info:", "  features:", *features, "---", "", "Stand-in for the hub rehearsal.", ""]
    (folder / "README.md").write_text("\n".join(lines))


def _class_label(name: str, names: list[str]) -> list[str]:
    return [f"  - name: {name}", "    dtype:", "      class_label:", "        names:",
            *[f"          '{i}': '{n}'" for i, n in enumerate(names)]]


def _datasets(root: Path) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    def rows(role: str, *splits: str) -> pa.Table:
        """The offline splits' rows, with their schema metadata (the datasets features: ClassLabel, Image)."""
        data = catalog.get(role).folder / "data"
        return pa.concat_tables([pq.read_table(data / f"{s}.parquet") for s in splits])

    # rotten_tomatoes: train/validation/test at the root, each split positives first, then negatives
    folder = root / catalog.get("sentiment").hub_id
    folder.mkdir(parents=True)
    for split in ("train", "validation", "test"):
        table = rows("sentiment", split)
        order = pc.sort_indices(table, sort_keys=[("label", "descending")])
        pq.write_table(table.take(order), folder / f"{split}.parquet")
    _dataset_card(folder, ["  - name: text", "    dtype: string", *_class_label("label", ["neg", "pos"])],
                  [{"name": "default", "files": {s: f"{s}.parquet" for s in ("train", "validation", "test")}}])

    # sms_spam: one train split, in the plain_text config's folder; columns sms and label (ham/spam)
    folder = root / catalog.get("spam").hub_id
    (folder / "plain_text").mkdir(parents=True)
    pq.write_table(rows("spam", "train", "validation", "test"), folder / "plain_text" / "train-00000-of-00001.parquet")
    _dataset_card(folder, ["  - name: sms", "    dtype: string", *_class_label("label", ["ham", "spam"])],
                  [{"name": "plain_text", "files": {"train": "plain_text/train-*"}}])

    # mnist: train and test (no validation split), in the mnist config's folder
    folder = root / catalog.get("digits").hub_id
    (folder / "mnist").mkdir(parents=True)
    pq.write_table(rows("digits", "train", "validation"), folder / "mnist" / "train-00000-of-00001.parquet")
    pq.write_table(rows("digits", "test"), folder / "mnist" / "test-00000-of-00001.parquet")
    _dataset_card(folder, ["  - name: image", "    dtype: image", *_class_label("label", [str(d) for d in range(10)])],
                  [{"name": "mnist", "files": {"train": "mnist/train-*", "test": "mnist/test-*"}}])


def _spaces(root: Path) -> None:
    """The evaluation modules as Spaces (evaluate-metric/accuracy, ...), from the course's copies."""
    for name in sorted(catalog.HUB_EVALUATION_MODULES):
        folder = root / catalog.EVALUATION_OWNERS[catalog.EVALUATION_MODULES[name]] / name
        shutil.copytree(REPO_ROOT / "evaluate_modules" / name, folder)


def build(target: Path = BUILD / "repos") -> Path:
    """Write the stand-in repositories under ``target`` (reused when already built at this VERSION)."""
    stamp = target / ".built"
    if stamp.is_file() and stamp.read_text() == VERSION:
        return target
    missing = [r for r in ("encoder", "chat", "sentiment", "spam", "digits", "image-classifier")
               if not catalog.is_prepared(r)]
    if missing:
        raise SystemExit(f"The rehearsal builds on the offline assets {', '.join(missing)}: run `make assets` first.")
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=target.parent))
    try:
        _models(scratch / "models")
        _datasets(scratch / "datasets")
        _spaces(scratch / "spaces")
        (scratch / ".built").write_text(VERSION)
        shutil.rmtree(target, ignore_errors=True)
        scratch.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def environment(endpoint: str, home: Path) -> dict[str, str]:
    """The variables of a rehearsal run: hub mode, the stand-in's endpoint, an empty Hub cache, its own records."""
    return {"COURSE_MODE": "hub", "COURSE_REHEARSAL": "1", "HF_ENDPOINT": endpoint, "HF_HOME": str(home),
            "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_UPDATE_CHECK": "1", "DO_NOT_TRACK": "1",
            "COURSE_REPORT_DIR": str(BUILD / "report")}


def main(argv: list[str] | None = None) -> int:
    from course_build.hub_standin import HubStandIn
    from course_build.runner import notebooks, run, stage

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook numbers (default: all)")
    args = parser.parse_args(argv)
    start = time.time()
    repos = build()
    print(f"[rehearsal] stand-in repositories in {repos} ({time.time() - start:.0f} s)", flush=True)
    paths = notebooks(args.notebooks)
    staged = stage(paths, BUILD / "executed", solutions=True, scale="rehearsal")
    home = BUILD / "hf-home"
    shutil.rmtree(home, ignore_errors=True)
    with HubStandIn(repos) as hub:
        code = run(staged, env=environment(hub.endpoint, home), solutions=True)
        for request in sorted(set(hub.unanswered)):
            print(f"[rehearsal] the stand-in does not implement {request}")
    print(f"[rehearsal] {len(paths)} notebooks in hub mode against the stand-in: "
          f"{'all passed' if code == 0 else 'FAILED (see above)'}, {time.time() - start:.0f} s")
    return 1 if code else 0


if __name__ == "__main__":
    sys.exit(main())
