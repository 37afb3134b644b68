"""Forest plot of paired differences against a baseline (``compare --plot``): one panel per metric, one
row per system, the difference ×100 with its CI, a zero line, filled markers where the Holm-adjusted
p-value is below 0.05 and the comparison's stars beside them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from adiff_bench.errors import DataError

ALPHA = 0.05
SCALE = 100.0
MAX_SYSTEMS = 100  # beyond these a figure is unreadable (and Agg refuses images over 2^16 pixels)
MAX_METRICS = 60


@dataclass(frozen=True)
class ForestRow:
    """One system against the baseline on one metric, in the metric's own units (not ×100)."""

    system: str
    metric: str
    delta: float  # system - baseline; NaN when undefined
    ci_low: float
    ci_high: float
    p_adjusted: float | None = None
    marker: str = ""  # "*", "**", "***" or ""

    @property
    def significant(self) -> bool:
        """Adjusted p below 0.05 when a p-value is known, else whether the row carries a star."""
        if self.p_adjusted is not None and math.isfinite(self.p_adjusted):
            return self.p_adjusted < ALPHA
        return bool(self.marker)


@dataclass(frozen=True)
class ForestData:
    rows: tuple[ForestRow, ...]
    baseline: str
    level: float | None = None  # confidence level of the CIs, e.g. 0.95
    task: str | None = None
    n_items: int | None = None


def _number(value: Any, where: str) -> float:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataError(f"{where}: expected a number or null, got {value!r}")
    return float(value)


def _row_from_mapping(row: Mapping[str, Any], i: int) -> ForestRow:
    where = f"comparison row {i}"
    for key in ("system", "metric", "delta"):
        if key not in row:
            raise DataError(f"{where}: missing {key!r} (rows need system, metric, delta, ci_low, ci_high)")
    ci = row.get("delta_ci")
    if isinstance(ci, Mapping):  # Comparison.to_json() shape
        low, high = ci.get("low"), ci.get("high")
    else:
        low, high = row.get("ci_low"), row.get("ci_high")
    p = row.get("p_adjusted", row.get("p_holm"))
    marker = row.get("marker") or ""
    return ForestRow(
        system=str(row["system"]),
        metric=str(row["metric"]),
        delta=_number(row["delta"], f"{where} delta"),
        ci_low=_number(low, f"{where} ci_low"),
        ci_high=_number(high, f"{where} ci_high"),
        p_adjusted=None if p is None else _number(p, f"{where} p_adjusted"),
        marker=str(marker),
    )


def forest_rows(
    source: Any, *, baseline: str | None = None, level: float | None = None
) -> ForestData:
    """Accepts what ``compare`` produces or plain data:

    - an ``adiff_bench.compare.Comparison`` (its ``deltas``, ``baseline``, ``level``, ``task``);
    - the dict of ``Comparison.to_json()`` (``comparisons`` with ``delta_ci`` and ``p_holm``);
    - a sequence of ``ForestRow`` or of dicts with ``system, metric, delta, ci_low, ci_high`` and optionally
      ``p_adjusted`` (or ``p_holm``) and ``marker``; then ``baseline`` is required.
    """
    if hasattr(source, "deltas") and hasattr(source, "baseline"):
        rows = tuple(
            ForestRow(
                system=d.test.system,
                metric=d.test.metric,
                delta=float(d.test.delta),
                ci_low=float(d.test.delta_ci.low),
                ci_high=float(d.test.delta_ci.high),
                p_adjusted=float(d.p_holm),
                marker=d.marker,
            )
            for d in source.deltas
        )
        return ForestData(rows, baseline or source.baseline, level or source.level, source.task, source.n_items)
    if isinstance(source, Mapping):
        if not isinstance(source.get("comparisons"), list):
            raise DataError(
                "comparison JSON has no 'comparisons' list; write it with `adiff-bench compare --format json`"
            )
        rows = tuple(_row_from_mapping(r, i) for i, r in enumerate(source["comparisons"]))
        name = baseline or source.get("baseline")
        if not name:
            raise DataError("comparison JSON names no 'baseline'")
        return ForestData(rows, str(name), level or source.get("level"), source.get("task"), source.get("n_items"))
    if baseline is None:
        raise DataError("a forest plot of plain rows needs the baseline's name")
    rows = tuple(r if isinstance(r, ForestRow) else _row_from_mapping(r, i) for i, r in enumerate(source))
    return ForestData(rows, baseline, level)


def _ordered(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def forest_figure(source: Any, *, baseline: str | None = None, level: float | None = None, title: str | None = None):
    """A matplotlib Figure: one panel per metric (up to three per line), systems top to bottom in the
    order given, each with one error bar per drawn row (rows with an undefined difference say "n/a")."""
    from matplotlib.lines import Line2D

    from adiff_bench.plots.style import freeze_layout, label, new_figure, plot_style

    data = forest_rows(source, baseline=baseline, level=level)
    if not data.rows:
        raise DataError("nothing to plot: the comparison has no rows (compare at least two runs)")
    metrics = _ordered(r.metric for r in data.rows)
    systems = _ordered(r.system for r in data.rows)
    if len(systems) > MAX_SYSTEMS or len(metrics) > MAX_METRICS:
        raise DataError(
            f"too much for one plot: {len(systems)} systems and {len(metrics)} metrics (at most {MAX_SYSTEMS} and "
            f"{MAX_METRICS}); compare fewer runs or pass --metrics"
        )
    ncols = min(len(metrics), 3)
    nrows = -(-len(metrics) // ncols)
    longest = max(len(label(s)) for s in systems)
    panel_h = 0.42 * len(systems) + 1.2
    with plot_style():
        fig = new_figure(3.6 * ncols + 0.07 * longest, panel_h * nrows + 0.8)
        axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
        positions = {s: i for i, s in enumerate(systems)}
        xlabel = f"difference vs {label(data.baseline)} (×{SCALE:g})"
        for k, ax in enumerate(axes.flat):
            if k >= len(metrics):
                ax.set_visible(False)
                continue
            metric = metrics[k]
            ax.axvline(0.0, color="0.45", linewidth=1, linestyle="--", zorder=1)
            for row in (r for r in data.rows if r.metric == metric):
                y = positions[row.system]
                if not math.isfinite(row.delta):
                    ax.annotate("n/a", (0.0, y), xytext=(4, 0), textcoords="offset points", va="center",
                                color="0.4", parse_math=False)
                    continue
                x = row.delta * SCALE
                lo, hi = row.ci_low * SCALE, row.ci_high * SCALE
                # an interval collapsed onto the difference (a constant shift) can round a hair below it
                xerr = [[max(0.0, x - lo)], [max(0.0, hi - x)]] if math.isfinite(lo) and math.isfinite(hi) else None
                ax.errorbar(
                    [x], [y], xerr=xerr, fmt="o", color="C0", ecolor="C0", capsize=3, markersize=6,
                    markerfacecolor="C0" if row.significant else "white", zorder=3,
                )
                if row.marker:
                    right = hi if xerr is not None else x
                    ax.annotate(row.marker, (right, y), xytext=(4, 0), textcoords="offset points",
                                va="center", color="C0", parse_math=False)
            ax.set_title(label(metric), parse_math=False)
            ax.set_xlabel(xlabel, parse_math=False)
            ax.margins(x=0.15)
            ax.grid(axis="x", color="0.9", zorder=0)
        first = axes[0][0]
        first.set_yticks(range(len(systems)), [label(s) for s in systems], parse_math=False)
        first.set_ylim(len(systems) - 0.5, -0.5)  # first system on top
        for ax in axes[:, 1:].flat:
            ax.tick_params(labelleft=False)
        for ax in axes[:, 0]:
            ax.set_ylabel("system", parse_math=False)
        pct = f"{data.level * 100:g}% CI" if data.level else "CI"
        head = title if title is not None else (
            (f"{label(data.task)}: " if data.task else "")
            + f"paired differences vs {label(data.baseline)} with {pct}"
            + (f" ({data.n_items} items)" if data.n_items else "")
        )
        fig.suptitle(head, parse_math=False)
        handles = [
            Line2D([], [], marker="o", linestyle="", color="C0", markerfacecolor="C0", label="Holm-adjusted p < 0.05"),
            Line2D([], [], marker="o", linestyle="", color="C0", markerfacecolor="white", label="not significant"),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False,
                   title="* p<0.05  ** p<0.01  *** p<0.001 (adjusted)", title_fontsize="small", fontsize="small")
        freeze_layout(fig)
    return fig


def plot_comparison(source: Any, path: Path | str, *, baseline: str | None = None, title: str | None = None) -> Path:
    """``compare --plot PATH``: the forest plot written to PATH (.png, .svg or .pdf)."""
    from adiff_bench.plots.save import check_plot_path, save_figure

    path = check_plot_path(path)
    return save_figure(forest_figure(source, baseline=baseline, title=title), path)

