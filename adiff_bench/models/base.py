"""The one interface every model implements.

A model declares what it needs (audio at a sample rate, a maximum length, or no audio at all) and
turns a batch of requests into explanation strings. The harness does all I/O around it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class ModelNeeds:
    """What the harness must prepare for the model."""

    needs_audio: bool
    sample_rate: int | None = None
    max_seconds: float | None = None
    # How clips shorter than max_seconds are fitted: "tile" (as ADIFF does), "pad" or "none".
    short_clip: str = "none"
    # Oracle models read the ground-truth captions; everything else must not see them.
    needs_captions: bool = False


@dataclass(frozen=True)
class Request:
    """One pair to explain. Audio is mono float32 at ``ModelNeeds.sample_rate`` when requested."""

    item_id: str
    prompt: str
    tier: int
    audio1_path: str | None = None
    audio2_path: str | None = None
    audio1: np.ndarray | None = None
    audio2: np.ndarray | None = None
    caption1: str | None = None
    caption2: str | None = None


@runtime_checkable
class Model(Protocol):
    """Anything with these members can be evaluated; see ``adiff_bench.models.registry``."""

    name: str
    needs: ModelNeeds

    def fingerprint(self) -> str:
        """A stable hash of weights + config: two runs with equal fingerprints produce equal text."""
        ...

    def generate(self, requests: Sequence[Request]) -> list[str]:
        """One explanation per request, in order."""
        ...
