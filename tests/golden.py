"""Helpers shared by the tests that run the tiny golden ADIFF (tests/adiff, tests/probe)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import soundfile as sf


def read_clip(path: Path, n: int = 320000) -> np.ndarray:
    """int16/32768 semantics (soundfile float32), tiled to n samples like the official loader."""
    audio, _ = sf.read(str(path), dtype="float32")
    if audio.size < n:
        audio = np.tile(audio, int(np.ceil(n / audio.size)))[:n]
    return audio


def tiny_adiff(golden_dir: Path, max_new_tokens: int):
    from adiff_bench.models.adiff.adapter import AdiffModel

    return AdiffModel(
        checkpoint=str(golden_dir / "adiff_tiny_seed0.ckpt"),
        config=str(golden_dir / "config.json"),
        tokenizer=str(golden_dir),
        max_new_tokens=max_new_tokens,
    )


def one_torch_thread() -> Iterator[None]:
    """One intra-op thread while a module runs: tiny models gain nothing from more, and shared CPUs make
    OpenMP spin badly. Use as the body of a module-scoped autouse fixture."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
