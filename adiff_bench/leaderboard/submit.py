"""``adiff-bench submit`` and ``leaderboard --verify``: validate a bundle, re-score it on our side, store it.

No number from a submitter is ever used: scores, CIs and signatures all come from re-scoring the
predictions against the official references here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adiff_bench import __version__
from adiff_bench.data.tasks import Item, load_task
from adiff_bench.errors import DataError
from adiff_bench.leaderboard import entries as store
from adiff_bench.leaderboard.bundle import Bundle, TierPredictions, check_ids, read_bundle, slugify
from adiff_bench.locking import exclusive_lock
from adiff_bench.runs.scoring import CLUSTERED_DATASETS, Scores

# Same signature as adiff_bench.runs.scoring.score_matched (tests pass a light one).
Scorer = Callable[..., Scores]


@dataclass(frozen=True)
class ScoringPlan:
    metrics: tuple[str, ...] | None = None  # None: the default suite
    n_resamples: int = 1000
    seed: int = 0
    level: float = 0.95

    def to_json(self, metrics_used: Sequence[str]) -> dict:
        return {
            "metrics": list(metrics_used),
            "n_resamples": self.n_resamples,
            "seed": self.seed,
            "level": self.level,
            "adiff_bench_version": __version__,
        }


@dataclass(frozen=True)
class TierScore:
    tier: TierPredictions
    items: tuple[Item, ...]
    clusters: np.ndarray | None
    scores: Scores


@dataclass(frozen=True)
class SubmitOutcome:
    entry_path: Path
    record: dict
    replaced: bool


def default_scorer() -> Scorer:
    from adiff_bench.runs.scoring import score_matched

    return score_matched


def overall_sha256(tier_hashes: Mapping[str, str]) -> str:
    return hashlib.sha256(json.dumps(dict(sorted(tier_hashes.items()))).encode("utf-8")).hexdigest()


def rescore_tier(
    tier: TierPredictions,
    data_dir: str | Path | None,
    plan: ScoringPlan,
    scorer: Scorer | None = None,
    progress: bool = False,
) -> TierScore:
    task = load_task(tier.task, data_dir)
    check_ids(tier, task)
    by_id = task.by_id()
    texts = dict(tier.predictions)
    matched = [(by_id[item.item_id], texts[item.item_id]) for item in task.items]
    scores = (scorer or default_scorer())(
        matched, list(plan.metrics) if plan.metrics else None, ci=True, n_resamples=plan.n_resamples, seed=plan.seed,
        **({"progress": True} if progress else {}),
    )
    clusters = None
    if tier.task.dataset in CLUSTERED_DATASETS:
        from adiff_bench.stats import clusters_for_pairs

        clusters = clusters_for_pairs([item.clips for item in task.items])
    return TierScore(tier, task.items, clusters, scores)


def build_entry_record(slug: str, bundle: Bundle, scored: Sequence[TierScore], plan: ScoringPlan) -> dict:
    tier_hashes = {s.tier.task.name: s.tier.sha256() for s in scored}
    metrics_used = list(scored[0].scores.results) if scored else []
    return {
        "format": store.FORMAT,
        "format_version": store.FORMAT_VERSION,
        "slug": slug,
        "meta": bundle.meta.to_json(),
        "predictions_sha256": overall_sha256(tier_hashes),
        "scoring": plan.to_json(metrics_used),
        "tiers": {
            s.tier.task.name: {
                **s.tier.task.to_json(),
                "n_items": len(s.scores.item_ids),
                "predictions_sha256": tier_hashes[s.tier.task.name],
                "resampling": s.scores.resampling,
                "scores": s.scores.to_json(),
            }
            for s in scored
        },
    }


def submit(
    bundle_path: str | Path,
    *,
    data_dir: str | Path | None = None,
    leaderboard_dir: str | Path = "leaderboards",
    replace: bool = False,
    plan: ScoringPlan | None = None,
    scorer: Scorer | None = None,
) -> SubmitOutcome:
    """Validate, re-score every tier with CIs and write the entry (predictions and stats first, JSON last)."""
    plan = plan or ScoringPlan()
    bundle = read_bundle(bundle_path)
    slug = slugify(bundle.meta.name)
    path = store.entry_path(Path(leaderboard_dir), slug)
    _check_replace(path, bundle, slug, replace)  # fail before the slow part
    scored = [rescore_tier(tier, data_dir, plan, scorer) for tier in bundle.tiers]
    record = build_entry_record(slug, bundle, scored, plan)
    # One submit at a time per leaderboard: two submits of one name would both have seen "no entry yet".
    with exclusive_lock(path.parent, f"submit of {bundle.meta.name}", option="--leaderboard-dir"):
        replaced = _check_replace(path, bundle, slug, replace)
        store.write_predictions(store.predictions_path(path), {s.tier.task.name: _in_task_order(s) for s in scored})
        store.write_stats(
            store.stats_path(path),
            {s.tier.task.name: (s.scores.item_ids, s.clusters, s.scores.results) for s in scored},
        )
        store.write_entry(path, record)
    return SubmitOutcome(path, record, replaced)


def _check_replace(path: Path, bundle: Bundle, slug: str, replace: bool) -> bool:
    """Whether ``path`` holds an entry this bundle may replace; refuses another model's entry, or any without
    ``replace``."""
    if not path.exists():
        return False
    existing = store.read_entry(path)
    if existing.name != bundle.meta.name:
        raise DataError(
            f"{bundle.source}: meta.name {bundle.meta.name!r} gives the entry name {slug!r}, already used by "
            f"{existing.name!r} ({path}); choose a more distinctive name"
        )
    if not replace:
        raise DataError(
            f"{path} already holds model {existing.name!r}; pass --replace to replace its entry with this bundle"
        )
    return True


def _in_task_order(scored: TierScore) -> list[tuple[str, str]]:
    texts = dict(scored.tier.predictions)
    return [(item.item_id, texts[item.item_id]) for item in scored.items]


# --- verification (see adiff_bench.leaderboard.verify) -----------------------------------------------------


def verify_entry(entry: store.Entry, data_dir: str | Path | None, scorer: Scorer | None = None) -> list[str]:
    """Every mismatch between the stored entry and its predictions re-scored now (empty: it holds)."""
    from adiff_bench.leaderboard.verify import MISMATCH
    from adiff_bench.leaderboard.verify import verify_entry as checks_for

    return [c.line() for c in checks_for(entry, data_dir, scorer) if c.status == MISMATCH]


def verify_all(
    leaderboard_dir: str | Path, data_dir: str | Path | None, scorer: Scorer | None = None
) -> dict[str, list[str]]:
    return {e.slug: verify_entry(e, data_dir, scorer) for e in store.read_entries(leaderboard_dir)}
