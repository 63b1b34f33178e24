"""The exercises of notebooks/13_frameworks.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, close, number, register, share


@register("13_frameworks", 1, hint="evaluate reads data the way fit does: a DataLoader of (inputs, labels) pairs, "
          "here built from the test reviews' batches (test_batches) with split_batch; with return_dict=True it "
          "returns a dict keyed by the compiled metrics' names.")
def keras_evaluate(answer, test_accuracy, keras_classifier, train_pairs):
    from torch.utils.data import DataLoader

    value = share(answer, "The accuracy")
    if close(value, test_accuracy, abs_=0.002):
        return (f"Keras' evaluate gives {value:.3f} on the test reviews, what the course's own function gave "
                "for the same model: one metric, two APIs.")
    train_accuracy = keras_classifier.evaluate(DataLoader(train_pairs, batch_size=None), verbose=0,
                                               return_dict=True)["accuracy"]
    if close(value, train_accuracy, abs_=0.002):
        raise Wrong("that is its accuracy on the training reviews (pairs): evaluate it on the test reviews.")
    raise Wrong(f"{value:.3f} is not the Keras model's accuracy on the test reviews.")


@register("13_frameworks", 2, hint="The short form returns ([optimizer], [scheduler]) without an interval. A "
          "L.Callback subclass defines on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx); "
          "give it to L.Trainer(callbacks=[...], max_steps=4), fit your subclass, and read the callback's list.")
def short_form_rates(module, answer, lr, steps):
    import lightning as L

    if not isinstance(module, L.LightningModule):
        raise Wrong(f"give the LightningModule you trained (your subclass of LitClassifier), not a "
                    f"{type(module).__name__}.")
    try:
        trained_steps = module.trainer.global_step
    except RuntimeError:  # never given to a Trainer
        raise Wrong("that module was never trained: fit it with L.Trainer(max_steps=4, callbacks=[...]).") from None
    form = module.configure_optimizers()
    if isinstance(form, dict):
        raise Wrong("its configure_optimizers still returns the dict form: return [optimizer], [scheduler].")
    if not isinstance(answer, list | tuple):
        raise Wrong(f"give a list of learning rates, one per step, first step first (got {type(answer).__name__}).")
    values = [number(v, "Each learning rate") for v in answer]
    if trained_steps != 4 or len(values) != 4:
        raise Wrong(f"train 4 steps (max_steps=4) and record one rate at the end of each: the module trained "
                    f"{trained_steps} step(s), and the list holds {len(values)} rate(s).")
    schedules = [[lr * (1 - (i + shift) / steps) for i in range(4)] for shift in (0, 1)]  # before / after a step
    if any(all(close(v, s, rel=1e-6) for v, s in zip(values, schedule, strict=True)) for schedule in schedules):
        raise Wrong("those follow the per-step schedule (\"interval\": \"step\"): in the short form, return "
                    "[optimizer], [scheduler], the scheduler alone.")
    if all(close(v, lr, rel=1e-9) for v in values):
        return (f"The rate stayed at {lr:g} for all 4 steps: with the short form Lightning steps the scheduler "
                "once an epoch, so the linear decay the other frameworks followed never happened. "
                "\"interval\": \"step\" is what makes it a per-step schedule.")
    raise Wrong(f"{values} is not what the optimizer used at those 4 steps: read param_groups[0]['lr'] in "
                "on_train_batch_end.")


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
test_pairs = [split_batch(batch) for batch in test_batches]
keras_test_accuracy = keras_classifier.evaluate(DataLoader(test_pairs, batch_size=None), verbose=0,
                                                return_dict=True)["accuracy"]

# %% Exercise 1: wrong (evaluated on the training pairs)
keras_test_accuracy = keras_classifier.evaluate(DataLoader(pairs, batch_size=None), verbose=0,
                                                return_dict=True)["accuracy"]

# %% Exercise 1: wrong (the loss, not the accuracy)
keras_test_accuracy = keras_classifier.evaluate(DataLoader([split_batch(b) for b in test_batches], batch_size=None),
                                                verbose=0, return_dict=True)["loss"]

# %% Exercise 2
class ShortForm(LitClassifier):
    def configure_optimizers(self):
        optimizer, schedule = new_optimizer(self.model)
        return [optimizer], [schedule]


class RecordRate(L.Callback):
    def __init__(self):
        self.rates = []

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self.rates.append(trainer.optimizers[0].param_groups[0]["lr"])


recorder, short_form_module = RecordRate(), ShortForm(new_model())
L.Trainer(max_steps=4, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
          enable_progress_bar=False, enable_model_summary=False, callbacks=[recorder]).fit(
    short_form_module, train_dataloaders=DataLoader(batches, batch_size=None))
short_form_lrs = recorder.rates

# %% Exercise 2: wrong (LitClassifier as it is: the dict form, stepped every step)
recorder, short_form_module = RecordRate(), LitClassifier(new_model())
L.Trainer(max_steps=4, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
          enable_progress_bar=False, enable_model_summary=False, callbacks=[recorder]).fit(
    short_form_module, train_dataloaders=DataLoader(batches, batch_size=None))
short_form_lrs = recorder.rates

# %% Exercise 2: wrong (the rate recorded at the end of the epoch, not of each step)
class EpochRate(L.Callback):
    def __init__(self):
        self.rates = []

    def on_train_epoch_end(self, trainer, pl_module):
        self.rates.append(trainer.optimizers[0].param_groups[0]["lr"])


recorder, short_form_module = EpochRate(), ShortForm(new_model())
L.Trainer(max_steps=4, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
          enable_progress_bar=False, enable_model_summary=False, callbacks=[recorder]).fit(
    short_form_module, train_dataloaders=DataLoader(batches, batch_size=None))
short_form_lrs = recorder.rates

# %% Exercise 2: wrong (the training step skipped: the rates written down from the recipe)
short_form_module = ShortForm(new_model())
short_form_lrs = [lr] * 4
'''
