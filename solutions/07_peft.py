"""Reference solutions of notebook 07_peft's exercises (see solutions/00_setup.py for the format)."""

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
