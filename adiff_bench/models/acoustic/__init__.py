"""``acoustic``: a weight-free baseline that measures both clips and states the clear differences.

It hears only what its descriptors measure (level, pitch, brightness, onsets, noise floor, decay,
active duration) and never names sources, so it bounds what signal analysis alone can explain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING

from adiff_bench.errors import ModelError
from adiff_bench.models.acoustic.descriptors import Descriptors, describe
from adiff_bench.models.acoustic.verbalise import Difference, Thresholds, compare, verbalise
from adiff_bench.models.base import ModelNeeds, Request

if TYPE_CHECKING:
    import numpy as np

__all__ = ["AcousticBaseline", "Descriptors", "Difference", "Thresholds", "describe"]
VERSION = "1"
SAMPLE_RATE = 32000
CACHE_SIZE = 1024  # descriptors of recently seen clips (swapped twins and identical pairs repeat clips)


class AcousticBaseline:
    """Descriptor differences, verbalised per tier. Each argument is the smallest change it will state."""

    name = "acoustic"
    needs = ModelNeeds(needs_audio=True, sample_rate=SAMPLE_RATE, max_seconds=30.0, short_clip="none")

    def __init__(
        self,
        loudness_db: float = 4.0,
        pitch_semitones: float = 2.0,
        brightness_ratio: float = 1.25,
        rate_ratio: float = 1.4,
        noise_db: float = 6.0,
        decay_ratio: float = 2.0,
        duration_ratio: float = 1.3,
    ) -> None:
        self.thresholds = Thresholds(
            loudness_db=loudness_db,
            pitch_semitones=pitch_semitones,
            brightness_ratio=brightness_ratio,
            rate_ratio=rate_ratio,
            noise_db=noise_db,
            decay_ratio=decay_ratio,
            duration_ratio=duration_ratio,
        )
        self._cache: dict[bytes, Descriptors] = {}

    def _describe(self, audio: np.ndarray) -> Descriptors:
        import numpy as np

        samples = np.ascontiguousarray(audio, dtype=np.float32)
        key = hashlib.sha1(samples.tobytes()).digest()
        found = self._cache.get(key)
        if found is None:
            found = describe(samples, SAMPLE_RATE)
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = found
        return found

    def fingerprint(self) -> str:
        blob = json.dumps({"model": self.name, "version": VERSION, **asdict(self.thresholds)}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    def explain(self, audio1: np.ndarray, audio2: np.ndarray, tier: int) -> tuple[str, list[Difference]]:
        d1, d2 = self._describe(audio1), self._describe(audio2)
        differences = compare(d1, d2, self.thresholds)
        return verbalise(differences, d1, d2, tier), differences

    def generate(self, requests: Sequence[Request]) -> list[str]:
        out = []
        for request in requests:
            if request.audio1 is None or request.audio2 is None:
                raise ModelError(f"acoustic: item {request.item_id} arrived without audio; the runner must load it")
            out.append(self.explain(request.audio1, request.audio2, request.tier)[0])
        return out
