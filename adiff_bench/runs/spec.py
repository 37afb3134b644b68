"""One frozen, serialisable spec per run (as HELM's run_spec): what was asked, not what happened."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace

from adiff_bench.data.tasks import TaskSpec


@dataclass(frozen=True)
class RunSpec:
    model: str
    task: TaskSpec
    model_args: tuple[tuple[str, str], ...] = ()
    data_dir: str | None = None
    audio_root: str | None = None
    limit: int | None = None
    seed: int = 0
    batch_size: int = 8
    crop: str = "fixed"
    on_bad_audio: str = "error"
    device: str = "cpu"
    dtype: str = "float32"
    metrics: tuple[str, ...] = ()
    # Replaces the CSV's prompt for every item (prompt-paraphrase ablations); None keeps the official prompt.
    prompt: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())

    def with_(self, **changes: object) -> RunSpec:
        return replace(self, **changes)

    def to_json(self) -> dict:
        data = asdict(self)
        data["task"] = self.task.to_json()
        data["model_args"] = dict(self.model_args)
        data["extra"] = dict(self.extra)
        data["metrics"] = list(self.metrics)
        return data

    @classmethod
    def from_json(cls, data: dict) -> RunSpec:
        data = dict(data)
        data["task"] = TaskSpec(**data["task"])
        data["model_args"] = tuple(sorted(data.get("model_args", {}).items()))
        data["extra"] = tuple(sorted(data.get("extra", {}).items()))
        data["metrics"] = tuple(data.get("metrics", ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def generation_key(self) -> dict:
        """The fields that decide the predictions: runs agreeing on these may share a predictions file.

        Paths, batch size, device and metrics are left out: they change where and how fast, not what.
        """
        return {
            "model": self.model,
            "model_args": dict(self.model_args),
            "task": self.task.to_json(),
            "limit": self.limit,
            "seed": self.seed if self.limit is not None or self.crop == "random" else None,
            "crop": self.crop,
            "dtype": self.dtype,
            "prompt": self.prompt,
        }

    def fingerprint(self) -> str:
        blob = json.dumps(self.generation_key(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
