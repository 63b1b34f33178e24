"""PyTorch Hub entry points of the course (notebook 13): ``torch.hub.load("apps/torch_hub", "sentiment", source="local")``.

PyTorch Hub reads a repository's ``hubconf.py`` (on GitHub, or a local folder as here): each
public function is an entry point, ``dependencies`` lists the packages it needs, and the
weights come from wherever the function loads them. This one loads the course's sentiment
classifier through its catalog (the course's own model offline, the Hub's in hub mode).
"""

dependencies = ["torch", "transformers"]


def sentiment(**kwargs):
    """The course's sentiment classifier (``AutoModelForSequenceClassification``); keyword arguments go to
    ``from_pretrained``."""
    from transformers import AutoModelForSequenceClassification

    from utils import catalog

    return AutoModelForSequenceClassification.from_pretrained(catalog.model("sentiment-model"), **kwargs)
