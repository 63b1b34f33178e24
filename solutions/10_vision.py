"""Reference solutions of notebook 10_vision's exercises (see solutions/00_setup.py for the format)."""

# %% Exercise 1
torch.manual_seed(seed)
probe = AutoModelForImageClassification.from_pretrained(catalog.model("image-classifier"), num_labels=10,
                                                        id2label=id2label, label2id=label2id,
                                                        ignore_mismatched_sizes=True)
probe.base_model.requires_grad_(False)  # the body stays as ImageNet left it; only the head learns
probe_trainer, probe_seconds, _ = train("probe", probe, lite_data, 1, 1e-3)
print(f"linear probe: {probe_seconds:.0f} s against {lite_seconds:.0f} s for the full fine-tuning")

# %% Exercise 1: wrong (the fully fine-tuned model: its body was trained too)
probe = lite

# %% Exercise 1: wrong (frozen, but never trained: its head is random)
probe = AutoModelForImageClassification.from_pretrained(catalog.model("image-classifier"), num_labels=10,
                                                        ignore_mismatched_sizes=True)
probe.base_model.requires_grad_(False)

# %% Exercise 2
digit_reader = pipeline("image-classification", model=lite, image_processor=digit_processor)

# %% Exercise 2: wrong (the ImageNet pipeline of section 3)
digit_reader = classify

# %% Exercise 2: wrong (the model with its 224-pixel processor)
digit_reader = pipeline("image-classification", model=lite, image_processor=processor)
