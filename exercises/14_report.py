"""The exercises of notebooks/14_report.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, close, number, register


@register("14_report", 1, hint="Keep the records whose train_time_s is not None, and take the 'experiment' "
          "of the one with the largest.")
def longest_training(answer, records):
    timed = [r for r in records if r["train_time_s"] is not None]
    if not timed:
        return "no record of yours has a training time yet: run notebooks 06-08 first."
    expected = max(timed, key=lambda r: r["train_time_s"])
    if answer == expected["experiment"]:
        return f"{expected['experiment']!r} trained longest: {expected['train_time_s']:.0f} s."
    if not isinstance(answer, str):
        raise Wrong("give the experiment's name (a string), as in its record's 'experiment' field.")
    raise Wrong(f"{answer!r} is not the experiment with the longest training time.")


@register("14_report", 2, hint="Match records on their notebook and experiment fields; statistics.median "
          "takes the list of ratios.")
def median_training_ratio(answer, records, reference):
    import statistics

    by_key = {(r["notebook"], r["experiment"]): r for r in reference}
    ratios = [r["train_time_s"] / by_key[(r["notebook"], r["experiment"])]["train_time_s"] for r in records
              if r["train_time_s"] and by_key.get((r["notebook"], r["experiment"]), {}).get("train_time_s")]
    if not ratios:
        return "no training time of yours has a reference to compare with yet."
    value = number(answer, "The median ratio")
    expected = statistics.median(ratios)
    if close(value, expected, rel=1e-3):
        return (f"your training ran at {expected:.2f}x the reference's time (median of {len(ratios)} experiments): "
                + ("a slower machine, or a busier one." if expected > 1.1 else
                   "a faster machine." if expected < 0.9 else "about the same speed."))
    if close(value, 1 / expected, rel=1e-3):
        raise Wrong("that is the reference's time over yours; divide yours by the reference's.")
    raise Wrong(f"{value:.3f} is not the median ratio of your training times to the reference's.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
timed = [r for r in records if r["train_time_s"] is not None]
longest = max(timed, key=lambda r: r["train_time_s"])["experiment"] if timed else None

# %% Exercise 1: wrong (the longest inference time instead)
longest = max((r for r in records if r["infer_time_per_example_s"] is not None),
              key=lambda r: r["infer_time_per_example_s"])["experiment"]

# %% Exercise 2
import statistics

by_key = {(r["notebook"], r["experiment"]): r for r in reference}
ratios = [r["train_time_s"] / by_key[(r["notebook"], r["experiment"])]["train_time_s"] for r in records
          if r["train_time_s"] and by_key.get((r["notebook"], r["experiment"]), {}).get("train_time_s")]
median_ratio = statistics.median(ratios) if ratios else 1.0  # 1.0 when there is nothing to compare with

# %% Exercise 2: wrong (the reference's time over yours)
import statistics

by_key = {(r["notebook"], r["experiment"]): r for r in reference}
median_ratio = statistics.median([by_key[(r["notebook"], r["experiment"])]["train_time_s"] / r["train_time_s"]
                                  for r in records if r["train_time_s"]
                                  and by_key.get((r["notebook"], r["experiment"]), {}).get("train_time_s")])
'''
