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

A spec is data: a row's model must be a registered name; ``module:Class`` (which imports and runs that code)
needs ``adiff-bench ablate --allow-code-models`` or ``trust_code: true`` in the spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adiff_bench.errors import AdiffBenchError, DataError, ModelError
from adiff_bench.io_utils import check_keys, slugify
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
DEFAULT_KEYS = ROW_KEYS - {"name", "description"}
SPEC_KEYS = {"name", "reference", "tasks", "metrics", "defaults", "rows", "n_resamples", "seed", "trust_code"}
TASK_KEYS = {"dataset", "tier", "split"}
PATH_KEYS = ("data_dir", "audio_root")
# Field -> (check, what it must be). Fields not listed are checked where they are used.
_SCALAR = (str, int, float)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


FIELD_TYPES: dict[str, tuple[Any, str]] = {
    "name": (lambda v: isinstance(v, _SCALAR) and not isinstance(v, bool) and str(v).strip(), "a non-empty name"),
    "model": (lambda v: isinstance(v, str) and v.strip(), "a model name"),
    "model_args": (
        lambda v: isinstance(v, Mapping)
        and all(isinstance(k, str) and isinstance(x, (*_SCALAR, bool)) for k, x in v.items()),
        "a mapping of argument: value (values are text or numbers)",
    ),
    "crop": (lambda v: isinstance(v, str), "'fixed' or 'random'"),
    "prompt": (lambda v: v is None or isinstance(v, str), "text"),
    "limit": (lambda v: v is None or (_is_int(v) and v > 0), "a positive whole number of items (or null)"),
    "seed": (lambda v: _is_int(v) and v >= 0, "a whole number >= 0"),
    "batch_size": (lambda v: _is_int(v) and v > 0, "a whole number >= 1"),
    "data_dir": (lambda v: v is None or (isinstance(v, str) and v), "a folder path"),
    "audio_root": (lambda v: v is None or (isinstance(v, str) and v), "a folder path"),
    "on_bad_audio": (lambda v: isinstance(v, str), "'error' or 'skip'"),
    "description": (lambda v: v is None or isinstance(v, _SCALAR), "text"),
    "reference": (lambda v: isinstance(v, _SCALAR) and not isinstance(v, bool), "the name of one row"),
    "n_resamples": (lambda v: _is_int(v) and v >= 1, "a whole number >= 1"),
    "trust_code": (lambda v: isinstance(v, bool), "true or false"),
    "metrics": (
        lambda v: v is None
        or (isinstance(v, str) and v.strip())
        or (isinstance(v, list) and v and all(isinstance(m, str) for m in v)),
        "a list of metric names or groups",
    ),
}


def _check_types(values: Mapping[str, Any], prefix: str) -> None:
    """``prefix`` names where the fields sit, e.g. ``"spec.yaml: rows[1]."``."""
    for key, value in values.items():
        check, expected = FIELD_TYPES.get(key, (None, ""))
        if check is not None and not check(value):
            raise DataError(f"{prefix}{key}: {value!r:.60} is not {expected}")


def _mapping(value: Any, where: str, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DataError(f"{where}: expected {what}, found {type(value).__name__} {value!r:.60}")
    return value


def _tasks(raw: Any, where: str) -> tuple[tuple[str, int, str | None], ...]:
    from adiff_bench.data.tasks import make_task_spec

    if not isinstance(raw, list) or not raw:
        raise DataError(f"{where}: tasks: expected a list such as [{{dataset: acd, tier: 2}}], found {raw!r:.60}")
    tasks = []
    for index, task in enumerate(raw):
        here = f"{where}: tasks[{index}]"
        task = _mapping(task, here, "a mapping {dataset: ..., tier: 1|2|3}")
        check_keys(task, TASK_KEYS, here)
        for key in ("dataset", "tier"):
            if key not in task:
                raise DataError(f"{here}: missing field {key!r}")
        if not _is_int(task["tier"]) or task["tier"] not in (1, 2, 3):
            raise DataError(f"{here}.tier: {task['tier']!r:.60} is not 1, 2 or 3")
        split = task.get("split")
        if (split is not None and not isinstance(split, str)) or not isinstance(task["dataset"], str):
            raise DataError(f"{here}: dataset and split are names, found {task!r:.80}")
        try:
            spec = make_task_spec(task["dataset"], task["tier"], split)
        except AdiffBenchError as exc:
            raise DataError(f"{here}: {exc}") from exc
        tasks.append((spec.dataset, spec.tier, split))
    names = [f"{d}-{s}-{t}" for d, t, s in tasks]
    if len(set(names)) != len(names):
        raise DataError(f"{where}: tasks: a task is listed twice ({', '.join(names)})")
    return tuple(tasks)


@dataclass(frozen=True)
class AblationRow:
    name: str
    description: str
    specs: tuple[RunSpec, ...]  # one per task, in the order of the spec's tasks

    @property
    def slug(self) -> str:
        """The row's file name: the name as written is shown in tables, never used as a path."""
        return slugify(self.name)


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
    trusted_code: bool = False  # rows may name module:Class (the user opted in)

    @property
    def slug(self) -> str:
        """The spec's folder name under adiff-runs/ablations/: the name as written never becomes a path."""
        return slugify(self.name)

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


def load_ablation_spec(path: Path | str, *, allow_code_models: bool = False) -> AblationSpec:
    """Read and check an ablation spec before anything runs: every field's type, unknown keys (with
    suggestions), at least two rows, names that are safe on disk, and models that are registered names unless
    code references are allowed (``allow_code_models`` or the spec's ``trust_code: true``)."""
    from adiff_bench.io_utils import read_yaml
    from adiff_bench.models.registry import refuse_code_reference, resolve_model_class
    from adiff_bench.runs.spec import make_run_spec

    path = Path(path)
    data = _mapping(read_yaml(path), str(path), "a mapping with name, reference, tasks, metrics and rows")
    check_keys(data, SPEC_KEYS, str(path))
    for key in ("reference", "tasks", "rows"):
        if key not in data:
            raise DataError(f"{path}: missing field {key!r}")
    _check_types({k: v for k, v in data.items() if k in FIELD_TYPES}, f"{path}: ")
    allow_code = allow_code_models or data.get("trust_code", False)
    base = path.parent
    raw_defaults = _mapping(data.get("defaults") or {}, f"{path}: defaults", "a mapping of row fields")
    check_keys(raw_defaults, DEFAULT_KEYS, f"{path}: defaults")
    _check_types(raw_defaults, f"{path}: defaults.")
    defaults = _resolve_paths(raw_defaults, base)
    tasks = _tasks(data["tasks"], str(path))
    metrics = data.get("metrics")
    raw_rows = data["rows"]
    if not isinstance(raw_rows, list) or len(raw_rows) < 2:
        count = len(raw_rows) if isinstance(raw_rows, list) else 0
        raise DataError(
            f"{path}: rows: an ablation compares rows against the reference, so it needs at least two rows "
            f"(found {count}); use `adiff-bench run` for a single model"
        )
    rows: list[AblationRow] = []
    for index, raw in enumerate(raw_rows):
        where = f"{path}: rows[{index}]"
        raw = _mapping(raw, where, "a mapping with a name and a model")
        if "name" not in raw or "model" not in raw:
            raise DataError(f"{where}: each row needs a name and a model")
        check_keys(raw, ROW_KEYS, where)
        _check_types(raw, f"{where}.")
        merged = {**defaults, **_resolve_paths(raw, base)}
        model = str(merged["model"]).strip()
        if not allow_code:
            refuse_code_reference(model, f"{where}.model")
        elif ":" in model:  # trusted code: import it now and check it is a Model class, before any row runs
            try:
                resolve_model_class(model)
            except AdiffBenchError as exc:
                raise ModelError(f"{where}.model: {exc}") from exc
        model_args = {k: str(v) for k, v in (merged.get("model_args") or {}).items()}
        try:
            specs = tuple(
                make_run_spec(
                    model,
                    dataset,
                    tier,
                    split,
                    model_args=model_args,
                    data_dir=merged.get("data_dir"),
                    audio_root=merged.get("audio_root"),
                    limit=merged.get("limit"),
                    seed=merged.get("seed", 0),
                    batch_size=merged.get("batch_size", 8),
                    crop=merged.get("crop", "fixed"),
                    on_bad_audio=merged.get("on_bad_audio", "error"),
                    metrics=metrics,
                    prompt=merged.get("prompt"),
                )
                for dataset, tier, split in tasks
            )
        except AdiffBenchError as exc:
            raise DataError(f"{where}: {exc}") from exc
        description = raw.get("description")
        rows.append(AblationRow(str(raw["name"]).strip(), "" if description is None else str(description), specs))
    _check_names(rows, str(path))
    reference = str(data["reference"])
    names = [r.name for r in rows]
    if reference not in names:
        raise DataError(f"{path}: reference {reference!r} is not one of the rows ({', '.join(names)})")
    return AblationSpec(
        name=str(data.get("name") or path.stem),
        source=str(path),
        reference=reference,
        tasks=tasks,
        metrics=rows[0].specs[0].metrics,
        rows=tuple(rows),
        n_resamples=data.get("n_resamples", 1000),
        seed=data.get("seed", 0),
        trusted_code=bool(allow_code),
    )


def _check_names(rows: list[AblationRow], where: str) -> None:
    """Row names are shown as written but stored under their slug, so two rows must differ in slug too."""
    names = [r.name for r in rows]
    if len(set(names)) != len(names):
        raise DataError(f"{where}: row names must be unique ({', '.join(names)})")
    by_slug: dict[str, str] = {}
    for row in rows:
        other = by_slug.setdefault(row.slug, row.name)
        if other != row.name:
            raise DataError(
                f"{where}: rows {other!r} and {row.name!r} would share the file name {row.slug!r}; rename one"
            )
