"""The exercises of notebooks/05_evaluate.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, close, number, register


@register("05_evaluate", 1, hint="predict_proba gives P(ham) and P(spam) per message; compare the spam "
          "column with the threshold yourself instead of calling predict, then score the result.")
def threshold_scores(answer, model, texts, references, threshold: float = 0.3):
    from sklearn.metrics import f1_score, recall_score

    if not isinstance(answer, dict) or not {"f1", "recall"} <= set(answer):
        raise Wrong("give a dict with the keys 'f1' and 'recall', as evaluate.combine's compute returns.")
    predicted = (model.predict_proba(list(texts))[:, 1] >= threshold).astype(int)
    default = model.predict(list(texts))
    expected = {"f1": f1_score(references, predicted), "recall": recall_score(references, predicted)}
    got = {k: number(answer[k], k) for k in expected}
    if all(close(got[k], v, abs_=1e-3) for k, v in expected.items()):
        before = recall_score(references, default)
        return (f"at {threshold}, recall {expected['recall']:.3f} (it was {before:.3f} at 0.5) and F1 "
                f"{expected['f1']:.3f}: a lower threshold catches more spam and raises more false alarms.")
    if close(got["f1"], f1_score(references, default), abs_=1e-3):
        raise Wrong("those are the scores at the default threshold of 0.5; apply 0.3 to P(spam).")
    on_ham = (model.predict_proba(list(texts))[:, 0] >= threshold).astype(int)
    if close(got["f1"], f1_score(references, on_ham), abs_=1e-3):
        raise Wrong("that applies the threshold to P(ham), column 0 of predict_proba; P(spam) is column 1.")
    raise Wrong(f"those are not the F1 and recall of the predictions with P(spam) >= {threshold}.")


@register("05_evaluate", 2, hint="Recall counts the share of one class that a model finds; the recall "
          "module scores the class given by its pos_label argument (1 unless told).")
def negative_recall(answer, minilm, tfidf, truth):
    from sklearn.metrics import precision_score, recall_score

    if not isinstance(answer, dict) or set(answer) != {"MiniLM", "TF-IDF"}:
        raise Wrong("give a dict with the keys 'MiniLM' and 'TF-IDF'.")
    expected = {"MiniLM": recall_score(truth, minilm, pos_label=0), "TF-IDF": recall_score(truth, tfidf, pos_label=0)}
    got = {k: number(v, k) for k, v in answer.items()}
    if all(close(got[k], v, abs_=1e-3) for k, v in expected.items()):
        best = max(expected, key=expected.get)
        return (f"on negative reviews MiniLM finds {expected['MiniLM']:.3f} and TF-IDF {expected['TF-IDF']:.3f}; "
                f"{best} is better at catching them.")
    if all(close(got[k], recall_score(truth, p), abs_=1e-3) for k, p in [("MiniLM", minilm), ("TF-IDF", tfidf)]):
        raise Wrong("that is the recall on positive reviews; the negative class is label 0.")
    if all(close(got[k], precision_score(truth, p, pos_label=0), abs_=1e-3) for k, p in [("MiniLM", minilm), ("TF-IDF", tfidf)]):
        raise Wrong("that is the precision on negative reviews (how many flagged negatives are negative), not the "
                    "share of negative reviews found.")
    raise Wrong("those are not the two models' recall on the negative reviews.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
spam_probability = tfidf_spam.predict_proba(list(spam["test"]["sms"]))[:, 1]
low_threshold = (spam_probability >= 0.3).astype(int).tolist()
f1_and_recall = evaluate.combine([evaluate.load(catalog.evaluation_module(n)) for n in ["f1", "recall"]])
threshold_scores = f1_and_recall.compute(predictions=low_threshold, references=y_test)

# %% Exercise 1: wrong (the default threshold of 0.5)
f1_and_recall = evaluate.combine([evaluate.load(catalog.evaluation_module(n)) for n in ["f1", "recall"]])
threshold_scores = f1_and_recall.compute(predictions=tfidf_predictions, references=y_test)

# %% Exercise 1: wrong (the threshold applied to P(ham), column 0)
spam_probability = tfidf_spam.predict_proba(list(spam["test"]["sms"]))[:, 0]
low_threshold = (spam_probability >= 0.3).astype(int).tolist()
f1_and_recall = evaluate.combine([evaluate.load(catalog.evaluation_module(n)) for n in ["f1", "recall"]])
threshold_scores = f1_and_recall.compute(predictions=low_threshold, references=y_test)

# %% Exercise 2
recall = evaluate.load(catalog.evaluation_module("recall"))
negative_recall = {name: recall.compute(predictions=p, references=truth, pos_label=0)["recall"]
                   for name, p in [("MiniLM", minilm), ("TF-IDF", tfidf)]}

# %% Exercise 2: wrong (the recall of the positive class)
recall = evaluate.load(catalog.evaluation_module("recall"))
negative_recall = {name: recall.compute(predictions=p, references=truth)["recall"]
                   for name, p in [("MiniLM", minilm), ("TF-IDF", tfidf)]}

# %% Exercise 2: wrong (precision, not recall, of the negative class)
precision = evaluate.load(catalog.evaluation_module("precision"))
negative_recall = {name: precision.compute(predictions=p, references=truth, pos_label=0)["precision"]
                   for name, p in [("MiniLM", minilm), ("TF-IDF", tfidf)]}
'''
