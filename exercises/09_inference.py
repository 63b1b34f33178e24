"""The exercises of notebooks/09_inference.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, number, register

BUCKET = 16


@register("09_inference", 1, hint="The tokenizer can round the padded length up for you: padding=True together "
          "with pad_to_multiple_of; keep truncation at max_length and return_tensors='pt' as classifier() does.")
def buckets_of_16(answer, bench, sort_key, batch_size, max_length):
    import torch

    if not callable(answer):
        raise Wrong("give a function of a list of reviews (def bucketed(batch): ...), not what it returns.")
    long_review = " ".join(["a long and wonderful film"] * 60)  # far more tokens than max_length
    widths, dynamic, real, computed = [], [], 0, 0
    for texts in [[long_review, "short"], *([bench.texts[i] for i in b] for b in bench.batches(batch_size, sort_key))]:
        encoded = answer(texts)
        ids, mask = encoded["input_ids"], encoded.get("attention_mask")
        if not torch.is_tensor(ids) or mask is None:
            raise Wrong("return the tokenizer's PyTorch tensors (return_tensors='pt'), input_ids and attention_mask, "
                        "which the model takes.")
        width, longest = ids.shape[1], int(mask.sum(dim=1).max())
        if longest > max_length:
            raise Wrong(f"a long review came out {longest} tokens long: truncate at max_length ({max_length}).")
        if width % BUCKET:
            raise Wrong(f"a batch came out {width} tokens wide, not a multiple of {BUCKET}.")
        if width >= longest + BUCKET:
            raise Wrong(f"a batch whose longest review has {longest} tokens is padded to {width}: pad only up to the "
                        f"next multiple of {BUCKET} (padding=True, not padding='max_length').")
        if texts[0] is not long_review:
            widths.append(width)
            dynamic.append(longest)
            real, computed = real + int(mask.sum()), computed + ids.numel()
    dynamic_share = 1 - real / sum(w * len(b) for w, b in zip(dynamic, bench.batches(batch_size, sort_key), strict=True))
    return (f"{len(set(widths))} distinct lengths over {len(widths)} sorted batches, against {len(set(dynamic))} with "
            f"plain dynamic padding, for {1 - real / computed:.1%} of the computed tokens as padding against "
            f"{dynamic_share:.1%}: fewer versions of a compiled or static-shape model, for a little more padding.")


@register("09_inference", 2, hint="Tokenize the chat-templated questions together with padding=True and "
          "padding_side='left' (a decoder-only model continues each row's last token); pass min_new_tokens as well "
          "as max_new_tokens; time.perf_counter() before and after the call gives seconds.")
def batched_generation(replies, seconds, tokenizer, questions, max_new_tokens, single):
    import torch

    if not torch.is_tensor(replies) or replies.dim() != 2:
        raise Wrong("give what generate returns: a tensor of token ids, one row per question.")
    if replies.shape[0] != len(questions):
        raise Wrong(f"{replies.shape[0]} replies for {len(questions)} questions: generate for all of them in one call.")
    conversations = [[{"role": "user", "content": question}] for question in questions]
    templated = tokenizer.apply_chat_template(conversations, add_generation_prompt=True, tokenize=False)
    left = tokenizer(templated, padding=True, padding_side="left", return_tensors="pt")["input_ids"]
    right = tokenizer(templated, padding=True, padding_side="right", return_tensors="pt")["input_ids"]
    prompts = replies[:, :left.shape[1]]
    if torch.equal(prompts, right):
        raise Wrong("the prompts are padded on the right, so the shorter ones continue from padding tokens: "
                    "pad on the left.")
    if not torch.equal(prompts, left):
        raise Wrong("the rows do not start with the questions in the chat template, padded on the left.")
    new_tokens = replies.shape[1] - left.shape[1]
    if new_tokens != max_new_tokens:
        raise Wrong(f"each reply has {new_tokens} new tokens, not max_new_tokens ({max_new_tokens}): set min_new_tokens "
                    "too, so that no reply ends early.")
    seconds = number(seconds, "The call's time")
    if seconds <= 0:
        raise Wrong("the call's time should be a positive number of seconds.")
    if seconds > 100 * len(questions) * single.timing.median:
        raise Wrong(f"{seconds:g} is far longer than {len(questions)} replies of about {single.timing.median:.2f} s "
                    "each: give seconds, not milliseconds.")
    tokens_per_s = replies.shape[0] * new_tokens / seconds
    ratio = tokens_per_s / single.tokens_per_s
    return (f"{tokens_per_s:.1f} tokens/s over {replies.shape[0]} replies in one call, against "
            f"{single.tokens_per_s:.1f} for one reply at a time: {ratio:.2f}x here "
            f"({'batching raised' if ratio > 1 else 'batching did not raise'} the tokens per second).")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
def bucketed(batch):
    return tokenizer(batch, padding=True, pad_to_multiple_of=16, truncation=True, max_length=max_length,
                     return_tensors="pt")

# %% Exercise 1: wrong (every batch padded to max_length: fixed padding again)
def bucketed(batch):
    return tokenizer(batch, padding="max_length", pad_to_multiple_of=16, truncation=True, max_length=max_length,
                     return_tensors="pt")

# %% Exercise 1: wrong (buckets of 8 tokens)
def bucketed(batch):
    return tokenizer(batch, padding=True, pad_to_multiple_of=8, truncation=True, max_length=max_length,
                     return_tensors="pt")

# %% Exercise 1: wrong (no truncation: a long review exceeds max_length)
def bucketed(batch):
    return tokenizer(batch, padding=True, pad_to_multiple_of=16, return_tensors="pt")

# %% Exercise 1: wrong (lists of ids, not tensors)
def bucketed(batch):
    return tokenizer(batch, padding=True, pad_to_multiple_of=16, truncation=True, max_length=max_length)

# %% Exercise 2
conversations = [[{"role": "user", "content": question}] for question in questions]
templated = chat_tokenizer.apply_chat_template(conversations, add_generation_prompt=True, tokenize=False)
inputs = chat_tokenizer(templated, padding=True, padding_side="left", return_tensors="pt")
start = time.perf_counter()
with torch.inference_mode():
    batched_ids = chat_model.generate(**inputs, max_new_tokens=max_new_tokens, min_new_tokens=max_new_tokens,
                                      do_sample=False)
batched_seconds = time.perf_counter() - start

# %% Exercise 2: wrong (padded on the right, the tokenizer's default)
conversations = [[{"role": "user", "content": question}] for question in questions]
templated = chat_tokenizer.apply_chat_template(conversations, add_generation_prompt=True, tokenize=False)
inputs = chat_tokenizer(templated, padding=True, return_tensors="pt")
start = time.perf_counter()
with torch.inference_mode():
    batched_ids = chat_model.generate(**inputs, max_new_tokens=max_new_tokens, min_new_tokens=max_new_tokens,
                                      do_sample=False)
batched_seconds = time.perf_counter() - start

# %% Exercise 2: wrong (the bare questions, without the chat template)
inputs = chat_tokenizer(questions, padding=True, padding_side="left", return_tensors="pt")
start = time.perf_counter()
with torch.inference_mode():
    batched_ids = chat_model.generate(**inputs, max_new_tokens=max_new_tokens, min_new_tokens=max_new_tokens,
                                      do_sample=False)
batched_seconds = time.perf_counter() - start

# %% Exercise 2: wrong (the time in milliseconds)
conversations = [[{"role": "user", "content": question}] for question in questions]
templated = chat_tokenizer.apply_chat_template(conversations, add_generation_prompt=True, tokenize=False)
inputs = chat_tokenizer(templated, padding=True, padding_side="left", return_tensors="pt")
start = time.perf_counter()
with torch.inference_mode():
    batched_ids = chat_model.generate(**inputs, max_new_tokens=max_new_tokens, min_new_tokens=max_new_tokens,
                                      do_sample=False)
batched_seconds = (time.perf_counter() - start) * 1000
'''
