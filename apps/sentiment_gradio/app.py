"""A Gradio demo of two of the course's models, one tab each: the sentiment classifier (type a
review, read its label, the confidences, and a flag that says when the model is unsure) and the
image classifier (upload a photo, read its five most likely ImageNet labels and the same flag).

Run it with ``python app.py`` (or ``gradio app.py``, which reloads on every change) and open
http://127.0.0.1:7860. On a Hugging Face Space this folder is the whole Space: ``app.py``,
``requirements.txt``, ``README.md`` (whose YAML header configures the Space) and ``examples/``.

Settings, from the environment:

- ``SENTIMENT_MODEL``: a Hub id or a local folder. Unset, the course's own model when this
  runs inside the course (``utils.catalog``), else a DistilBERT fine-tuned on SST-2 from the Hub;
- ``IMAGE_MODEL``: the same for the image classifier: the course's ``image-classifier`` when
  this runs inside the course, else ``google/efficientnet-b0`` from the Hub;
- ``CONFIDENCE_THRESHOLD``: below this probability a review's label is flagged as unsure (0.8);
- ``IMAGE_CONFIDENCE_THRESHOLD``: the same for an image's best label among 1,000 classes (0.5);
- ``GRADIO_SERVER_NAME`` and ``GRADIO_SERVER_PORT``: Gradio's own (127.0.0.1 and 7860 here).
"""

import os
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no look-ups of a remote host
os.environ.setdefault("GRADIO_SERVER_NAME", "127.0.0.1")  # this machine only; a Space sets 0.0.0.0 itself

import gradio as gr  # noqa: E402
from transformers import pipeline  # noqa: E402

HUB_MODEL = "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
IMAGE_HUB_MODEL = "google/efficientnet-b0"
MAX_CHARS = 2000
TOP_K = 5  # labels shown for an image
EXAMPLES = [
    ["A warm, funny and beautifully acted film: I would watch it again tomorrow."],
    ["Two hours of my life I will never get back."],
    ["The plot is thin, but the performances carry it."],
]
EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
IMAGE_EXAMPLES = [[str(EXAMPLES_DIR / name)] for name in ("grace_hopper.jpg", "china.jpg")]  # sources: README


def _source(variable: str, role: str, hub_model: str) -> str:
    """The environment variable, else the course's model of ``role``, else the Hub model."""
    if os.environ.get(variable):
        return os.environ[variable]
    try:
        from utils import catalog
    except ImportError:  # on a Space: no course helpers
        return hub_model
    return catalog.model(role)


def model_source() -> str:
    """``SENTIMENT_MODEL``, else the course's sentiment model, else the Hub model."""
    return _source("SENTIMENT_MODEL", "sentiment-model", HUB_MODEL)


def image_model_source() -> str:
    """``IMAGE_MODEL``, else the course's image classifier, else the Hub model."""
    return _source("IMAGE_MODEL", "image-classifier", IMAGE_HUB_MODEL)


def load_classifier(source: str | None = None):
    """A text-classification pipeline that returns every label's probability and truncates long texts."""
    return pipeline("text-classification", model=source or model_source(), top_k=None, truncation=True)


def load_image_classifier(source: str | None = None):
    """An image-classification pipeline (its image processor resizes and normalises any photo)."""
    return pipeline("image-classification", model=source or image_model_source())


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


def build_image_demo(classifier, threshold: float | None = None) -> gr.Interface:
    """A photo in; its top-5 labels' probabilities and a confidence flag out (endpoint ``/classify_image``)."""
    threshold = float(os.environ.get("IMAGE_CONFIDENCE_THRESHOLD", 0.5)) if threshold is None else threshold

    def classify_image(image) -> tuple[dict[str, float], str]:
        """The probabilities of the five most likely labels, and a flag when the best one is below the threshold."""
        if image is None:
            raise gr.Error("There is no image: upload a photo or pick an example first.", print_exception=False)
        guesses = classifier(image.convert("RGB"), top_k=TOP_K)  # best first
        scores = {g["label"]: g["score"] for g in guesses}
        return scores, confidence_flag(guesses[0]["label"], guesses[0]["score"], threshold)

    return gr.Interface(
        fn=classify_image,
        inputs=gr.Image(type="pil", label="Photo", sources=["upload", "clipboard"]),
        outputs=[gr.Label(label="Top 5 labels", num_top_classes=TOP_K), gr.Textbox(label="Image confidence flag")],
        examples=IMAGE_EXAMPLES,
        title="What is in a photo",
        description=f"An ImageNet classifier (1,000 classes). Predictions below {threshold:.0%} confidence "
                    "are flagged as unsure.",
        flagging_mode="never",
    )


def build_app(classifier, image_classifier, threshold: float | None = None,
              image_threshold: float | None = None) -> gr.TabbedInterface:
    """Both demos, one tab each; each keeps its endpoint (``/classify``, ``/classify_image``)."""
    return gr.TabbedInterface([build_demo(classifier, threshold), build_image_demo(image_classifier, image_threshold)],
                              tab_names=["Movie review", "Photo"], title="Two of the course's models")


classifier, image_classifier = load_classifier(), load_image_classifier()  # loaded once, at start
demo = build_app(classifier, image_classifier)  # `gradio app.py` and Spaces look for a Blocks named `demo`

if __name__ == "__main__":
    demo.launch()
