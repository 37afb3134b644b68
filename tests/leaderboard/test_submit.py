from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from adiff_bench.data.tasks import load_task
from adiff_bench.errors import DataError
from adiff_bench.leaderboard import entries
from adiff_bench.leaderboard.bundle import TIERS_BY_NAME, read_bundle
from adiff_bench.leaderboard.submit import ScoringPlan, submit, verify_all

from .helpers import N_ITEMS, bundle_dict, fake_scorer, write_bundle_file

PLAN = ScoringPlan(n_resamples=200, seed=0)


def _submit(tmp_path: Path, data_dir: Path, data: dict, **kwargs: object):
    bundle = write_bundle_file(tmp_path / f"{data['meta']['name'][:8]}.json", data)
    return submit(bundle, data_dir=data_dir, leaderboard_dir=tmp_path / "lb", plan=PLAN, scorer=fake_scorer, **kwargs)


def test_submit_rescores_and_writes_the_entry(tmp_path: Path, data_dir: Path) -> None:
    data = bundle_dict("Half", {"acd-test-tier1": "half", "cld-evaluation-tier1": "oracle"}, organisation="Lab")
    outcome = _submit(tmp_path, data_dir, data)
    assert outcome.entry_path == tmp_path / "lb" / "entries" / "half.json" and not outcome.replaced
    entry = entries.read_entry(outcome.entry_path)
    assert entry.meta["organisation"] == "Lab"
    assert set(entry.tiers) == {"acd-test-tier1", "cld-evaluation-tier1"}  # tiers not run are simply absent

    # the stored numbers are exactly what scoring the predictions gives
    task = load_task(TIERS_BY_NAME["acd-test-tier1"], data_dir)
    texts = dict(read_bundle(tmp_path / "Half.json").tiers[0].predictions)
    direct = fake_scorer([(i, texts[i.item_id]) for i in task.items], ci=True, n_resamples=200, seed=0)
    stored = entry.tiers["acd-test-tier1"].scores
    assert stored["CIDEr-D"].score == direct.results["CIDEr-D"].corpus
    assert stored["CIDEr-D"].low == direct.intervals["CIDEr-D"]["low"]
    assert stored["BLEU-4"].score == 0.5  # half the items are exact
    assert stored["SPICE"].score is None and "CoreNLP" in (stored["SPICE"].unavailable or "")
    assert "clips resampled" in (entry.tiers["acd-test-tier1"].resampling or "")
    assert entry.scoring["n_resamples"] == 200 and entry.scoring["metrics"] == ["CIDEr-D", "BLEU-4", "SPICE"]

    # sidecars: the predictions (for --verify) and per-item statistics with clip codes (for paired tests)
    lines = gzip.decompress(entry.predictions_path().read_bytes()).decode().splitlines()
    assert len(lines) == 2 * N_ITEMS and json.loads(lines[0])["id"] == "acd-test-00000"
    stats = entries.read_stats(entry.stats_path())
    assert stats["acd-test-tier1"].results["BLEU-4"].stats.shape == (N_ITEMS, 2)
    assert stats["acd-test-tier1"].clusters.shape == (N_ITEMS, 2)


def test_resubmitting_needs_replace(tmp_path: Path, data_dir: Path) -> None:
    _submit(tmp_path, data_dir, bundle_dict("Model A", {"acd-test-tier1": "constant"}))
    with pytest.raises(DataError, match="pass --replace"):
        _submit(tmp_path, data_dir, bundle_dict("Model A", {"acd-test-tier1": "oracle"}))
    before = entries.read_entry(tmp_path / "lb" / "entries" / "model-a.json")
    assert before.tiers["acd-test-tier1"].scores["BLEU-4"].score == 0.0
    outcome = _submit(tmp_path, data_dir, bundle_dict("Model A", {"acd-test-tier1": "oracle"}), replace=True)
    assert outcome.replaced
    after = entries.read_entry(outcome.entry_path)
    assert after.tiers["acd-test-tier1"].scores["BLEU-4"].score == 1.0
    # another name that slugifies the same never replaces a different model
    with pytest.raises(DataError, match="already used by 'Model A'"):
        _submit(tmp_path, data_dir, bundle_dict("model-a", {"acd-test-tier1": "oracle"}), replace=True)


def test_submit_checks_ids_before_writing(tmp_path: Path, data_dir: Path) -> None:
    data = bundle_dict("Broken", {"acd-test-tier2": "oracle"})
    data["tiers"]["acd-test-tier2"].pop()
    with pytest.raises(DataError, match=r"tier acd-test-tier2: 1 of 10 item\(s\) have no prediction"):
        _submit(tmp_path, data_dir, data)
    assert not (tmp_path / "lb" / "entries").exists()


def test_verify_finds_tampering(tmp_path: Path, data_dir: Path) -> None:
    _submit(tmp_path, data_dir, bundle_dict("Good", {"acd-test-tier1": "half"}))
    outcome = _submit(tmp_path, data_dir, bundle_dict("Edited", {"acd-test-tier1": "half"}))
    _submit(tmp_path, data_dir, bundle_dict("Swapped", {"acd-test-tier1": "half"}))
    lb = tmp_path / "lb"
    assert verify_all(lb, data_dir, fake_scorer) == {"edited": [], "good": [], "swapped": []}

    record = json.loads(outcome.entry_path.read_text())
    record["tiers"]["acd-test-tier1"]["scores"]["CIDEr-D"]["score"] += 0.01
    outcome.entry_path.write_text(json.dumps(record))
    stored = lb / "entries" / "swapped.predictions.jsonl.gz"
    text = gzip.decompress(stored.read_bytes()).decode().replace("the two sounds differ", "the first is louder")
    stored.write_bytes(gzip.compress(text.encode()))

    found = verify_all(lb, data_dir, fake_scorer)
    assert found["good"] == []
    assert "edited / acd-test-tier1 / CIDEr-D: mismatch (score Δ = 0.01 > tolerance 0)" in found["edited"]
    assert any("predictions sha256" in p for p in found["swapped"])
    # and the re-scored numbers moved too
    assert any(p.startswith("swapped / acd-test-tier1 / CIDEr-D: mismatch") for p in found["swapped"])


def test_verify_reports_missing_predictions(tmp_path: Path, data_dir: Path) -> None:
    outcome = _submit(tmp_path, data_dir, bundle_dict("Gone", {"acd-test-tier1": "half"}))
    entries.read_entry(outcome.entry_path).predictions_path().unlink()
    assert verify_all(tmp_path / "lb", data_dir, fake_scorer)["gone"] == [
        "gone / predictions: mismatch (gone.predictions.jsonl.gz is missing)"
    ]


def test_entries_are_deterministic(tmp_path: Path, data_dir: Path) -> None:
    first = _submit(tmp_path, data_dir, bundle_dict("Same", {"acd-test-tier1": "half"}))
    text = first.entry_path.read_bytes()
    gz = entries.read_entry(first.entry_path).predictions_path().read_bytes()
    shutil.rmtree(tmp_path / "lb")
    second = _submit(tmp_path, data_dir, bundle_dict("Same", {"acd-test-tier1": "half"}))
    assert second.entry_path.read_bytes() == text
    assert entries.read_entry(second.entry_path).predictions_path().read_bytes() == gz


@pytest.mark.slow
def test_submit_with_the_real_scorer(tmp_path: Path, data_dir: Path) -> None:
    """The default scorer end to end (BLEU-4 needs Java for the PTB tokenizer)."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: the PTB tokenizer behind BLEU-4 cannot run")
    bundle = write_bundle_file(tmp_path / "b.json", bundle_dict("Real", {"acd-test-tier1": "half"}))
    plan = ScoringPlan(metrics=("BLEU-4",), n_resamples=100)
    outcome = submit(bundle, data_dir=data_dir, leaderboard_dir=tmp_path / "lb", plan=plan)
    score = entries.read_entry(outcome.entry_path).tiers["acd-test-tier1"].scores["BLEU-4"]
    assert score.signature.startswith("BLEU-4|") and 0.0 < score.score < 1.0
    assert score.low <= score.score <= score.high
    assert verify_all(tmp_path / "lb", data_dir) == {"real": []}


def test_concurrent_submits_of_one_name_never_replace_silently(tmp_path: Path, data_dir: Path) -> None:
    """Two submits of one name at once (#14.10): the one that finishes second is refused, not silently added."""
    finished: list[str] = []

    def scorer_that_races(*args: object, **kwargs: object):
        if not finished:  # while the first submit is scoring, a second one of the same model completes
            finished.append(str(_submit(tmp_path, data_dir, bundle_dict("Racer", {"acd-test-tier1": "oracle"}))))
        return fake_scorer(*args, **kwargs)

    bundle = write_bundle_file(tmp_path / "first.json", bundle_dict("Racer", {"acd-test-tier1": "constant"}))
    with pytest.raises(DataError, match="already holds model 'Racer'; pass --replace"):
        submit(bundle, data_dir=data_dir, leaderboard_dir=tmp_path / "lb", plan=PLAN, scorer=scorer_that_races)
    entry = entries.read_entry(tmp_path / "lb" / "entries" / "racer.json")
    assert len(finished) == 1 and entry.tiers["acd-test-tier1"].scores["BLEU-4"].score == 1.0  # the winner's entry


def test_a_submit_while_the_leaderboard_is_being_written_is_one_line(tmp_path: Path, data_dir: Path) -> None:
    from adiff_bench.locking import FolderInUse, exclusive_lock

    lock = exclusive_lock(tmp_path / "lb" / "entries", "submit of Other", option="--leaderboard-dir")
    with lock, pytest.raises(FolderInUse) as caught:
        _submit(tmp_path, data_dir, bundle_dict("Racer", {"acd-test-tier1": "oracle"}))
    message = str(caught.value)
    assert "is in use by PID" in message and "(submit of Other)" in message and "\n" not in message
    assert not (tmp_path / "lb" / "entries" / "racer.json").exists()
    _submit(tmp_path, data_dir, bundle_dict("Racer", {"acd-test-tier1": "oracle"}))  # released: goes through
