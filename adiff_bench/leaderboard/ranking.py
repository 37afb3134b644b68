"""The leaderboard as data: one row per entry, one column per tier for the headline metric, CIs and rank
groups. Renderers only format this; they never compute.

Rank groups (per column): the best model and every model not significantly worse than it (paired
bootstrap test from :mod:`adiff_bench.stats` on the stored per-item statistics, clip-resampled, Holm
correction over the column, alpha 0.05) form group 1; the procedure repeats on the rest for group 2, and so
on. Where a model's per-item statistics are missing the column falls back to CI overlap, and says so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from adiff_bench.errors import DataError
from adiff_bench.leaderboard.bundle import OFFICIAL_TIERS, TIERS_BY_NAME
from adiff_bench.leaderboard.entries import Entry, MetricScore, TierStats, read_stats
from adiff_bench.leaderboard.reported import Reported

HEADLINE_PREFERENCE = ("spice", "ciderd", "cider")
PAIRED = "paired"
OVERLAP = "ci-overlap"


@dataclass(frozen=True)
class RankingOptions:
    alpha: float = 0.05
    n_resamples: int = 1000
    seed: int = 0


@dataclass(frozen=True)
class Cell:
    score: float | None  # raw metric value (tables show x100)
    low: float | None
    high: float | None
    group: int | None = None


@dataclass(frozen=True)
class Row:
    slug: str
    name: str
    meta: Mapping[str, object]
    cells: Mapping[str, Cell]  # tier -> headline cell (absent: not submitted; score None: metric not available)
    details: Mapping[str, Mapping[str, MetricScore]]  # tier -> metric -> score, every metric
    n_items: Mapping[str, int]
    predictions_sha256: str
    kind: str = "system"  # "oracle": reads the ground truth; labelled, kept apart, never in a rank group

    @property
    def ranked(self) -> bool:
        return self.kind != "oracle"

    @property
    def label(self) -> str:
        """The name as shown: oracles say so in their label."""
        return self.name if self.ranked else f"{self.name} (oracle)"


@dataclass(frozen=True)
class Column:
    tier: str
    label: str
    grouping: str  # PAIRED or OVERLAP
    grouping_note: str
    signature: str  # the headline metric's signature in this column ('' when none)
    resampling: str


@dataclass(frozen=True)
class Table:
    metric: str
    metric_note: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    reported: Reported
    options: RankingOptions = field(default_factory=RankingOptions)


def tier_label(tier: str) -> str:
    spec = TIERS_BY_NAME[tier]
    return f"{spec.dataset.upper()} T{spec.tier}"


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def choose_metric(entries: Sequence[Entry], requested: str | None) -> tuple[str, str]:
    """(metric name, why it heads the table). SPICE when any entry has it, else CIDEr-D, else ``--metric``."""
    available: dict[str, str] = {}
    unavailable: dict[str, str] = {}
    for entry in entries:
        for tier in entry.tiers.values():
            for name, score in tier.scores.items():
                if score.score is not None:
                    available.setdefault(_norm(name), name)
                elif score.unavailable:
                    unavailable.setdefault(_norm(name), score.unavailable)
    if requested:
        key = _norm(requested)
        if key not in available:
            choices = ", ".join(sorted(available.values())) or "none"
            raise DataError(f"--metric {requested!r}: no entry has it; available: {choices}")
        return available[key], "Chosen with --metric."
    for key in HEADLINE_PREFERENCE:
        if key in available:
            if key == "spice":
                return available[key], "The metric the official ADIFF table ranks by."
            # the first clause of the reason: the rest names local paths and install hints
            reason = unavailable.get("spice", "no entry was scored with SPICE").split(";")[0].strip()
            return (
                available[key],
                f"SPICE, the official ranking metric, is unavailable here ({reason}), so the table falls back to "
                f"{available[key]}.",
            )
    if available:
        first = sorted(available.values())[0]
        return first, "Neither SPICE nor CIDEr-D is available in these entries."
    raise DataError("no entry has any available metric; submit a bundle first (`adiff-bench submit`)")


def _metric_in(scores: Mapping[str, MetricScore], metric: str) -> MetricScore | None:
    for name, score in scores.items():
        if _norm(name) == _norm(metric):
            return score
    return None


def _overlap_groups(cells: Mapping[str, Cell]) -> dict[str, int]:
    remaining = sorted(cells, key=lambda s: (-cells[s].score, s))  # type: ignore[operator]
    groups: dict[str, int] = {}
    group = 0
    while remaining:
        group += 1
        best = cells[remaining[0]]
        floor = best.low if best.low is not None else best.score
        same = [s for s in remaining if s == remaining[0] or (cells[s].high is not None and cells[s].high >= floor)]
        for slug in same:
            groups[slug] = group
        remaining = [s for s in remaining if s not in same]
    return groups


def _paired_groups(
    cells: Mapping[str, Cell], stats: Mapping[str, TierStats], metric: str, options: RankingOptions
) -> dict[str, int]:
    from adiff_bench.stats import holm, paired_tests

    remaining = sorted(cells, key=lambda s: (-cells[s].score, s))  # type: ignore[operator]
    groups: dict[str, int] = {}
    group = 0
    while remaining:
        group += 1
        best, others = remaining[0], remaining[1:]
        same = [best]
        if others:
            systems = {s: {metric: _stats_result(stats[s], metric)} for s in remaining}
            results = paired_tests(
                systems,
                baseline=best,
                metrics=[metric],
                n_resamples=options.n_resamples,
                seed=options.seed,
                clusters=stats[best].clusters,
            )
            adjusted = holm([results[(s, metric)].p_value for s in others])
            same += [s for s, p in zip(others, adjusted, strict=True) if math.isnan(p) or p >= options.alpha]
        for slug in same:
            groups[slug] = group
        remaining = [s for s in others if s not in same]
    return groups


def _stats_result(tier_stats: TierStats, metric: str):  # noqa: ANN202 - a MetricResult
    for name, result in tier_stats.results.items():
        if _norm(name) == _norm(metric):
            return result
    raise KeyError(metric)


def _column_stats(
    entries: Sequence[Entry], tier: str, metric: str, loaded: dict[str, dict[str, TierStats]]
) -> dict[str, TierStats] | None:
    """Every entry's statistics for this tier and metric on identical items, or None (fall back)."""
    found: dict[str, TierStats] = {}
    for entry in entries:
        if entry.slug not in loaded:
            loaded[entry.slug] = read_stats(entry.stats_path())
        tier_stats = loaded[entry.slug].get(tier)
        if tier_stats is None:
            return None
        try:
            _stats_result(tier_stats, metric)
        except KeyError:
            return None
        found[entry.slug] = tier_stats
    ids = {s.item_ids for s in found.values()}
    return found if len(ids) <= 1 else None


def build_table(
    entries: Sequence[Entry], reported: Reported, metric: str | None = None, options: RankingOptions | None = None
) -> Table:
    options = options or RankingOptions()
    chosen, note = choose_metric(entries, metric) if entries else (metric or "SPICE", "no entries yet")
    present = {tier for e in entries for tier in e.tiers}
    tiers = [spec.name for spec in OFFICIAL_TIERS if spec.name in present]
    cells: dict[str, dict[str, Cell]] = {e.slug: {} for e in entries}
    columns = []
    loaded: dict[str, dict[str, TierStats]] = {}
    for tier in tiers:
        scored: dict[str, Cell] = {}
        unranked: dict[str, Cell] = {}  # oracles: shown with their CI, never in a rank group
        signature, resampling = "", ""
        for entry in entries:
            tier_entry = entry.tiers.get(tier)
            score = _metric_in(tier_entry.scores, chosen) if tier_entry else None
            if score is not None and score.score is not None:
                cell = Cell(score.score, score.low, score.high)
                (scored if _kind(entry) != "oracle" else unranked)[entry.slug] = cell
                signature = signature or score.signature
                resampling = resampling or (tier_entry.resampling or "")
        in_column = [e for e in entries if e.slug in scored]
        stats = _column_stats(in_column, tier, chosen, loaded) if scored else None
        if stats is not None:
            groups = _paired_groups(scored, stats, chosen, options)
            grouping = PAIRED
            grouping_note = (
                f"paired bootstrap vs the group's best ({options.n_resamples} resamples, seed {options.seed}), "
                f"Holm-adjusted, alpha {options.alpha}"
            )
        else:
            groups = _overlap_groups(scored)
            grouping = OVERLAP
            grouping_note = "CI overlap with the group's best (per-item statistics missing; not a significance test)"
        for slug, cell in scored.items():
            cells[slug][tier] = Cell(cell.score, cell.low, cell.high, groups.get(slug))
        for slug, cell in unranked.items():
            cells[slug][tier] = cell
        for entry in entries:  # submitted, but not scored with the headline metric: n/a, never "missing"
            if tier in entry.tiers and entry.slug not in scored and entry.slug not in unranked:
                cells[entry.slug][tier] = Cell(None, None, None)
        columns.append(Column(tier, tier_label(tier), grouping, grouping_note, signature, resampling))
    rows = [
        Row(
            slug=e.slug,
            name=e.name,
            meta=e.meta,
            cells=cells[e.slug],
            details={t: e.tiers[t].scores for t in tiers if t in e.tiers},
            n_items={t: e.tiers[t].n_items for t in tiers if t in e.tiers},
            predictions_sha256=e.predictions_sha256,
            kind=_kind(e),
        )
        for e in entries
    ]
    rows.sort(key=lambda r: (not r.ranked, -len(r.cells), -_mean_score(r), r.slug))  # systems first, then oracles
    return Table(chosen, note, tuple(columns), tuple(rows), reported, options)


def _kind(entry: Entry) -> str:
    return "oracle" if entry.meta.get("kind") == "oracle" else "system"


def _merge(pairs: Sequence[tuple[str, object]]) -> list[tuple[str, object]]:
    """Columns sharing a note are listed once: ("ACD T1, ACD T2", note)."""
    merged: dict[object, list[str]] = {}
    for label, note in pairs:
        merged.setdefault(note, []).append(label)
    return [(", ".join(labels), note) for note, labels in merged.items()]


def column_notes(table: Table) -> list[tuple[str, tuple[str, str]]]:
    """(column labels, (rank-group method, CI method)), columns with the same methods merged."""
    return _merge([(c.label, (c.grouping_note, c.resampling)) for c in table.columns])  # type: ignore[return-value]


def column_signatures(table: Table) -> list[tuple[str, str]]:
    return _merge([(c.label, c.signature) for c in table.columns if c.signature])  # type: ignore[return-value]


def _mean_score(row: Row) -> float:
    values = [c.score for c in row.cells.values() if c.score is not None]
    return sum(values) / len(values) if values else -math.inf


def fmt100(value: float | None) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value * 100:.2f}"
