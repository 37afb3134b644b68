"""The run shape: a checked RunSpec with its ScoringSpec, old spec files, one RunDir, one clustering rule."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from adiff_bench.api import evaluate, make_run_spec
from adiff_bench.data.tasks import Item, make_task_spec
from adiff_bench.errors import AdiffBenchError
from adiff_bench.runs import store
from adiff_bench.runs.rundir import RunDir
from adiff_bench.runs.scoring import score_matched
from adiff_bench.runs.spec import RunSpec, ScoringSpec

from .helpers import write_task_csvs

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_task_csvs(tmp_path / "data")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_resamples": 0}, "--n-resamples"),
        ({"seed": -1}, "--seed"),
        ({"limit": 0}, "--limit"),
        ({"batch_size": 0}, "--batch-size"),
        ({"crop": "middle"}, "--crop"),
        ({"metrics": "BLUE-4"}, "BLUE-4"),
    ],
)
def test_a_bad_option_fails_when_the_spec_is_built(options: dict, message: str) -> None:
    with pytest.raises(AdiffBenchError, match=message):
        make_run_spec("caption-oracle", "acd", 2, **options)


def test_scoring_travels_inside_the_spec_and_round_trips() -> None:
    spec = make_run_spec("caption-oracle", "synth", 1, metrics="ROUGE-L", ci=False, n_resamples=50)
    assert spec.scoring == ScoringSpec(("ROUGE-L",), False, 50, "auto") and spec.metrics == ("ROUGE-L",)
    assert RunSpec.from_json(json.loads(json.dumps(spec.to_json()))) == spec


def test_the_fingerprint_of_earlier_versions_is_kept() -> None:
    """spec.json of earlier versions holds generation_key with dtype; a changed key would refuse old folders."""
    spec = RunSpec(model="m", task=make_task_spec("acd", 2), limit=5, seed=3)
    old_key = {
        "model": "m",
        "model_args": {},
        "task": spec.task.to_json(),
        "limit": 5,
        "seed": 3,
        "crop": "fixed",
        "dtype": "float32",
        "prompt": None,
    }
    assert spec.generation_key() == old_key
    assert spec.fingerprint() == hashlib.sha256(json.dumps(old_key, sort_keys=True).encode()).hexdigest()[:16]


def _as_previous_version(run_dir: Path) -> None:
    """Rewrite spec.json and results.json as the previous version wrote them (device/dtype/extra, no scoring)."""
    for name in (store.SPEC_FILE, store.RESULTS_FILE):
        data = json.loads((run_dir / name).read_text())
        for key in ("ci", "n_resamples", "clusters"):
            data["spec"].pop(key)
        data["spec"].update(device="cpu", dtype="float32", extra={})
        (run_dir / name).write_text(json.dumps(data))


def test_an_old_run_folder_loads_and_resumes(data_dir: Path, tmp_path: Path) -> None:
    spec = make_run_spec("caption-oracle", "acd", 2, data_dir=data_dir, metrics="ROUGE-L", limit=4, ci=False)
    first = evaluate(spec, tmp_path / "runs")
    _as_previous_version(first.run_dir)
    (first.run_dir / store.RESULTS_FILE).unlink()
    lines = (first.run_dir / store.PREDICTIONS_FILE).read_text().splitlines()
    (first.run_dir / store.PREDICTIONS_FILE).write_text("\n".join(lines[:2]) + "\n")  # interrupted halfway
    folder = RunDir(first.run_dir)
    assert folder.spec.model == "caption-oracle" and folder.record() is None and not folder.is_finished(spec)
    again = evaluate(spec, tmp_path / "runs")
    assert (again.resumed, again.generated) == (2, 2)
    assert again.record["scores"]["ROUGE-L"]["score"] == first.record["scores"]["ROUGE-L"]["score"]
    assert RunDir(first.run_dir).is_finished(spec)


def test_a_finished_run_reads_its_predictions_once(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    spec = make_run_spec("caption-oracle", "acd", 2, data_dir=data_dir, metrics="ROUGE-L", ci=False)
    evaluate(spec, tmp_path / "runs")
    reads: list[Path] = []
    real = store.read_predictions
    monkeypatch.setattr(store, "read_predictions", lambda path, repair=False: reads.append(path) or real(path, repair))
    outcome = evaluate(spec, tmp_path / "runs")
    assert outcome.generated == 0 and reads == [outcome.run_dir / store.PREDICTIONS_FILE]


def test_run_and_compare_cluster_by_the_same_rule() -> None:
    """Clips resampled when a clip appears in two items, whatever the dataset (synth repeats clips too)."""
    task = make_task_spec("synth", 1)

    def item(i: int, a: str, b: str) -> Item:
        return Item(f"synth-test-{i:05d}", task, i + 2, a, b, "c1", "c2", "what differs?", "the second is louder")

    shared = [(item(i, f"x{i % 3}.wav", f"y{i}.wav"), "the second is louder") for i in range(9)]
    unique = [(item(i, f"x{i}.wav", f"y{i}.wav"), "the second is louder") for i in range(9)]
    assert "clips resampled" in score_matched(shared, ["ROUGE-L"], ci=True, n_resamples=20).resampling
    assert "items resampled" in score_matched(unique, ["ROUGE-L"], ci=True, n_resamples=20).resampling


def test_building_the_parser_and_help_load_no_numpy() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from adiff_bench.cli.main import build_parser\n"
        "parser = build_parser()\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    parser.parse_args(['run', '--help'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'torch', 'rich')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_bad_options_fail_before_a_model_is_loaded_or_anything_written(tmp_path: Path, data_dir: Path) -> None:
    base = ["run", "--model", "caption-oracle", "--data-dir", str(data_dir), "--output-dir", str(tmp_path / "out")]
    for extra, message in [
        (["--n-resamples", "0"], "--n-resamples"),
        (["--seed", "-1"], "--seed"),
        (["--limit", "0"], "--limit"),
        (["--metrics", "BLUE-4"], "BLUE-4"),
        (["--audio-root", str(tmp_path / "missing")], "--audio-root"),
        (["--model-args", "nonsense=1"], "no argument 'nonsense'"),
    ]:
        out = subprocess.run(
            [sys.executable, "-m", "adiff_bench", *base, *extra], cwd=REPO, capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 2 and message in out.stderr, (extra, out.stderr)
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert not (tmp_path / "out").exists(), extra


def test_a_missing_audio_root_is_refused_before_the_model_is_built(tmp_path: Path, data_dir: Path, monkeypatch) -> None:
    from adiff_bench.runs import runner

    monkeypatch.setattr(runner, "build_model", lambda *a, **k: pytest.fail("the model was built"))
    spec = make_run_spec("caption-oracle", "acd", 2, data_dir=data_dir, audio_root=tmp_path / "missing")
    with pytest.raises(AdiffBenchError, match="--audio-root .*no such folder"):
        evaluate(spec, tmp_path / "runs")
