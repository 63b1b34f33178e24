"""The exercises of notebooks/17_report.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import NothingToCheck, Wrong, close, number, register


@register("17_report", 1, hint="records_frame(records) has a train_time_s column and a notebook column; keep the "
          "rows that have a training time, group them by notebook and add the times up.")
def training_time_per_notebook(answer, records):
    import pandas as pd

    from utils.report_tables import records_frame

    frame = records_frame(records).dropna(subset=["train_time_s"])
    if frame.empty:
        raise NothingToCheck("no record of yours has a training time yet: run notebook 06, 07 or 08, then this cell.")
    expected = frame.groupby("notebook")["train_time_s"].sum()
    if not isinstance(answer, pd.Series):
        raise Wrong(f"give a pandas Series indexed by notebook, got {type(answer).__name__}.")
    if set(answer.index) != set(expected.index):
        extra = sorted(set(answer.index) - set(expected.index))
        raise Wrong(f"the index should be the notebooks that trained ({', '.join(expected.index)})"
                    + (f"; {', '.join(map(str, extra))} trained nothing or is not a notebook's file name." if extra else "."))
    answer = answer.reindex(expected.index).astype(float)
    if all(close(answer[k], expected[k] / 60, rel=1e-6) for k in expected.index):
        raise Wrong("those are minutes: give seconds, as train_time_s holds them.")
    counts = frame.groupby("notebook").size()
    if all(close(answer[k], expected[k] / counts[k], rel=1e-6) for k in expected.index) and (counts > 1).any():
        raise Wrong("that is the mean time of a notebook's experiments; the question asks for the total (sum).")
    if not all(close(answer[k], expected[k], rel=1e-6) for k in expected.index):
        raise Wrong("some totals differ from the sum of train_time_s over each notebook's records.")
    top = expected.idxmax()
    return f"{top} trained longest, {expected[top]:.0f} s of {expected.sum():.0f} s in all ({expected[top] / expected.sum():.0%})."


@register("17_report", 2, hint="One experiment is named by its notebook AND its experiment name (two notebooks "
          "can hold experiments of the same name): merge on both, with suffixes, then take the median of "
          "your time divided by the reference's.")
def median_training_ratio(answer, records, reference):

    from utils.report_tables import records_frame

    keys, columns = ["notebook", "experiment"], ["notebook", "experiment", "train_time_s"]
    mine, ref = records_frame(records)[columns].dropna(), records_frame(reference)[columns].dropna()
    joined = mine.merge(ref, on=keys, suffixes=("", "_reference"))
    joined = joined[joined["train_time_s_reference"] > 0]
    if joined.empty:
        raise NothingToCheck("no training time of yours has a reference record to compare with yet: run notebook "
                             "06, 07 or 08 (or `make course`), then this cell.")
    ratios = joined["train_time_s"] / joined["train_time_s_reference"]
    expected, value = ratios.median(), number(answer, "The median ratio")
    if close(value, expected, rel=1e-6):
        if records_frame(records)["changed_parameters"].map(bool).any():
            return (f"your training took {expected:.2f}x the reference's time (median of {len(ratios)} experiments), "
                    "but some of your runs used other sizes than the notebooks' defaults (marked †): the ratio "
                    "says more about the sizes than about the machine.")
        return (f"your training took {expected:.2f}x the reference's time (median of {len(ratios)} experiments): "
                + ("a slower or busier machine." if expected > 1.1 else "a faster machine." if expected < 0.9
                   else "about the same speed."))
    if close(value, (1 / ratios).median(), rel=1e-6):
        raise Wrong("that is the reference's time over yours; divide yours by the reference's.")
    if close(value, ratios.mean(), rel=1e-6) and not close(ratios.mean(), expected, rel=1e-6):
        raise Wrong("that is the mean of the ratios; a median is not pulled by one slow outlier.")
    loose = mine.merge(ref.drop(columns="notebook"), on="experiment", suffixes=("", "_reference"))
    if len(loose) and close(value, (loose["train_time_s"] / loose["train_time_s_reference"]).median(), rel=1e-6):
        raise Wrong("joined on the experiment name alone, experiments of the same name in two notebooks pair up "
                    "wrongly: merge on notebook and experiment.")
    raise Wrong(f"{value:.3f} is not the median ratio of your training times to the reference's.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
mine = records_frame(records)
time_per_notebook = mine.dropna(subset=["train_time_s"]).groupby("notebook")["train_time_s"].sum()

# %% Exercise 1: wrong (minutes, not seconds)
mine = records_frame(records)
time_per_notebook = mine.dropna(subset=["train_time_s"]).groupby("notebook")["train_time_s"].sum() / 60

# %% Exercise 1: wrong (the mean of each notebook's experiments, not the total)
mine = records_frame(records)
time_per_notebook = mine.dropna(subset=["train_time_s"]).groupby("notebook")["train_time_s"].mean()

# %% Exercise 1: wrong (every notebook, also those that trained nothing)
mine = records_frame(records)
time_per_notebook = mine.groupby("notebook")["train_time_s"].sum()

# %% Exercise 2
columns = ["notebook", "experiment", "train_time_s"]
joined = pd.merge(records_frame(records)[columns].dropna(), records_frame(reference)[columns].dropna(),
                  on=["notebook", "experiment"], suffixes=("", "_reference"))
median_ratio = (joined["train_time_s"] / joined["train_time_s_reference"]).median()

# %% Exercise 2: wrong (the reference's time over yours)
columns = ["notebook", "experiment", "train_time_s"]
joined = pd.merge(records_frame(records)[columns].dropna(), records_frame(reference)[columns].dropna(),
                  on=["notebook", "experiment"], suffixes=("", "_reference"))
median_ratio = (joined["train_time_s_reference"] / joined["train_time_s"]).median()

# %% Exercise 2: wrong (the mean of the ratios)
columns = ["notebook", "experiment", "train_time_s"]
joined = pd.merge(records_frame(records)[columns].dropna(), records_frame(reference)[columns].dropna(),
                  on=["notebook", "experiment"], suffixes=("", "_reference"))
median_ratio = (joined["train_time_s"] / joined["train_time_s_reference"]).mean()
'''
