"""Per-attribute precision and recall bars of the synth diagnostic (``diagnose --plot``): two bars per
attribute in percent, how many true and stated differences each rests on in the tick label, "n/a" where
a ratio is undefined (nothing true or nothing stated)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adiff_bench.errors import DataError

MAX_ATTRIBUTES = 100  # a hostile report must not ask for a figure miles wide


@dataclass(frozen=True)
class AttributeBars:
    attribute: str
    precision: float | None  # correct / stated, 0..1
    recall: float | None  # correct / true, 0..1
    n_true: int
    n_stated: int


@dataclass(frozen=True)
class DiagnosticData:
    task: str
    n_items: int
    bars: tuple[AttributeBars, ...]
    identical: tuple[int, int] | None = None  # (judged 'no difference', identical pairs)
    twins: tuple[int, int] | None = None  # (consistent, swapped twins)


def _ratio(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise DataError(f"{where}: expected a fraction between 0 and 1 or null, got {value!r}")
    return float(value)


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DataError(f"{where}: expected a count (non-negative integer), got {value!r}")
    return value


def diagnostic_rows(source: Any) -> DiagnosticData:
    """Accepts a ``DiagnosticReport`` or the dict of its ``to_json()`` (as ``diagnose --format json`` writes)."""
    if hasattr(source, "to_json") and callable(source.to_json):
        source = source.to_json()
    if not isinstance(source, Mapping) or not isinstance(source.get("attributes"), Mapping):
        raise DataError(
            "diagnostic report has no 'attributes' mapping; write it with `adiff-bench diagnose --format json`"
        )
    bars = []
    for name, entry in source["attributes"].items():
        where = f"diagnostic attribute {name!r}"
        if not isinstance(entry, Mapping):
            raise DataError(f"{where}: expected an object with precision, recall, n_true, n_stated")
        bars.append(
            AttributeBars(
                attribute=str(name),
                precision=_ratio(entry.get("precision"), f"{where} precision"),
                recall=_ratio(entry.get("recall"), f"{where} recall"),
                n_true=_count(entry.get("n_true"), f"{where} n_true"),
                n_stated=_count(entry.get("n_stated"), f"{where} n_stated"),
            )
        )

    def pair(block: Any, done: str) -> tuple[int, int] | None:
        if isinstance(block, Mapping) and isinstance(block.get("n"), int) and isinstance(block.get(done), int):
            return block[done], block["n"]
        return None

    return DiagnosticData(
        task=str(source.get("task") or "synth"),
        n_items=int(source.get("n_items") or 0),
        bars=tuple(bars),
        identical=pair(source.get("identical_pairs"), "n_correct"),
        twins=pair(source.get("swapped_twins"), "n_consistent"),
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{100 * value:.0f}%"


def diagnostic_figure(source: Any, *, title: str | None = None):
    """A matplotlib Figure: per attribute, a precision bar (C0) and a recall bar (C1), 0–100 %."""
    import numpy as np

    from adiff_bench.plots.style import freeze_layout, label, new_figure, plot_style

    data = diagnostic_rows(source)
    if not data.bars:
        raise DataError("nothing to plot: the diagnostic report lists no attributes")
    if len(data.bars) > MAX_ATTRIBUTES:
        raise DataError(f"too much for one plot: {len(data.bars)} attributes (at most {MAX_ATTRIBUTES})")
    n = len(data.bars)
    x = np.arange(n, dtype=np.float64)
    width = 0.38
    with plot_style():
        fig = new_figure(max(5.0, 1.05 * n + 2.2), 4.2)
        ax = fig.subplots()
        for offset, key, name, colour in ((-width / 2, "precision", "precision (correct / stated)", "C0"),
                                          (width / 2, "recall", "recall (correct / true)", "C1")):
            values = [getattr(b, key) for b in data.bars]
            heights = [0.0 if v is None else 100.0 * v for v in values]
            bars = ax.bar(x + offset, heights, width, label=name, color=colour, zorder=2)
            ax.bar_label(bars, labels=[_pct(v) for v in values], padding=2, fontsize="x-small", parse_math=False)
        ticks = [f"{label(b.attribute)}\ntrue {b.n_true}\nstated {b.n_stated}" for b in data.bars]
        ax.set_xticks(x, ticks, fontsize="small", parse_math=False)
        ax.set_ylim(0, 110)
        ax.set_yticks(range(0, 101, 20))
        ax.set_ylabel("percent of pairs", parse_math=False)
        ax.set_xlabel(
            "attribute (true: pairs that differ in it; stated: pairs whose explanation states a difference in it)",
            parse_math=False,
        )
        ax.grid(axis="y", color="0.9", zorder=0)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize="small")
        lines = [title if title is not None else f"{label(data.task)}: stated differences per attribute "
                 f"({data.n_items} items)"]
        extras = []
        if data.identical and data.identical[1]:
            extras.append(f"identical pairs judged 'no difference': {data.identical[0]}/{data.identical[1]}")
        if data.twins and data.twins[1]:
            extras.append(f"swapped twins flipped consistently: {data.twins[0]}/{data.twins[1]}")
        if extras and title is None:
            lines.append("; ".join(extras))
        ax.set_title("\n".join(lines), parse_math=False)
        freeze_layout(fig)
    return fig


def plot_diagnostic(source: Any, path: Path | str, *, title: str | None = None) -> Path:
    """``diagnose --plot PATH``: the bars written to PATH (.png, .svg or .pdf)."""
    from adiff_bench.plots.save import check_plot_path, save_figure

    path = check_plot_path(path)
    return save_figure(diagnostic_figure(source, title=title), path)
