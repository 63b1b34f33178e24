"""Reference solutions of notebook 02_tokenizers's exercises (see solutions/00_setup.py for the format)."""

# %% Exercise 1
small_vocabulary = wordpiece.train_new_from_iterator(
    (train_texts[i:i + 1000] for i in range(0, len(train_texts), 1000)), vocab_size=2000)

# %% Exercise 1: wrong (the tokenizer of section 7, with its larger vocabulary)
small_vocabulary = trained

# %% Exercise 2
batch = wordpiece(test_texts[:32], padding="longest", pad_to_multiple_of=8, truncation=True, max_length=64,
                  return_tensors="np")
tokens_multiple_of_8 = batch["input_ids"].size

# %% Exercise 2: wrong (padded to the longest review only)
tokens_multiple_of_8 = wordpiece(test_texts[:32], padding="longest", truncation=True, max_length=64,
                                 return_tensors="np")["input_ids"].size
