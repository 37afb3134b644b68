"""Decode a clip and shape it the way a model declared (rate, length), identically for every model.

Order of operations (as the official ADIFF loader): read → mix to mono → resample (soxr HQ) → fit the
length: shorter clips are tiled (``ceil(n_target / n)`` repeats, then cut) or zero-padded; longer clips
are cropped, either to the first ``max_seconds`` ("fixed") or at a seeded random start drawn like the
official ``random.randint(0, n - n_target)`` ("random"), seeded per clip key so order never matters.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING

import numpy as np

from adiff_bench.errors import AdiffBenchError, DataError

if TYPE_CHECKING:
    from adiff_bench.models.base import ModelNeeds

SHORT_CLIP_MODES = ("tile", "pad", "none")
CROP_MODES = ("fixed", "random")
RESAMPLER = "soxr-hq"


class BadAudioError(DataError):
    """An audio file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class AudioPolicy:
    sample_rate: int
    max_seconds: float | None = None
    short_clip: str = "none"
    crop: str = "fixed"
    seed: int = 0

    def __post_init__(self) -> None:
        if int(self.sample_rate) <= 0:
            raise AdiffBenchError(f"audio policy: sample_rate must be positive, got {self.sample_rate}")
        if self.max_seconds is not None and self.max_seconds <= 0:
            raise AdiffBenchError(f"audio policy: max_seconds must be positive or None, got {self.max_seconds}")
        if self.short_clip not in SHORT_CLIP_MODES:
            raise AdiffBenchError(f"audio policy: short_clip {self.short_clip!r}: choose {', '.join(SHORT_CLIP_MODES)}")
        if self.crop not in CROP_MODES:
            raise AdiffBenchError(f"--crop {self.crop!r}: choose one of {', '.join(CROP_MODES)}")

    @property
    def target_samples(self) -> int | None:
        return None if self.max_seconds is None else int(round(self.max_seconds * self.sample_rate))

    def signature(self) -> str:
        """Everything that changes the samples a model sees, in one comparable string."""
        length = "full" if self.max_seconds is None else f"{self.max_seconds:g}s"
        crop = f"random:seed{self.seed}" if self.crop == "random" else "fixed-start"
        return f"sr:{self.sample_rate}|len:{length}|short:{self.short_clip}|crop:{crop}|resampler:{RESAMPLER}"

    @classmethod
    def for_model(cls, needs: ModelNeeds, crop: str = "fixed", seed: int = 0) -> AudioPolicy:
        if not needs.sample_rate:
            raise AdiffBenchError("the model needs audio but declares no sample_rate in its ModelNeeds")
        return cls(int(needs.sample_rate), needs.max_seconds, needs.short_clip, crop, seed)


def resolve_audio_path(audio_root: Path, relative: str) -> Path:
    """Join a CSV filepath onto the audio root, refusing paths that would leave it."""
    text = str(relative).strip()
    if not text:
        raise DataError("empty audio filepath in the CSV; every row needs filepath1 and filepath2")
    posix, windows = PurePosixPath(text.replace("\\", "/")), PureWindowsPath(text)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        raise DataError(f"audio filepath {text!r} is absolute; CSV filepaths must be relative to --audio-root")
    if ".." in posix.parts:
        raise DataError(f"audio filepath {text!r} contains '..'; CSV filepaths must stay inside --audio-root")
    return Path(audio_root) / Path(*posix.parts)


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Decode to mono float32 or raise BadAudioError naming the file and the problem."""
    import soundfile as sf

    path = Path(path)
    if not path.is_file():
        raise BadAudioError(f"{path}: audio file not found; check --audio-root and the CSV filepaths")
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError, OSError, ValueError) as exc:
        raise BadAudioError(f"{path}: cannot decode audio ({exc}); re-encode it as wav, flac or ogg") from exc
    if data.shape[0] == 0:
        raise BadAudioError(f"{path}: audio has zero samples; replace the file or skip it (--on-bad-audio skip)")
    if not np.isfinite(data).all():
        raise BadAudioError(f"{path}: audio contains NaN or infinite samples; re-encode the file")
    mono = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    return np.ascontiguousarray(mono, dtype=np.float32), int(rate)


def resample(audio: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    if rate_in == rate_out:
        return audio
    import soxr

    return np.asarray(soxr.resample(audio, rate_in, rate_out, quality="HQ"), dtype=np.float32)


def _crop_start(n: int, target: int, policy: AudioPolicy, key: str) -> int:
    if policy.crop == "fixed":
        return 0
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    rng = np.random.default_rng([policy.seed, int.from_bytes(digest[:8], "little")])
    return int(rng.integers(0, n - target + 1))  # inclusive upper bound, like random.randint


def fit_length(audio: np.ndarray, policy: AudioPolicy, key: str = "") -> np.ndarray:
    """Tile/pad short clips and crop long ones to ``policy.max_seconds``; no-op without a length."""
    target = policy.target_samples
    n = audio.shape[0]
    if target is None or n == target:
        return audio
    if n > target:
        start = _crop_start(n, target, policy, key)
        return audio[start : start + target]
    if policy.short_clip == "tile":
        return np.tile(audio, math.ceil(target / n))[:target]
    if policy.short_clip == "pad":
        return np.concatenate([audio, np.zeros(target - n, dtype=audio.dtype)])
    return audio


def load_clip(path: Path, policy: AudioPolicy, key: str = "") -> np.ndarray:
    """Mono float32 at ``policy.sample_rate``; ``key`` (default: the path) seeds the random crop."""
    audio, rate = read_audio(path)
    audio = resample(audio, rate, policy.sample_rate)
    if audio.shape[0] == 0:
        raise BadAudioError(f"{path}: audio is too short to resample to {policy.sample_rate} Hz")
    return np.ascontiguousarray(fit_length(audio, policy, key or str(path)), dtype=np.float32)
