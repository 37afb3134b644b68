"""The one interface every model implements.

A model declares what it needs (audio at a sample rate, a maximum length, or no audio at all) and
turns a batch of requests into explanation strings. The harness does all I/O around it.

Per-clip reuse (optional): a model whose work splits into a per-clip part (that never sees the prompt or the
other clip) and a per-pair part may also define ``encode_clips`` (see ``ClipEncoder``). The harness then encodes
each distinct clip once per run (``adiff_bench.audio.reuse.ClipEncodings``) and hands the results back in
``Request.encoding1/encoding2``; ``generate`` must give the same text with or without them. Models without the
method are unaffected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

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
    # Set by the harness only for models with ``encode_clips``: that method's output for audio1/audio2.
    # When both are set the model uses them instead of the waveforms (which stay attached).
    encoding1: Any = None
    encoding2: Any = None


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


@runtime_checkable
class ClipEncoder(Protocol):
    """The optional per-clip half of a model: ``Model`` plus this method (checked with ``encodes_clips``)."""

    def encode_clips(self, waveforms: Sequence[np.ndarray]) -> list[Any]:
        """One encoding per waveform (mono float32 at ``needs.sample_rate``), in order.

        Must be a pure function of the samples (same samples, same encoding, whatever else is in the batch
        up to float rounding the golden tests tolerate), so the harness may reuse it for every pair and tier.
        """
        ...


def encodes_clips(model: object) -> bool:
    """True when ``model`` declares per-clip work the harness can cache (an ``encode_clips`` method)."""
    return callable(getattr(model, "encode_clips", None))
