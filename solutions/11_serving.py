"""Reference solutions of notebook 11_serving's exercises (see solutions/00_setup.py for the format)."""

# %% Exercise 1
import base64

body = base64.b64encode(json.dumps({"text": exercise_review}).encode()).decode()
lambda_event = {**events["v2"], "body": body, "isBase64Encoded": True}
lambda_response = call_handler(lambda_event)

# %% Exercise 1: wrong (the body encoded, but the event does not say so)
import base64

lambda_event = {**events["v2"], "body": base64.b64encode(json.dumps({"text": exercise_review}).encode()).decode()}
lambda_response = call_handler(lambda_event)

# %% Exercise 1: wrong (the plain JSON body, not encoded)
lambda_event = {**events["v2"], "body": json.dumps({"text": exercise_review}), "isBase64Encoded": False}
lambda_response = call_handler(lambda_event)

# %% Exercise 2
from pydantic import BaseModel, Field


class Batch(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=32)


batch_app = service.create_app(classifier)


@batch_app.post("/predict_batch")
def predict_batch(batch: Batch) -> dict:
    return {"labels": [max(scores, key=lambda s: s["score"])["label"] for scores in classifier(batch.texts)]}

# %% Exercise 2: wrong (no limit on the batch's size)
batch_app = service.create_app(classifier)


@batch_app.post("/predict_batch")
def predict_batch(batch: dict) -> dict:
    return {"labels": [max(scores, key=lambda s: s["score"])["label"] for scores in classifier(batch["texts"])]}
