"""The exercises of notebooks/15_preference.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, number, register

_COMPUTED: dict[int, tuple] = {}  # (model, rewards by kind): the check scores a model once however often it is checked
_REWARDS = {0.0, 0.2, 1.0, 1.2}  # what format_and_label can give


@register("15_preference", 1, hint="view the rewards as (prompts, generations); the mean and the standard deviation "
          "are taken along the generations of each prompt (dim=1, keepdim=True), not over the whole batch.")
def grpo_advantages(answer, num_generations):
    import torch

    if not (isinstance(answer, tuple) and len(answer) == 2):
        raise Wrong("give the pair (rewards, advantages).")
    rewards, advantages = (torch.as_tensor(x, dtype=torch.float32) for x in answer)
    if tuple(rewards.shape) != (2, num_generations):
        raise Wrong(f"the rewards should have shape (2, {num_generations}): a row per review, a column per "
                    f"completion; got {tuple(rewards.shape)}.")
    if not all(min(abs(float(r) - v) for v in _REWARDS) < 1e-6 for r in rewards.flatten()):
        raise Wrong(f"format_and_label gives only {sorted(_REWARDS)}: score the sampled replies with it.")
    if tuple(advantages.shape) != tuple(rewards.shape):
        raise Wrong(f"the advantages have the rewards' shape {tuple(rewards.shape)}, not {tuple(advantages.shape)}.")
    mean = rewards.mean(dim=1, keepdim=True)
    wants = [(rewards - mean) / (rewards.std(dim=1, keepdim=True, correction=c) + 1e-4) for c in (1, 0)]
    if any(torch.allclose(advantages, want, atol=1e-3) for want in wants):
        if bool((rewards.std(dim=1) == 0).all()):
            return ("every completion of each review earned the same reward, so every advantage is zero whatever the "
                    "normalisation: these rewards cannot tell the methods apart. Sample again with another seed "
                    "(torch.manual_seed) until one review's completions differ, and check those.")
        pushed = int((advantages > 0).sum())
        return (f"{pushed} of {rewards.numel()} completions score above their group's mean and would be pushed up; "
                "a group whose completions all earn the same reward gets zero advantages and teaches nothing.")
    if rewards.std() > 0 and torch.allclose(advantages, (rewards - rewards.mean()) / (rewards.std() + 1e-4), atol=1e-3):
        raise Wrong("this normalises over the whole batch: GRPO compares each completion with the others of its prompt.")
    if torch.allclose(advantages, rewards - mean, atol=1e-3) and not torch.allclose(advantages, wants[0], atol=1e-3):
        raise Wrong("this is the reward minus its group's mean: divide by the group's standard deviation (+ 1e-4) too.")
    by_column = (rewards - rewards.mean(dim=0, keepdim=True)) / (rewards.std(dim=0, keepdim=True) + 1e-4)
    if torch.allclose(advantages, by_column, atol=1e-3):
        raise Wrong("these groups are the columns: a group is a row, the completions of one prompt (dim=1).")
    raise Wrong("these are not (reward - group mean) / (group standard deviation + 1e-4), row by row.")


@register("15_preference", 2, hint="judge(model, reviews) returns the replies and the log-probabilities of both "
          "words, one column per label; pick each review's label column, once with the adapter and once inside "
          "`with model.disable_adapter():`, and multiply the difference by beta.")
def implicit_reward(answer, model, judge, heldout, beta):
    import torch

    value = number(answer, "The implicit reward")
    if id(model) not in _COMPUTED:
        some = heldout.select(range(8))
        _, policy = judge(model, some)
        with model.disable_adapter():
            _, reference = judge(model, some)
        rows, labels = torch.arange(8), torch.tensor(some["label"])
        kinds = {"right": (policy - reference)[rows, labels].mean().item(),
                 "wrong": (policy - reference)[rows, 1 - labels].mean().item()}
        _COMPUTED[id(model)] = (model, kinds)
    kinds = _COMPUTED[id(model)][1]
    want = beta * kinds["right"]

    def near(x):
        return abs(value - x) <= 1e-3 + 1e-3 * abs(x)

    if near(want):
        return (f"{want:+.3f}: the right word's log-prob moved {kinds['right']:+.2f} from the reference's, the "
                f"wrong word's {kinds['wrong']:+.2f}; the margin DPO widens is their difference, times beta.")
    if beta != 1 and near(kinds["right"]):
        raise Wrong(f"this is the log-ratio without beta (= {beta}): the implicit reward is beta times it.")
    if near(-want):
        raise Wrong("the sign is reversed: the policy's log-prob minus the reference's.")
    if near(beta * kinds["wrong"]):
        raise Wrong("this is the wrong word's implicit reward: take each review's right word (its label).")
    raise Wrong("this is not the mean over the first 8 held-out reviews of beta * (log p_policy - log p_reference) "
                "for the right word.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
policy = remedy["trainer"].model
inputs = tokenizer.apply_chat_template([prompt(t) for t in heldout["text"][:2]], add_generation_prompt=True,
                                       padding=True, return_tensors="pt", return_dict=True)
torch.manual_seed(seed)
with torch.inference_mode():
    sampled = policy.generate(**inputs, do_sample=True, num_return_sequences=num_generations, max_new_tokens=6,
                              pad_token_id=tokenizer.pad_token_id)
replies = tokenizer.batch_decode(sampled[:, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
labels = [y for y in heldout["label"][:2] for _ in range(num_generations)]
rewards = torch.tensor(format_and_label([[{"content": r.strip()}] for r in replies], label=labels)).view(2, -1)
advantages = (rewards - rewards.mean(dim=1, keepdim=True)) / (rewards.std(dim=1, keepdim=True) + 1e-4)
grpo_by_hand = (rewards, advantages)
print(replies, rewards, advantages, sep="\n")

# %% Exercise 1: wrong (normalised over the whole batch, not within each prompt's group)
rewards = torch.tensor([[1.2, 0.0, 1.2, 1.0], [0.2, 0.0, 1.2, 0.0]])[:, :num_generations]
grpo_by_hand = (rewards, (rewards - rewards.mean()) / (rewards.std() + 1e-4))

# %% Exercise 1: wrong (the group's mean subtracted, the division by its standard deviation forgotten)
rewards = torch.tensor([[1.2, 0.0, 1.2, 1.0], [0.2, 0.0, 1.2, 0.0]])[:, :num_generations]
grpo_by_hand = (rewards, rewards - rewards.mean(dim=1, keepdim=True))

# %% Exercise 1: wrong (groups taken along the wrong dimension)
rewards = torch.tensor([[1.2, 0.0, 1.2, 1.0], [0.2, 0.0, 1.2, 0.0]])[:, :num_generations]
grpo_by_hand = (rewards, (rewards - rewards.mean(dim=0, keepdim=True)) / (rewards.std(dim=0, keepdim=True) + 1e-4))

# %% Exercise 2
model, some = plain["trainer"].model, heldout.select(range(8))
_, policy_logps = judge(model, some)
with model.disable_adapter():
    _, reference_logps = judge(model, some)
right = torch.tensor(some["label"])
implicit_reward = (beta * (policy_logps - reference_logps)[torch.arange(8), right]).mean().item()
print(f"implicit reward of the right word: {implicit_reward:+.3f}")

# %% Exercise 2: wrong (beta forgotten: the log-ratio alone)
implicit_reward = (policy_logps - reference_logps)[torch.arange(8), right].mean().item()

# %% Exercise 2: wrong (the reference minus the policy)
implicit_reward = (beta * (reference_logps - policy_logps)[torch.arange(8), right]).mean().item()

# %% Exercise 2: wrong (the wrong word's column)
implicit_reward = (beta * (policy_logps - reference_logps)[torch.arange(8), 1 - right]).mean().item()
'''
