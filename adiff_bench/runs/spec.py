"""One frozen, serialisable spec per run (as HELM's run_spec): what was asked, not what happened.

Everything a run is asked for is checked here, when the spec is built, so a bad option fails before any
model is loaded or any prediction is generated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from adiff_bench.data.tasks import TaskSpec, make_task_spec
from adiff_bench.errors import DataError
from adiff_bench.redact import redact_model_args

CLUSTER_CHOICES = ("auto", "clip", "none")


@dataclass(frozen=True)
class ScoringSpec:
    """How predictions are scored: which metrics (empty = all), and the bootstrap CIs."""

    metrics: tuple[str, ...] = ()
    ci: bool = True
    n_resamples: int = 1000
    clusters: str = "auto"  # auto: resample clips when a clip appears in two items (stats.clusters.default_clusters)

    def __post_init__(self) -> None:
        if isinstance(self.n_resamples, bool) or not isinstance(self.n_resamples, int) or self.n_resamples < 1:
            raise DataError(f"--n-resamples must be a whole number of at least 1, not {self.n_resamples!r}")
        if self.clusters not in CLUSTER_CHOICES:
            raise DataError(f"--cluster must be one of {', '.join(CLUSTER_CHOICES)}, not {self.clusters!r}")

    @classmethod
    def make(
        cls,
        metrics: Sequence[str] | str | None = None,
        ci: bool = True,
        n_resamples: int = 1000,
        clusters: str = "auto",
    ) -> ScoringSpec:
        """Resolve metric names and groups (an unknown name is a one-line error naming the choices)."""
        from adiff_bench.metrics.suite import resolve_metric_names

        return cls(resolve_metric_names(metrics), bool(ci), n_resamples, clusters)


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
    # Replaces the CSV's prompt for every item (prompt-paraphrase ablations); None keeps the official prompt.
    prompt: str | None = None
    scoring: ScoringSpec = field(default_factory=ScoringSpec)

    def __post_init__(self) -> None:
        if self.crop not in ("fixed", "random"):
            raise DataError(f"--crop must be 'fixed' or 'random', not {self.crop!r}")
        if self.on_bad_audio not in ("error", "skip"):
            raise DataError(f"--on-bad-audio must be 'error' or 'skip', not {self.on_bad_audio!r}")
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise DataError("--batch-size must be at least 1")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise DataError(f"--seed must be a whole number of at least 0, not {self.seed!r}")
        if self.limit is not None and (
            isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 1
        ):
            raise DataError(f"--limit must be a whole number of at least 1, not {self.limit!r}")

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.scoring.metrics

    def to_json(self) -> dict:
        """The spec.json layout of earlier versions (scoring fields flattened beside the run fields)."""
        return {
            "model": self.model,
            "task": self.task.to_json(),
            "model_args": redact_model_args(self.model_args),
            "data_dir": self.data_dir,
            "audio_root": self.audio_root,
            "limit": self.limit,
            "seed": self.seed,
            "batch_size": self.batch_size,
            "crop": self.crop,
            "on_bad_audio": self.on_bad_audio,
            "metrics": list(self.scoring.metrics),
            "prompt": self.prompt,
            "ci": self.scoring.ci,
            "n_resamples": self.scoring.n_resamples,
            "clusters": self.scoring.clusters,
        }

    @classmethod
    def from_json(cls, data: dict) -> RunSpec:
        """Reads this and earlier layouts (whose device/dtype/extra fields were never set and are ignored)."""
        return cls(
            model=data["model"],
            task=TaskSpec(**data["task"]),
            model_args=tuple(sorted(data.get("model_args", {}).items())),
            data_dir=data.get("data_dir"),
            audio_root=data.get("audio_root"),
            limit=data.get("limit"),
            seed=data.get("seed", 0),
            batch_size=data.get("batch_size", 8),
            crop=data.get("crop", "fixed"),
            on_bad_audio=data.get("on_bad_audio", "error"),
            prompt=data.get("prompt"),
            scoring=ScoringSpec(
                tuple(data.get("metrics", ())),
                data.get("ci", True),
                data.get("n_resamples", 1000),
                data.get("clusters", "auto"),
            ),
        )

    def generation_key(self) -> dict:
        """The fields that decide the predictions: runs agreeing on these may share a predictions file.

        Paths, batch size and scoring are left out: they change where and how fast, not what.
        """
        return {
            "model": self.model,
            "model_args": redact_model_args(self.model_args),
            "task": self.task.to_json(),
            "limit": self.limit,
            "seed": self.seed if self.limit is not None or self.crop == "random" else None,
            "crop": self.crop,
            "dtype": "float32",  # a constant kept so fingerprints (and run folders) of earlier versions still match
            "prompt": self.prompt,
        }

    def fingerprint(self) -> str:
        blob = json.dumps(self.generation_key(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


def make_run_spec(
    model: str,
    dataset: str = "acd",
    tier: int = 2,
    split: str | None = None,
    *,
    model_args: Mapping[str, str] | None = None,
    data_dir: str | Path | None = None,
    audio_root: str | Path | None = None,
    limit: int | None = None,
    seed: int = 0,
    batch_size: int = 8,
    crop: str = "fixed",
    on_bad_audio: str = "error",
    metrics: Sequence[str] | str | None = None,
    prompt: str | None = None,
    ci: bool = True,
    n_resamples: int = 1000,
    clusters: str = "auto",
) -> RunSpec:
    """A checked RunSpec from plain values (the CLI's and the ablation YAML's)."""
    return RunSpec(
        model=model,
        task=make_task_spec(dataset, tier, split),
        model_args=tuple(sorted((model_args or {}).items())),
        data_dir=str(data_dir) if data_dir is not None else None,
        audio_root=str(audio_root) if audio_root is not None else None,
        limit=limit,
        seed=seed,
        batch_size=batch_size,
        crop=crop,
        on_bad_audio=on_bad_audio,
        prompt=prompt,
        scoring=ScoringSpec.make(metrics, ci, n_resamples, clusters),
    )
