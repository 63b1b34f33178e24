"""The exercises of notebooks/14_diffusion.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, close, register, share

_REFERENCE: dict[tuple, object] = {}  # the checks' own samples, computed once per model, seed and sampler


def _reference(key: tuple, compute):
    if key not in _REFERENCE:
        _REFERENCE[key] = compute()
    return _REFERENCE[key]


@register("14_diffusion", 1, hint="DPMSolverMultistepScheduler.from_config(scheduler.config) keeps the trained noise "
          "schedule; generate(unet, that_scheduler, labels, 10, seed=seed), then compare read_digits(images) with "
          "labels and take the mean.")
def dpm_solver(scheduler_answer, answer, scheduler, generate, unet, read_digits, labels, seed, runs):
    from diffusers import DPMSolverMultistepScheduler

    if not hasattr(scheduler_answer, "step") or not hasattr(scheduler_answer, "config"):
        raise Wrong(f"give the scheduler object you sampled with (got {type(scheduler_answer).__name__}).")
    name = type(scheduler_answer).__name__
    if not isinstance(scheduler_answer, DPMSolverMultistepScheduler):
        raise Wrong(f"that is a {name}, a sampler the notebook already ran: make a DPMSolverMultistepScheduler.")
    trained = {key: scheduler.config[key] for key in ("num_train_timesteps", "beta_schedule", "beta_start", "beta_end")}
    mine = {key: scheduler_answer.config[key] for key in trained}
    if mine != trained:
        raise Wrong(f"its noise schedule is not the one the model was trained with ({mine['beta_schedule']!r} "
                    f"instead of {trained['beta_schedule']!r}): a scheduler built with its own defaults walks back "
                    "along another schedule. Make it from the trained scheduler's config.")
    if scheduler_answer.num_inference_steps != 10:
        raise Wrong(f"it was last set to {scheduler_answer.num_inference_steps} sampling steps: sample in 10.")
    value = share(answer, "The share of digits read as their class")
    expected = _reference(("dpm", id(unet), seed, len(labels)), lambda: (read_digits(generate(
        unet, DPMSolverMultistepScheduler.from_config(scheduler.config), labels, 10, seed=seed)) == labels)
        .float().mean().item())
    tolerance = 0.5 / len(labels)
    if close(value, expected, abs_=tolerance):
        ddim = runs.get(("DDIM", 10, 1.0))
        versus = "" if ddim is None else (
            f" against {ddim[1]['class accuracy']:.2f} for DDIM in the same 10 steps "
            f"({'better' if expected > ddim[1]['class accuracy'] else 'not better'} here)")
        return (f"DPM-Solver++ in 10 steps: {expected:.2f} of the digits read as asked{versus}. It combines the "
                "model's last two noise estimates at each step (a multistep solver), a design for few steps; whether "
                "it pays on a given model is measured, as here, not assumed.")
    if close(value, 1 - expected, abs_=tolerance):
        raise Wrong("that is the share of digits read as another class: give the share read as their own.")
    raise Wrong(f"{value:.3f} is not the share of the section 6 digits (labels, seed) that DPM-Solver++ draws in 10 "
                "steps and the judge reads as their class.")


@register("14_diffusion", 2, hint="labels = torch.full((100,), NO_LABEL); images = generate(unet, "
          "DDIMScheduler.from_config(scheduler.config), labels, 20, seed=seed); then torch.bincount of "
          "read_digits(images) with minlength=10, divided by the number of images.")
def unconditional(answer, scheduler, generate, unet, read_digits, seed):
    import numpy as np
    import torch
    from diffusers import DDIMScheduler

    try:
        shares = np.asarray(answer, dtype=float).ravel()
    except (TypeError, ValueError):
        raise Wrong("give a list of 10 numbers: the share of the digits read as 0, as 1, ... as 9.") from None
    if shares.shape != (10,):
        raise Wrong(f"expected 10 shares, one per digit 0 to 9, got {shares.size} numbers.")
    if close(float(shares.sum()), 100, abs_=0.5):
        raise Wrong("these are counts out of 100: divide by the number of images to give shares.")
    if not close(float(shares.sum()), 1, abs_=1e-3):
        raise Wrong(f"the shares add up to {shares.sum():.3f}, not 1: give each digit's share of the 100 images.")

    def compute():
        labels = torch.full((100,), 10)
        read = read_digits(generate(unet, DDIMScheduler.from_config(scheduler.config), labels, 20, seed=seed))
        return (torch.bincount(read, minlength=10).float() / len(read)).numpy()

    expected = _reference(("unconditional", id(unet), seed), compute)
    if np.allclose(shares, expected, atol=0.005):
        drawn = int((expected > 0).sum())
        top = int(expected.argmax())
        return (f"With no label, the judge reads {drawn} different digits among the 100, the most frequent a {top} "
                f"({expected[top]:.0%}; an even spread would give 10% each). The same network, told nothing, "
                "draws from all it learned; a label (or guidance) picks one class out of it.")
    raise Wrong("these are not the shares of 100 digits drawn with the no-label class (NO_LABEL) by DDIM in 20 steps "
                "with seed=seed, as the judge reads them.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
from diffusers import DPMSolverMultistepScheduler

solver_scheduler = DPMSolverMultistepScheduler.from_config(scheduler.config)
solver_images = generate(unet, solver_scheduler, labels, 10, seed=seed)
solver_accuracy = (read_digits(solver_images) == labels).float().mean().item()

# %% Exercise 1: wrong (a scheduler with its own defaults: another noise schedule)
solver_scheduler = DPMSolverMultistepScheduler()
solver_accuracy = (read_digits(generate(unet, solver_scheduler, labels, 10, seed=seed)) == labels).float().mean().item()

# %% Exercise 1: wrong (DDIM in 10 steps again, from section 6)
solver_scheduler = DDIMScheduler.from_config(scheduler.config)
solver_accuracy = runs[("DDIM", 10, 1.0)][1]["class accuracy"]

# %% Exercise 1: wrong (5 steps, not 10)
solver_scheduler = DPMSolverMultistepScheduler.from_config(scheduler.config)
solver_accuracy = (read_digits(generate(unet, solver_scheduler, labels, 5, seed=seed)) == labels).float().mean().item()

# %% Exercise 1: wrong (the share read as another digit)
solver_scheduler = DPMSolverMultistepScheduler.from_config(scheduler.config)
solver_scheduler.set_timesteps(10)
solver_accuracy = (read_digits(solver_images) != labels).float().mean().item()

# %% Exercise 2
no_labels = torch.full((100,), NO_LABEL)
free_images = generate(unet, DDIMScheduler.from_config(scheduler.config), no_labels, 20, seed=seed)
unconditional_shares = (torch.bincount(read_digits(free_images), minlength=10) / len(no_labels)).tolist()

# %% Exercise 2: wrong (counts, not shares)
unconditional_shares = torch.bincount(read_digits(free_images), minlength=10).tolist()

# %% Exercise 2: wrong (section 6's digits, conditioned on their labels)
conditioned_images = runs[("DDIM", guided_steps, 1.0)][0]
unconditional_shares = (torch.bincount(read_digits(conditioned_images), minlength=10) / len(labels)).tolist()

# %% Exercise 2: wrong (the labels asked for, not the digits read)
unconditional_shares = (torch.bincount(no_labels, minlength=11)[:10] / len(no_labels)).tolist()
'''
