"""The ablation YAML: rows (model, arguments, decoding, preprocessing, prompt), a reference row, tasks, metrics.

    name: my-ablation
    reference: full-model
    tasks: [{dataset: acd, tier: 2}, {dataset: cld, tier: 2}]
    metrics: [BLEU-4, METEOR, ROUGE-L, CIDEr-D, SPICE]
    defaults: {data_dir: ..., audio_root: ..., batch_size: 32, limit: null, seed: 0}
    rows:
      - {name: full-model, model: adiff, model_args: {checkpoint: adiff_base.ckpt}}
      - {name: no-cross-projection, model: naive-baseline, model_args: {checkpoint: naive.ckpt}}

Relative paths in the YAML are resolved against the YAML's folder, so a spec travels with its files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adiff_bench.errors import DataError
from adiff_bench.runs.spec import RunSpec

ROW_KEYS = {
    "name",
    "model",
    "model_args",
    "crop",
    "prompt",
    "limit",
    "seed",
    "batch_size",
    "data_dir",
    "audio_root",
    "on_bad_audio",
    "description",
}
PATH_KEYS = ("data_dir", "audio_root")


@dataclass(frozen=True)
class AblationRow:
    name: str
    description: str
    specs: tuple[RunSpec, ...]  # one per task, in the order of the spec's tasks


@dataclass(frozen=True)
class AblationSpec:
    name: str
    source: str
    reference: str
    tasks: tuple[tuple[str, int, str | None], ...]
    metrics: tuple[str, ...]
    rows: tuple[AblationRow, ...]
    n_resamples: int = 1000
    seed: int = 0

    def row(self, name: str) -> AblationRow:
        return next(r for r in self.rows if r.name == name)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "source": self.source,
            "reference": self.reference,
            "tasks": [{"dataset": d, "tier": t, "split": s} for d, t, s in self.tasks],
            "metrics": list(self.metrics),
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "rows": [
                {"name": r.name, "description": r.description, "runs": [s.to_json() for s in r.specs]}
                for r in self.rows
            ],
        }


def _resolve(value: Any, base: Path) -> Any:
    if not isinstance(value, str) or not value:
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def _resolve_paths(values: Mapping[str, Any], base: Path) -> dict[str, Any]:
    """data_dir/audio_root are relative to the YAML's folder, as are model arguments written ./x or ../x."""
    out = dict(values)
    for key in PATH_KEYS:
        if key in out:
            out[key] = _resolve(out[key], base)
    if isinstance(out.get("model_args"), Mapping):
        out["model_args"] = {
            k: _resolve(v, base) if isinstance(v, str) and v.startswith(("./", "../")) else v
            for k, v in out["model_args"].items()
        }
    return out


def load_ablation_spec(path: Path | str) -> AblationSpec:
    from adiff_bench.io_utils import read_yaml
    from adiff_bench.runs.spec import make_run_spec

    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected a mapping with name, reference, tasks, metrics and rows")
    for key in ("reference", "tasks", "rows"):
        if key not in data:
            raise DataError(f"{path}: missing field {key!r}")
    base = path.parent
    defaults = _resolve_paths(data.get("defaults") or {}, base)
    tasks = tuple((str(t["dataset"]), int(t["tier"]), t.get("split")) for t in data["tasks"])
    metrics = data.get("metrics")
    rows: list[AblationRow] = []
    for index, raw in enumerate(data["rows"]):
        where = f"{path}: rows[{index}]"
        if not isinstance(raw, dict) or "name" not in raw or "model" not in raw:
            raise DataError(f"{where}: each row needs a name and a model")
        unknown = set(raw) - ROW_KEYS
        if unknown:
            raise DataError(
                f"{where}: unknown field(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(ROW_KEYS))}"
            )
        merged = {**defaults, **_resolve_paths(raw, base)}
        model_args = {k: str(v) for k, v in (merged.get("model_args") or {}).items()}
        specs = tuple(
            make_run_spec(
                merged["model"],
                dataset,
                tier,
                split,
                model_args=model_args,
                data_dir=merged.get("data_dir"),
                audio_root=merged.get("audio_root"),
                limit=merged.get("limit"),
                seed=int(merged.get("seed", 0)),
                batch_size=int(merged.get("batch_size", 8)),
                crop=merged.get("crop", "fixed"),
                on_bad_audio=merged.get("on_bad_audio", "error"),
                metrics=metrics,
                prompt=merged.get("prompt"),
            )
            for dataset, tier, split in tasks
        )
        rows.append(AblationRow(str(raw["name"]), str(raw.get("description", "")), specs))
    names = [r.name for r in rows]
    if len(set(names)) != len(names):
        raise DataError(f"{path}: row names must be unique ({', '.join(names)})")
    if data["reference"] not in names:
        raise DataError(f"{path}: reference {data['reference']!r} is not one of the rows ({', '.join(names)})")
    return AblationSpec(
        name=str(data.get("name", path.stem)),
        source=str(path),
        reference=str(data["reference"]),
        tasks=tasks,
        metrics=rows[0].specs[0].metrics,
        rows=tuple(rows),
        n_resamples=int(data.get("n_resamples", 1000)),
        seed=int(data.get("seed", 0)),
    )
