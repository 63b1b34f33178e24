"""The exercises of notebooks/07_peft.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, number, register


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


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
all_layers = get_peft_model(fresh_base(dropout=False), LoraConfig(task_type=TaskType.SEQ_CLS, r=8, lora_alpha=16,
                                                                  lora_dropout=0.0, target_modules=["query", "value"]))
every_layer = (all_layers, time_steps({"LoRA r=8, query and value, every layer": stepper(all_layers)})["step"].iloc[0])

# %% Exercise 1: wrong (our model: two layers, every projection)
every_layer = (lora_model, steps.loc[ours, "step"])

# %% Exercise 2
merged_spam = PeftModel.from_pretrained(fresh_base(), f"{scratch.name}/adapter-spam").merge_and_unload()

# %% Exercise 2: wrong (loaded but not merged)
merged_spam = PeftModel.from_pretrained(fresh_base(), f"{scratch.name}/adapter-spam")

# %% Exercise 2: wrong (the sentiment adapter, merged)
merged_spam = merged
'''
