"""Reference solutions of notebook 00_setup's exercises.

Each "Exercise N" section replaces the placeholder of the notebook's answer cell tagged
exercise-N (CI runs every notebook so, and `make solutions` writes solved copies);
`qN.solution()` prints it. Each "Exercise N: wrong" section is a plausible wrong answer that
the check must reject. The code runs in the notebook's namespace, after the cells above it.
"""

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

# %% Exercise 2: wrong (the share of ham)
spam_share = 1 - sum(load_dataset(catalog.dataset("spam"))["train"]["label"]) / len(load_dataset(catalog.dataset("spam"))["train"])
