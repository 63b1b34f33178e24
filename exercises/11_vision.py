"""The exercises of notebooks/11_vision.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, register
from utils.modes import is_rehearsal


def _accuracy_on(model, test_data, collate) -> float:
    import torch

    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(test_data), 100):
            batch = collate([test_data[i] for i in range(start, min(start + 100, len(test_data)))])
            correct += (model(pixel_values=batch["pixel_values"]).logits.argmax(-1) == batch["labels"]).sum().item()
    return correct / len(test_data)


@register("11_vision", 1, hint="Load the model as in section 6, call requires_grad_(False) on its base_model (the "
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
    if accuracy < 0.2:  # twice chance (ten digits): an untrained head reads about 1 in 10
        message = f"it reads {accuracy:.1%} of the test digits, about chance: train its head (one epoch, train(...))."
        if not is_rehearsal():
            raise Wrong(message)
        print(f"[rehearsal] not checked on the stand-in's random weights: {message}")
    gap = 100 * (full_accuracy - accuracy)
    return (f"the probe reads {accuracy:.3f} of the test digits against {full_accuracy:.3f} when every weight is "
            f"fine-tuned ({gap:+.1f} points for adapting the body too): ImageNet's features alone carry "
            f"{'part' if gap > 0 else 'all'} of the way to digits.")


@register("11_vision", 2, hint="pipeline('image-classification', model=..., image_processor=...) takes the model "
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


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
torch.manual_seed(seed)
probe = AutoModelForImageClassification.from_pretrained(catalog.model("image-classifier"), num_labels=10,
                                                        id2label=id2label, label2id=label2id,
                                                        ignore_mismatched_sizes=True)
probe.base_model.requires_grad_(False)  # the body stays as ImageNet left it; only the head learns
probe_trainer, probe_seconds, _ = train("probe", probe, lite_data, 1, 1e-3)
print(f"linear probe: {probe_seconds:.0f} s against {lite_seconds:.0f} s for the full fine-tuning")

# %% Exercise 1: wrong (section 6's fine-tuned model, frozen afterwards: its body was trained too)
import copy

probe = copy.deepcopy(lite)
probe.base_model.requires_grad_(False)

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
'''
