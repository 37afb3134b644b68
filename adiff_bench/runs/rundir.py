"""One reader of run folders, used by every consumer (compare, human studies, export, diagnose, ablations).

<run_dir>/spec.json          the RunSpec (written once; a different spec refuses the directory)
<run_dir>/predictions.jsonl  one JSON object per item, appended and flushed per batch
<run_dir>/results.json       the run record, written atomically at the end
<run_dir>/item_scores.npz    per-item scores and sufficient statistics for resampling
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from adiff_bench.errors import DataError
from adiff_bench.runs import store
from adiff_bench.runs.record import RunRecord

if TYPE_CHECKING:
    from adiff_bench.metrics.base import MetricResult
    from adiff_bench.runs.spec import RunSpec


class RunDir:
    """A run folder; each file is read at most once per instance (``refresh()`` forgets what was read)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._predictions: store.LoadedPredictions | None = None

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    @property
    def spec_path(self) -> Path:
        return self.path / store.SPEC_FILE

    @property
    def predictions_path(self) -> Path:
        return self.path / store.PREDICTIONS_FILE

    @property
    def results_path(self) -> Path:
        return self.path / store.RESULTS_FILE

    @property
    def item_scores_path(self) -> Path:
        return self.path / store.ITEM_SCORES_FILE

    def has_spec(self) -> bool:
        return self.spec_path.is_file()

    @cached_property
    def spec(self) -> RunSpec:
        return store.read_run_spec(self.path)

    def predictions(self, repair: bool = False) -> store.LoadedPredictions:
        """The predictions, read once; ``repair`` cuts a torn last line from the file (the writer's read)."""
        if self._predictions is None or repair:
            self._predictions = store.read_predictions(self.predictions_path, repair=repair)
        return self._predictions

    def refresh(self) -> None:
        self._predictions = None
        self.__dict__.pop("spec", None)

    def record(self) -> RunRecord | None:
        """The run record, or None while the run has not finished."""
        if not self.results_path.is_file():
            return None
        try:
            data = json.loads(self.results_path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DataError(f"{self.results_path}: cannot read ({exc.strerror})") from exc
        except ValueError as exc:
            raise DataError(f"{self.results_path}: not valid JSON ({exc}); re-run to rewrite it") from exc
        if not isinstance(data, dict):
            raise DataError(f"{self.results_path}: expected a JSON object; re-run to rewrite it")
        return RunRecord.from_json(data)

    def item_scores(self) -> tuple[list[str], dict[str, MetricResult]]:
        return store.load_item_scores(self.item_scores_path)

    def is_finished(self, spec: RunSpec) -> bool:
        """Finished for ``spec``: a record with its fingerprint, every selected item and every metric."""
        if not self.item_scores_path.is_file():
            return False
        try:
            record = self.record()
        except DataError:
            return False
        return (
            record is not None
            and record.run_fingerprint == spec.fingerprint()
            and record.items_scored == record.items_selected
            and set(spec.metrics) <= set(record.scores)
        )
