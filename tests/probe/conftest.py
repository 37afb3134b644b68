"""Probe tests run tiny models: one torch thread (shared CPUs make OpenMP spin badly)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.golden import one_torch_thread


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread() -> Iterator[None]:
    yield from one_torch_thread()
