"""Fixtures for the ADIFF tests: the golden fixture's model, its examples, and wav loading as the official code."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf


def read_clip(path: Path, n: int = 320000) -> np.ndarray:
    """int16/32768 semantics (soundfile float32), tiled to n samples like the official loader."""
    audio, _ = sf.read(str(path), dtype="float32")
    if audio.size < n:
        audio = np.tile(audio, int(np.ceil(n / audio.size)))[:n]
    return audio


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    """One intra-op thread: tiny models gain nothing from more, and shared CPUs make OpenMP spin badly."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def golden(golden_dir: Path) -> dict:
    return json.loads((golden_dir / "golden.json").read_text())


@pytest.fixture(scope="session")
def golden_tensors(golden_dir: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(golden_dir / "golden_tensors.safetensors"))


@pytest.fixture(scope="session")
def golden_model(golden_dir: Path):
    from adiff_bench.models.adiff.adapter import AdiffModel

    return AdiffModel(
        checkpoint=str(golden_dir / "adiff_tiny_seed0.ckpt"),
        config=str(golden_dir / "config.json"),
        tokenizer=str(golden_dir),
        max_new_tokens=40,
    )


@pytest.fixture(scope="session")
def golden_requests(golden_dir: Path, golden: dict):
    from adiff_bench.models.base import Request

    clips = {f: read_clip(golden_dir / f) for f in {e[k] for e in golden["examples"] for k in ("audio1", "audio2")}}
    return [
        Request(
            item_id=f"ex{e['index']}",
            prompt=e["prompt"],
            tier=1,
            audio1=clips[e["audio1"]],
            audio2=clips[e["audio2"]],
        )
        for e in golden["examples"]
    ]


@pytest.fixture(scope="session")
def tiny_config_path(golden_dir: Path) -> Path:
    return golden_dir / "config.json"
