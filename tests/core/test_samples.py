"""samples.jsonl, load_runs, export-samples and the results.json schema, on tiny synth runs."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from adiff_bench.api import evaluate, make_run_spec, score_file
from adiff_bench.cli.main import main
from adiff_bench.data.synth import ensure_synth
from adiff_bench.data.tasks import Item, load_task, make_task_spec
from adiff_bench.errors import DataError
from adiff_bench.metrics.base import MetricResult, mean_stats
from adiff_bench.runs.record import RunRecord
from adiff_bench.runs.samples import sample_rows
from adiff_bench.runs.scoring import Scores
from adiff_bench.runs.store import load_item_scores, read_predictions
from adiff_bench.runs.table import load_runs
from adiff_bench.schemas import results_schema, validate

METRICS = "BLEU-4,ROUGE-L"
TOL = 1e-12


@pytest.fixture(scope="module")
def synth_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_synth(tmp_path_factory.mktemp("synth") / "s", seed=0, n_pairs=12)


@pytest.fixture(scope="module")
def runs(synth_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Two finished runs under one folder (as adiff-runs/...): caption-oracle on 10 items and constant on 6."""
    root = tmp_path_factory.mktemp("runs")
    dirs = []
    for model, limit in (("caption-oracle", 10), ("constant", 6)):
        spec = make_run_spec(model, "synth", 2, data_dir=synth_data, limit=limit, metrics=METRICS, n_resamples=50)
        dirs.append(evaluate(spec, root).run_dir)
    return root, dirs


def _samples(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines()]


def test_run_writes_one_sample_per_scored_item_matching_predictions_and_item_scores(
    runs: tuple[Path, list[Path]], synth_data: Path
) -> None:
    run_dir = runs[1][0]
    samples = _samples(run_dir)
    ids, results = load_item_scores(run_dir / "item_scores.npz")
    assert [s["id"] for s in samples] == ids and len(ids) == 10
    predictions = {r.item_id: r for r in read_predictions(run_dir / "predictions.jsonl").records}
    items = load_task(make_task_spec("synth", 2), synth_data).by_id()
    for index, sample in enumerate(samples):
        assert set(sample) == {"id", "task", "prompt", "prediction", "reference", "audio1", "audio2", "scores"}
        assert sample["task"] == "synth-test-tier2"
        assert sample["prediction"] == predictions[sample["id"]].prediction
        assert sample["prompt"] == predictions[sample["id"]].prompt
        assert sample["reference"] == items[sample["id"]].reference
        assert sample["audio1"] == items[sample["id"]].audio1 and sample["audio2"] == items[sample["id"]].audio2
        assert set(sample["scores"]) == {"BLEU-4", "ROUGE-L"}
        for name in ("BLEU-4", "ROUGE-L"):
            assert abs(sample["scores"][name] - float(results[name].per_item[index])) <= TOL
    # ROUGE-L's corpus score is the mean of its per-item scores: the samples add up to the record
    record = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    rouge = np.mean([s["scores"]["ROUGE-L"] for s in samples])
    assert abs(rouge - record["scores"]["ROUGE-L"]["score"]) <= 1e-9


def test_sample_rows_give_none_where_a_metric_has_no_per_item_value() -> None:
    task = make_task_spec("synth", 2)
    items = [
        Item(f"synth-test-{i:05d}", task, i + 2, f"a{i}.wav", f"b{i}.wav", "c1", "c2", "p", f"ref {i}")
        for i in range(3)
    ]
    per_item = np.array([0.5, np.nan, 1.0])
    scores = Scores(
        ("synth-test-00002", "synth-test-00000", "synth-test-00001"),
        {
            "M": MetricResult("M", "M|sig", 0.75, per_item, mean_stats(per_item), "mean"),
            "Corpus": MetricResult("Corpus", "C|sig", 0.3, None, np.ones((3, 2)), "mean"),
            "Gone": MetricResult("Gone", "G|sig", None, unavailable="needs torch"),
        },
    )
    rows = sample_rows([(item, f"pred {i}") for i, item in enumerate(items)], scores)
    assert [r["id"] for r in rows] == list(scores.item_ids)  # the scores' order, not the matched order
    assert rows[0]["prediction"] == "pred 2" and rows[0]["reference"] == "ref 2" and rows[0]["audio1"] == "a2.wav"
    assert [r["scores"]["M"] for r in rows] == [0.5, None, 1.0]  # NaN is not JSON: None
    assert all(r["scores"]["Corpus"] is None and r["scores"]["Gone"] is None for r in rows)
    with pytest.raises(ValueError):
        sample_rows([(item, "x") for item in items[:2]], scores)


def test_load_runs_reads_a_folder_of_runs_into_one_frame(runs: tuple[Path, list[Path]]) -> None:
    root, (oracle, constant) = runs
    frame = load_runs(root)
    assert list(frame.columns[:11]) == [
        "model", "task", "dataset", "tier", "run_dir", "id", "prompt", "prediction", "reference", "audio1", "audio2"
    ]  # fmt: skip
    assert set(frame.columns[11:]) == {"BLEU-4", "ROUGE-L"}
    assert frame["ROUGE-L"].dtype == np.float64
    assert len(frame) == 16 and frame.groupby("model").size().to_dict() == {"caption-oracle": 10, "constant": 6}
    assert set(frame["dataset"]) == {"synth"} and set(frame["tier"]) == {2}
    for run_dir in (oracle, constant):
        part = frame[frame["run_dir"] == str(run_dir)]
        samples = _samples(run_dir)
        assert list(part["id"]) == [s["id"] for s in samples]
        assert np.allclose(part["BLEU-4"], [s["scores"]["BLEU-4"] for s in samples], rtol=0, atol=TOL)
        assert list(part["reference"]) == [s["reference"] for s in samples]
    # a run folder alone, and the same folder twice, give that run once
    assert len(load_runs([oracle, oracle])) == 10


def test_load_runs_without_samples_rebuilds_the_same_rows(runs: tuple[Path, list[Path]], tmp_path: Path) -> None:
    old = tmp_path / "old"
    shutil.copytree(runs[1][0], old)
    (old / "samples.jsonl").unlink()  # a run scored before samples.jsonl existed
    rebuilt, stored = load_runs(old), load_runs(runs[1][0])
    for column in ("id", "prompt", "prediction", "reference", "audio1", "audio2"):
        assert list(rebuilt[column]) == list(stored[column]), column
    for metric in ("BLEU-4", "ROUGE-L"):
        assert np.allclose(rebuilt[metric], stored[metric], rtol=0, atol=TOL)


def test_load_runs_names_what_is_wrong(runs: tuple[Path, list[Path]], tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such folder"):
        load_runs(tmp_path / "missing")
    with pytest.raises(DataError, match="no run folders"):
        load_runs(tmp_path)
    bad = tmp_path / "bad"
    shutil.copytree(runs[1][0], bad)
    with open(bad / "samples.jsonl", "a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    with pytest.raises(DataError, match=r"samples\.jsonl:11: not valid JSON"):
        load_runs(bad)


def test_importing_the_package_does_not_import_pandas() -> None:
    code = (
        "import sys, adiff_bench; assert 'pandas' not in sys.modules; "
        "f = adiff_bench.load_runs; assert 'pandas' not in sys.modules; print(f.__module__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "adiff_bench.runs.table"
    import adiff_bench

    with pytest.raises(AttributeError):
        adiff_bench.no_such_name  # noqa: B018


def test_export_samples_writes_csv_and_refuses_inputs(
    runs: tuple[Path, list[Path]], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    import pandas as pd

    root, (oracle, _) = runs
    out = tmp_path / "all.csv"
    assert main(["export-samples", str(root), "--output", str(out)]) == 0
    assert "16 rows written" in capsys.readouterr().err
    back, frame = pd.read_csv(out), load_runs(root)
    assert list(back.columns) == list(frame.columns) and list(back["id"]) == list(frame["id"])
    assert list(back["prediction"]) == list(frame["prediction"])
    assert np.allclose(back["ROUGE-L"], frame["ROUGE-L"], rtol=0, atol=1e-12)

    results = oracle / "results.json"
    before = results.read_bytes()
    assert main(["export-samples", str(oracle), "--output", str(results)]) == 2
    assert "is an input" in capsys.readouterr().err and results.read_bytes() == before
    assert main(["export-samples", str(oracle), "--output", str(tmp_path / "x.xlsx")]) == 2
    assert "end the name in .csv or .parquet" in capsys.readouterr().err


def test_export_samples_parquet_needs_pyarrow(runs: tuple[Path, list[Path]], tmp_path: Path, capsys) -> None:
    import importlib.util

    import pandas as pd

    out = tmp_path / "all.parquet"
    code = main(["export-samples", str(runs[0]), "--output", str(out)])
    if importlib.util.find_spec("pyarrow") or importlib.util.find_spec("fastparquet"):
        assert code == 0 and len(pd.read_parquet(out)) == 16
    else:
        err = capsys.readouterr().err.strip()
        assert code == 2 and "pip install pyarrow" in err and "\n" not in err and not out.exists()


def test_score_writes_samples_beside_its_report(runs: tuple[Path, list[Path]], tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(runs[1][0], run)
    with pytest.warns(UserWarning, match="PARTIAL COVERAGE"):
        record = score_file(run / "predictions.jsonl", metrics="ROUGE-L", ci=False)
    assert record["written_to"] == str(run / "predictions.scores.json")
    samples = [json.loads(line) for line in (run / "predictions.scores.samples.jsonl").read_text().splitlines()]
    assert [s["id"] for s in samples] == [s["id"] for s in _samples(runs[1][0])]
    assert all(set(s["scores"]) == {"ROUGE-L"} for s in samples)
    mean = np.mean([s["scores"]["ROUGE-L"] for s in samples])
    assert abs(mean - record["scores"]["ROUGE-L"]["score"]) <= 1e-9
    before = (run / "samples.jsonl").read_bytes()
    with pytest.raises(DataError, match="an input or a run file"):
        score_file(run / "predictions.jsonl", metrics="ROUGE-L", ci=False, output=run / "samples.jsonl")
    assert (run / "samples.jsonl").read_bytes() == before


def test_results_json_of_a_real_run_matches_the_versioned_schema(runs: tuple[Path, list[Path]]) -> None:
    schema = results_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema" and "v1" in schema["$id"]
    for run_dir in runs[1]:
        record = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
        assert record["schema_version"] == "1"
        assert validate(record, schema) == []
        # readers ignore keys they do not know, and records without a version still load
        assert RunRecord.from_json({**record, "later_key": 1}).schema_version == "1"
        assert RunRecord.from_json({k: v for k, v in record.items() if k != "schema_version"}).schema_version is None
    broken = json.loads((runs[1][0] / "results.json").read_text(encoding="utf-8"))
    broken["scores"]["ROUGE-L"]["score"] = "high"
    del broken["task"]["items_scored"]
    broken["schema_version"] = "2"
    assert sorted(validate(broken, schema)) == [
        "$.schema_version: expected '1', got '2'",
        "$.scores.ROUGE-L.score: expected number or null, got str",
        "$.task: missing key 'items_scored'",
    ]


def test_schema_validator_refuses_keywords_it_does_not_check() -> None:
    with pytest.raises(ValueError, match="pattern"):
        validate("x", {"type": "string", "pattern": "^y"})
    assert validate(True, {"type": "integer"}) == ["$: expected integer, got bool"]
    try:
        import jsonschema
    except ImportError:
        return
    schema = results_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
