"""The exercises of notebooks/00_setup.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, close, number, register, share


@register("00_setup", 1, hint="A module's parameters() yields every weight tensor under it, and each "
          "tensor's numel() counts its values; the embedding layer is one module of the encoder, "
          "with more than one table in it.")
def embedding_share(answer, encoder):
    value = share(answer, "The share")
    total = sum(p.numel() for p in encoder.parameters())
    expected = sum(p.numel() for p in encoder.embeddings.parameters()) / total
    words = encoder.embeddings.word_embeddings.weight.numel() / total
    if close(value, expected, abs_=0.002):
        return f"{expected:.1%} of the encoder's {total:,} parameters are embeddings: one vector per token of the vocabulary."
    if close(value, words, abs_=0.0005):
        raise Wrong("that is the word embeddings alone; the layer also holds position and token-type "
                    "embeddings and a LayerNorm.")
    raise Wrong(f"{value:.4f} is not the embedding layer's share of all parameters.")


@register("00_setup", 2, hint="load_dataset takes what catalog.dataset gives for a role; the spam "
          "data's labels are a ClassLabel, so find which integer means 'spam' before counting.")
def spam_share(answer, catalog):
    from datasets import load_dataset

    train = load_dataset(catalog.dataset("spam"))["train"]
    labels = list(train["label"])
    spam = train.features["label"].names.index("spam")
    if number(answer, "The share of spam") == labels.count(spam):
        raise Wrong(f"that is the number of spam messages; divide by the number of messages ({len(labels):,}).")
    value = share(answer, "The share of spam")
    expected = labels.count(spam) / len(labels)
    if close(value, expected, abs_=0.002):
        return f"{expected:.1%} of the {len(labels):,} training messages are spam: an imbalanced dataset."
    if close(value, 1 - expected, abs_=0.002):
        raise Wrong("that is the share of ham; count the messages whose label is 'spam'.")
    raise Wrong(f"{value:.4f} is not the share of spam among the training messages.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
embedding_share = sum(p.numel() for p in encoder.embeddings.parameters()) / sum(p.numel() for p in encoder.parameters())

# %% Exercise 1: wrong (the word embeddings alone)
embedding_share = encoder.embeddings.word_embeddings.weight.numel() / sum(p.numel() for p in encoder.parameters())

# %% Exercise 1: wrong (a percentage)
embedding_share = 52.5

# %% Exercise 2
spam = load_dataset(catalog.dataset("spam"))
spam_labels = list(spam["train"]["label"])
spam_share = spam_labels.count(spam["train"].features["label"].str2int("spam")) / len(spam_labels)

# %% Exercise 2: wrong (the number of spam messages, not their share)
spam = load_dataset(catalog.dataset("spam"))
spam_share = list(spam["train"]["label"]).count(spam["train"].features["label"].str2int("spam"))

# %% Exercise 2: wrong (the share of ham)
spam_share = 1 - sum(load_dataset(catalog.dataset("spam"))["train"]["label"]) / len(load_dataset(catalog.dataset("spam"))["train"])
'''
