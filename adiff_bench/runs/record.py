"""The run record (``results.json``) as a typed value; the JSON layout is that of earlier versions."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# The version of results.json's layout (adiff_bench/schemas/results.schema.json); records written before it
# existed have none. Bumped only when a key is removed or retyped: readers ignore keys they do not know.
RESULTS_SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class RunRecord:
    adiff_bench_version: str
    created: str
    spec: dict
    run_fingerprint: str
    task: dict
    model: dict
    audio_policy: str | None
    scores: dict
    confidence_intervals: dict | None
    skipped_items: list = field(default_factory=list)
    empty_predictions: list = field(default_factory=list)
    timing: dict = field(default_factory=dict)
    command: list = field(default_factory=list)
    environment: dict = field(default_factory=dict)
    diagnostics: dict | None = None
    schema_version: str | None = None

    @property
    def items_scored(self) -> int:
        return int(self.task.get("items_scored", 0))

    @property
    def items_selected(self) -> int | None:
        value = self.task.get("items_selected")
        return None if value is None else int(value)

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict) -> RunRecord:
        """Missing keys (records of older versions) take their defaults; unknown keys are ignored."""
        defaults: dict[str, Any] = {
            "adiff_bench_version": "",
            "created": "",
            "spec": {},
            "run_fingerprint": "",
            "task": {},
            "model": {},
            "audio_policy": None,
            "scores": {},
            "confidence_intervals": None,
        }
        known = {f.name for f in fields(cls)}
        return cls(**{**defaults, **{k: v for k, v in data.items() if k in known}})
