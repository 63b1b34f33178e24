"""The exercises of notebooks/12_serving.ipynb: checks with their hints, then SOLUTIONS (see utils/exercises.py)."""

from __future__ import annotations

from contextlib import contextmanager

from utils.exercises import Wrong, register


@register("12_serving", 1, hint="Copy the v2 event, set its body to the JSON text encoded with base64.b64encode "
          "(bytes in, bytes out: decode them to a str), and tell Mangum so with the event's isBase64Encoded.")
def base64_event(event, response, handler, classifier, text):
    import base64
    import binascii
    import json

    if not isinstance(event, dict) or event.get("version") != "2.0" or "requestContext" not in event:
        raise Wrong("give an API Gateway v2 event: a copy of events['v2'] with its body changed.")
    if not isinstance(response, dict) or "statusCode" not in response:
        raise Wrong("give the handler's answer to your event: the dict that handler(event, None) returns.")
    body = event.get("body")
    try:
        sent = json.loads(base64.b64decode(body, validate=True)) if isinstance(body, str) else None
    except (binascii.Error, ValueError):
        sent = None
    if sent is None:
        raise Wrong("the event's body is not base64-encoded JSON: encode json.dumps({'text': ...}) with base64.")
    if sent != {"text": text}:
        raise Wrong(f"the body decodes to {sent!r}, not {{'text': exercise_review}}.")
    if event.get("isBase64Encoded") is not True:
        raise Wrong("the body is base64, but the event does not say so: Mangum reads it as plain text unless "
                    "isBase64Encoded is true.")
    expected = max(classifier([text])[0], key=lambda s: s["score"])["label"]
    again = handler(event, None)
    if response.get("statusCode") != 200 or again.get("statusCode") != 200:
        raise Wrong(f"the handler answered {response.get('statusCode')}: {str(response.get('body'))[:100]}")
    if json.loads(response["body"]).get("label") != expected:
        raise Wrong("that response is not the handler's answer to this event.")
    return f"{response['statusCode']}, label {expected!r}: Mangum decoded the body before FastAPI saw it."


@contextmanager
def _counting_calls(classifier):
    """While open, the list of the lengths of the inputs ``classifier`` is called with (one entry a call)."""
    kind, calls = type(classifier), []
    original, own = kind.__call__, "__call__" in vars(kind)

    def counting(self, inputs, *args, **kwargs):
        if self is classifier:
            calls.append(len(inputs) if isinstance(inputs, list | tuple) else 1)
        return original(self, inputs, *args, **kwargs)

    kind.__call__ = counting
    try:
        yield calls
    finally:
        if own:
            kind.__call__ = original
        else:
            del kind.__call__


@register("12_serving", 2, hint="A pydantic model with `texts: list[str] = Field(min_length=1, max_length=32)` "
          "validates the size; a text-classification pipeline takes a list and returns one list of scores per text.")
def batch_endpoint(app, classifier, reviews):
    from fastapi.testclient import TestClient

    if not callable(app) or not hasattr(app, "routes"):
        raise Wrong("give the FastAPI app (what service.create_app returns, with your route added).")
    client = TestClient(app, raise_server_exceptions=False)  # a crash is a 500, as over HTTP
    texts = list(reviews[:5])
    expected = [max(scores, key=lambda s: s["score"])["label"] for scores in classifier(texts)]
    with _counting_calls(classifier) as calls:
        response = client.post("/predict_batch", json={"texts": texts})
    if response.status_code == 404:
        raise Wrong("the app has no POST /predict_batch route.")
    if response.status_code != 200:
        raise Wrong(f"a batch of 5 reviews got {response.status_code}: {response.text[:150]}")
    labels = response.json().get("labels") if isinstance(response.json(), dict) else None
    if labels != expected:
        raise Wrong(f"the labels should be {expected} (one per review, in order), got {labels}.")
    if calls != [len(texts)]:
        raise Wrong(f"the route called the classifier {len(calls)} time(s), with {calls} review(s): call it once, "
                    f"on the whole list of {len(texts)}.")
    for why, body in [("an empty list", {"texts": []}), ("33 reviews", {"texts": texts * 6 + texts[:3]}),
                      ("a number among the texts", {"texts": [texts[0], 42]})]:
        if client.post("/predict_batch", json=body).status_code != 422:
            raise Wrong(f"{why} should be refused with 422.")
    if client.post("/predict", json={"text": texts[0]}).status_code != 200:
        raise Wrong("the app's /predict route no longer answers: add a route, keep the others.")
    return "one call for the whole batch, validated: 422 for an empty list, 33 reviews or a number."


#: The reference solutions and the wrong answers each check must reject (``qN.solution()`` prints one).
SOLUTIONS = r'''
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

# %% Exercise 2: wrong (one call of the classifier per review: validated, but no batch)
from pydantic import BaseModel, Field


class Batch(BaseModel):
    texts: list[str] = Field(min_length=1, max_length=32)


batch_app = service.create_app(classifier)


@batch_app.post("/predict_batch")
def predict_batch(batch: Batch) -> dict:
    return {"labels": [max(classifier([text])[0], key=lambda s: s["score"])["label"] for text in batch.texts]}
'''
