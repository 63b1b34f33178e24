"""The course's two modes, ``offline`` (the default) and ``hub``.

The mode comes from the ``COURSE_MODE`` environment variable. Offline mode sets the
Hugging Face offline flags so that no library reaches the network; the flags are read
by the libraries when they are imported, so ``import utils`` applies them first (and,
as a safety net, also switches the libraries that were imported before it).
"""

from __future__ import annotations

import os
import sys

from utils.errors import CourseError

MODE_VARIABLE = "COURSE_MODE"
VALID_MODES = ("offline", "hub")
DEFAULT_MODE = "offline"

#: Environment variables set in offline mode: no Hub requests, no telemetry.
OFFLINE_ENVIRONMENT = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_EVALUATE_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_UPDATE_CHECK": "1",
    "DO_NOT_TRACK": "1",
}


def get_mode(value: str | None = None) -> str:
    """Return the course mode: ``value`` if given, else ``$COURSE_MODE``, else ``offline``.

    Raises:
        CourseError: the value is not one of :data:`VALID_MODES`.
    """
    raw = os.environ.get(MODE_VARIABLE, "") if value is None else value
    mode = raw.strip().lower() or DEFAULT_MODE
    if mode not in VALID_MODES:
        raise CourseError(
            f"Unknown course mode {raw!r}: set {MODE_VARIABLE} to one of "
            + ", ".join(repr(m) for m in VALID_MODES)
            + f" (the default is {DEFAULT_MODE!r})."
        )
    return mode


#: The flags that switch the libraries offline; hub mode clears them (the telemetry ones stay).
OFFLINE_FLAGS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_EVALUATE_OFFLINE")


def apply_mode_environment(mode: str | None = None) -> str:
    """Set the environment for ``mode`` (default: :func:`get_mode`) and return the mode.

    In offline mode this sets :data:`OFFLINE_ENVIRONMENT`; in hub mode it clears the
    :data:`OFFLINE_FLAGS` (``import utils`` set them when the mode was still offline). Either
    way ``huggingface_hub``, ``datasets`` and ``evaluate``, if already imported, are switched
    too: they read the flags once, when they are imported.
    """
    mode = get_mode(mode)
    os.environ[MODE_VARIABLE] = mode
    if mode == "offline":
        os.environ.update(OFFLINE_ENVIRONMENT)
    else:
        for flag in OFFLINE_FLAGS:
            os.environ.pop(flag, None)
    _switch_imported_libraries(offline=mode == "offline")
    return mode


def _switch_imported_libraries(offline: bool) -> None:
    """Set the offline constants of the Hugging Face libraries that are already imported."""
    if "huggingface_hub.constants" in sys.modules:
        sys.modules["huggingface_hub.constants"].HF_HUB_OFFLINE = offline
    if "datasets.config" in sys.modules:
        config = sys.modules["datasets.config"]
        config.HF_HUB_OFFLINE = offline
        config.HF_DATASETS_OFFLINE = offline
    if "evaluate.config" in sys.modules:
        sys.modules["evaluate.config"].HF_EVALUATE_OFFLINE = offline


def is_offline() -> bool:
    """Whether the course runs in offline mode."""
    return get_mode() == "offline"


#: Set by the hub rehearsal (:mod:`course_build.hub_rehearsal`), whose stand-in models have random weights.
REHEARSAL_VARIABLE = "COURSE_REHEARSAL"


def is_rehearsal() -> bool:
    """Whether this run is the hub rehearsal, against stand-in repositories with random weights."""
    return os.environ.get(REHEARSAL_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def expect(condition: bool, claim: str) -> None:
    """Assert ``claim``, a result that needs the real, trained models (an accuracy above its
    baseline, a sensible reply). In the hub rehearsal, whose stand-ins have random weights, it
    is printed as not checked instead, so the relaxed check stays visible in the output.
    """
    if condition:
        return
    if is_rehearsal():
        print(f"[rehearsal] not checked on the stand-in's random weights: {claim}")
        return
    raise AssertionError(claim)
