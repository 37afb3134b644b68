"""``adiff-bench export``: a submission bundle from finished run directories.

Only what a run wrote is exported (its predictions); its scores are not, since ``submit`` re-scores.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from adiff_bench.errors import DataError
from adiff_bench.io_utils import read_yaml
from adiff_bench.leaderboard.bundle import (
    TIERS_BY_NAME,
    Bundle,
    TierPredictions,
    parse_meta,
    parse_tier,
    write_bundle,
)
from adiff_bench.runs.rundir import RunDir
from adiff_bench.runs.spec import RunSpec


def read_meta_file(path: str | Path) -> dict[str, Any]:
    """Metadata from YAML or JSON (YAML is a superset, so one parser reads both)."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DataError(f"{path}: must be a mapping of metadata fields (name, organisation, ...)")
    return data


def tier_from_run(run_dir: str | Path) -> tuple[RunSpec, TierPredictions]:
    folder = RunDir(run_dir)
    spec = folder.spec
    name = spec.task.name
    if name not in TIERS_BY_NAME:
        raise DataError(f"{run_dir}: task {name} is not a leaderboard tier; use one of {', '.join(TIERS_BY_NAME)}")
    if spec.limit is not None:
        raise DataError(f"{run_dir}: a --limit {spec.limit} run answers a subset; re-run without --limit to submit")
    if not folder.results_path.is_file():
        raise DataError(f"{run_dir}: no results.json, so the run did not finish; re-run it to complete it")
    path = folder.predictions_path
    loaded = folder.predictions()
    if loaded.truncated_tail:
        raise DataError(f"{path}: the last line is cut off; re-run the same command to finish the run")
    records = [{"id": r.item_id, "prediction": r.prediction} for r in loaded.records]
    return spec, parse_tier(name, records, str(path))


def build_bundle(run_dirs: Sequence[str | Path], meta: Mapping[str, Any]) -> Bundle:
    """One tier per run directory; the model's arguments become the decoding settings unless given."""
    if not run_dirs:
        raise DataError("export needs at least one run directory")
    tiers: dict[str, TierPredictions] = {}
    models: set[str] = set()
    model_args: set[tuple[tuple[str, str], ...]] = set()
    for run_dir in run_dirs:
        spec, tier = tier_from_run(run_dir)
        if tier.task.name in tiers:
            raise DataError(
                f"{run_dir}: a second run for tier {tier.task.name} (first: {tiers[tier.task.name].source})"
            )
        tiers[tier.task.name] = tier
        models.add(spec.model)
        model_args.add(spec.model_args)
    fields = dict(meta)
    if not fields.get("name"):
        if len(models) != 1:
            raise DataError(f"the runs are of several models ({', '.join(sorted(models))}); pass --name or --meta")
        fields["name"] = next(iter(models))
    if not fields.get("decoding") and len(model_args) == 1:
        fields["decoding"] = dict(next(iter(model_args))) or None
    parsed = parse_meta(fields, "export")
    order = list(TIERS_BY_NAME)
    return Bundle(parsed, tuple(sorted(tiers.values(), key=lambda t: order.index(t.task.name))), "export")


def export_runs(
    run_dirs: Sequence[str | Path], out: str | Path, meta_file: str | Path | None = None, **overrides: Any
) -> Bundle:
    meta = read_meta_file(meta_file) if meta_file is not None else {}
    meta.update({k: v for k, v in overrides.items() if v is not None})
    bundle = build_bundle(run_dirs, meta)
    write_bundle(bundle, out)
    return bundle
