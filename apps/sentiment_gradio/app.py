"""A Gradio demo of a sentiment classifier: type a review, read its label, the confidences,
and a flag that says when the model is unsure.

Run it with ``python app.py`` (or ``gradio app.py``, which reloads on every change) and open
http://127.0.0.1:7860. On a Hugging Face Space this folder is the whole Space: ``app.py``,
``requirements.txt`` and ``README.md`` (whose YAML header configures the Space).

Settings, from the environment:

- ``SENTIMENT_MODEL``: a Hub id or a local folder. Unset, the course's own model when this
  runs inside the course (``utils.catalog``), else a DistilBERT fine-tuned on SST-2 from the Hub;
- ``CONFIDENCE_THRESHOLD``: below this probability the prediction is flagged as unsure (0.8);
- ``GRADIO_SERVER_NAME`` and ``GRADIO_SERVER_PORT``: Gradio's own (127.0.0.1 and 7860 here).
"""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no look-ups of a remote host
os.environ.setdefault("GRADIO_SERVER_NAME", "127.0.0.1")  # this machine only; a Space sets 0.0.0.0 itself

import gradio as gr  # noqa: E402
from transformers import pipeline  # noqa: E402

HUB_MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
MAX_CHARS = 2000
EXAMPLES = [
    ["A warm, funny and beautifully acted film: I would watch it again tomorrow."],
    ["Two hours of my life I will never get back."],
    ["The plot is thin, but the performances carry it."],
]


def model_source() -> str:
    """``SENTIMENT_MODEL``, else the course's sentiment model, else the Hub model."""
    if os.environ.get("SENTIMENT_MODEL"):
        return os.environ["SENTIMENT_MODEL"]
    try:
        from utils import catalog
    except ImportError:  # on a Space: no course helpers
        return HUB_MODEL
    return catalog.model("sentiment-model")


def load_classifier(source: str | None = None):
    """A text-classification pipeline that returns every label's probability and truncates long texts."""
    return pipeline("text-classification", model=source or model_source(), top_k=None, truncation=True)


def confidence_flag(label: str, score: float, threshold: float) -> str:
    """One line: confident, or unsure and worth a human look."""
    if score >= threshold:
        return f"confident: {label} ({score:.0%})"
    return f"unsure: {label} at only {score:.0%}, below {threshold:.0%}: check it by hand"


def build_demo(classifier, threshold: float | None = None) -> gr.Interface:
    """The demo: a review in; the labels' probabilities and a confidence flag out (endpoint ``/classify``)."""
    threshold = float(os.environ.get("CONFIDENCE_THRESHOLD", 0.8)) if threshold is None else threshold

    def classify(review: str) -> tuple[dict[str, float], str]:
        """The probability of each sentiment label, and a flag when the best one is below the threshold."""
        if not review or not review.strip():
            raise gr.Error("The review is empty: type or paste a review first.", print_exception=False)
        if len(review) > MAX_CHARS:
            raise gr.Error(f"The review has {len(review):,} characters; shorten it to {MAX_CHARS:,} at most.",
                           print_exception=False)
        scores = {s["label"]: s["score"] for s in classifier([review])[0]}
        best = max(scores, key=scores.get)
        return scores, confidence_flag(best, scores[best], threshold)

    return gr.Interface(
        fn=classify,
        inputs=gr.Textbox(label="Review", lines=3, placeholder="Type a movie review..."),
        outputs=[gr.Label(label="Sentiment"), gr.Textbox(label="Confidence flag")],
        examples=EXAMPLES,
        title="Sentiment of a movie review",
        description=f"A small classifier fine-tuned on movie reviews. Predictions below {threshold:.0%} "
                    "confidence are flagged as unsure.",
        flagging_mode="never",
    )


demo = build_demo(load_classifier())  # `gradio app.py` and Spaces look for a Blocks named `demo`

if __name__ == "__main__":
    demo.launch()
