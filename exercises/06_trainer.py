"""The exercises of notebooks/06_trainer.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from utils.exercises import Wrong, close, number, register


@register("06_trainer", 1, hint="EarlyStoppingCallback goes in the Trainer's callbacks list; it compares the "
          "metric named by metric_for_best_model at each evaluation, so evaluation and saving must happen "
          "at the same steps, and load_best_model_at_end must be on.")
def early_stopping(answer, quick_train):
    from transformers import EarlyStoppingCallback, Trainer

    if not isinstance(answer, Trainer):
        raise Wrong(f"give the Trainer itself, after train(); got {type(answer).__name__}.")
    stoppers = [c for c in answer.callback_handler.callbacks if isinstance(c, EarlyStoppingCallback)]
    if not stoppers:
        raise Wrong("this Trainer has no EarlyStoppingCallback in its callbacks.")
    if stoppers[0].early_stopping_patience != 2:
        raise Wrong(f"the patience is {stoppers[0].early_stopping_patience}, not 2.")
    if len(answer.train_dataset) != len(quick_train):
        raise Wrong(f"train on quick_train ({len(quick_train)} reviews), not {len(answer.train_dataset)}.")
    args = answer.args
    if args.num_train_epochs != 3 or args.eval_steps != 10 or str(args.eval_strategy) not in ("steps", "IntervalStrategy.STEPS"):
        raise Wrong("train for up to 3 epochs with an evaluation every 10 steps (eval_strategy='steps', eval_steps=10).")
    if answer.state.global_step == 0:
        raise Wrong("call train() before giving the Trainer.")
    possible = 3 * -(-len(quick_train) // args.per_device_train_batch_size)
    stopped = answer.state.global_step < possible
    return (f"{answer.state.global_step} of {possible} steps, best validation accuracy {answer.state.best_metric:.3f}"
            + ("; it stopped early." if stopped else "; accuracy kept improving, so it ran to the end."))


@register("06_trainer", 2, hint="The function receives the model's outputs (outputs.logits) and the labels; "
          "torch.nn.functional.cross_entropy takes a weight tensor, one float32 weight per class in the order of "
          "the label ids (ham is 0, spam is 1). spam_run passes compute_loss_func on to Trainer.")
def loss_func(answer, spam_train, class_weights, weighted_scores):
    import torch
    from transformers import Trainer
    from transformers.modeling_outputs import SequenceClassifierOutput

    if not (isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[0], Trainer)):
        raise Wrong("give the pair (trainer, scores) that spam_run returns: train with spam_run(compute_loss_func=...).")
    run, scores = answer
    if hasattr(run, "class_weights"):
        raise Wrong("that is WeightedTrainer, the subclass; pass a function to the plain Trainer as compute_loss_func.")
    function = getattr(run, "compute_loss_func", None)
    if function is None:
        raise Wrong("this Trainer has no compute_loss_func: pass your function as spam_run(compute_loss_func=...).")
    generator = torch.Generator().manual_seed(0)
    logits, labels = torch.randn(64, 2, generator=generator), torch.randint(0, 2, (64,), generator=generator)
    loss = float(function(SequenceClassifierOutput(logits=logits), labels, num_items_in_batch=None))
    cross_entropy = torch.nn.functional.cross_entropy
    weighted = float(cross_entropy(logits, labels, weight=torch.tensor(class_weights, dtype=torch.float32)))
    if not close(loss, weighted, rel=1e-4):
        if close(loss, float(cross_entropy(logits, labels)), rel=1e-4):
            raise Wrong("that is the plain cross-entropy: give it the class weights (weight=...).")
        if close(loss, float(cross_entropy(logits, labels, weight=torch.tensor(class_weights[::-1], dtype=torch.float32))),
                 rel=1e-4):
            raise Wrong("the weights are swapped: the first weight is for label 0 (ham), the second for spam.")
        raise Wrong(f"your function's loss on a test batch is {loss:.4f}, not the class-weighted cross-entropy "
                    f"{weighted:.4f}.")
    if run.train_dataset is None or run.train_dataset._fingerprint != spam_train._fingerprint or run.state.global_step == 0:
        raise Wrong("train it on spam_train with spam_run, which calls train() for you.")
    got = number(scores.get("spam F1"), "The spam F1")
    same = close(got, weighted_scores["spam F1"], abs_=1e-9) and close(scores["spam recall"], weighted_scores["spam recall"], abs_=1e-9)
    return (f"spam recall {scores['spam recall']:.3f}, spam F1 {got:.3f}: "
            + ("the same as WeightedTrainer's row, as it should be: the same loss, seed, model and batches."
               if same else f"WeightedTrainer's row has F1 {weighted_scores['spam F1']:.3f}; the same loss should "
               "give the same row: did you call set_seed(seed) first?"))


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
# %% Exercise 1
from transformers import EarlyStoppingCallback

early_options = {**options, "output_dir": f"{scratch.name}/early", "num_train_epochs": 3, "eval_steps": 10,
                 "save_steps": 10, "logging_steps": 10}  # load_best_model_at_end and metric_for_best_model: kept
early_trainer = Trainer(model=fresh_model(), args=TrainingArguments(**early_options), train_dataset=quick_train,
                        eval_dataset=quick_validation, data_collator=collator, compute_metrics=compute_metrics,
                        callbacks=[EarlyStoppingCallback(early_stopping_patience=2)])
early_trainer.train()

# %% Exercise 1: wrong (no early stopping: the callback is missing)
early_trainer = Trainer(model=fresh_model(), args=TrainingArguments(**{**options, "num_train_epochs": 3,
                                                                      "eval_steps": 10, "save_steps": 10}),
                        train_dataset=quick_train, eval_dataset=quick_validation, data_collator=collator)

# %% Exercise 1: wrong (one evaluation per epoch: the patience then spans two whole epochs)
early_options = {**options, "output_dir": f"{scratch.name}/early", "num_train_epochs": 3, "eval_strategy": "epoch",
                 "save_strategy": "epoch"}
early_trainer = Trainer(model=fresh_model(), args=TrainingArguments(**early_options), train_dataset=quick_train,
                        eval_dataset=quick_validation, data_collator=collator, compute_metrics=compute_metrics,
                        callbacks=[EarlyStoppingCallback(early_stopping_patience=2)])

# %% Exercise 2
def weighted_cross_entropy(outputs, labels, num_items_in_batch=None):
    weight = torch.tensor(inverse_frequency, dtype=torch.float32)
    return torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weight)


set_seed(seed)
loss_func_run = spam_run(compute_loss_func=weighted_cross_entropy)

# %% Exercise 2: wrong (a missing step: the loss function written, but never trained with spam_run)
def weighted_cross_entropy(outputs, labels, num_items_in_batch=None):
    weight = torch.tensor(inverse_frequency, dtype=torch.float32)
    return torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weight)


loss_func_run = weighted_cross_entropy

# %% Exercise 2: wrong (the weights in the wrong order: spam's first)
def weighted_cross_entropy(outputs, labels, num_items_in_batch=None):
    weight = torch.tensor([1 / (2 * share), 1 / (2 * (1 - share))], dtype=torch.float32)
    return torch.nn.functional.cross_entropy(outputs.logits, labels, weight=weight)


set_seed(seed)
loss_func_run = spam_run(compute_loss_func=weighted_cross_entropy)
'''
