"""Reference solutions of notebook 06_trainer's exercises (see solutions/00_setup.py for the format)."""

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
