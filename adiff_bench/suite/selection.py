"""Which tasks a command covers: ``--dataset acd,cld --tier all`` → one TaskSpec per dataset × tier."""

from __future__ import annotations

import difflib

from adiff_bench.data.tasks import DATASETS, TIER_NAMES, TaskSpec, make_task_spec
from adiff_bench.errors import DataError


def _parts(text: str | int, what: str) -> list[str]:
    parts = [part.strip() for part in str(text).split(",")]
    if not all(parts):
        raise DataError(f"--{what} {text!r} has an empty entry; write e.g. --{what} 1,3")
    return parts


def parse_datasets(text: str) -> tuple[str, ...]:
    """``"acd,cld"`` → ("acd", "cld"); ``"all"`` → the official datasets (synth is generated, so opt-in)."""
    if str(text).strip().lower() == "all":
        return tuple(name for name, info in DATASETS.items() if not info.generated)
    chosen: list[str] = []
    for part in _parts(text, "dataset"):
        name = part.lower()
        if name not in DATASETS:
            close = difflib.get_close_matches(name, list(DATASETS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise DataError(f"unknown dataset {part!r}; {hint}choose from {', '.join(DATASETS)} or 'all'")
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen)


def parse_tiers(text: str | int) -> tuple[int, ...]:
    """``"2"``, ``"1,3"`` or ``"all"`` → tiers in ascending order, each once."""
    if str(text).strip().lower() == "all":
        return tuple(TIER_NAMES)
    tiers: set[int] = set()
    for part in _parts(text, "tier"):
        if part not in {str(t) for t in TIER_NAMES}:
            raise DataError(f"unknown tier {part!r}: choose 1 (few words), 2 (a sentence), 3 (in detail), or 'all'")
        tiers.add(int(part))
    return tuple(sorted(tiers))


def task_specs(datasets: str, tiers: str | int, split: str | None = None) -> tuple[TaskSpec, ...]:
    """Every dataset × tier, datasets in the order given; a split only makes sense for a single dataset."""
    names = parse_datasets(datasets)
    if split is not None and len(names) > 1:
        raise DataError(f"--split {split!r} names one dataset's split; run one dataset at a time to choose splits")
    return tuple(make_task_spec(name, tier, split) for name in names for tier in parse_tiers(tiers))
