"""Reference solutions of notebook 12_report's exercises (see solutions/00_setup.py for the format)."""

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
