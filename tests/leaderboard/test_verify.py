"""``leaderboard --verify``: library drift is reported as drift, every shown number is recomputed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from adiff_bench.cli.main import main
from adiff_bench.leaderboard import entries
from adiff_bench.leaderboard import submit as submit_module
from adiff_bench.leaderboard.build import load_table
from adiff_bench.leaderboard.submit import ScoringPlan, submit
from adiff_bench.leaderboard.verify import (
    EMBEDDING_TOLERANCE,
    IDENTICAL,
    MISMATCH,
    WITHIN,
    signature_drift,
    verify_board,
)
from adiff_bench.metrics.base import MetricResult, mean_stats
from adiff_bench.runs.scoring import Scores

from .helpers import bundle_dict, fake_scorer, write_bundle_file

TIER = "acd-test-tier1"
SBERT_OLD = "sbert-cosine|model:m|normalize:unit|refs:1|sentence-transformers:6.2.0|torch:2.13.0+cpu"
SBERT_NEW = "sbert-cosine|model:m|normalize:unit|refs:1|sentence-transformers:6.3.0|torch:2.13.0+cpu"


def embedding_scorer(signature: str, shift: float = 0.0):
    """fake_scorer plus an SBERT-like metric with the given signature, its per-item values moved by ``shift``."""

    def scorer(matched, metrics=None, **kwargs):  # noqa: ANN001, ANN202
        base = fake_scorer(matched, None, **kwargs)
        values = np.array([0.5 + 0.01 * i for i in range(len(matched))]) + shift
        results = {
            **base.results,
            "SBERT": MetricResult("SBERT", signature, float(values.mean()), values, mean_stats(values), "mean"),
        }
        from adiff_bench.stats import bootstrap_intervals, clusters_for_pairs

        found = bootstrap_intervals(
            {k: v for k, v in results.items() if v.available},
            n_resamples=kwargs.get("n_resamples", 1000),
            seed=kwargs.get("seed", 0),
            clusters=clusters_for_pairs([item.clips for item, _ in matched]),
        )
        return Scores(base.item_ids, results, {k: v.to_json() for k, v in found.items()}, base.resampling)

    return scorer


def _board(tmp_path: Path, data_dir: Path, scorer=fake_scorer) -> Path:  # noqa: ANN001
    lb = tmp_path / "lb"
    for name, kind in (("Oracle", "oracle"), ("Constant", "constant")):
        bundle = write_bundle_file(tmp_path / f"{name}.json", bundle_dict(name, {TIER: kind}))
        submit(bundle, data_dir=data_dir, leaderboard_dir=lb, plan=ScoringPlan(n_resamples=200), scorer=scorer)
    return lb


def _statuses(found: dict) -> dict[str, set[str]]:
    return {slug: {c.status for c in checks} for slug, checks in found.items()}


def test_signature_drift_is_only_library_versions() -> None:
    assert signature_drift(SBERT_OLD, SBERT_OLD) == []
    assert signature_drift(SBERT_OLD, SBERT_NEW) == ["sentence-transformers 6.2.0 -> 6.3.0"]
    assert signature_drift(SBERT_OLD, SBERT_OLD.replace("model:m", "model:other")) is None
    assert signature_drift(SBERT_OLD, SBERT_OLD.replace("refs:1", "refs:5")) is None
    assert signature_drift(SBERT_OLD, SBERT_OLD + "|extra") is None


def test_untouched_board_is_identical(tmp_path: Path, data_dir: Path) -> None:
    lb = _board(tmp_path, data_dir)
    found = verify_board(lb, data_dir, fake_scorer)
    assert _statuses(found) == {"oracle": {IDENTICAL}, "constant": {IDENTICAL}}
    subjects = {c.subject for c in found["oracle"]}
    assert {"n_items", "resampling", "stats.npz", "CIDEr-D", "BLEU-4", "SPICE"} <= subjects


def test_library_drift_within_tolerance_is_not_a_mismatch(tmp_path: Path, data_dir: Path) -> None:
    lb = _board(tmp_path, data_dir, embedding_scorer(SBERT_OLD))
    found = verify_board(lb, data_dir, embedding_scorer(SBERT_NEW, shift=EMBEDDING_TOLERANCE / 10))
    sbert = next(c for c in found["oracle"] if c.subject == "SBERT")
    assert sbert.status == WITHIN
    assert "library versions differ: sentence-transformers 6.2.0 -> 6.3.0" in sbert.detail
    assert next(c for c in found["oracle"] if c.subject == "CIDEr-D").status == IDENTICAL
    assert MISMATCH not in _statuses(found)["oracle"]
    # the same drift beyond the tolerance is a real mismatch, with its size
    found = verify_board(lb, data_dir, embedding_scorer(SBERT_NEW, shift=EMBEDDING_TOLERANCE * 10))
    sbert = next(c for c in found["oracle"] if c.subject == "SBERT")
    assert sbert.status == MISMATCH and "Δ = 0.0005" in sbert.detail


def test_cli_drift_exits_zero_with_estimate_and_progress(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lb = _board(tmp_path, data_dir, embedding_scorer(SBERT_OLD))
    monkeypatch.setattr(submit_module, "default_scorer", lambda: embedding_scorer(SBERT_NEW, 1e-7))
    assert main(["leaderboard", "--leaderboard-dir", str(lb), "--verify", "--data-dir", str(data_dir)]) == 0
    captured = capsys.readouterr()
    assert "oracle / acd-test-tier1 / SBERT: equal within tolerance (library versions differ: " in captured.out
    err = captured.err.splitlines()
    assert err[0].startswith("verifying 2 entries, 2 tiers, 20 items: about ")
    assert any(line.startswith("[1/2] constant: acd-test-tier1: re-scoring 10 items") for line in err)
    assert any(line.startswith("10/20 items in ") and line.endswith(" left") for line in err)
    assert err[-2].startswith("done in ")
    assert "0 do not match" in err[-1] and "equal within tolerance" in err[-1]


def _tamper_check(lb: Path, data_dir: Path, slug: str, subject: str) -> None:
    found = verify_board(lb, data_dir, fake_scorer)
    bad = [c for c in found[slug] if c.status == MISMATCH]
    assert any(c.subject == subject for c in bad), [c.line() for c in found[slug]]


def test_swapped_stats_are_a_mismatch(tmp_path: Path, data_dir: Path) -> None:
    lb = _board(tmp_path, data_dir)
    before = load_table(lb).rows
    folder = lb / "entries"
    shutil.copy(folder / "oracle.stats.npz", folder / "constant.stats.npz")
    after = load_table(lb).rows  # the rank groups the tables would show have changed ...
    assert [r.cells[TIER].group for r in before] != [r.cells[TIER].group for r in after]
    _tamper_check(lb, data_dir, "constant", "stats.npz")  # ... and verification says so
    (folder / "constant.stats.npz").unlink()
    _tamper_check(lb, data_dir, "constant", "stats.npz")


def _edit(lb: Path, slug: str, change) -> None:  # noqa: ANN001
    path = lb / "entries" / f"{slug}.json"
    record = json.loads(path.read_text())
    change(record)
    path.write_text(json.dumps(record))


def test_deleted_metric_is_a_mismatch(tmp_path: Path, data_dir: Path) -> None:
    lb = _board(tmp_path, data_dir)
    _edit(lb, "constant", lambda r: r["tiers"][TIER]["scores"].pop("BLEU-4"))
    _tamper_check(lb, data_dir, "constant", "BLEU-4")


def test_edited_counts_and_resampling_are_mismatches(tmp_path: Path, data_dir: Path) -> None:
    lb = _board(tmp_path, data_dir)
    _edit(lb, "constant", lambda r: r["tiers"][TIER].update(n_items=9999))
    _tamper_check(lb, data_dir, "constant", "n_items")
    _edit(lb, "oracle", lambda r: r["tiers"][TIER].update(resampling="exact, trust me"))
    _tamper_check(lb, data_dir, "oracle", "resampling")


def test_edited_ci_is_a_mismatch(tmp_path: Path, data_dir: Path) -> None:
    lb = _board(tmp_path, data_dir)
    _edit(lb, "constant", lambda r: r["tiers"][TIER]["scores"]["CIDEr-D"]["ci"].update(high=0.99))
    _tamper_check(lb, data_dir, "constant", "CIDEr-D")
    assert entries.read_entries(lb)  # still readable: tampering is reported, not a crash


def test_results_are_reported_tier_by_tier(tmp_path: Path, data_dir: Path) -> None:
    lb = tmp_path / "lb"
    tiers = {TIER: "half", "acd-test-tier2": "oracle"}
    bundle = write_bundle_file(tmp_path / "two.json", bundle_dict("Two tiers", tiers))
    submit(bundle, data_dir=data_dir, leaderboard_dir=lb, plan=ScoringPlan(n_resamples=100), scorer=fake_scorer)
    batches: list[list] = []
    found = verify_board(lb, data_dir, fake_scorer, report=lambda checks: batches.append(list(checks)))
    per_tier = [{c.tier for c in batch} for batch in batches if batch]
    assert per_tier == [{TIER}, {"acd-test-tier2"}]
    assert [c for batch in batches for c in batch] == found["two-tiers"]


def test_one_ulp_in_a_ci_bound_is_rounding_not_a_mismatch(tmp_path: Path, data_dir: Path) -> None:
    """Seen for real on the seed entries: CIDEr-D's CI high moved by 1.1e-16 between two runs on one machine."""
    lb = _board(tmp_path, data_dir)
    _edit(
        lb,
        "constant",
        lambda r: r["tiers"][TIER]["scores"]["CIDEr-D"]["ci"].update(
            high=r["tiers"][TIER]["scores"]["CIDEr-D"]["ci"]["high"] + 1.1e-16 * 2
        ),
    )
    found = verify_board(lb, data_dir, fake_scorer)
    cider = next(c for c in found["constant"] if c.subject == "CIDEr-D")
    assert cider.status == WITHIN and "floating-point rounding in the bootstrap CI" in cider.detail
    _edit(
        lb,
        "constant",
        lambda r: r["tiers"][TIER]["scores"]["CIDEr-D"].update(
            score=r["tiers"][TIER]["scores"]["CIDEr-D"]["score"] + 1e-15
        ),
    )
    _tamper_check(lb, data_dir, "constant", "CIDEr-D")  # the score itself is exact: no rounding allowed
