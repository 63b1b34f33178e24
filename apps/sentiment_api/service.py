"""A sentiment classifier behind an HTTP API, with FastAPI: ``POST /predict``, ``GET /health``.

Run it from this folder with uvicorn (one process, one model)::

    uvicorn --factory service:create_app --host 127.0.0.1 --port 8000

and read its OpenAPI documentation at http://127.0.0.1:8000/docs. On AWS Lambda,
``lambda_handler.handler`` wraps the same app with Mangum.

Bad requests get a status and a message, and the server keeps serving: 422 for a body
that is not ``{"text": "<a non-blank string>"}`` (empty or blank text, a number, a list, a
missing field, extra fields, not JSON), 413 for a review longer than ``MAX_REVIEW_CHARS``
(2,000 characters) or a body over 64 kB. ``SENTIMENT_MODEL`` (a Hub id or a folder) chooses the model.
"""

from __future__ import annotations

import os
import threading

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

HUB_MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
MAX_BODY_BYTES = 64_000


class Review(BaseModel):
    """The request: one review. Strict: a number or a list is refused, not turned into text."""

    model_config = ConfigDict(strict=True, extra="forbid")
    text: str = Field(min_length=1, description="The review to classify.")

    @field_validator("text")
    @classmethod
    def not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("the text is blank: send a review to classify")
        return text


class Prediction(BaseModel):
    """The answer: the best label, its probability, and every label's probability."""

    label: str
    score: float
    scores: dict[str, float]


def model_source() -> str:
    """``SENTIMENT_MODEL``, else the course's sentiment model (inside the course), else the Hub model."""
    if os.environ.get("SENTIMENT_MODEL"):
        return os.environ["SENTIMENT_MODEL"]
    try:
        from utils import catalog
    except ImportError:
        return HUB_MODEL
    return catalog.model("sentiment-model")


def load_classifier(source: str | None = None):
    """A text-classification pipeline that returns every label's probability and truncates long texts."""
    from transformers import pipeline

    return pipeline("text-classification", model=source or model_source(), top_k=None, truncation=True)


def create_app(classifier=None, *, max_chars: int | None = None) -> FastAPI:
    """The API around ``classifier``: a function of a list of texts that returns, for each, every label's
    ``{"label", "score"}`` (a text-classification pipeline with ``top_k=None``; loaded from
    ``SENTIMENT_MODEL`` when None)."""
    classifier = classifier or load_classifier()
    max_chars = max_chars or int(os.environ.get("MAX_REVIEW_CHARS", 2000))
    lock = threading.Lock()  # one model, one request at a time: scale with processes, not threads
    app = FastAPI(title="Sentiment API", version="1.0",
                  description="The sentiment of a movie review: POST {\"text\": ...} to /predict.")

    @app.middleware("http")
    async def limit_body_size(request: Request, call_next):
        size = request.headers.get("content-length")
        if size and size.isdigit() and int(size) > MAX_BODY_BYTES:
            return JSONResponse(status_code=413, content={
                "detail": f"the request body has {int(size):,} bytes; at most {MAX_BODY_BYTES:,} are accepted"})
        return await call_next(request)

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "max_chars": max_chars}

    @app.post("/predict", response_model=Prediction)
    def predict(review: Review) -> Prediction:
        if len(review.text) > max_chars:
            raise HTTPException(status_code=413, detail=f"the review has {len(review.text):,} characters; "
                                                        f"shorten it to {max_chars:,} at most")
        with lock:
            scores = {s["label"]: float(s["score"]) for s in classifier([review.text])[0]}
        best = max(scores, key=scores.get)
        return Prediction(label=best, score=scores[best], scores=scores)

    return app
