"""The checks and hints of every notebook's "Try it" exercises (see :mod:`utils.exercises`).

Each check takes the learner's answer (and the notebook objects it needs, passed in the
check cell), returns a success sentence, or raises :class:`~utils.exercises.Wrong` with
one sentence saying what is off. Hints give the idea, never the code; the reference
solutions live in ``solutions/<notebook>.py``. A check verifies what the exercise states
(the split's seed and sizes, the setting that was changed), not only a number that could
come out right by chance, and accepts a value read off a rounded table.
"""

from __future__ import annotations

import math
import os

from utils.exercises import Wrong, register
from utils.modes import is_rehearsal


def rehearsal() -> bool:
    """The hub rehearsal runs tiny random stand-ins: checks of trained quality are relaxed there."""
    return os.environ.get("COURSE_REHEARSAL", "") == "1"


def number(answer, what: str) -> float:
    """``answer`` as a float, or Wrong saying that a number was expected."""
    if isinstance(answer, bool) or not isinstance(answer, int | float) and not hasattr(answer, "__float__"):
        raise Wrong(f"{what} should be a number, got {type(answer).__name__}.")
    return float(answer)


def share(answer, what: str) -> float:
    """``answer`` as a share between 0 and 1 (a percentage is refused with a sentence)."""
    value = number(answer, what)
    if value > 1:
        raise Wrong(f"{what} should be between 0 and 1, and {value:g} is more (a percentage? divide by 100).")
    if value < 0:
        raise Wrong(f"{what} cannot be negative, got {value:g}.")
    return value


def close(value: float, expected: float, rel: float = 1e-3, abs_: float = 0.0) -> bool:
    return math.isclose(value, expected, rel_tol=rel, abs_tol=abs_)


def integer(answer, what: str) -> int:
    if isinstance(answer, bool) or not isinstance(answer, int) and not (hasattr(answer, "item") and
                                                                         float(answer) == int(answer)):
        raise Wrong(f"{what} should be a whole number, got {answer!r}.")
    return int(answer)


# --- 00 setup ----------------------------------------------------------------------------


@register("00_setup", 1, hint="A module's parameters() yields every weight tensor under it, and each "
          "tensor's numel() counts its values; the embedding layer is one module of the encoder, "
          "with more than one table in it.")
def embedding_share(answer, encoder):
    value = share(answer, "The share")
    total = sum(p.numel() for p in encoder.parameters())
    expected = sum(p.numel() for p in encoder.embeddings.parameters()) / total
    words = encoder.embeddings.word_embeddings.weight.numel() / total
    if close(value, expected, abs_=0.002):
        return f"{expected:.1%} of the encoder's {total:,} parameters are embeddings: one vector per token of the vocabulary."
    if close(value, words, abs_=0.0005):
        raise Wrong("that is the word embeddings alone; the layer also holds position and token-type "
                    "embeddings and a LayerNorm.")
    raise Wrong(f"{value:.4f} is not the embedding layer's share of all parameters.")


@register("00_setup", 2, hint="load_dataset takes what catalog.dataset gives for a role; the spam "
          "data's labels are a ClassLabel, so find which integer means 'spam' before counting.")
def spam_share(answer, catalog):
    from datasets import load_dataset

    value = share(answer, "The share of spam")
    train = load_dataset(catalog.dataset("spam"))["train"]
    labels = list(train["label"])
    spam = train.features["label"].names.index("spam")
    expected = labels.count(spam) / len(labels)
    if close(value, expected, abs_=0.002):
        return f"{expected:.1%} of the {len(labels):,} training messages are spam: an imbalanced dataset."
    if close(value, 1 - expected, abs_=0.002):
        raise Wrong("that is the share of ham; count the messages whose label is 'spam'.")
    raise Wrong(f"{value:.4f} is not the share of spam among the training messages.")


# --- 01 pipelines ------------------------------------------------------------------------


@register("01_pipelines", 1, hint="By default a text-classification pipeline returns only the best label; "
          "one of its call arguments asks for the scores of every label, and then you pick the one named "
          "like the model's label for id 1.")
def positive_probabilities(answer, classifier, reviews):
    import numpy as np

    if isinstance(answer, str) or not hasattr(answer, "__len__"):
        raise Wrong(f"give a list of {len(reviews)} probabilities, one per review.")
    try:
        got = np.asarray(answer, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Wrong("give plain numbers (the 'score' values), one per review.") from None
    positive = classifier.model.config.id2label[1]
    scores = classifier(list(reviews), top_k=None)
    expected = np.array([next(s["score"] for s in r if s["label"] == positive) for r in scores])
    if got.shape != expected.shape:
        raise Wrong(f"give one probability per review: {len(expected)}, not {got.size}.")
    if np.allclose(got, expected, atol=1e-3):
        return f"P({positive}) = {np.round(expected, 3).tolist()}: close to 0 where the model reads a negative review."
    if np.allclose(got, [max(s["score"] for s in r) for r in scores], atol=1e-3):
        raise Wrong(f"those are the best label's scores; for the negative review you need P({positive}), "
                    "which is small.")
    raise Wrong(f"those are not the pipeline's P({positive}) for the three reviews.")


@register("01_pipelines", 2, hint="Look at how the model starts its answers when it writes freely, and spell "
          "the labels the way it would (capitals?); or tell it more plainly what to answer.")
def better_prompt(answer, score_prompt, plain, topics, headlines):
    if not (isinstance(answer, tuple | list) and len(answer) == 2 and isinstance(answer[0], str)):
        raise Wrong("give a pair (template, labels): a prompt template string and a list of the three labels.")
    template, labels = answer
    missing = [f for f in ("{text}", "{labels}") if f not in template]
    if missing:
        raise Wrong(f"the template needs the fields {' and '.join(missing)}, which label_log_probs fills in.")
    if sorted(str(label).lower() for label in labels) != sorted(t.lower() for t in topics):
        raise Wrong(f"the labels must be the three topics {topics}, spelled as you like.")
    if template.strip() == plain.strip() and list(labels) == list(topics):
        raise Wrong("that is the given prompt with the given labels; change one or both.")
    right, _ = score_prompt(template, list(labels))
    given, _ = score_prompt(plain, list(topics))
    needed = min(len(headlines), max(6, given + 1))
    if rehearsal():
        return f"{right} of {len(headlines)} right (quality is not checked on the hub rehearsal's random stand-ins)."
    if right >= needed:
        return f"{right} of {len(headlines)} headlines right, against {given} for the given prompt."
    raise Wrong(f"{right} of {len(headlines)} right (the given prompt gets {given}); {needed} are needed.")


# --- 02 tokenizers ----------------------------------------------------------------------


@register("02_tokenizers", 1, hint="train_new_from_iterator takes the texts (an iterator of lists works best) and "
          "the vocabulary size you want; then count the tokens of the test reviews.")
def small_vocabulary(answer, test_texts, reference):
    if not callable(getattr(answer, "tokenize", None)) or not hasattr(answer, "get_vocab"):
        raise Wrong("give the tokenizer that train_new_from_iterator returned.")
    size = len(answer)
    if abs(size - 2000) > 50:
        raise Wrong(f"its vocabulary holds {size:,} tokens, not about 2,000.")
    words = sum(len(text.split()) for text in test_texts)

    def per_word(tokenizer):
        return sum(len(ids) for ids in tokenizer(list(test_texts), add_special_tokens=False)["input_ids"]) / words

    small, larger = per_word(answer), per_word(reference)
    return (f"{small:.3f} tokens per word with 2,000 entries against {larger:.3f} with {len(reference):,}: a smaller "
            "vocabulary cuts words into more pieces, so every input gets longer.")


@register("02_tokenizers", 2, hint="Call the tokenizer on the 32 texts with padding, truncation, max_length and "
          "pad_to_multiple_of, ask for arrays (return_tensors), and count the ids.")
def padded_to_multiple_of_8(answer, tokenizer, texts):
    value = integer(answer, "The number of tokens")
    def computed(**options):
        return tokenizer(list(texts), truncation=True, max_length=64, return_tensors="np", **options)["input_ids"].size
    expected = computed(padding="longest", pad_to_multiple_of=8)
    if value == expected:
        plain = computed(padding="longest")
        return f"{expected:,} tokens, {expected - plain:,} more than padding to the longest review alone."
    if value == computed(padding="longest"):
        raise Wrong("that is the batch padded to its longest review; round its length up to a multiple of 8.")
    raise Wrong(f"{value:,} is not the number of tokens of that batch.")


# --- 03 hub ------------------------------------------------------------------------------


@register("03_hub", 1, hint="save_pretrained fills each shard up to max_shard_size but never splits a "
          "tensor, so the largest tensor takes a shard of its own; size the limit so that the other tensors "
          "fill three shards.")
def four_shards(answer):
    import json
    from pathlib import Path

    folder = Path(answer) if isinstance(answer, str | os.PathLike) else None
    if folder is None or not folder.is_dir():
        raise Wrong("give the folder you saved the model to (a path).")
    shards = sorted(folder.glob("model-*.safetensors"))
    index = folder / "model.safetensors.index.json"
    if not index.is_file():
        raise Wrong(f"{folder.name} holds one unsharded file; pass a max_shard_size smaller than the weights.")
    used = set(json.loads(index.read_text())["weight_map"].values())
    if len(shards) != 4 or len(used) != 4:
        raise Wrong(f"{folder.name} holds {len(shards)} shards, not 4: change max_shard_size.")
    return f"4 shards of {', '.join(f'{p.stat().st_size / 1e6:.0f}' for p in shards)} MB, and an index naming them."


@register("03_hub", 2, hint="The first 8 bytes of a safetensors file are one little-endian unsigned "
          "integer; int.from_bytes turns bytes into an integer.")
def header_length(answer, weights_path):
    value = integer(answer, "The header's length")
    with open(weights_path, "rb") as handle:
        expected = int.from_bytes(handle.read(8), "little")
    if value == expected:
        return f"the JSON header takes {expected:,} bytes: names, dtypes, shapes and offsets of every tensor."
    if value == expected + 8:
        raise Wrong("that counts the 8-byte length field too; give the header's own length.")
    raise Wrong(f"{value:,} bytes is not the length the file's first 8 bytes give.")


@register("03_hub", 3, hint="The mixin stores the constructor's arguments in config.json: the threshold "
          "must be one of __init__'s parameters (call super().__init__ with the others and keep it as an "
          "attribute), and from_pretrained must be called on your subclass.")
def threshold_probe(answer, folder):
    import json
    from pathlib import Path

    if not hasattr(answer, "state_dict") or not hasattr(type(answer), "from_pretrained"):
        raise Wrong("give the model that ThresholdProbe.from_pretrained returned.")
    if "SentimentProbe" not in [cls.__name__ for cls in type(answer).__mro__]:
        raise Wrong("subclass SentimentProbe, so that the probe keeps its layer and labels.")
    config_path = Path(folder) / "config.json"
    if not config_path.is_file():
        raise Wrong(f"save the probe with save_pretrained into {folder} first.")
    config = json.loads(config_path.read_text())
    if "threshold" not in config:
        raise Wrong("config.json holds no threshold: make it an argument of __init__, so the mixin saves it.")
    if not close(number(config["threshold"], "The threshold"), 0.7, abs_=1e-9):
        raise Wrong(f"the saved threshold is {config['threshold']}, not 0.7.")
    if not close(number(getattr(answer, "threshold", None) or 0, "The threshold"), 0.7, abs_=1e-9):
        raise Wrong("the reloaded model has no threshold of 0.7: keep the argument as an attribute (self.threshold).")
    return f"config.json holds {config}: the threshold travels with the weights."


# --- 04 datasets -------------------------------------------------------------------------


@register("04_datasets", 1, hint="Tokenize the training texts without truncation, then count the reviews "
          "whose token count (special tokens included) is above the limit.")
def truncated_reviews(answer, train, tokenizer, limit: int = 32):
    value = integer(answer, "The number of reviews")
    lengths = [len(ids) for ids in tokenizer(list(train["text"]))["input_ids"]]
    expected = sum(n > limit for n in lengths)
    if value == expected:
        return f"{expected:,} of {len(lengths):,} reviews ({expected / len(lengths):.0%}) lose tokens at max_length={limit}."
    if value == sum(n >= limit for n in lengths):
        raise Wrong(f"that counts the reviews of exactly {limit} tokens too, which truncation leaves whole.")
    if value == sum(len(t.split()) > limit for t in train["text"]):
        raise Wrong("that counts words, not tokens; the tokenizer splits many words into several tokens.")
    raise Wrong(f"{value:,} is not the number of training reviews longer than {limit} tokens.")


@register("04_datasets", 2, hint="train_test_split can keep each label's share in both parts, and takes a "
          "seed; the share of the second part is a fraction of the whole.")
def stratified_spam(answer, spam_train):
    if not hasattr(answer, "keys") or set(answer.keys()) != {"train", "test"}:
        raise Wrong("give the DatasetDict that train_test_split returns (with 'train' and 'test').")
    if len(answer["train"]) + len(answer["test"]) != len(spam_train):
        raise Wrong("split the whole spam training split.")
    expected = spam_train.train_test_split(test_size=0.1, stratify_by_column="label", seed=0)
    if len(answer["test"]) != len(expected["test"]):
        raise Wrong(f"the second part should hold 10% of the messages ({len(expected['test'])}), not {len(answer['test'])}.")
    if list(answer["test"]["sms"]) != list(expected["test"]["sms"]):
        plain = spam_train.train_test_split(test_size=0.1, seed=0)
        if list(answer["test"]["sms"]) == list(plain["test"]["sms"]):
            raise Wrong("that split is not stratified by label, so the parts' spam shares drift apart.")
        raise Wrong("those are not the messages of the stratified split with seed 0.")
    shares = [sum(part["label"]) / len(part) for part in expected.values()]
    return f"spam is {shares[0]:.1%} of the first part and {shares[1]:.1%} of the second."


# --- 05 evaluate -------------------------------------------------------------------------


@register("05_evaluate", 1, hint="predict_proba gives P(ham) and P(spam) per message; compare the spam "
          "column with the threshold yourself instead of calling predict, then score the result.")
def threshold_scores(answer, model, texts, references, threshold: float = 0.3):
    from sklearn.metrics import f1_score, recall_score

    if not isinstance(answer, dict) or not {"f1", "recall"} <= set(answer):
        raise Wrong("give a dict with the keys 'f1' and 'recall', as evaluate.combine's compute returns.")
    predicted = (model.predict_proba(list(texts))[:, 1] >= threshold).astype(int)
    default = model.predict(list(texts))
    expected = {"f1": f1_score(references, predicted), "recall": recall_score(references, predicted)}
    got = {k: number(answer[k], k) for k in expected}
    if all(close(got[k], v, abs_=1e-3) for k, v in expected.items()):
        before = recall_score(references, default)
        return (f"at {threshold}, recall {expected['recall']:.3f} (it was {before:.3f} at 0.5) and F1 "
                f"{expected['f1']:.3f}: a lower threshold catches more spam and raises more false alarms.")
    if close(got["f1"], f1_score(references, default), abs_=1e-3):
        raise Wrong("those are the scores at the default threshold of 0.5; apply 0.3 to P(spam).")
    raise Wrong(f"those are not the F1 and recall of the predictions with P(spam) >= {threshold}.")


@register("05_evaluate", 2, hint="Recall counts the share of one class that a model finds; the recall "
          "module scores the class given by its pos_label argument (1 unless told).")
def negative_recall(answer, minilm, tfidf, truth):
    from sklearn.metrics import recall_score

    if not isinstance(answer, dict) or set(answer) != {"MiniLM", "TF-IDF"}:
        raise Wrong("give a dict with the keys 'MiniLM' and 'TF-IDF'.")
    expected = {"MiniLM": recall_score(truth, minilm, pos_label=0), "TF-IDF": recall_score(truth, tfidf, pos_label=0)}
    got = {k: number(v, k) for k, v in answer.items()}
    if all(close(got[k], v, abs_=1e-3) for k, v in expected.items()):
        best = max(expected, key=expected.get)
        return (f"on negative reviews MiniLM finds {expected['MiniLM']:.3f} and TF-IDF {expected['TF-IDF']:.3f}; "
                f"{best} is better at catching them.")
    if all(close(got[k], recall_score(truth, p), abs_=1e-3) for k, p in [("MiniLM", minilm), ("TF-IDF", tfidf)]):
        raise Wrong("that is the recall on positive reviews; the negative class is label 0.")
    raise Wrong("those are not the two models' recall on the negative reviews.")


# --- 06 trainer --------------------------------------------------------------------------


@register("06_trainer", 1, hint="EarlyStoppingCallback goes in the Trainer's callbacks list; it compares the "
          "metric named by metric_for_best_model at each evaluation, so evaluation and saving must happen "
          "at the same steps, and load_best_model_at_end must be on.")
def early_stopping(answer, quick_train):
    from transformers import EarlyStoppingCallback, Trainer

    if not isinstance(answer, Trainer):
        raise Wrong(f"give the Trainer itself, after train(); got {type(answer).__name__}.")
    stoppers = [c for c in answer.callback_handler.callbacks if isinstance(c, EarlyStoppingCallback)]
    if not stoppers:
        raise Wrong("this Trainer has no EarlyStoppingCallback in its callbacks.")
    if stoppers[0].early_stopping_patience != 2:
        raise Wrong(f"the patience is {stoppers[0].early_stopping_patience}, not 2.")
    if len(answer.train_dataset) != len(quick_train):
        raise Wrong(f"train on quick_train ({len(quick_train)} reviews), not {len(answer.train_dataset)}.")
    args = answer.args
    if args.num_train_epochs != 3 or args.eval_steps != 10 or str(args.eval_strategy) not in ("steps", "IntervalStrategy.STEPS"):
        raise Wrong("train for up to 3 epochs with an evaluation every 10 steps (eval_strategy='steps', eval_steps=10).")
    if answer.state.global_step == 0:
        raise Wrong("call train() before giving the Trainer.")
    possible = 3 * -(-len(quick_train) // args.per_device_train_batch_size)
    stopped = answer.state.global_step < possible
    return (f"{answer.state.global_step} of {possible} steps, best validation accuracy {answer.state.best_metric:.3f}"
            + ("; it stopped early." if stopped else "; accuracy kept improving, so it ran to the end."))


@register("06_trainer", 2, hint="spam_run takes the Trainer class and passes any other argument on to it; "
          "WeightedTrainer takes class_weights.")
def spam_weights(answer, spam_test):
    from sklearn.metrics import recall_score

    if not (isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[1], dict)):
        raise Wrong("give the pair (trainer, scores) that spam_run returns.")
    run, scores = answer
    weights = [round(float(w), 6) for w in getattr(run, "class_weights", [])]
    if weights != [1.0, 3.0]:
        raise Wrong(f"the class weights are {weights or 'not set'}, not [1.0, 3.0].")
    output = run.predict(spam_test)
    recall = recall_score(spam_test["label"], output.predictions.argmax(-1))
    if not close(number(scores.get("spam recall"), "The spam recall"), recall, abs_=1e-6):
        raise Wrong("the scores do not belong to this trainer: give the pair from one spam_run call.")
    return f"with weights 1 and 3, spam recall {recall:.3f} and spam F1 {scores['spam F1']:.3f}."


# --- 07 peft -----------------------------------------------------------------------------


@register("07_peft", 1, hint="LoraConfig adapts every layer unless layers_to_transform says otherwise; "
          "target_modules names the projections. time_steps returns a table of milliseconds: its 'step' column.")
def every_layer_lora(answer, steps):
    if not (isinstance(answer, tuple) and len(answer) == 2):
        raise Wrong("give the pair (model, ms_per_step).")
    model, ms = answer
    config = getattr(model, "peft_config", {}).get("default")
    if config is None or type(config).__name__ != "LoraConfig":
        raise Wrong("the model should be a PEFT model made with a LoraConfig (get_peft_model).")
    targets = set(config.target_modules or [])
    if targets != {"query", "value"}:
        raise Wrong(f"adapt query and value only, not {sorted(targets)}.")
    if config.layers_to_transform is not None:
        raise Wrong(f"this adapts only layers {config.layers_to_transform}: leave layers_to_transform unset for every layer.")
    if config.r != 8:
        raise Wrong(f"use r = 8, not {config.r}.")
    ms = number(ms, "The time per step")
    if ms <= 0:
        raise Wrong("the time per step should be positive (in milliseconds).")
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    ours = next(i for i in steps.index if "ours" in i)
    return (f"{trainable:,} trainable ({100 * trainable / total:.2f}%), {ms:.0f} ms a step, against ours "
            f"{steps.loc[ours, 'step']:.0f} ms and full fine-tuning's {steps.loc['full fine-tuning', 'step']:.0f} ms: "
            "adapters in the first layer send the backward pass through the whole network.")


@register("07_peft", 2, hint="PeftModel.from_pretrained puts the adapter on a base model; the PEFT model has a "
          "method that folds the adapter into the base's weights and gives back the plain model.")
def merged_spam_adapter(answer, adapter_dir, fresh_base, tokenizer):
    import torch
    from peft import PeftModel

    if isinstance(answer, PeftModel) or hasattr(answer, "peft_config"):
        raise Wrong("this is still a PEFT model: merge the adapter into the weights (merge_and_unload).")
    if not callable(getattr(answer, "forward", None)):
        raise Wrong("give the merged model.")
    expected = PeftModel.from_pretrained(fresh_base(), adapter_dir).merge_and_unload().eval()
    inputs = tokenizer(["WINNER!! Claim your free prize now", "see you at lunch tomorrow?"], padding=True, return_tensors="pt")
    with torch.inference_mode():
        got, want = answer.eval()(**inputs).logits, expected(**inputs).logits
    if not torch.allclose(got, want, atol=1e-4):
        raise Wrong("this model does not compute what the spam adapter merged into a fresh base computes.")
    return f"a plain {type(answer).__name__}: P(spam) {want.softmax(-1)[:, 1].round(decimals=3).tolist()} for a prize offer and a lunch."


# --- 08 accelerate -----------------------------------------------------------------------


@register("08_accelerate", 1, hint="Each optimizer step sums the gradients of every process's micro-batches, "
          "over the accumulation steps: processes x reviews per micro-batch x steps = the batch you want.")
def accumulation(answer, global_batch: int = 64, per_process: int = 8, num_processes: int = 4):
    value = integer(answer, "The number of accumulation steps")
    expected = global_batch // (per_process * num_processes)
    if value == expected:
        return f"{num_processes} processes x {per_process} reviews x {value} micro-batches = {global_batch} reviews per update."
    if value == global_batch // per_process:
        raise Wrong("that forgets the other processes: each of the four adds its own micro-batch to every step.")
    raise Wrong(f"{num_processes} x {per_process} x {value} = {num_processes * per_process * value}, not {global_batch}.")


@register("08_accelerate", 2, hint="Build the DataLoader once per rank, pass it to prepare_data_loader with "
          "num_processes=3 and that rank's process_index, and add up the labels of the batches it yields.")
def reviews_per_rank(answer, num_examples: int, batch_size: int):
    from accelerate.data_loader import prepare_data_loader
    from torch.utils.data import DataLoader

    if not isinstance(answer, list | tuple) or len(answer) != 3:
        raise Wrong("give a list of three counts, one per process (rank 0 first).")
    got = [integer(a, "Each count") for a in answer]
    expected = [sum(len(batch) for batch in prepare_data_loader(
        DataLoader(list(range(num_examples)), batch_size=batch_size), num_processes=3, process_index=rank,
        put_on_device=False)) for rank in range(3)]
    if got == expected:
        return (f"{expected} reviews, {sum(expected)} in all for {num_examples}: {sum(expected) - num_examples} "
                "repeated to give every process the same number of batches, then dropped by gather_for_metrics.")
    if sum(got) == num_examples:
        raise Wrong("that shares the reviews out exactly; accelerate gives each process whole batches, and "
                    "repeats a few reviews so that every process gets as many batches.")
    raise Wrong(f"{got} is not what prepare_data_loader gives each of three processes.")


# --- 09 inference ------------------------------------------------------------------------


@register("09_inference", 1, hint="bench.run takes a name, a predict function (classifier(...) builds one, "
          "with a context such as torch.inference_mode), the batch size and the sort key used above.")
def batches_of_64(answer, bench, reference):
    if type(answer).__name__ != "BenchmarkResult":
        raise Wrong("give the result that bench.run returns.")
    if answer.name not in bench.results:
        raise Wrong("measure it with bench.run, so that it joins the benchmark's table.")
    if answer.batch_size != 64:
        raise Wrong(f"this variant runs batches of {answer.batch_size}, not 64.")
    agree = sum(a == b for a, b in zip(answer.predictions, reference.predictions, strict=True)) / len(reference.predictions)
    if agree < 0.99:
        raise Wrong("its predictions differ from the sorted batches of 32's: use the same float32 model.")
    ratio = answer.throughput_per_s / reference.throughput_per_s
    return f"{answer.throughput_per_s:.0f} reviews/s, {ratio:.2f}x the batches of 32: " + (
        "a larger batch pays a little here." if ratio > 1.05 else "no gain worth the wait: the CPU was already busy.")


@register("09_inference", 2, hint="padding_share takes the token counts, the batch size, and whether to sort "
          "the reviews by length before batching them.")
def padding_128(answer, lengths):
    from utils.measure import padding_share

    value = share(answer, "The padding share")
    expected = padding_share(lengths, 128, sort=True)
    if close(value, expected, abs_=5e-4):
        return (f"{expected:.1%} of the tokens are padding in sorted batches of 128, against "
                f"{padding_share(lengths, 32, sort=True):.1%} in batches of 32.")
    if close(value, padding_share(lengths, 128), abs_=5e-4):
        raise Wrong("that is the share in the reviews' own order; sort them by length first.")
    raise Wrong(f"{value:.4f} is not the padding share of sorted batches of 128.")


# --- 10 vision ---------------------------------------------------------------------------


def _accuracy_on(model, test_data, collate) -> float:
    import torch

    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(test_data), 100):
            batch = collate([test_data[i] for i in range(start, min(start + 100, len(test_data)))])
            correct += (model(pixel_values=batch["pixel_values"]).logits.argmax(-1) == batch["labels"]).sum().item()
    return correct / len(test_data)


@register("10_vision", 1, hint="Load the model as in section 6, call requires_grad_(False) on its base_model (the "
          "body: everything but the head), then train(...) it for one epoch on lite_data as section 6 does.")
def linear_probe(answer, test_data, collate, full_accuracy):
    import torch
    from safetensors.torch import load_file

    from utils import catalog

    if not isinstance(answer, torch.nn.Module) or not hasattr(answer, "base_model"):
        raise Wrong("give the model you trained (a transformers image classifier).")
    if getattr(answer.config, "num_labels", None) != 10:
        raise Wrong("its head does not have 10 outputs: load it with num_labels=10 and ignore_mismatched_sizes=True.")
    if any(p.requires_grad for p in answer.base_model.parameters()):
        raise Wrong("its body is not frozen: call model.base_model.requires_grad_(False) before training.")
    pretrained = load_file(str(catalog.local_folder("image-classifier") / "model.safetensors"))
    prefix = answer.base_model_prefix + "."
    for name, tensor in answer.base_model.named_parameters():
        if prefix + name in pretrained and not torch.equal(tensor.detach().cpu(), pretrained[prefix + name]):
            raise Wrong(f"its body's weights ({name}) differ from the pretrained ones: freeze it before training.")
    accuracy = _accuracy_on(answer, test_data, collate)
    if accuracy < 0.3:
        message = f"it reads {accuracy:.1%} of the test digits, about chance: train its head (one epoch, train(...))."
        if not is_rehearsal():
            raise Wrong(message)
        print(f"[rehearsal] not checked on the stand-in's random weights: {message}")
    return (f"the probe reads {accuracy:.3f} of the test digits against {full_accuracy:.3f} when every weight is "
            "fine-tuned: ImageNet's features carry over to digits, but adapting them is what the full fine-tuning buys.")


@register("10_vision", 2, hint="pipeline('image-classification', model=..., image_processor=...) takes the model "
          "object and the processor; the fine-tuned model is lite, the processor at image_size is digit_processor.")
def digit_pipeline(answer, test_digits, model, image_size):
    from transformers import Pipeline

    if not isinstance(answer, Pipeline) or answer.task != "image-classification":
        raise Wrong("give the pipeline: pipeline('image-classification', model=..., image_processor=...).")
    if len(answer.model.config.id2label) != 10:
        raise Wrong(f"its model knows {len(answer.model.config.id2label):,} classes, not the 10 digits: give it the "
                    "fine-tuned model of section 6.")
    size = answer.image_processor.size
    if (size.get("height"), size.get("width")) != (image_size, image_size):
        raise Wrong(f"its processor resizes to {dict(size)}, but the model learned digits at {image_size} x "
                    f"{image_size} pixels: give it digit_processor.")
    rows = test_digits.select(range(40))
    answers = answer([row["image"] for row in rows], top_k=1)
    right = sum(int(top[0]["label"]) == row["label"] for top, row in zip(answers, rows, strict=True))
    if right < 30:
        message = f"it reads only {right} of 40 test digits right: is it the model fine-tuned in section 6?"
        if not is_rehearsal():
            raise Wrong(message)
        print(f"[rehearsal] not checked on the stand-in's random weights: {message}")
    return f"it reads {right} of the first 40 test digits right, from PIL images to digit names in one call."


# --- 12 report ---------------------------------------------------------------------------


@register("12_report", 1, hint="Keep the records whose train_time_s is not None, and take the 'experiment' "
          "of the one with the largest.")
def longest_training(answer, records):
    timed = [r for r in records if r["train_time_s"] is not None]
    if not timed:
        return "no record of yours has a training time yet: run notebooks 06-08 first."
    expected = max(timed, key=lambda r: r["train_time_s"])
    if answer == expected["experiment"]:
        return f"{expected['experiment']!r} trained longest: {expected['train_time_s']:.0f} s."
    if not isinstance(answer, str):
        raise Wrong("give the experiment's name (a string), as in its record's 'experiment' field.")
    raise Wrong(f"{answer!r} is not the experiment with the longest training time.")


@register("12_report", 2, hint="Match records on their notebook and experiment fields; statistics.median "
          "takes the list of ratios.")
def median_training_ratio(answer, records, reference):
    import statistics

    by_key = {(r["notebook"], r["experiment"]): r for r in reference}
    ratios = [r["train_time_s"] / by_key[(r["notebook"], r["experiment"])]["train_time_s"] for r in records
              if r["train_time_s"] and by_key.get((r["notebook"], r["experiment"]), {}).get("train_time_s")]
    if not ratios:
        return "no training time of yours has a reference to compare with yet."
    value = number(answer, "The median ratio")
    expected = statistics.median(ratios)
    if close(value, expected, rel=1e-3):
        return (f"your training ran at {expected:.2f}x the reference's time (median of {len(ratios)} experiments): "
                + ("a slower machine, or a busier one." if expected > 1.1 else
                   "a faster machine." if expected < 0.9 else "about the same speed."))
    if close(value, 1 / expected, rel=1e-3):
        raise Wrong("that is the reference's time over yours; divide yours by the reference's.")
    raise Wrong(f"{value:.3f} is not the median ratio of your training times to the reference's.")


# --- 11 serving --------------------------------------------------------------------------


@register("11_serving", 1, hint="Copy the v2 event, set its body to the JSON text encoded with base64.b64encode "
          "(bytes in, bytes out: decode them to a str), and tell Mangum so with the event's isBase64Encoded.")
def base64_event(event, response, handler, classifier, text):
    import base64
    import binascii
    import json

    if not isinstance(event, dict) or event.get("version") != "2.0" or "requestContext" not in event:
        raise Wrong("give an API Gateway v2 event: a copy of events['v2'] with its body changed.")
    if not isinstance(response, dict) or "statusCode" not in response:
        raise Wrong("give the handler's answer to your event: the dict that handler(event, None) returns.")
    body = event.get("body")
    try:
        sent = json.loads(base64.b64decode(body, validate=True)) if isinstance(body, str) else None
    except (binascii.Error, ValueError):
        sent = None
    if sent is None:
        raise Wrong("the event's body is not base64-encoded JSON: encode json.dumps({'text': ...}) with base64.")
    if sent != {"text": text}:
        raise Wrong(f"the body decodes to {sent!r}, not {{'text': exercise_review}}.")
    if event.get("isBase64Encoded") is not True:
        raise Wrong("the body is base64, but the event does not say so: Mangum reads it as plain text unless "
                    "isBase64Encoded is true.")
    expected = max(classifier([text])[0], key=lambda s: s["score"])["label"]
    again = handler(event, None)
    if response.get("statusCode") != 200 or again.get("statusCode") != 200:
        raise Wrong(f"the handler answered {response.get('statusCode')}: {str(response.get('body'))[:100]}")
    if json.loads(response["body"]).get("label") != expected:
        raise Wrong("that response is not the handler's answer to this event.")
    return f"{response['statusCode']}, label {expected!r}: Mangum decoded the body before FastAPI saw it."


@register("11_serving", 2, hint="A pydantic model with `texts: list[str] = Field(min_length=1, max_length=32)` "
          "validates the size; a text-classification pipeline takes a list and returns one list of scores per text.")
def batch_endpoint(app, classifier, reviews):
    from fastapi.testclient import TestClient

    if not callable(app) or not hasattr(app, "routes"):
        raise Wrong("give the FastAPI app (what service.create_app returns, with your route added).")
    client = TestClient(app, raise_server_exceptions=False)  # a crash is a 500, as over HTTP
    texts = list(reviews[:5])
    response = client.post("/predict_batch", json={"texts": texts})
    if response.status_code == 404:
        raise Wrong("the app has no POST /predict_batch route.")
    if response.status_code != 200:
        raise Wrong(f"a batch of 5 reviews got {response.status_code}: {response.text[:150]}")
    expected = [max(scores, key=lambda s: s["score"])["label"] for scores in classifier(texts)]
    labels = response.json().get("labels") if isinstance(response.json(), dict) else None
    if labels != expected:
        raise Wrong(f"the labels should be {expected} (one per review, in order), got {labels}.")
    for why, body in [("an empty list", {"texts": []}), ("33 reviews", {"texts": texts * 6 + texts[:3]}),
                      ("a number among the texts", {"texts": [texts[0], 42]})]:
        if client.post("/predict_batch", json=body).status_code != 422:
            raise Wrong(f"{why} should be refused with 422.")
    if client.post("/predict", json={"text": texts[0]}).status_code != 200:
        raise Wrong("the app's /predict route no longer answers: add a route, keep the others.")
    return "one call for the whole batch, validated: 422 for an empty list, 33 reviews or a number."
