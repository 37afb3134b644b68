"""PNG plots of a study (matplotlib, Agg backend: no display needed): rating distributions per system
and criterion, and each automatic metric against the mean human rating."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from adiff_bench.human.analysis import HumanReport, MetricValues, RatingTable


def _pyplot():
    from adiff_bench.extras import require

    matplotlib = require("matplotlib", extra="human")

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def check_out_dir(out_dir: Path | str) -> Path:
    """The plots folder must be a folder (or not exist yet): a file there is a one-line error."""
    out_dir = Path(out_dir)
    for path in (out_dir, *out_dir.parents):
        if path.exists():
            if not path.is_dir():
                from adiff_bench.errors import DataError

                raise DataError(f"--plots {out_dir}: {path} is not a folder; give a folder name for the PNG plots")
            break
    return out_dir


PLOT_FORMATS = ("png", "svg", "pdf")
# No dates in vector files, so regenerating a study's plots changes no bytes.
_METADATA = {"png": None, "svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}


def _save(fig, path: Path) -> Path:
    import io

    import matplotlib

    from adiff_bench.io_utils import atomic_write_bytes

    fmt = path.suffix.lstrip(".")
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "adiff-bench"}):  # fixed SVG ids instead of random ones
        fig.savefig(buffer, format=fmt, dpi=120, bbox_inches="tight", metadata=_METADATA[fmt])
    atomic_write_bytes(path, buffer.getvalue())
    return path


def plot_distributions(report: HumanReport, points: tuple[int, ...], out_dir: Path, fmt: str = "png") -> Path:
    """One panel per criterion: for each system, the share of its ratings at each scale point."""
    check_out_dir(out_dir)
    plt = _pyplot()
    systems, criteria = report.systems, report.criteria
    fig, axes = plt.subplots(1, len(criteria), figsize=(4.2 * len(criteria), 3.4), squeeze=False, sharey=True)
    width = 0.8 / max(len(systems), 1)
    by_key = {(s.criterion, s.system): s for s in report.scores}
    for ax, criterion in zip(axes[0], criteria, strict=True):
        for i, system in enumerate(systems):
            counts = np.asarray(by_key[(criterion, system)].distribution, dtype=np.float64)
            share = counts / counts.sum() if counts.sum() else counts
            ax.bar(np.arange(len(points)) + (i - (len(systems) - 1) / 2) * width, share, width, label=system)
        ax.set_xticks(np.arange(len(points)), [str(p) for p in points])
        ax.set_title(criterion)
        ax.set_xlabel("rating")
    axes[0][0].set_ylabel("share of ratings")
    axes[0][-1].legend(fontsize="small")
    fig.suptitle(f"{report.study}: rating distributions", y=1.03)
    path = _save(fig, Path(out_dir) / f"rating_distributions.{fmt}")
    plt.close(fig)
    return path


def plot_metric_scatter(table: RatingTable, metrics: MetricValues, out_dir: Path, fmt: str = "png") -> list[Path]:
    """Per metric, one panel per criterion: the metric against the mean human rating of every rated unit."""
    check_out_dir(out_dir)
    plt = _pyplot()
    paths = []
    for metric in sorted(metrics):
        values = metrics[metric]
        fig, axes = plt.subplots(1, len(table.criteria), figsize=(4.2 * len(table.criteria), 3.4), squeeze=False)
        for ax, criterion in zip(axes[0], table.criteria, strict=True):
            human = table.item_means(criterion)
            for s, system in enumerate(table.systems):
                x = np.array([values.get((system, task, item), np.nan) for task, item in table.items])
                y = human[:, s]
                keep = ~np.isnan(x) & ~np.isnan(y)
                ax.scatter(x[keep], y[keep], s=12, alpha=0.7, label=system)
            ax.set_xlabel(metric)
            ax.set_ylabel(f"mean human {criterion}")
        axes[0][-1].legend(fontsize="small")
        fig.suptitle(f"{metric} against the mean human rating (one point per rated explanation)", y=1.03)
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in metric)
        paths.append(_save(fig, Path(out_dir) / f"metric_vs_human_{safe}.{fmt}"))
        plt.close(fig)
    return paths
