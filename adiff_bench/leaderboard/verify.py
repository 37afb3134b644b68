"""``leaderboard --verify``: recompute every number an entry shows and tell library drift from a real mismatch.

Everything the tables show is derived from an entry's stored predictions: scores, CIs, item counts, the
resampling method and the per-item statistics in ``stats.npz`` behind the rank groups. All of it is
recomputed here and compared, per entry, tier and metric, with one of three outcomes:

* ``identical``: the same value and the same signature;
* ``equal within tolerance``: the values differ by at most the metric's tolerance (below) and the
  signatures differ only in library versions (e.g. ``sentence-transformers:6.2.0`` -> ``6.3.0``);
* ``mismatch``: anything else. Only a mismatch fails verification.

Tolerances (absolute, on the 0-1 score scale; the tables print score x 100 with two decimals, so 1e-4 is one
printed digit): the coco-caption metrics are exact integer/float computations in a fixed order, tolerance
0. Embedding metrics (SBERT, BERTScore) go through float32 torch/BLAS kernels whose last bits depend on the
library version and CPU: per item a cosine moves by ~1e-6, far below ``EMBEDDING_TOLERANCE`` = 5e-5 (half a
printed digit), so a difference within it cannot move a printed score by more than one rounding step.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adiff_bench.errors import DataError
from adiff_bench.leaderboard import entries as store

IDENTICAL = "identical"
WITHIN = "equal within tolerance"
MISMATCH = "mismatch"
UNCHECKED = "unchecked"

EXACT_TOLERANCE = 0.0
# CI bounds come from a bootstrap whose resampled means are a float matrix product: its summation order (and so
# the last bit) depends on the BLAS kernel and thread count, even on one machine (seen: 1.1e-16 on CIDEr-D).
# n * eps for ~5,000 items is ~6e-13, so 1e-12 allows rounding and nothing a table can show.
CI_ROUNDING = 1e-12
EMBEDDING_TOLERANCE = 5e-5
TOLERANCES: dict[str, float] = {
    **dict.fromkeys(("BLEU-1", "BLEU-2", "BLEU-3", "BLEU-4", "METEOR", "ROUGE-L", "CIDEr-D", "SPICE", "SPIDEr"), 0.0),
    "SBERT": EMBEDDING_TOLERANCE,
    "BERTScore": EMBEDDING_TOLERANCE,
}
# Signature fields that name a library version: a difference in only these is drift, not a different metric.
VERSION_FIELDS = frozenset(
    ("pycocoevalcap", "java", "sentence-transformers", "transformers", "torch", "bert-score", "numpy", "scipy")
)
# Rough cost of re-scoring one item with the default suite on a busy 2-core CPU (44 min for the 39,620 seed
# items, 2026-12); refined after each tier from the measured time.
SECONDS_PER_ITEM = 0.067

Say = Callable[[str], None]


def tolerance(metric: str) -> float:
    return TOLERANCES.get(metric, EXACT_TOLERANCE)


@dataclass(frozen=True)
class Check:
    """One verified quantity: where, which outcome, and the evidence in words."""

    entry: str
    tier: str | None
    subject: str
    status: str
    detail: str = ""

    def line(self) -> str:
        where = " / ".join(x for x in (self.entry, self.tier, self.subject) if x)
        return f"{where}: {self.status}" + (f" ({self.detail})" if self.detail else "")


def _fields(signature: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for position, token in enumerate(signature.split("|")):
        key, sep, value = token.partition(":")
        out[key if sep else f"#{position}:{token}"] = value
    return out


def signature_drift(old: str, new: str) -> list[str] | None:
    """Library versions that differ (``[]`` when identical); None when the signatures differ otherwise."""
    a, b = _fields(old), _fields(new)
    if set(a) != set(b):
        return None
    changed = [k for k in a if a[k] != b[k]]
    if any(k not in VERSION_FIELDS for k in changed):
        return None
    return [f"{k} {a[k]} -> {b[k]}" for k in changed]


def _delta(a: float | None, b: float | None) -> float | None:
    """|a - b|; None when both are None; inf when only one is."""
    if a is None or b is None:
        return None if a is None and b is None else float("inf")
    return abs(float(a) - float(b))


def compare_metric(entry: str, tier: str, metric: str, old: store.MetricScore, new: Mapping) -> Check:
    ci = new.get("ci") or {}
    if old.unavailable is not None or new.get("unavailable") is not None:
        if old.unavailable is not None and new.get("unavailable") is not None:
            return Check(entry, tier, metric, IDENTICAL, f"unavailable both times: {new.get('unavailable')}")
        if old.unavailable is not None:
            return Check(entry, tier, metric, UNCHECKED, f"stored as unavailable ({old.unavailable}); computable here")
        return Check(entry, tier, metric, UNCHECKED, f"cannot be computed here: {new.get('unavailable')}")
    values = (
        ("score", old.score, new.get("score")),
        ("CI low", old.low, ci.get("low")),
        ("CI high", old.high, ci.get("high")),
    )
    deltas = {label: _delta(a, b) for label, a, b in values}
    drift = signature_drift(old.signature, str(new.get("signature", "")))
    tol = tolerance(metric)
    if drift is None:
        return Check(entry, tier, metric, MISMATCH, f"signature {old.signature!r} -> {new.get('signature')!r}")
    for label, delta in deltas.items():
        allowed = tol if label == "score" else max(tol, CI_ROUNDING)
        if delta is not None and delta > allowed:
            return Check(entry, tier, metric, MISMATCH, f"{label} Δ = {delta:.3g} > tolerance {allowed:g}")
    worst = max((d for d in deltas.values() if d is not None), default=0.0)
    if worst == 0 and not drift:
        return Check(entry, tier, metric, IDENTICAL)
    if drift:
        why = f"library versions differ: {', '.join(drift)}"
    elif (deltas["score"] or 0.0) == 0:
        why = "floating-point rounding in the bootstrap CI"
    else:
        why = "same library versions"
    return Check(entry, tier, metric, WITHIN, f"{why}; max Δ = {worst:.3g}")


def compare_stats(
    entry: str, tier: str, stored: store.TierStats | None, item_ids: Sequence[str], clusters, results: Mapping
) -> Check:
    """The per-item statistics behind the rank groups, recomputed (ids, clip codes, reducers, every value)."""
    subject = "stats.npz"
    if stored is None:
        return Check(entry, tier, subject, MISMATCH, "the statistics for this tier are missing")
    if tuple(stored.item_ids) != tuple(item_ids):
        return Check(entry, tier, subject, MISMATCH, "item ids differ from the re-scored ones")
    if (stored.clusters is None) != (clusters is None) or (
        clusters is not None and not np.array_equal(np.asarray(stored.clusters), np.asarray(clusters))
    ):
        return Check(entry, tier, subject, MISMATCH, "clip codes differ from the task's")
    expected = {n: r for n, r in results.items() if r.available and r.stats is not None and r.reducer is not None}
    if set(stored.results) != set(expected):
        return Check(
            entry, tier, subject, MISMATCH, f"holds {sorted(stored.results)}, re-scoring gives {sorted(expected)}"
        )
    worst = 0.0
    for name, fresh in expected.items():
        old = stored.results[name]
        a, b = np.asarray(old.stats, dtype=np.float64), np.asarray(fresh.stats, dtype=np.float64)
        if old.reducer != fresh.reducer or a.shape != b.shape:
            return Check(entry, tier, subject, MISMATCH, f"{name}: reducer or shape differs")
        if not (np.isfinite(a) == np.isfinite(b)).all():
            return Check(entry, tier, subject, MISMATCH, f"{name}: non-finite values differ")
        diff = float(np.max(np.abs(np.where(np.isfinite(a), a - b, 0.0)), initial=0.0))
        score_diff = _delta(old.corpus, fresh.corpus) or 0.0
        if max(diff, score_diff) > tolerance(name):
            return Check(entry, tier, subject, MISMATCH, f"{name}: per-item statistics Δ = {max(diff, score_diff):.3g}")
        worst = max(worst, diff, score_diff)
    if worst == 0:
        return Check(entry, tier, subject, IDENTICAL, f"{len(expected)} metrics x {len(item_ids)} items")
    return Check(entry, tier, subject, WITHIN, f"max Δ = {worst:.3g}")


def estimate_seconds(entries: Sequence[store.Entry]) -> tuple[int, float]:
    items = sum(t.n_items for e in entries for t in e.tiers.values())
    return items, items * SECONDS_PER_ITEM


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"


def verify_entry(
    entry: store.Entry,
    data_dir: str | Path | None,
    scorer=None,  # noqa: ANN001 - a submit.Scorer
    say: Say | None = None,
    progress: bool = False,
    tier_done: Callable[[int, Sequence[Check]], None] | None = None,
) -> list[Check]:
    """Every number the entry shows, recomputed from its stored predictions and compared."""
    from adiff_bench.leaderboard.bundle import TIERS_BY_NAME, TierPredictions, predictions_sha256
    from adiff_bench.leaderboard.submit import ScoringPlan, overall_sha256, rescore_tier

    say = say or (lambda _: None)
    slug = entry.slug
    checks: list[Check] = []
    if not entry.predictions_path().is_file():
        return [Check(slug, None, "predictions", MISMATCH, f"{entry.predictions_path().name} is missing")]
    stored = store.read_predictions(entry.predictions_path())
    hashes = {tier: predictions_sha256(pairs) for tier, pairs in stored.items()}
    if set(hashes) != set(entry.tiers):
        checks.append(
            Check(slug, None, "tiers", MISMATCH, f"predictions cover {sorted(hashes)}, the entry {sorted(entry.tiers)}")
        )
    if overall_sha256(hashes) != entry.predictions_sha256:
        checks.append(Check(slug, None, "predictions sha256", MISMATCH, "does not match the stored predictions"))
    stats: dict[str, store.TierStats] = {}
    if not entry.stats_path().is_file():
        checks.append(Check(slug, None, "stats.npz", MISMATCH, f"{entry.stats_path().name} is missing"))
    else:
        try:
            stats = store.read_stats(entry.stats_path())
        except DataError as exc:
            checks.append(Check(slug, None, "stats.npz", MISMATCH, str(exc)))
    plan = ScoringPlan(
        metrics=tuple(entry.scoring.get("metrics") or ()) or None,
        n_resamples=int(entry.scoring.get("n_resamples", 1000)),
        seed=int(entry.scoring.get("seed", 0)),
    )
    for name, tier_entry in entry.tiers.items():
        if name not in stored:
            continue
        if hashes[name] != tier_entry.predictions_sha256:
            checks.append(Check(slug, name, "predictions sha256", MISMATCH, "does not match the stored predictions"))
        say(f"{slug}: {name}: re-scoring {len(stored[name])} items with {', '.join(plan.metrics or ('default',))}")
        tier = TierPredictions(TIERS_BY_NAME[name], tuple(stored[name]), str(entry.predictions_path()))
        try:
            scored = rescore_tier(tier, data_dir, plan, scorer, progress=progress)
        except DataError as exc:
            checks.append(Check(slug, name, "re-scoring", MISMATCH, str(exc)))
            continue
        fresh = scored.scores.to_json()
        n_items = len(scored.scores.item_ids)
        checks.append(
            Check(
                slug,
                name,
                "n_items",
                IDENTICAL if n_items == tier_entry.n_items else MISMATCH,
                f"stored {tier_entry.n_items}, re-scored {n_items}",
            )
        )
        same = tier_entry.resampling == scored.scores.resampling
        checks.append(
            Check(slug, name, "resampling", IDENTICAL if same else MISMATCH, "" if same else "method text differs")
        )
        listed = list(plan.metrics) if plan.metrics else list(fresh)
        for metric in sorted(set(listed) | set(tier_entry.scores) | set(fresh), key=_order(listed, fresh)):
            old = tier_entry.scores.get(metric)
            if old is None:
                checks.append(Check(slug, name, metric, MISMATCH, "missing from the entry but produced by re-scoring"))
            elif metric not in fresh:
                checks.append(Check(slug, name, metric, MISMATCH, "in the entry but not produced by re-scoring"))
            else:
                checks.append(compare_metric(slug, name, metric, old, fresh[metric]))
        tier_stats = stats.get(name)
        checks.append(
            compare_stats(slug, name, tier_stats, scored.scores.item_ids, scored.clusters, scored.scores.results)
        )
        if tier_done is not None:
            tier_done(tier_entry.n_items, checks)
    return checks


def _order(listed: Sequence[str], fresh: Mapping) -> Callable[[str], tuple[int, str]]:
    ranks = {m: i for i, m in enumerate([*listed, *fresh])}
    return lambda m: (ranks.get(m, len(ranks)), m)


def verify_board(
    leaderboard_dir: str | Path,
    data_dir: str | Path | None,
    scorer=None,  # noqa: ANN001 - a submit.Scorer
    say: Say | None = None,
    progress: bool = False,
    report: Callable[[Sequence[Check]], None] | None = None,
) -> dict[str, list[Check]]:
    """Checks per entry; progress and a time estimate go to ``say``, each tier's checks to ``report`` when done."""
    say = say or (lambda _: None)
    found = store.read_entries(leaderboard_dir)
    items, seconds = estimate_seconds(found)
    n_tiers = sum(len(e.tiers) for e in found)
    say(
        f"verifying {len(found)} entr{'y' if len(found) == 1 else 'ies'}, {n_tiers} tiers, {items} items: "
        f"about {_minutes(seconds)} (estimate at {SECONDS_PER_ITEM * 1000:.0f} ms per item)"
    )
    out: dict[str, list[Check]] = {}
    done, start = 0, time.monotonic()

    reported = 0

    def tier_done(n_items: int, checks: Sequence[Check]) -> None:  # results so far; estimate from measured pace
        nonlocal done, reported
        if report is not None:
            report(checks[reported:])
        reported = len(checks)
        done += n_items
        elapsed = time.monotonic() - start
        if 0 < done < items:
            say(f"{done}/{items} items in {_minutes(elapsed)}; about {_minutes(elapsed / done * (items - done))} left")

    for number, entry in enumerate(found, start=1):

        def tier_say(message: str, number: int = number) -> None:
            say(f"[{number}/{len(found)}] {message}")

        reported = 0
        out[entry.slug] = verify_entry(entry, data_dir, scorer, tier_say, progress, tier_done)
        if report is not None:
            report(out[entry.slug][reported:])
    say(f"done in {_minutes(time.monotonic() - start)}")
    return out


def stderr_say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
