"""Reference solutions of notebook 01_pipelines's exercises (see solutions/00_setup.py for the format)."""

# %% Exercise 1
positive = model.config.id2label[1]
positive_probabilities = [next(s["score"] for s in scores if s["label"] == positive)
                          for scores in classifier(reviews, top_k=None)]

# %% Exercise 1: wrong (the best label's score, whatever the label)
positive_probabilities = [result["score"] for result in classifier(reviews)]

# %% Exercise 2
# Capitalised labels match how the model starts its answers ("Sports ..."), and a direct question helps.
better = ("Is this text about {labels}?\nText: {text}", ["Sports", "Politics", "Cooking"])

# %% Exercise 2: wrong (the given prompt again)
better = (plain, topics)

# %% Exercise 2: wrong (the text is left out of the prompt)
better = ("Pick one topic: {labels}.", ["Sports", "Politics", "Cooking"])
