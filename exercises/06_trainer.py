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


@register("06_trainer", 2, hint="spam_run takes the Trainer class and passes any other argument on to it; "
          "WeightedTrainer takes class_weights.")
def spam_weights(answer, spam_test):
    from sklearn.metrics import recall_score

    if not (isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[1], dict)):
        raise Wrong("give the pair (trainer, scores) that spam_run returns.")
    run, scores = answer
    weights = [round(float(w), 6) for w in getattr(run, "class_weights", [])]
    if weights != [1.0, 3.0]:
        raise Wrong(f"the class weights are {weights or 'not set'}, not [1.0, 3.0].")
    output = run.predict(spam_test)
    recall = recall_score(spam_test["label"], output.predictions.argmax(-1))
    if not close(number(scores.get("spam recall"), "The spam recall"), recall, abs_=1e-6):
        raise Wrong("the scores do not belong to this trainer: give the pair from one spam_run call.")
    return f"with weights 1 and 3, spam recall {recall:.3f} and spam F1 {scores['spam F1']:.3f}."


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

# %% Exercise 2
weights_1_3 = spam_run(WeightedTrainer, class_weights=[1.0, 3.0])

# %% Exercise 2: wrong (the inverse-frequency weights of the notebook's run)
weights_1_3 = (weighted_trainer, weighted_scores)
'''
