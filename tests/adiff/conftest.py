"""Fixtures for the ADIFF tests: the golden fixture's model, its examples, and wav loading as the official code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.golden import one_torch_thread, read_clip, tiny_adiff


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread() -> Iterator[None]:
    yield from one_torch_thread()


@pytest.fixture(scope="session")
def golden(golden_dir: Path) -> dict:
    return json.loads((golden_dir / "golden.json").read_text())


@pytest.fixture(scope="session")
def golden_tensors(golden_dir: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(golden_dir / "golden_tensors.safetensors"))


@pytest.fixture(scope="session")
def golden_model(golden_dir: Path):
    return tiny_adiff(golden_dir, max_new_tokens=40)


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
