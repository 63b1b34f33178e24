"""The exercises of notebooks/07_peft.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, number, register

_TIMED: dict[int, tuple] = {}  # (model, ms): the check times a model once however often it is checked


def _config(model):
    config = getattr(model, "peft_config", {}).get("default")
    if config is None or type(config).__name__ != "LoraConfig":
        raise Wrong("the model should be a PEFT model made with a LoraConfig (get_peft_model).")
    return config


@register("07_peft", 1, hint="LoraConfig adapts every layer unless layers_to_transform says otherwise; "
          "target_modules names the projections. time_steps returns a table of milliseconds per step, "
          "mean over the bench batches: its 'step' column is the whole step.")
def every_layer_lora(answer, steps, time_steps, stepper):
    import copy

    if not (isinstance(answer, tuple) and len(answer) == 2):
        raise Wrong("give the pair (model, ms_per_step).")
    model, ms = answer
    config = _config(model)
    targets = set(config.target_modules or [])
    if targets != {"query", "value"}:
        raise Wrong(f"adapt query and value only, not {sorted(targets)}.")
    if config.layers_to_transform is not None:
        raise Wrong(f"this adapts only layers {config.layers_to_transform}: leave layers_to_transform unset for every layer.")
    if (config.r, config.lora_alpha, config.lora_dropout) != (8, 16, 0.0):
        raise Wrong(f"use r = 8, alpha 16 and no LoRA dropout, not r = {config.r}, alpha {config.lora_alpha}, "
                    f"dropout {config.lora_dropout}.")
    if model.config.hidden_dropout_prob or model.config.attention_probs_dropout_prob:
        raise Wrong("the base still has its dropout: build it on fresh_base(dropout=False), as our LoRA, to compare.")
    ms = number(ms, "The time per step")
    if id(model) not in _TIMED:  # the same steps again, on a copy (a step changes the weights)
        _TIMED[id(model)] = (model, float(time_steps({"check": stepper(copy.deepcopy(model))})["step"].iloc[0]))
    measured = _TIMED[id(model)][1]
    ratio = ms / measured
    if ratio < 0.02:
        raise Wrong(f"{ms:g} is far below the {measured:.0f} ms the check measured: seconds? time_steps gives milliseconds.")
    if ratio < 0.5:  # not tighter: the check's own timing is noisy, and a forward pass can be half a step
        raise Wrong(f"{ms:.0f} ms is less than half the step the check measured ({measured:.0f} ms): take the 'step' "
                    "column, forward, backward and optimizer together.")
    if ratio > 1.8:
        raise Wrong(f"{ms:.0f} ms is {ratio:.1f}x the {measured:.0f} ms the check measured for one step: the mean per "
                    "step, not the total over the bench batches.")
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total = sum(p.numel() for p in model.parameters())
    ours = next(i for i in steps.index if "ours" in i)
    return (f"{trainable:,} trainable ({100 * trainable / total:.2f}%), {ms:.0f} ms a step (the check measured "
            f"{measured:.0f}), {ms / steps.loc[ours, 'step']:.2f}x ours and {ms / steps.loc['full fine-tuning', 'step']:.2f}x "
            "full fine-tuning's: adapters in the first layer send the backward pass through the whole network.")


@register("07_peft", 2, hint="B has shape (out, r) and A (r, in): the correction is scaling times B @ A, with the "
          "weights of lora_B['default'] and lora_A['default'] and the number scaling['default'] (alpha / r).")
def lora_correction(answer, lora_model):
    import torch

    modules = dict(lora_model.named_modules())
    name = next(n for n in modules if n.endswith("layer.5.attention.self.query"))
    query = modules[name]
    if not isinstance(answer, torch.Tensor):
        raise Wrong(f"give the correction as a tensor, not {type(answer).__name__}.")
    with torch.no_grad():
        want = query.get_delta_weight("default").detach()
        weight = query.base_layer.weight.detach()
    answer = answer.detach()
    if tuple(answer.shape) != tuple(want.shape):
        if tuple(answer.shape) == (query.r["default"],) * 2:
            raise Wrong("an r x r matrix is A @ B: B (out x r) comes first, then A (r x in).")
        raise Wrong(f"the correction has the weight's shape {tuple(want.shape)}, not {tuple(answer.shape)}.")

    def same(x):
        return torch.allclose(answer, x, rtol=1e-4, atol=1e-6 * float(x.abs().max()) + 1e-9)

    if same(want):
        rank, r = int(torch.linalg.matrix_rank(answer)), query.r["default"]
        relative = float(torch.linalg.norm(answer) / torch.linalg.norm(weight))
        return (f"rank {rank} (at most r = {r}), and {relative:.1%} of the frozen weight's norm: a small, low-rank "
                "nudge to W, which merge_and_unload adds into it.")
    scaling = query.scaling["default"]
    if scaling != 1 and same(want / scaling):
        raise Wrong(f"this is B @ A without the scaling alpha / r (= {scaling:g} here).")
    if same(want.T):
        raise Wrong("this is the transpose: B @ A, with B of shape (out, r), not A.T @ B.T.")
    if same(weight + want):
        raise Wrong("this is the merged weight W + correction: give the correction alone.")
    others = {n: m for n, m in modules.items() if n != name and hasattr(m, "get_delta_weight")}
    for other_name, other in others.items():
        with torch.no_grad():
            if other.get_delta_weight("default").shape == answer.shape and same(other.get_delta_weight("default")):
                raise Wrong(f"this is the correction of {other_name.split('encoder.')[-1]}, not of layer.5.attention.self.query.")
    raise Wrong("this is not scaling * B @ A of the query projection of layer 5.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
all_layers = get_peft_model(fresh_base(dropout=False), LoraConfig(task_type=TaskType.SEQ_CLS, r=8, lora_alpha=16,
                                                                  lora_dropout=0.0, target_modules=["query", "value"]))
timed = time_steps({"LoRA r=8, query and value, every layer": stepper(all_layers)})
every_layer = (all_layers, timed["step"].iloc[0])
print(timed.round(2))

# %% Exercise 1: wrong (seconds: the time converted, where milliseconds are asked)
every_layer = (all_layers, timed["step"].iloc[0] / 1000)

# %% Exercise 1: wrong (the total over the bench batches, not the time per step)
every_layer = (all_layers, timed["step"].iloc[0] * bench_batches)

# %% Exercise 1: wrong (our helper's layers kept: the top two layers only)
every_layer = (get_peft_model(fresh_base(dropout=False), LoraConfig(task_type=TaskType.SEQ_CLS, r=8, lora_alpha=16,
               lora_dropout=0.0, target_modules=["query", "value"], layers_to_transform=[4, 5])), timed["step"].iloc[0])

# %% Exercise 1: wrong (the base with its dropout on)
every_layer = (get_peft_model(fresh_base(), LoraConfig(task_type=TaskType.SEQ_CLS, r=8, lora_alpha=16,
               lora_dropout=0.0, target_modules=["query", "value"])), timed["step"].iloc[0])

# %% Exercise 2
query = next(module for name, module in lora_model.named_modules() if name.endswith("layer.5.attention.self.query"))
delta = (query.scaling["default"] * query.lora_B["default"].weight @ query.lora_A["default"].weight).detach()
print(f"rank {int(torch.linalg.matrix_rank(delta))}, norm {float(torch.linalg.norm(delta) / torch.linalg.norm(query.base_layer.weight)):.1%} of W's")

# %% Exercise 2: wrong (the scaling alpha / r forgotten)
delta = query.lora_B["default"].weight @ query.lora_A["default"].weight

# %% Exercise 2: wrong (the product in the other order, transposed)
delta = query.lora_A["default"].weight.T @ query.lora_B["default"].weight.T * query.scaling["default"]

# %% Exercise 2: wrong (the merged weight, not the correction)
delta = query.base_layer.weight + query.scaling["default"] * query.lora_B["default"].weight @ query.lora_A["default"].weight

# %% Exercise 2: wrong (layer 4's query: the other adapted layer)
query4 = next(module for name, module in lora_model.named_modules() if name.endswith("layer.4.attention.self.query"))
delta = query4.scaling["default"] * query4.lora_B["default"].weight @ query4.lora_A["default"].weight
'''
