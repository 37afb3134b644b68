"""16-bit PCM wav encoding with the standard library, for APIs that take audio as base64 wav."""

from __future__ import annotations

import base64
import io
import wave

import numpy as np


def wav_bytes(audio: np.ndarray, sample_rate: int) -> bytes:
    """Mono float audio in [-1, 1] → a complete 16-bit PCM wav file (values outside are clipped)."""
    samples = np.asarray(audio, dtype=np.float32).reshape(-1)
    pcm = (np.clip(np.nan_to_num(samples), -1.0, 1.0) * 32767.0).round().astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(int(sample_rate))
        handle.writeframes(pcm.tobytes())
    return buffer.getvalue()


def wav_base64(audio: np.ndarray, sample_rate: int) -> str:
    return base64.b64encode(wav_bytes(audio, sample_rate)).decode("ascii")
