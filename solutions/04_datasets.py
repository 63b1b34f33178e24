"""Reference solutions of notebook 04_datasets's exercises (see solutions/00_setup.py for the format)."""

# %% Exercise 1
token_counts = [len(ids) for ids in tokenizer(list(train["text"]))["input_ids"]]
truncated_at_32 = sum(count > 32 for count in token_counts)

# %% Exercise 1: wrong (counts the reviews of exactly 32 tokens, which keep all their tokens)
truncated_at_32 = sum(len(ids) >= 32 for ids in tokenizer(list(train["text"]))["input_ids"])

# %% Exercise 1: wrong (words, not tokens)
truncated_at_32 = sum(len(text.split()) > 32 for text in train["text"])

# %% Exercise 2
spam_parts = spam["train"].train_test_split(test_size=0.1, stratify_by_column="label", seed=0)

# %% Exercise 2: wrong (not stratified)
spam_parts = spam["train"].train_test_split(test_size=0.1, seed=0)

# %% Exercise 2: wrong (another seed)
spam_parts = spam["train"].train_test_split(test_size=0.1, stratify_by_column="label", seed=1)
