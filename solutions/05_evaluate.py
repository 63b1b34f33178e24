"""Reference solutions of notebook 05_evaluate's exercises (see solutions/00_setup.py for the format)."""

# %% Exercise 1
spam_probability = tfidf_spam.predict_proba(list(spam["test"]["sms"]))[:, 1]
low_threshold = (spam_probability >= 0.3).astype(int).tolist()
f1_and_recall = evaluate.combine([evaluate.load(catalog.evaluation_module(n)) for n in ["f1", "recall"]])
threshold_scores = f1_and_recall.compute(predictions=low_threshold, references=y_test)

# %% Exercise 1: wrong (the default threshold of 0.5)
f1_and_recall = evaluate.combine([evaluate.load(catalog.evaluation_module(n)) for n in ["f1", "recall"]])
threshold_scores = f1_and_recall.compute(predictions=tfidf_predictions, references=y_test)

# %% Exercise 2
recall = evaluate.load(catalog.evaluation_module("recall"))
negative_recall = {name: recall.compute(predictions=p, references=truth, pos_label=0)["recall"]
                   for name, p in [("MiniLM", minilm), ("TF-IDF", tfidf)]}

# %% Exercise 2: wrong (the recall of the positive class)
recall = evaluate.load(catalog.evaluation_module("recall"))
negative_recall = {name: recall.compute(predictions=p, references=truth)["recall"]
                   for name, p in [("MiniLM", minilm), ("TF-IDF", tfidf)]}
