"""Reference solutions of notebook 03_hub's exercises (see solutions/00_setup.py for the format)."""

# %% Exercise 1
# A tensor is never split: the embedding table, the largest, takes a shard of its own. Share the
# rest of the bytes (4 per float32 value) among three shards, with a little room for the packing.
tensor_bytes = {name: math.prod(shape) * 4 for name, shape in shapes.items()}
rest = sum(tensor_bytes.values()) - max(tensor_bytes.values())
model.save_pretrained(workdir / "four-shards", max_shard_size=int(rest / 3 * 1.05))  # in bytes
four_shard_folder = workdir / "four-shards"

# %% Exercise 1: wrong (the notebook's own shards, with another count)
four_shard_folder = workdir / "sharded"

# %% Exercise 1: wrong (not sharded at all)
four_shard_folder = workdir / "round-trip"

# %% Exercise 2
with open(weights_path, "rb") as handle:
    header_bytes = int.from_bytes(handle.read(8), "little")

# %% Exercise 2: wrong (the header with its 8-byte length field)
with open(weights_path, "rb") as handle:
    header_bytes = int.from_bytes(handle.read(8), "little") + 8


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
