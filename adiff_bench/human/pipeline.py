"""The whole ``human analyze`` step: read the study and ratings, join run metrics, report, plot."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from adiff_bench.errors import DataError
from adiff_bench.human.analysis import HumanReport, MetricValues, RatingTable, analyze
from adiff_bench.human.ratings import KeyEntry, load_study_dir, read_ratings
from adiff_bench.runs.rundir import RunDir


def collect_metrics(run_dirs: Sequence[Path | str], key: Mapping[str, KeyEntry]) -> MetricValues:
    """metric -> (system, task, item id) -> per-item value, from the runs' item_scores.npz."""
    from adiff_bench.human.rundirs import load_metric_items, parse_run_arg, run_identity

    studied = {(e.system, e.task) for e in key.values()}
    out: dict[str, dict[tuple[str, str, str], float]] = {}
    seen: dict[tuple[str, str], Path] = {}
    for arg in run_dirs:
        label, run_dir = parse_run_arg(arg)
        if not run_dir.is_dir():
            raise DataError(f"{run_dir}: run directory not found")
        folder = RunDir(run_dir)
        system, task = run_identity(folder)
        system = label or system
        if (system, task) not in studied:
            raise DataError(
                f"{run_dir}: a run of {system!r} on {task}, which this study did not sample; drop it "
                "(or name it LABEL=RUN_DIR as when sampling)"
            )
        if (system, task) in seen:
            raise DataError(f"{run_dir} and {seen[(system, task)]} are both runs of {system!r} on {task}; pass one")
        seen[(system, task)] = run_dir
        for metric, values in load_metric_items(folder).items():
            target = out.setdefault(metric, {})
            for item_id, value in values.items():
                target[(system, task, item_id)] = value
    return out


def run_analysis(
    study_dir: Path | str,
    rating_files: Sequence[Path | str],
    runs: Sequence[Path | str] = (),
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[HumanReport, RatingTable, MetricValues]:
    study, key, _ = load_study_dir(study_dir)
    ratings = read_ratings(rating_files, study, key)
    metrics = collect_metrics(runs, key) if runs else {}
    report, table = analyze(study, key, ratings, metrics, n_resamples=n_resamples, seed=seed)
    return report, table, metrics


def analyze_study(
    study_dir: Path | str,
    rating_files: Sequence[Path | str],
    runs: Sequence[Path | str] = (),
    fmt: str = "md",
    plots_dir: Path | None = None,
    plot_format: str = "png",
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[str, list[Path]]:
    from adiff_bench.human.render import render_report

    report, table, metrics = run_analysis(study_dir, rating_files, runs, n_resamples, seed)
    written: list[Path] = []
    if plots_dir is not None:
        from adiff_bench.human.plots import plot_distributions, plot_metric_scatter

        written.append(plot_distributions(report, table.points, plots_dir, plot_format))
        written += plot_metric_scatter(table, metrics, plots_dir, plot_format)
    return render_report(report, fmt), written
