"""The exercises of notebooks/01_pipelines.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, register
from utils.modes import is_rehearsal


@register("01_pipelines", 1, hint="By default a text-classification pipeline returns only the best label; "
          "one of its call arguments asks for the scores of every label, and then you pick the one named "
          "like the model's label for id 1.")
def positive_probabilities(answer, classifier, reviews):
    import numpy as np

    if isinstance(answer, str) or not hasattr(answer, "__len__"):
        raise Wrong(f"give a list of {len(reviews)} probabilities, one per review.")
    try:
        got = np.asarray(answer, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Wrong("give plain numbers (the 'score' values), one per review.") from None
    positive = classifier.model.config.id2label[1]
    scores = classifier(list(reviews), top_k=None)
    expected = np.array([next(s["score"] for s in r if s["label"] == positive) for r in scores])
    if got.shape != expected.shape:
        raise Wrong(f"give one probability per review: {len(expected)}, not {got.size}.")
    if np.allclose(got, expected, atol=1e-3):
        return f"P({positive}) = {np.round(expected, 3).tolist()}: close to 0 where the model reads a negative review."
    if np.allclose(got, [max(s["score"] for s in r) for r in scores], atol=1e-3):
        raise Wrong(f"those are the best label's scores; for the negative review you need P({positive}), "
                    "which is small.")
    if np.allclose(got, 1 - expected, atol=1e-3):
        raise Wrong(f"those are the other label's probabilities; give P({positive}), the label of id 1.")
    if np.allclose(got, [r[1]["score"] for r in scores], atol=1e-3):
        raise Wrong("that is the second entry of each list, but top_k=None sorts the labels by score, not by id: "
                    "pick the entry by its label name.")
    raise Wrong(f"those are not the pipeline's P({positive}) for the {len(expected)} reviews.")


@register("01_pipelines", 2, hint="Look at how the model starts its answers when it writes freely, and spell "
          "the labels the way it would (capitals?); or tell it more plainly what to answer.")
def better_prompt(answer, score_prompt, plain, topics, headlines):
    if not (isinstance(answer, tuple | list) and len(answer) == 2 and isinstance(answer[0], str)):
        raise Wrong("give a pair (template, labels): a prompt template string and a list of the three labels.")
    template, labels = answer
    missing = [f for f in ("{text}", "{labels}") if f not in template]
    if missing:
        raise Wrong(f"the template needs the fields {' and '.join(missing)}, which label_log_probs fills in.")
    if sorted(str(label).lower() for label in labels) != sorted(t.lower() for t in topics):
        raise Wrong(f"the labels must be the three topics {topics}, spelled as you like.")
    if template.strip() == plain.strip() and list(labels) == list(topics):
        raise Wrong("that is the given prompt with the given labels; change one or both.")
    right, _ = score_prompt(template, list(labels))
    given, _ = score_prompt(plain, list(topics))
    needed = min(len(headlines), max(6, given + 1))
    if is_rehearsal():
        return f"{right} of {len(headlines)} right (quality is not checked on the hub rehearsal's random stand-ins)."
    if right >= needed:
        return f"{right} of {len(headlines)} headlines right, against {given} for the given prompt."
    raise Wrong(f"{right} of {len(headlines)} right (the given prompt gets {given}); {needed} are needed.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
positive = model.config.id2label[1]
positive_probabilities = [next(s["score"] for s in scores if s["label"] == positive)
                          for scores in classifier(reviews, top_k=None)]

# %% Exercise 1: wrong (the best label's score, whatever the label)
positive_probabilities = [result["score"] for result in classifier(reviews)]

# %% Exercise 1: wrong (the second entry of each list, as if the labels came in id order)
positive_probabilities = [scores[1]["score"] for scores in classifier(reviews, top_k=None)]

# %% Exercise 1: wrong (the probability of the label of id 0)
positive_probabilities = [next(s["score"] for s in scores if s["label"] == model.config.id2label[0])
                          for scores in classifier(reviews, top_k=None)]

# %% Exercise 2
# Capitalised labels match how the model starts its answers ("Sports ..."), and a direct question helps.
better = ("Is this text about {labels}?\nText: {text}", ["Sports", "Politics", "Cooking"])

# %% Exercise 2: wrong (the given prompt again)
better = (plain, topics)

# %% Exercise 2: wrong (the text is left out of the prompt)
better = ("Pick one topic: {labels}.", ["Sports", "Politics", "Cooking"])
'''
