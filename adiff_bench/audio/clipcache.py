"""Prepare each clip once per run: decoded + resampled + fitted waveforms, kept in a bounded LRU.

In the ACD test split 4,680 pairs use 957 distinct clips, and the three tiers repeat the same pairs, so the
run loads every clip about 29 times. ``ClipCache.load`` is a drop-in for ``pipeline.load_clip`` that decodes a
clip only the first time it is asked for (as long as it is still in the cache).

Key: the file's identity (resolved path, device, inode, size, modification time: an edited file is a new
clip), the audio policy's ``signature()`` (rate, length, short-clip and crop rule, resampler) and, for the
random crop only, the crop key. Clips prepared under different policies are therefore never shared.

Bound: at most ``max_bytes`` of waveforms (default 1.5 GiB, about 1,200 ADIFF clips of 10 s at 32 kHz
float32, so the 957 clips of ACD test fit and every tier after the first reads nothing); the least recently
used clips are dropped first, and a clip larger than the whole bound is returned without being kept.
Returned arrays are read-only: they are shared by every pair that uses the clip.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from adiff_bench.audio.pipeline import BadAudioError, load_clip

if TYPE_CHECKING:
    import numpy as np

    from adiff_bench.audio.pipeline import AudioPolicy

DEFAULT_MAX_BYTES = 3 << 29  # 1.5 GiB


@dataclass(frozen=True)
class ClipCacheStats:
    uses: int  # load() calls that returned a clip
    decoded: int  # clips read + resampled (cache misses)
    distinct: int  # distinct keys seen (an evicted clip asked for again is decoded again, counted once here)
    evicted: int
    bytes: int  # waveform bytes held now
    peak_bytes: int
    seconds: float  # time spent reading + resampling

    @property
    def hits(self) -> int:
        return self.uses - self.decoded


def clip_key(path: Path, policy: AudioPolicy, key: str = "") -> str:
    """The cache key of one clip under one policy; BadAudioError when the file is missing."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError as exc:
        raise BadAudioError(f"{path}: audio file not found; check --audio-root and the CSV filepaths") from exc
    crop = f"|cropkey:{key or path}" if policy.crop == "random" else ""
    resolved = path.resolve()
    return f"{resolved}|{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}|{policy.signature()}{crop}"


class ClipCache:
    """Thread-safe LRU of prepared clips (the run's audio thread and the main thread may both load)."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be >= 0, got {max_bytes}")
        self.max_bytes = int(max_bytes)
        self._clips: OrderedDict[str, np.ndarray] = OrderedDict()
        self._seen: set[str] = set()
        self._lock = threading.Lock()
        self._bytes = self._peak = self._uses = self._decoded = self._evicted = 0
        self._seconds = 0.0

    def load(self, path: Path, policy: AudioPolicy, key: str = "") -> np.ndarray:
        """``load_clip(path, policy, key)``, decoded at most once while the clip stays cached."""
        import time

        name = clip_key(path, policy, key)
        with self._lock:
            self._uses += 1
            self._seen.add(name)
            cached = self._clips.get(name)
            if cached is not None:
                self._clips.move_to_end(name)
                return cached
        start = time.perf_counter()
        try:
            audio = load_clip(path, policy, key)
        except BadAudioError:
            with self._lock:
                self._uses -= 1
            raise
        audio.setflags(write=False)
        with self._lock:
            self._decoded += 1
            self._seconds += time.perf_counter() - start
            if audio.nbytes <= self.max_bytes and name not in self._clips:
                self._clips[name] = audio
                self._bytes += audio.nbytes
                while self._bytes > self.max_bytes:
                    _, old = self._clips.popitem(last=False)
                    self._bytes -= old.nbytes
                    self._evicted += 1
                self._peak = max(self._peak, self._bytes)
        return audio

    def stats(self) -> ClipCacheStats:
        with self._lock:
            return ClipCacheStats(
                self._uses, self._decoded, len(self._seen), self._evicted, self._bytes, self._peak, self._seconds
            )
