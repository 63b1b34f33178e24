"""Automatic checks for the notebooks' "Try it" exercises.

A check passes silently but for one friendly line on the right answer, and raises an
``AssertionError`` with a hint on a wrong one, so a wrong answer stops the notebook at
the exercise (and CI, which runs the reference solutions, stays green).
"""

from __future__ import annotations

import math


def check(condition: bool, success: str, hint: str) -> None:
    """Print ``success`` if ``condition`` holds, else raise AssertionError(``hint``)."""
    if not condition:
        raise AssertionError(f"Not yet: {hint}")
    print(f"Correct: {success}")


def check_close(answer, expected: float, what: str, hint: str, rel_tol: float = 1e-6) -> None:
    """Check that a numeric ``answer`` is within ``rel_tol`` of ``expected``."""
    is_number = isinstance(answer, int | float) and not isinstance(answer, bool)
    check(
        is_number and math.isclose(float(answer), float(expected), rel_tol=rel_tol, abs_tol=1e-12),
        f"{what} is {answer:,}." if isinstance(answer, int) else f"{what} is {answer:.4g}." if is_number else "",
        hint if is_number else f"the answer should be a number, got {type(answer).__name__}; {hint}",
    )


def check_embedding_parameters(answer, model) -> None:
    """Exercise of 00_setup: the parameters of the encoder's embedding layer."""
    expected = sum(p.numel() for p in model.embeddings.parameters())
    check_close(
        answer, expected, "the embedding layer's parameter count",
        "sum the numel() of every parameter in model.embeddings.parameters() "
        "(word, position and token-type embeddings, plus their LayerNorm).",
    )


def check_label_share(answer, dataset_split, label_name: str) -> None:
    """Exercise of 00_setup: the share of ``label_name`` among a split's labels (0 to 1)."""
    names = dataset_split.features["label"].names
    labels = dataset_split["label"]
    expected = sum(1 for y in labels if y == names.index(label_name)) / len(labels)
    check_close(
        answer, expected, f"the share of {label_name!r}",
        f"count the rows whose label is {names.index(label_name)} ({label_name!r}) and divide by "
        "the number of rows; the answer is a fraction between 0 and 1.",
    )


def check_positive_probabilities(answer, classifier, texts) -> None:
    """Exercise of 01_pipelines: P(pos) for each text, computed by hand, equals the pipeline's."""
    import numpy as np

    positive = classifier.model.config.id2label[1]
    expected = [next(s["score"] for s in scores if s["label"] == positive)
                for scores in classifier(list(texts), top_k=None)]
    got = np.asarray(answer, dtype=float).ravel() if not isinstance(answer, str) else np.array([])
    check(
        got.shape == (len(expected),) and np.allclose(got, expected, atol=1e-4),
        f"your probabilities match the pipeline's: {np.round(got, 4).tolist()}.",
        f"give one probability per text ({len(expected)} in all): tokenize, run the model, apply "
        "softmax to the logits, and take the column of the positive label (id 1).",
    )


def check_zero_shot(predictions, gold, min_correct: int) -> None:
    """Exercise of 01_pipelines: prompted zero-shot labels get at least ``min_correct`` right."""
    predictions, gold = list(predictions), list(gold)
    if len(predictions) != len(gold):
        raise AssertionError(f"Not yet: give one label per text ({len(gold)}), got {len(predictions)}.")
    correct = sum(p == g for p, g in zip(predictions, gold, strict=True))
    check(correct >= min_correct, f"{correct} of {len(gold)} texts labelled correctly.",
          f"only {correct} of {len(gold)} are right, {min_correct} needed: change the prompt's wording "
          "or the labels' spelling (capitalised?) and try again.")


def check_tensor_size(answer, path, name: str) -> None:
    """Exercise of 02_hub: the number of values of tensor ``name`` in a safetensors file."""
    import math as _math

    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as weights:
        expected = _math.prod(weights.get_slice(name).get_shape())
    check_close(answer, expected, f"{name} holds {expected:,} values, so your answer",
                f"open the file with safe_open, take get_slice({name!r}).get_shape() and multiply the sizes.")


def check_pinned_revision(model, cache_dir, repo_id: str, commit: str) -> None:
    """Exercise of 02_hub: ``model`` was loaded from ``commit`` of ``repo_id``, not from the latest one."""
    import json
    from pathlib import Path

    snapshot = Path(cache_dir) / ("models--" + repo_id.replace("/", "--")) / "snapshots" / commit
    expected = json.loads((snapshot / "config.json").read_text())["id2label"]
    got = {str(k): v for k, v in model.config.id2label.items()}
    check(got == expected, f"the model has the labels of commit {commit[:8]}: {list(expected.values())}.",
          f"this model has the labels {list(got.values())}, not those of commit {commit[:8]}: "
          "pass revision=<that commit> to from_pretrained.")


def check_short_reviews(filtered, train, max_words: int) -> None:
    """Exercise of 03_datasets: ``filtered`` keeps exactly the train texts of at most ``max_words`` words."""
    expected = sum(1 for text in train["text"] if len(text.split()) <= max_words)
    lengths = [len(text.split()) for text in filtered["text"]] if hasattr(filtered, "column_names") else None
    check(lengths is not None and len(lengths) == expected and max(lengths, default=0) <= max_words,
          f"{expected:,} reviews have at most {max_words} words.",
          f"use train.filter(lambda example: len(example['text'].split()) <= {max_words}); "
          f"{expected:,} rows should be left.")


def check_stratified_split(splits, original, tolerance: float = 0.01) -> None:
    """Exercise of 03_datasets: a two-way split of ``original`` that keeps its label shares."""
    import numpy as np

    parts = list(splits.values()) if hasattr(splits, "values") else []
    if len(parts) != 2 or sum(len(p) for p in parts) != len(original):
        raise AssertionError("Not yet: give the DatasetDict that train_test_split returns, made from the whole split.")
    share = np.mean(original["label"])
    gaps = [abs(np.mean(p["label"]) - share) for p in parts]
    check(max(gaps) <= tolerance, f"both parts keep the label share of {share:.3f} within {tolerance:.0%}.",
          f"the label shares differ by up to {max(gaps):.3f}: pass stratify_by_column='label'.")


def check_precision_recall(results, references, predictions) -> None:
    """Exercise of 04_evaluate: ``results`` holds the precision and recall of ``predictions``."""
    from sklearn.metrics import precision_score, recall_score

    expected = {"precision": precision_score(references, predictions), "recall": recall_score(references, predictions)}
    got = {key: results.get(key) for key in expected} if isinstance(results, dict) else {}
    check(all(isinstance(got[k], float) and math.isclose(got[k], v, rel_tol=1e-9) for k, v in expected.items()),
          f"precision {expected['precision']:.3f}, recall {expected['recall']:.3f}.",
          "combine the precision and recall modules with evaluate.combine and call compute("
          "predictions=..., references=...) on the test labels; the result is one dict with both keys.")


def check_majority_accuracy(answer, labels) -> None:
    """Exercise of 04_evaluate: the accuracy of always predicting the most frequent label."""
    from collections import Counter

    labels = list(labels)
    expected = Counter(labels).most_common(1)[0][1] / len(labels)
    check_close(answer, expected, "the majority baseline's accuracy",
                "it is the share of the most frequent label: the largest of the 'fractions'.", rel_tol=1e-9)


def check_best_eval_accuracy(answer, trainer) -> None:
    """Exercise of 05_trainer: the best ``eval_accuracy`` in ``trainer.state.log_history``."""
    logged = [entry["eval_accuracy"] for entry in trainer.state.log_history if "eval_accuracy" in entry]
    check_close(answer, max(logged), "the best validation accuracy",
                "keep the log entries that have 'eval_accuracy' and take the largest value.", rel_tol=1e-9)


def check_mistakes(answer, predictions, references) -> None:
    """Exercise of 05_trainer: the number of predictions that differ from the references."""
    expected = sum(int(p != r) for p, r in zip(predictions, references, strict=True))
    check_close(answer, expected, "the number of mistakes",
                "compare the predictions with the test labels and count where they differ.", rel_tol=0)


def check_lora_parameters(answer, model_source: str, r: int, target_modules) -> None:
    """Exercise of 06_peft: the number of parameters LoRA adds to the targeted linear layers."""
    import torch
    from transformers import AutoModel

    base = AutoModel.from_pretrained(model_source)
    expected = sum(r * (m.in_features + m.out_features) for name, m in base.named_modules()
                   if isinstance(m, torch.nn.Linear) and name.split(".")[-1] in set(target_modules))
    check_close(answer, expected, f"LoRA with r={r} on {list(target_modules)} adds {expected:,} parameters; your answer",
                "each targeted Linear(in, out) gets A (r x in) and B (out x r): r * (in + out) parameters, "
                "times the number of targeted layers.", rel_tol=0)


def check_active_adapter(model, name: str) -> None:
    """Exercise of 06_peft: ``name`` is the active adapter of a PEFT model."""
    active = getattr(model, "active_adapter", None)
    check(active == name, f"adapter {name!r} is active.",
          f"the active adapter is {active!r}: call model.set_adapter({name!r}).")


def check_accumulation_steps(answer, global_batch: int, per_process: int, num_processes: int) -> None:
    """Exercise of 07_accelerate: the accumulation steps that make ``global_batch`` from micro-batches on every process."""
    expected = global_batch / (per_process * num_processes)
    check(isinstance(answer, int) and not isinstance(answer, bool) and answer == expected,
          f"{num_processes} processes x {per_process} reviews x {answer} micro-batches = {global_batch} reviews per update.",
          f"each optimizer step sums the gradients of every process's micro-batches: find n with "
          f"{num_processes} x {per_process} x n = {global_batch} (an integer).")


def check_disagreements(answer, predictions_a, predictions_b) -> None:
    """Exercise of 07_accelerate: the number of examples two models label differently."""
    expected = sum(int(a != b) for a, b in zip(predictions_a, predictions_b, strict=True))
    check_close(answer, expected, "the number of reviews the two models label differently",
                "compare the two lists of predictions position by position and count where they differ.", rel_tol=0)


def check_break_even(answer, one_off_seconds: float, slower, faster) -> None:
    """Exercise of 08_inference: the examples after which a one-off cost (an export, a
    compilation) is paid back by a variant faster per example (``math.inf`` if it is not faster)."""
    saved = slower.time_per_example_s - faster.time_per_example_s
    expected = one_off_seconds / saved if saved > 0 else math.inf
    check_close(answer, expected, "the break-even point (in examples)",
                "divide the one-off seconds by the seconds saved per example: "
                "slower.time_per_example_s - faster.time_per_example_s (math.inf if nothing is saved).")


def check_padding_share(answer, lengths, batch_size: int) -> None:
    """Exercise of 08_inference: the share of computed tokens that are padding when texts of
    token counts ``lengths`` are sorted by length and batched ``batch_size`` at a time."""
    ordered = sorted(int(n) for n in lengths)
    batches = [ordered[i:i + batch_size] for i in range(0, len(ordered), batch_size)]
    computed = sum(max(batch) * len(batch) for batch in batches)
    check_close(answer, 1 - sum(ordered) / computed, f"with sorted batches of {batch_size}, the padding share",
                "sort the lengths, pad each batch to its longest text, and take 1 minus the real tokens "
                "divided by the computed ones.", rel_tol=1e-9)


def check_longest_training(answer, records) -> None:
    """Exercise of 09_report: the experiment (name) whose record has the longest training time."""
    timed = [r for r in records if r["train_time_s"] is not None]
    expected = max(timed, key=lambda r: r["train_time_s"])["experiment"] if timed else None
    check(answer == expected, f"{expected!r} trained longest.",
          "keep the records whose 'train_time_s' is not None and take the 'experiment' of the largest one.")
