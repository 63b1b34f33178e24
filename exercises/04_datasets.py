"""The exercises of notebooks/04_datasets.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, integer, register


@register("04_datasets", 1, hint="Tokenize the training texts without truncation, then count the reviews "
          "whose token count (special tokens included) is above the limit.")
def truncated_reviews(answer, train, tokenizer, limit: int = 32):
    value = integer(answer, "The number of reviews")
    lengths = [len(ids) for ids in tokenizer(list(train["text"]))["input_ids"]]
    expected = sum(n > limit for n in lengths)
    if value == expected:
        return f"{expected:,} of {len(lengths):,} reviews ({expected / len(lengths):.0%}) lose tokens at max_length={limit}."
    if value == sum(n >= limit for n in lengths):
        raise Wrong(f"that counts the reviews of exactly {limit} tokens too, which truncation leaves whole.")
    if value == sum(len(t.split()) > limit for t in train["text"]):
        raise Wrong("that counts words, not tokens; the tokenizer splits many words into several tokens.")
    raise Wrong(f"{value:,} is not the number of training reviews longer than {limit} tokens.")


@register("04_datasets", 2, hint="train_test_split can keep each label's share in both parts, and takes a "
          "seed; the share of the second part is a fraction of the whole.")
def stratified_spam(answer, spam_train):
    if not hasattr(answer, "keys") or set(answer.keys()) != {"train", "test"}:
        raise Wrong("give the DatasetDict that train_test_split returns (with 'train' and 'test').")
    if len(answer["train"]) + len(answer["test"]) != len(spam_train):
        raise Wrong("split the whole spam training split.")
    expected = spam_train.train_test_split(test_size=0.1, stratify_by_column="label", seed=0)
    if len(answer["test"]) != len(expected["test"]):
        raise Wrong(f"the second part should hold 10% of the messages ({len(expected['test'])}), not {len(answer['test'])}.")
    if list(answer["test"]["sms"]) != list(expected["test"]["sms"]):
        plain = spam_train.train_test_split(test_size=0.1, seed=0)
        if list(answer["test"]["sms"]) == list(plain["test"]["sms"]):
            raise Wrong("that split is not stratified by label, so the parts' spam shares drift apart.")
        raise Wrong("those are not the messages of the stratified split with seed 0.")
    shares = [sum(part["label"]) / len(part) for part in expected.values()]
    return f"spam is {shares[0]:.1%} of the first part and {shares[1]:.1%} of the second."


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
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
'''
