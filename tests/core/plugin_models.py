"""Models used by the core tests through ``--model tests.core.plugin_models:Class`` style references."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Sequence

from adiff_bench.models.base import ModelNeeds, Request


class EchoPrompt:
    """Answers with the prompt and the item id; optionally dies (SIGKILL) after some batches."""

    name = "echo-prompt"
    needs = ModelNeeds(needs_audio=False)

    def __init__(self, suffix: str = "", die_after_batches: int = 0, empty_for: str = "") -> None:
        self.suffix = suffix
        self.die_after = die_after_batches or int(os.environ.get("ECHO_DIE_AFTER", "0"))
        self.empty_for = set(filter(None, empty_for.split("+")))
        self.batches = 0

    def fingerprint(self) -> str:
        return f"echo-{self.suffix}"

    def generate(self, requests: Sequence[Request]) -> list[str]:
        rank = os.environ.get("RANK", "0")
        if os.environ.get("ECHO_FAIL_RANK") == rank:
            raise RuntimeError(f"planted failure on rank {rank}")
        dies_here = os.environ.get("ECHO_DIE_RANK", rank) == rank
        if self.die_after and self.batches >= self.die_after and dies_here:
            os.kill(os.getpid(), signal.SIGKILL)
        self.batches += 1
        gate = os.environ.get("ECHO_WAIT_FOR")  # keeps a run busy until the test lets it go
        deadline = time.monotonic() + 120
        while gate and not os.path.exists(gate) and time.monotonic() < deadline:
            time.sleep(0.05)
        return [
            "" if r.item_id in self.empty_for else f"{r.prompt} for {r.item_id} {self.suffix}".strip() for r in requests
        ]


class NotAModel:
    def __init__(self) -> None:
        pass


class BadOutput:
    """Returns a non-string (None, NaN or a list) for one item, or raises, to test how runs report it."""

    name = "bad-output"
    needs = ModelNeeds(needs_audio=False)

    def __init__(self, kind: str = "none", item: str = "acd-test-00003") -> None:
        self.kind, self.item = kind, item

    def fingerprint(self) -> str:
        return f"bad-{self.kind}"

    def generate(self, requests: Sequence[Request]) -> list:
        if self.kind == "raise" and any(r.item_id == self.item for r in requests):
            raise RuntimeError("CUDA out of memory\nTried to allocate 2 GiB")
        bad = {"none": None, "nan": float("nan"), "list": ["louder", "quieter"]}.get(self.kind, "fine")
        return [bad if r.item_id == self.item else "the second is louder" for r in requests]


class Listener:
    """A model that listens (so the harness loads audio); answers with a fixed sentence."""

    name = "listener"
    needs = ModelNeeds(needs_audio=True, sample_rate=16000, max_seconds=1.0)

    def fingerprint(self) -> str:
        return "listener"

    def generate(self, requests: Sequence[Request]) -> list[str]:
        return ["the second is louder" for _ in requests]
