"""The notebooks' sizes in the machinery's runs: the test scale of ``make test`` and the hub rehearsal.

One table, :data:`TEST_SIZES`, gives each notebook smaller values of its own parameters (the
assignments of its cell tagged ``parameters``). The test run executes every cell of every
notebook, exercises solved and every assert active, on the same real weights and data, with
these sizes instead of the defaults, so that the whole course is tested in minutes; its records
are flagged as non-default runs and never enter the reference tables. The reference run
(``make report``) and a learner's run (``make course``) use the defaults; ``make test
SCALE=full`` tests at the defaults.

The hub rehearsal runs the test scale with :data:`REHEARSAL_CHANGES` on top: its stand-in
models have random weights, so nothing it trains needs the test scale's sizes.

The runner writes the sizes into the staged copy of each notebook, as a cell after its
``parameters`` cell (papermill's way), each value through ``param`` so that a
``COURSE_<NAME>`` variable set by hand still wins.
"""

from __future__ import annotations

from utils.errors import CourseError

TEST_SIZES: dict[str, dict] = {
    "00_setup": {"repeats": 1},
    "01_pipelines": {"num_texts": 32, "batch_sizes": [1, 8, 32], "max_new_tokens": 16, "generation_repeats": 1},
    "02_tokenizers": {"num_reviews": 1000},
    "03_hub": {"repeats": 2, "probe_train_size": 256},
    "04_datasets": {"copies": 10},
    "05_evaluate": {"num_examples": 200, "n_resamples": 100},
    # 06: batches of 16, not 32: 50 steps on the 800 reviews (25 left the model at the majority baseline);
    # exercise 1 on 160 reviews keeps its 30 steps
    "06_trainer": {"train_size": 800, "eval_size": 100, "minimal_steps": 8, "spam_size": 128, "exercise_size": 160,
                   "batch_size": 16},
    "07_peft": {"train_size": 800, "sweep_size": 160, "sweep_test_size": 100, "spam_per_class": 32,
                "chat_steps": 2, "probe_size": 8, "bench_batches": 3},
    # 08: batches of 8 (24 updates) where the defaults take 16: 8 updates of 16 left every loop at the majority answer
    "08_accelerate": {"train_size": 192, "batch_size": 8, "eval_size": 100},
    "09_inference": {"eval_size": 192, "max_new_tokens": 16, "generation_repeats": 1},
    "10_compression": {"eval_size": 192, "distill_size": 800},
    "11_vision": {"vit_epochs": 1, "train_size": 1600, "test_size": 200},
    "12_serving": {"num_requests": 8, "chat_requests": 2},
    "13_frameworks": {"train_size": 192, "eval_size": 300},
    # 14: 80 steps of 64 digits: a weak model, read above chance only
    "14_diffusion": {"judge_epochs": 2, "train_steps": 80, "ddim_steps": [10], "ddpm_steps": [25],
                     "guidance_scales": [1.0, 3.0]},
    "15_preference": {"train_pairs": 16, "heldout_size": 16, "dpo_steps": 4, "sft_steps": 2, "grpo_prompts": 8,
                      "grpo_steps": 2},
    "16_browser": {"num_reviews": 48},
}

#: What the hub rehearsal changes on top of the test scale (smaller still: random stand-ins learn nothing).
REHEARSAL_CHANGES: dict[str, dict] = {
    "01_pipelines": {"max_new_tokens": 8},
    "02_tokenizers": {"num_reviews": 500},
    "03_hub": {"max_shard_size": "2MB", "repeats": 1, "probe_train_size": 64},
    "04_datasets": {"copies": 4},
    "05_evaluate": {"num_examples": 64, "n_resamples": 50},
    "06_trainer": {"train_size": 384, "eval_size": 256, "minimal_steps": 4, "spam_size": 64},
    "07_peft": {"train_size": 384, "lora_epochs": 1, "sweep_size": 64, "sweep_test_size": 64, "spam_per_class": 16},
    "08_accelerate": {"train_size": 384, "batch_size": 16, "eval_size": 256},
    "09_inference": {"max_new_tokens": 8},
    "10_compression": {"distill_size": 128},
    "11_vision": {"train_size": 384},
    "12_serving": {"max_new_tokens": 8},
    "13_frameworks": {"train_size": 96, "eval_size": 64},
    "15_preference": {"train_pairs": 8, "heldout_size": 8, "dpo_steps": 2, "sft_steps": 1, "grpo_steps": 1},
}

SCALES = ("full", "test", "rehearsal")


def sizes(notebook: str, scale: str) -> dict:
    """The parameters that run ``notebook`` (a stem, e.g. "06_trainer") at ``scale``: none at
    "full" (the defaults), :data:`TEST_SIZES` at "test", and those with :data:`REHEARSAL_CHANGES`
    at "rehearsal"."""
    if scale not in SCALES:
        raise CourseError(f"unknown scale {scale!r}: use one of {', '.join(SCALES)}.")
    if scale == "full":
        return {}
    found = dict(TEST_SIZES.get(notebook, {}))
    if scale == "rehearsal":
        found.update(REHEARSAL_CHANGES.get(notebook, {}))
    return found


def sizes_cell(values: dict) -> str:
    """The code of the cell that sets ``values`` after a notebook's parameters cell (empty: none)."""
    if not values:
        return ""
    lines = ["# Added by the course's runner: this run's sizes (a COURSE_<NAME> variable still wins)."]
    lines += [f"{name} = param({name!r}, {value!r})" for name, value in values.items()]
    return "\n".join(lines)
