"""Fine-tuning the encoder for sentiment with 🤗 Accelerate: notebook 08's loop, one function for every launcher.

Notebook 08 runs :func:`run` in its own process, in two processes started by
``accelerate.notebook_launcher``, and ``scripts/train_sentiment.py`` runs it under ``accelerate launch``:
the same code in all three, so their results compare.

Generated from notebooks/08_accelerate.ipynb by `python -m course_build.export`: edit the notebook's #@save cells, not this file.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from utils.errors import CourseError
from utils.export import add_to_class


def load_data(config, tokenizer):
    """A seeded sample of ``train_size`` training and ``eval_size`` test reviews, tokenized."""
    from datasets import load_dataset

    from utils import catalog

    sentiment, splits = load_dataset(catalog.dataset("sentiment")), []
    for split, size in (("train", config.train_size), ("test", config.eval_size)):
        if size > len(sentiment[split]):
            raise CourseError(f"The {split} split has {len(sentiment[split]):,} reviews; ask for at most that many.")
        sample = sentiment[split].shuffle(seed=config.seed).select(range(size))
        splits.append(sample.map(lambda b: tokenizer(b["text"], truncation=True, max_length=config.max_length),
                                 batched=True, remove_columns=["text"]))
    return splits


def new_model(seed: int):
    """The encoder with a fresh two-label head, seeded."""
    from transformers import AutoModelForSequenceClassification, set_seed

    from utils import catalog

    set_seed(seed)
    return AutoModelForSequenceClassification.from_pretrained(
        catalog.model("encoder"), num_labels=2, id2label={0: "neg", 1: "pos"}, label2id={"neg": 0, "pos": 1})


def adamw_with_linear_schedule(model, lr: float, total_steps: int):
    """AdamW (weight decay 0.01, none on biases and LayerNorm) and a linear schedule with 10% warm-up."""
    from transformers import get_scheduler

    decay = [p for n, p in model.named_parameters() if "bias" not in n and "LayerNorm" not in n]
    rest = [p for n, p in model.named_parameters() if "bias" in n or "LayerNorm" in n]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=lr)
    return optimizer, get_scheduler("linear", optimizer, num_warmup_steps=math.ceil(0.1 * total_steps),
                                    num_training_steps=total_steps)


class StepLog:
    """Counts the optimizer steps, times them, and notes what this process saw; ``on_step(n)`` after each."""

    def __init__(self, on_step=None):
        self.done, self.step_times, self.examples, self.first_ids = 0, [], 0, None
        self.on_step, self.start = on_step, time.perf_counter()

    def batch(self, batch):
        self.first_ids = batch["input_ids"][0] if self.first_ids is None else self.first_ids
        self.examples += len(batch["labels"])

    def step(self):
        self.done += 1
        self.step_times.append(time.perf_counter() - self.start)
        if self.on_step is not None:
            self.on_step(self.done)
        self.start = time.perf_counter()  # a checkpoint written by on_step does not count as a step


@add_to_class(StepLog)
def state_dict(self) -> dict:  # what accelerator.save_state stores for a registered object
    return {"done": self.done}


@add_to_class(StepLog)
def load_state_dict(self, state: dict) -> None:
    self.done = int(state["done"])


def train_steps(accelerator, model, optimizer, schedule, batches, log: StepLog):
    """One epoch of the plain loop with accelerate's calls, logging each optimizer step."""
    model.train()
    for batch in batches:
        log.batch(batch)
        with accelerator.accumulate(model):
            loss = model(**batch).loss
            accelerator.backward(loss)
            if accelerator.sync_gradients:
                accelerator.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
        if accelerator.sync_gradients:
            log.step()


def evaluate_accuracy(accelerator, model, loader) -> dict:
    """Accuracy on a prepared loader, from the predictions of every process."""
    import evaluate

    from utils import catalog

    model.eval()
    predictions, references, local = [], [], 0
    with torch.inference_mode():
        for batch in loader:
            labels = batch.pop("labels")
            local += len(labels)
            predicted, labels = accelerator.gather_for_metrics((model(**batch).logits.argmax(dim=-1), labels))
            predictions, references = predictions + predicted.tolist(), references + labels.tolist()
    accuracy = evaluate.load(catalog.evaluation_module("accuracy"))
    return {"accuracy": accuracy.compute(predictions=predictions, references=references)["accuracy"],
            "predictions": predictions, "local_examples": local}


@dataclass
class TrainConfig:
    """One run: one epoch over ``train_size`` reviews, in optimizer steps of ``batch_size`` reviews in all."""

    train_size: int = 512
    eval_size: int = 512
    batch_size: int = 32
    lr: float = 1e-4
    max_length: int = 64
    seed: int = 42
    gradient_accumulation_steps: int = 1
    cpu: bool = False  # needed for several CPU processes (without it each trains alone)
    checkpoint_step: int | None = None  # save_state into checkpoint_dir after this many steps
    checkpoint_dir: str | None = None
    resume_from: str | None = None  # a folder written by save_state: resume from it
    output: str | None = None  # where the main process writes the run's JSON summary
    save_model_dir: str | None = None  # where the main process saves the trained model


def total_steps(config: TrainConfig) -> int:
    """The optimizer steps of a run (one epoch)."""
    return math.ceil(config.train_size / config.batch_size) // config.gradient_accumulation_steps


def make_accelerator(config: TrainConfig):
    """An Accelerator that splits every batch across processes and draws batches with a seedable sampler."""
    from accelerate import Accelerator
    from accelerate.utils import DataLoaderConfiguration, set_seed

    batches = DataLoaderConfiguration(split_batches=True, use_seedable_sampler=True, data_seed=config.seed)
    accelerator = Accelerator(cpu=config.cpu, gradient_accumulation_steps=config.gradient_accumulation_steps,
                              dataloader_config=batches)
    set_seed(config.seed)
    return accelerator


def prepare(config: TrainConfig, accelerator):
    """The data, model, optimizer and schedule of a run, passed through ``accelerator.prepare``."""
    from torch.utils.data import DataLoader
    from transformers import AutoTokenizer, DataCollatorWithPadding

    from utils import catalog

    tokenizer = AutoTokenizer.from_pretrained(catalog.model("encoder"))
    with accelerator.main_process_first():  # the main process writes the datasets cache, the others read it
        train, test = load_data(config, tokenizer)
    collator = DataCollatorWithPadding(tokenizer)
    # Its own generator: starting an epoch then draws no number from the global RNG, which dropout uses.
    loader = DataLoader(train, batch_size=config.batch_size, shuffle=True, collate_fn=collator,
                        generator=torch.Generator().manual_seed(config.seed))
    model = new_model(config.seed)
    optimizer, schedule = adamw_with_linear_schedule(model, config.lr, total_steps(config))
    return (*accelerator.prepare(model, optimizer, loader, DataLoader(test, batch_size=64, collate_fn=collator),
                                 schedule), tokenizer)


def run(config: TrainConfig) -> dict:
    """Train and evaluate in this process, which may be one of several; returns the summary and the model."""
    from utils.measure import PeakMemory

    accelerator = make_accelerator(config)
    model, optimizer, loader, eval_loader, schedule, tokenizer = prepare(config, accelerator)
    saved = []
    log = StepLog(on_step=lambda n: n == config.checkpoint_step and saved.append(save(accelerator, config.checkpoint_dir)))
    accelerator.register_for_checkpointing(log)
    if config.resume_from:
        accelerator.load_state(config.resume_from)  # weights, optimizer, schedule, RNG states, the log's count
    resumed_at, batches = log.done, accelerator.skip_first_batches(loader, log.done * config.gradient_accumulation_steps)
    with PeakMemory() as memory:
        train_steps(accelerator, model, optimizer, schedule, batches, log)
        start = time.perf_counter()
        scores = evaluate_accuracy(accelerator, model, eval_loader)
    measured = dict(peak_memory_mb=memory.peak_mb, eval_seconds=time.perf_counter() - start,
                    resumed_at_step=resumed_at, checkpoint_seconds=sum(saved))
    return finish(accelerator, config, model, summarize(accelerator, config, log, scores, tokenizer, **measured))


def save(accelerator, folder) -> float:
    """``accelerator.save_state`` into ``folder``; returns the seconds it took."""
    start = time.perf_counter()
    accelerator.save_state(folder)
    return time.perf_counter() - start


def summarize(accelerator, config, log, scores, tokenizer, peak_memory_mb, **measured) -> dict:
    """The run's JSON-ready summary: sizes, times, accuracy and predictions, and each process's shard."""
    from accelerate.utils import gather_object

    first = tokenizer.decode(log.first_ids, skip_special_tokens=True) if log.first_ids is not None else None
    shard = {"rank": accelerator.process_index, "train_examples": log.examples, "peak_memory_mb": peak_memory_mb,
             "eval_examples": scores["local_examples"], "first_review": first}
    return {"world_size": accelerator.num_processes, "distributed_type": str(accelerator.distributed_type).split(".")[-1],
            "backend": accelerator.state.backend, "mixed_precision": accelerator.mixed_precision,
            "torch_threads": torch.get_num_threads(), "config": asdict(config), "steps": log.done,
            "train_seconds": sum(log.step_times), "step_times": log.step_times, "accuracy": scores["accuracy"],
            "eval_examples": len(scores["predictions"]), "predictions": scores["predictions"],
            "shards": gather_object([shard]), **measured}


def finish(accelerator, config, model, summary) -> dict:
    """Save the model and the summary from the main process, end the run; the summary and the unwrapped model."""
    accelerator.wait_for_everyone()
    unwrapped = accelerator.unwrap_model(model)
    if config.save_model_dir:
        unwrapped.save_pretrained(config.save_model_dir, is_main_process=accelerator.is_main_process,
                                  save_function=accelerator.save)
    if config.output and accelerator.is_main_process:
        Path(config.output).parent.mkdir(parents=True, exist_ok=True)
        Path(config.output).write_text(json.dumps(summary, indent=1))
    accelerator.end_training()
    return {"summary": summary, "model": unwrapped, "is_main_process": accelerator.is_main_process}
