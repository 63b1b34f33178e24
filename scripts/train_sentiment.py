"""Fine-tune the course's encoder for sentiment with 🤗 Accelerate: notebook 08's training as a script.

The training is ``utils.accelerate_loop.run``, the function notebook 08 writes in its cells
(exported to that module) and runs in one process and under ``notebook_launcher``; this
file only reads the command line. The
launcher decides how many processes there are and in which precision:

    python scripts/train_sentiment.py --output results.json                # one process
    accelerate launch --multi_gpu --num_processes 2 scripts/train_sentiment.py --cpu --output results.json
                                                                          # two CPU processes (gloo)
    accelerate launch --multi_gpu --num_processes 8 --mixed_precision bf16 scripts/train_sentiment.py --output results.json
                                                                          # eight GPUs of one machine (nccl)
    accelerate launch --multi_gpu --num_machines 2 --machine_rank 0 --main_process_ip 10.0.0.1 \\
        --main_process_port 29500 --num_processes 16 scripts/train_sentiment.py --output results.json
                                                                          # two machines of 8 GPUs (machine_rank 1 on the other)

``accelerate launch --cpu --num_processes 2`` starts a single process unless MPI is set up
(``accelerate config``); the torchrun-based launcher behind ``--multi_gpu`` starts the
processes, and ``--cpu`` here tells them to train on the CPU and talk over gloo.
The main process writes the results (world size, times, accuracy, each process's shard)
as JSON to ``--output``.
"""

from __future__ import annotations

import argparse
from dataclasses import fields

import utils  # noqa: F401  (first: applies the course mode, offline by default, before Hugging Face imports)
from utils.accelerate_loop import TrainConfig, run
from utils.environment import quiet_logging

NUMBERS = ("train_size", "eval_size", "batch_size", "lr", "max_length", "seed", "gradient_accumulation_steps",
           "checkpoint_step")
PATHS = ("checkpoint_dir", "resume_from", "output", "save_model_dir")


def parse_args(argv: list[str] | None = None) -> TrainConfig:
    """The command line as a :class:`TrainConfig` (same names, same defaults)."""
    defaults = {f.name: f.default for f in fields(TrainConfig)}
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for name in NUMBERS:
        kind = float if name == "lr" else int
        parser.add_argument(f"--{name}", type=kind, default=defaults[name], help=f"default: {defaults[name]}")
    for name in PATHS:
        parser.add_argument(f"--{name}", default=None)
    parser.add_argument("--cpu", action="store_true", help="train on the CPU even if GPUs are present")
    return TrainConfig(**vars(parser.parse_args(argv)))


def main(argv: list[str] | None = None) -> int:
    import datasets

    config = parse_args(argv)
    quiet_logging()
    datasets.disable_progress_bars()
    result = run(config)
    summary = result["summary"]
    if result["is_main_process"]:
        for shard in summary["shards"]:
            print(f"rank {shard['rank']}: {shard['train_examples']} training reviews, first: "
                  f"{shard['first_review'][:60]!r}")
        print(f"{summary['world_size']} process(es), {summary['distributed_type']} ({summary['backend']}), "
              f"{summary['mixed_precision']}: trained {summary['steps']} steps in {summary['train_seconds']:.1f} s, "
              f"accuracy {summary['accuracy']:.4f} on {summary['eval_examples']} reviews")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
