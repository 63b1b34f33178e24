"""Fine-tuning the encoder for sentiment with 🤗 Accelerate: one training function for every launcher.

Notebook 07 runs :func:`run` in its own process, in two processes started by
``accelerate.notebook_launcher``, and from ``scripts/train_sentiment.py`` started by
``accelerate launch``: the same code in all three, so their results can be compared.

- :class:`TrainConfig`: sizes, seed, device and checkpoint options of one run;
- :func:`run`: data, model, ``Accelerator.prepare``, training, evaluation; returns a
  :class:`RunResult` and (main process) writes its JSON summary to ``config.output``;
- :func:`train_steps` and :func:`evaluate`: the loop and the evaluation, with the
  accelerate calls that replace a plain PyTorch loop's device and distributed plumbing;
- :func:`to_arguments`, :func:`free_port`, :func:`accelerate_command`: what launching the script
  needs; :func:`cpu_bf16_support`: whether the CPU has bfloat16 instructions.

Batches are split across processes (``split_batches=True``): ``batch_size`` is the global
batch, so one process and two processes take the same optimizer steps on the same reviews.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import socket
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from utils.errors import CourseError


@dataclass
class TrainConfig:
    """One training run. ``batch_size`` is global (split across processes); one epoch over ``train_size`` reviews.

    Args:
        cpu: train on the CPU even if GPUs are present; needed for several CPU processes
            (without it each process trains alone).
        checkpoint_step: call ``save_state`` into ``checkpoint_dir`` after this many optimizer steps.
        resume_from: a folder written by ``save_state``: load it and train the remaining steps.
        output: where the main process writes the run's JSON summary.
        save_model_dir: where the main process saves the trained model (``save_pretrained``).
    """

    train_size: int = 512
    eval_size: int = 512
    batch_size: int = 32
    eval_batch_size: int = 64
    lr: float = 1e-4
    max_length: int = 64
    seed: int = 42
    gradient_accumulation_steps: int = 1
    cpu: bool = False
    checkpoint_step: int | None = None
    checkpoint_dir: str | None = None
    resume_from: str | None = None
    output: str | None = None
    save_model_dir: str | None = None

    def __post_init__(self):
        for name in ("train_size", "eval_size", "batch_size", "eval_batch_size", "max_length", "gradient_accumulation_steps"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise CourseError(f"TrainConfig.{name} must be a positive integer, got {value!r}.")
        if (self.checkpoint_step is None) != (self.checkpoint_dir is None):
            raise CourseError("Give both checkpoint_step and checkpoint_dir to save a checkpoint, or neither.")

    @property
    def steps(self) -> int:
        """Optimizer steps of the run (one epoch)."""
        return math.ceil(self.train_size / self.batch_size) // self.gradient_accumulation_steps


@dataclass
class RunResult:
    """What :func:`run` returns in each process: the JSON-ready summary (the same in all) and the trained model."""

    summary: dict
    model: object = field(repr=False, default=None)
    is_main_process: bool = True


class Progress:
    """The optimizer steps done so far; saved and restored with the checkpoint (``register_for_checkpointing``)."""

    def __init__(self):
        self.step = 0

    def state_dict(self) -> dict:
        return {"step": self.step}

    def load_state_dict(self, state: dict) -> None:
        self.step = int(state["step"])


def load_data(config: TrainConfig, tokenizer):
    """The shuffled training reviews and the evaluation reviews (from the test split), tokenized."""
    from datasets import load_dataset

    from utils import catalog

    sentiment = load_dataset(catalog.dataset("sentiment"))
    for split, size in (("train", config.train_size), ("test", config.eval_size)):
        if size > len(sentiment[split]):
            raise CourseError(f"The {split} split has {len(sentiment[split]):,} reviews; ask for at most that many.")

    def tokenize(batch):
        return tokenizer(batch["text"], truncation=True, max_length=config.max_length)

    train = sentiment["train"].shuffle(seed=config.seed).select(range(config.train_size))
    test = sentiment["test"].shuffle(seed=config.seed).select(range(config.eval_size))
    return (train.map(tokenize, batched=True, remove_columns=["text"]),
            test.map(tokenize, batched=True, remove_columns=["text"]))


def new_model(seed: int):
    """The encoder with a fresh classification head, seeded so that every process starts from the same weights."""
    from transformers import AutoModelForSequenceClassification, set_seed

    from utils import catalog

    set_seed(seed)
    return AutoModelForSequenceClassification.from_pretrained(
        catalog.model("encoder"), num_labels=2, id2label={0: "neg", 1: "pos"}, label2id={"neg": 0, "pos": 1})


def adamw_with_linear_schedule(model, lr: float, total_steps: int):
    """AdamW (weight decay 0.01, none on biases and LayerNorm) and a linear schedule with 10% warm-up."""
    import torch
    from transformers import get_scheduler

    groups = {True: [], False: []}  # decayed or not
    for name, parameter in model.named_parameters():
        groups["bias" not in name and "LayerNorm" not in name].append(parameter)
    optimizer = torch.optim.AdamW([{"params": groups[True], "weight_decay": 0.01},
                                   {"params": groups[False], "weight_decay": 0.0}], lr=lr)
    warmup = math.ceil(0.1 * total_steps)
    return optimizer, get_scheduler("linear", optimizer, num_warmup_steps=warmup, num_training_steps=total_steps)


def train_steps(accelerator, model, optimizer, schedule, batches, progress: Progress, on_step=None) -> dict:
    """The training loop: 05's plain PyTorch loop with the accelerate calls in place of device handling.

    ``accelerator.accumulate`` skips the gradient all-reduce (and the optimizer step) until
    ``gradient_accumulation_steps`` micro-batches are summed; ``accelerator.backward`` scales
    the loss for accumulation; ``clip_grad_norm_`` clips the all-reduced gradients. Returns
    this process's step times and what it saw: the number of reviews and its first one.
    """
    model.train()
    step_times, examples, first_ids = [], 0, None
    start = time.perf_counter()
    for batch in batches:
        first_ids = batch["input_ids"][0] if first_ids is None else first_ids
        examples += len(batch["labels"])
        with accelerator.accumulate(model):
            loss = model(**batch).loss
            accelerator.backward(loss)
            if accelerator.sync_gradients:
                accelerator.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
        if accelerator.sync_gradients:
            progress.step += 1
            step_times.append(time.perf_counter() - start)
            if on_step is not None:
                on_step(progress.step)
            start = time.perf_counter()
    return {"step_times": step_times, "examples": examples, "first_ids": first_ids}


def evaluate(accelerator, model, loader) -> dict:
    """Accuracy on a prepared loader: each process predicts its shard, ``gather_for_metrics`` collects them all.

    ``gather_for_metrics`` drops the reviews that were repeated to make the last batch even,
    so the accuracy is that of the evaluation set exactly, whatever the number of processes.
    """
    import evaluate as hf_evaluate
    import torch

    from utils import catalog

    model.eval()
    predictions, references, local = [], [], 0
    with torch.inference_mode():
        for batch in loader:
            labels = batch.pop("labels")
            local += len(labels)
            logits = model(**batch).logits
            gathered = accelerator.gather_for_metrics((logits.argmax(dim=-1), labels))
            predictions.append(gathered[0])
            references.append(gathered[1])
    predictions, references = torch.cat(predictions).tolist(), torch.cat(references).tolist()
    accuracy = hf_evaluate.load(catalog.evaluation_module("accuracy"))
    score = accuracy.compute(predictions=predictions, references=references)["accuracy"]
    return {"accuracy": score, "predictions": predictions, "local_examples": local}


def run(config: TrainConfig) -> RunResult:
    """Train and evaluate with accelerate in this process, which may be one of several.

    Works the same in one process, under ``notebook_launcher`` and under ``accelerate launch``:
    the ``Accelerator`` reads how many processes there are from the environment the
    launcher set. The summary (also written to ``config.output`` by the main process) holds
    the world size, times, accuracy, predictions and, for each process, its shard of the data.
    """
    import torch
    from accelerate import Accelerator
    from accelerate.utils import DataLoaderConfiguration, gather_object, set_seed
    from torch.utils.data import DataLoader
    from transformers import AutoTokenizer, DataCollatorWithPadding

    from utils import catalog
    from utils.measure import PeakMemory

    accelerator = Accelerator(cpu=config.cpu, gradient_accumulation_steps=config.gradient_accumulation_steps,
                              dataloader_config=DataLoaderConfiguration(split_batches=True, use_seedable_sampler=True,
                                                                        data_seed=config.seed))
    set_seed(config.seed)
    tokenizer = AutoTokenizer.from_pretrained(catalog.model("encoder"))
    with accelerator.main_process_first():  # the main process writes the datasets cache, the others read it
        train, test = load_data(config, tokenizer)
    collator = DataCollatorWithPadding(tokenizer)
    # Its own generator: starting an epoch then draws no number from the global RNG, which dropout uses.
    train_loader = DataLoader(train, batch_size=config.batch_size, shuffle=True, collate_fn=collator,
                              generator=torch.Generator().manual_seed(config.seed))
    eval_loader = DataLoader(test, batch_size=config.eval_batch_size, collate_fn=collator)
    model = new_model(config.seed)
    optimizer, schedule = adamw_with_linear_schedule(model, config.lr, config.steps)
    model, optimizer, train_loader, eval_loader, schedule = accelerator.prepare(
        model, optimizer, train_loader, eval_loader, schedule)
    progress = Progress()
    accelerator.register_for_checkpointing(progress)
    batches = train_loader
    if config.resume_from:
        accelerator.load_state(config.resume_from)  # weights, optimizer, schedule, sampler, RNG states, progress
        batches = accelerator.skip_first_batches(train_loader, progress.step * config.gradient_accumulation_steps)
    resumed_at = progress.step
    checkpoint_seconds = []

    def on_step(step):
        if step == config.checkpoint_step:
            start = time.perf_counter()
            accelerator.save_state(config.checkpoint_dir)
            checkpoint_seconds.append(time.perf_counter() - start)

    with PeakMemory() as memory:
        start = time.perf_counter()
        trained = train_steps(accelerator, model, optimizer, schedule, batches, progress, on_step)
        train_seconds = time.perf_counter() - start - sum(checkpoint_seconds)
        start = time.perf_counter()
        scores = evaluate(accelerator, model, eval_loader)
        eval_seconds = time.perf_counter() - start
    first = trained["first_ids"]
    shard = {"rank": accelerator.process_index, "train_examples": trained["examples"],
             "eval_examples": scores["local_examples"], "peak_memory_mb": memory.peak_mb,
             "first_review": tokenizer.decode(first, skip_special_tokens=True) if first is not None else None}
    shards = gather_object([shard])
    summary = {
        "world_size": accelerator.num_processes, "distributed_type": str(accelerator.distributed_type).split(".")[-1],
        "backend": accelerator.state.backend, "mixed_precision": accelerator.mixed_precision,
        "torch_threads": torch.get_num_threads(), "config": asdict(config),
        "steps": progress.step, "resumed_at_step": resumed_at, "train_seconds": train_seconds,
        "step_times": trained["step_times"], "checkpoint_seconds": sum(checkpoint_seconds),
        "eval_seconds": eval_seconds, "eval_examples": len(scores["predictions"]), "accuracy": scores["accuracy"],
        "predictions": scores["predictions"], "shards": shards,
    }
    accelerator.wait_for_everyone()
    unwrapped = accelerator.unwrap_model(model)
    if config.save_model_dir:
        unwrapped.save_pretrained(config.save_model_dir, is_main_process=accelerator.is_main_process,
                                  save_function=accelerator.save)
    if config.output and accelerator.is_main_process:
        Path(config.output).parent.mkdir(parents=True, exist_ok=True)
        Path(config.output).write_text(json.dumps(summary, indent=1))
    accelerator.end_training()
    return RunResult(summary, unwrapped, accelerator.is_main_process)


def to_arguments(config: TrainConfig) -> list[str]:
    """The command-line arguments of ``scripts/train_sentiment.py`` that reproduce ``config`` (defaults left out)."""
    defaults = TrainConfig()
    arguments = []
    for name, value in asdict(config).items():
        if value == getattr(defaults, name):
            continue
        if name == "cpu":
            arguments.append("--cpu")
        else:
            arguments.append(f"--{name}={value}")
    return arguments


def cpu_bf16_support(cpuinfo: str | None = None) -> list[str]:
    """The CPU's bfloat16 instructions listed in ``/proc/cpuinfo`` (AVX512-BF16, AMX-BF16); [] if none or unknown."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return []
    flags = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.split(":", 1)[1].split())
    return sorted(flags & {"avx512_bf16", "amx_bf16"})


def free_port() -> int:
    """A TCP port that is free now on this machine, for the processes' rendezvous.

    The default (29500) collides when two trainings (or two CI jobs) run at once.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accelerate_command() -> list[str]:
    """The ``accelerate`` command of the running Python environment (a kernel's PATH may lack it)."""
    beside = Path(sys.executable).with_name("accelerate")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("accelerate")
    return [found] if found else [sys.executable, "-m", "accelerate.commands.accelerate_cli"]


def read_summary(path: str | os.PathLike) -> dict:
    """The JSON summary a run wrote, with a clear error if the run did not write it."""
    path = Path(path)
    if not path.exists():
        raise CourseError(f"No results at {path}: the training did not finish; read its output above for the error.")
    return json.loads(path.read_text())
