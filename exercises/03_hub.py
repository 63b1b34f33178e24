"""The exercises of notebooks/03_hub.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

import os

from utils.exercises import Wrong, close, integer, number, register


@register("03_hub", 1, hint="save_pretrained fills each shard up to max_shard_size but never splits a "
          "tensor, so the largest tensor takes a shard of its own; size the limit so that the other tensors "
          "fill three shards.")
def four_shards(answer):
    import json
    from pathlib import Path

    folder = Path(answer) if isinstance(answer, str | os.PathLike) else None
    if folder is None or not folder.is_dir():
        raise Wrong("give the folder you saved the model to (a path).")
    shards = sorted(folder.glob("model-*.safetensors"))
    index = folder / "model.safetensors.index.json"
    if not index.is_file():
        raise Wrong(f"{folder.name} holds one unsharded file; pass a max_shard_size smaller than the weights.")
    used = set(json.loads(index.read_text())["weight_map"].values())
    if len(shards) != 4 or len(used) != 4:
        raise Wrong(f"{folder.name} holds {len(shards)} shards, not 4: change max_shard_size.")
    return f"4 shards of {', '.join(f'{p.stat().st_size / 1e6:.0f}' for p in shards)} MB, and an index naming them."


@register("03_hub", 2, hint="The first 8 bytes of a safetensors file are one little-endian unsigned "
          "integer; int.from_bytes turns bytes into an integer.")
def header_length(answer, weights_path):
    value = integer(answer, "The header's length")
    with open(weights_path, "rb") as handle:
        expected = int.from_bytes(handle.read(8), "little")
    if value == expected:
        return f"the JSON header takes {expected:,} bytes: names, dtypes, shapes and offsets of every tensor."
    if value == expected + 8:
        raise Wrong("that counts the 8-byte length field too; give the header's own length.")
    with open(weights_path, "rb") as handle:
        if value == int.from_bytes(handle.read(8), "big"):
            raise Wrong("that reads the 8 bytes as big-endian; the length is stored little-endian.")
    raise Wrong(f"{value:,} bytes is not the length the file's first 8 bytes give.")


@register("03_hub", 3, hint="The mixin stores the constructor's arguments in config.json: the threshold "
          "must be one of __init__'s parameters (call super().__init__ with the others and keep it as an "
          "attribute), and from_pretrained must be called on your subclass.")
def threshold_probe(answer, folder):
    import json
    from pathlib import Path

    if not hasattr(answer, "state_dict") or not hasattr(type(answer), "from_pretrained"):
        raise Wrong("give the model that ThresholdProbe.from_pretrained returned.")
    if "SentimentProbe" not in [cls.__name__ for cls in type(answer).__mro__]:
        raise Wrong("subclass SentimentProbe, so that the probe keeps its layer and labels.")
    config_path = Path(folder) / "config.json"
    if not config_path.is_file():
        raise Wrong(f"save the probe with save_pretrained into {folder} first.")
    config = json.loads(config_path.read_text())
    if "threshold" not in config:
        raise Wrong("config.json holds no threshold: make it an argument of __init__, so the mixin saves it.")
    if not close(number(config["threshold"], "The threshold"), 0.7, abs_=1e-9):
        raise Wrong(f"the saved threshold is {config['threshold']}, not 0.7.")
    if not close(number(getattr(answer, "threshold", None) or 0, "The threshold"), 0.7, abs_=1e-9):
        raise Wrong("the reloaded model has no threshold of 0.7: keep the argument as an attribute (self.threshold).")
    return f"config.json holds {config}: the threshold travels with the weights."


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
# A tensor is never split: the embedding table, the largest, takes a shard of its own. Share the
# rest of the bytes (4 per float32 value) among three shards, with a little room for the packing.
tensor_bytes = {name: math.prod(shape) * 4 for name, shape in shapes.items()}
rest = sum(tensor_bytes.values()) - max(tensor_bytes.values())
model.save_pretrained(workdir / "four-shards", max_shard_size=int(rest / 3 * 1.05))  # in bytes
four_shard_folder = workdir / "four-shards"

# %% Exercise 1: wrong (a quarter of all the bytes: the largest tensor still takes a shard of its own)
total_bytes = sum(math.prod(shape) * 4 for shape in shapes.values())
model.save_pretrained(workdir / "quarter-shards", max_shard_size=total_bytes // 4)
four_shard_folder = workdir / "quarter-shards"

# %% Exercise 1: wrong (not sharded at all)
four_shard_folder = workdir / "round-trip"

# %% Exercise 2
with open(weights_path, "rb") as handle:
    header_bytes = int.from_bytes(handle.read(8), "little")

# %% Exercise 2: wrong (the header with its 8-byte length field)
with open(weights_path, "rb") as handle:
    header_bytes = int.from_bytes(handle.read(8), "little") + 8

# %% Exercise 2: wrong (read as a big-endian integer)
with open(weights_path, "rb") as handle:
    header_bytes = int.from_bytes(handle.read(8), "big")


# %% Exercise 3
class ThresholdProbe(SentimentProbe):
    def __init__(self, embedding_dim: int = 384, labels: tuple = ("neg", "pos"), threshold: float = 0.5):
        super().__init__(embedding_dim, labels)
        self.threshold = threshold


ThresholdProbe(embedding_dim=probe.linear.in_features, labels=probe.labels, threshold=0.7).save_pretrained(
    workdir / "threshold-probe")
reloaded_probe = ThresholdProbe.from_pretrained(workdir / "threshold-probe")


# %% Exercise 3: wrong (a class attribute: not a constructor argument, so not saved)
class ThresholdProbe(SentimentProbe):
    threshold = 0.7


ThresholdProbe(labels=probe.labels).save_pretrained(workdir / "threshold-probe")
reloaded_probe = ThresholdProbe.from_pretrained(workdir / "threshold-probe")


# %% Exercise 3: wrong (the subclass is right, but the probe was built without threshold=0.7)
class ThresholdProbe(SentimentProbe):
    def __init__(self, embedding_dim: int = 384, labels: tuple = ("neg", "pos"), threshold: float = 0.5):
        super().__init__(embedding_dim, labels)
        self.threshold = threshold


ThresholdProbe(embedding_dim=probe.linear.in_features, labels=probe.labels).save_pretrained(workdir / "threshold-probe")
reloaded_probe = ThresholdProbe.from_pretrained(workdir / "threshold-probe")
'''
